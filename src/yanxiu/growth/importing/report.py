"""What a growth import returns: the problems of the file, each named by its row
and column as the user sees them, and the counts. The JSON form is the roster
import's: ``{"ok", "rows", "errors": [{"row", "column", "message"}]}``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from yanxiu.core import sheets

from ..choices import RecordKind
from .columns import COLUMN_BY_KEY


@dataclass
class RowError:
    row: int  # as in the spreadsheet, title rows included; 0 for the file as a whole
    column: str  # the header as written in the file, else the column's name
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    """``rows`` counts the data rows read; ``created`` the records written (after a
    preview: that would be written); ``by_kind`` the same per kind."""

    ok: bool
    rows: int
    created: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "rows": self.rows, "errors": [e.to_json() for e in self.errors]}

    def kinds_text(self) -> str:
        """The counts per kind as the page and the command show them: 听课记录 3，论文 1."""
        return "，".join(f"{RecordKind(kind).label} {n}" for kind, n in self.by_kind.items() if kind in RecordKind.values)


class Collector:
    """Collects errors in file order (row, then column position); one per row and column."""

    def __init__(self, header: sheets.Header | None = None) -> None:
        self.header = header
        self.items: list[tuple[int, int, RowError]] = []
        self.seen: set[tuple[int, str]] = set()

    def add(self, row: int, key: str, message: str) -> None:
        if (row, key) in self.seen:
            return
        self.seen.add((row, key))
        if self.header is not None and key in self.header.index:
            position, column = self.header.index[key], self.header.text[key]
        else:
            position, column = 10_000, COLUMN_BY_KEY[key].label if key in COLUMN_BY_KEY else key
        self.items.append((row, position, RowError(row, column, message)))

    def extend(self, errors: Iterable[RowError]) -> None:
        self.items.extend((e.row, -1, e) for e in errors)

    def sorted(self) -> list[RowError]:
        return [e for _r, _p, e in sorted(self.items, key=lambda t: (t[0], t[1]))]

    def __bool__(self) -> bool:
        return bool(self.items)
