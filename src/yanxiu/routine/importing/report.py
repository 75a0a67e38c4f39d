"""What a score preview or import returns: the problems of the file, each named by its row and
column as the user sees them, and the counts. The JSON form is the roster import's:
``{"ok", "rows", "errors": [{"row", "column", "message"}]}``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _


@dataclass
class RowError:
    row: int  # as in the spreadsheet, title rows included; 0 for the file as a whole
    column: str  # the header as written in the file, else the column's name
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ClassSummary:
    """One class of the file: its students and, per subject, how many cells hold each status."""

    grade: int
    class_no: int
    students: int = 0
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)  # subject -> status -> count

    @property
    def label(self) -> str:
        return f"{self.grade}.{self.class_no}"

    def to_json(self) -> dict[str, Any]:
        return {"grade": self.grade, "class": self.class_no, "students": self.students, "statuses": self.statuses}

    def cells(self, subjects: list[str]) -> list[dict[str, Any]]:
        """Per subject in ``subjects``: the counts by status and whether the class left it empty (did not take it)."""
        out = []
        for subject in subjects:
            counts = self.statuses.get(subject, {})
            taken = any(n for status, n in counts.items() if status != "empty")
            out.append({"subject": subject, "taken": taken, "scored": counts.get("scored", 0), "absent": counts.get("absent", 0),
                        "leave": counts.get("leave", 0), "exempt": counts.get("exempt", 0), "empty": counts.get("empty", 0)})
        return out


@dataclass
class ScoreReport:
    """``rows`` counts the student rows read; ``scores`` the score rows written (after a
    preview: that would be written); ``subjects`` the subjects in file order; ``ignored``
    the headers of columns left out; ``classes`` one summary per class (no names)."""

    ok: bool
    rows: int
    scores: int = 0
    errors: list[RowError] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    classes: list[ClassSummary] = field(default_factory=list)
    exam_id: int | None = None
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "rows": self.rows, "errors": [e.to_json() for e in self.errors]}


class Collector:
    """Collects errors in file order (sheet, row, then column position); one per sheet, row and column."""

    def __init__(self) -> None:
        self.items: list[tuple[int, int, int, RowError]] = []
        self.seen: set[tuple[int, int, int]] = set()

    def add(self, row: int, position: int, column: str, message: str, *, sheet: int = 1) -> None:
        if (sheet, row, position) in self.seen:
            return
        self.seen.add((sheet, row, position))
        self.items.append((sheet, row, position, RowError(row, column, message)))

    def extend(self, errors: Iterable[RowError]) -> None:
        self.items.extend((0, e.row, -1, e) for e in errors)

    def name_sheets(self, names: dict[int, str]) -> None:
        """Several sheets were read: each problem's column names its sheet (工作表“三（2）班”·语文)."""
        for sheet, _row, _position, error in self.items:
            if sheet in names:
                where = _("工作表“%(name)s”") % {"name": names[sheet]}
                error.column = f"{where}·{error.column}" if error.column else where

    def sorted(self) -> list[RowError]:
        return [e for *_key, e in sorted(self.items, key=lambda t: t[:3])]

    def __bool__(self) -> bool:
        return bool(self.items)
