"""What a preview or an import returns: the problems of the file, each named
by row and column as the user sees them, and the counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from yanxiu.core import sheets

from .columns import _COLUMN_BY_KEY


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class RosterReport:
    """The outcome of a preview or an import.

    ``rows`` counts the data rows seen. After an import, ``created`` counts the
    employments started, ``updated`` the current teachers of the school whose
    data changed and ``unchanged`` those whose row changed nothing. A preview
    cannot tell the last two apart: its ``updated`` counts every row that
    matches a current teacher of the school.
    """

    ok: bool
    rows: int
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    unchanged: int = 0
    groups_created: list[str] = field(default_factory=list)
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "rows": self.rows, "errors": [e.to_json() for e in self.errors]}


class _Collector:
    """Collects errors in file order (row, then column position)."""

    def __init__(self, header: sheets.Header | None = None) -> None:
        self.header = header
        self.items: list[tuple[int, int, RowError]] = []

    def add(self, row: int, key: str, message: str) -> None:
        if self.header is not None and key in self.header.index:
            position, column = self.header.index[key], self.header.text[key]
        else:
            position, column = -1, _COLUMN_BY_KEY[key].label if key in _COLUMN_BY_KEY else key
        self.items.append((row, position, RowError(row, column, message)))

    def extend(self, errors: Iterable[RowError]) -> None:
        self.items.extend((e.row, -1, e) for e in errors)

    def sorted(self) -> list[RowError]:
        return [e for _r, _p, e in sorted(self.items, key=lambda t: (t[0], t[1]))]
