"""Reading a score sheet: find the header (one row, or two with merged cells), parse each row.

The file goes through :func:`yanxiu.core.sheets.read_sheets` (every bound
checked before a sheet is loaded); the first sheet with a recognisable header
is read. A header may take two rows: a merged cell leaves its value in its
first cell and empty cells after it, so the upper row's value is carried right
over the columns the lower row heads (语文 over 成绩 | 名次, or 成绩 over
语文 | 数学 | 英语). Nothing here touches the database.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from yanxiu.core import sheets

from . import columns as cols
from .report import Collector, RowError
from .values import BadValue, parse_class, parse_grade, parse_score

MAX_ROWS = 10_000
_NUMERIC = re.compile(r"[+-]?\d+(\.\d+)?")
#: Rows of a sheet that sum up a class rather than name a student.
SUMMARY_WORDS = frozenset({"平均分", "平均", "合计", "总计", "小计", "及格率", "优秀率", "最高分", "最低分", "人数", "参考人数", "统计"})


@dataclass
class Layout:
    row: int  # the (last) header row, 1-based; data rows follow it
    index: dict[str, int]  # class / name / grade -> position
    subjects: list[tuple[str, int, str]]  # (subject, position, header as written), in file order
    shown: dict[int, str]  # position -> header as written
    ignored: list[str] = field(default_factory=list)


@dataclass
class ParsedRow:
    row: int
    grade: int = 0
    class_no: int = 0
    name: str = ""
    results: list[tuple[str, str, Decimal | None]] = field(default_factory=list)  # (subject, status, score)
    failed: bool = False


@dataclass
class Table:
    layout: Layout | None
    rows: list[ParsedRow]
    errors: Collector
    count: int


def prepare(file_name: str, data: bytes, *, full_marks: Decimal) -> Table:
    """Read and parse the file. Every problem is in ``errors``."""
    try:
        found = _find_sheet(file_name, data)
    except sheets.SheetError as exc:
        return _failed(RowError(0, "", str(exc)))
    if isinstance(found, RowError):
        return _failed(found)
    layout, rows = found
    errors = Collector()
    try:
        parsed = _parse_rows(rows, layout, errors, full_marks=full_marks)
    except sheets.SheetError as exc:  # a bound passed while reading (CSV rows or columns)
        return _failed(RowError(0, "", str(exc)))
    if not parsed and not errors:
        errors.extend([RowError(layout.row, "", _("表头下面没有学生成绩行。"))])
    return Table(layout=layout, rows=parsed, errors=errors, count=len(parsed))


def _failed(error: RowError) -> Table:
    errors = Collector()
    errors.extend([error])
    return Table(layout=None, rows=[], errors=errors, count=0)


def _find_sheet(file_name: str, data: bytes):
    """(layout, the rows below the header) of the first sheet with a header, else the first sheet's problem."""
    first_problem: RowError | None = None
    for sheet in sheets.read_sheets(file_name, data):
        head = list(itertools.islice(sheet.rows, cols.HEADER_SEARCH_ROWS))
        layout = find_layout(head)
        if isinstance(layout, Layout):
            return layout, itertools.chain(head[layout.row :], sheet.rows)
        first_problem = first_problem or layout
    return first_problem or RowError(0, "", _("文件里没有可读的工作表。"))


# --- The header ------------------------------------------------------------------------------


def _text(value: object) -> str:
    return sheets.cell_text(value)


def _header_like(row: Sequence[object]) -> bool:
    """A row of column names: some known header word, and no number."""
    texts = [_text(c) for c in row]
    if any(isinstance(c, (int, float)) and not isinstance(c, bool) for c in row if c != ""):
        return False
    return any(cols.is_header_word(t) for t in texts) and not any(_NUMERIC.fullmatch(t) for t in texts)


def _single(row: Sequence[object]) -> tuple[list[str], list[str]]:
    """(the header for matching, the header as written) of a one-row header."""
    shown = [_text(c) for c in row]
    return [cols.subject_of(t) or t for t in shown], shown


def _combined(upper: Sequence[object], lower: Sequence[object]) -> tuple[list[str], list[str]]:
    """The same for a two-row header, the upper row's merged values carried right."""
    width = max(len(upper), len(lower))
    synthetic, shown = [], []
    carried = ""
    for j in range(width):
        own = _text(upper[j]) if j < len(upper) else ""
        low = _text(lower[j]) if j < len(lower) else ""
        if own:
            carried = own
        up = own or (carried if low else "")
        if cols.subject_of(low):
            synthetic.append(cols.subject_of(low))
            shown.append(low)
        elif cols.subject_of(up):
            scored = not low or cols.is_score_word(low)
            synthetic.append(cols.subject_of(up) if scored else f"{up}{low}")
            shown.append(up if scored else f"{up}·{low}")
        elif cols.fixed_key(low) or not own:
            synthetic.append(low)
            shown.append(low)
        else:
            synthetic.append(own if not low else f"{own}·{low}")
            shown.append(own if not low else f"{own}·{low}")
    return synthetic, shown


def _recognised(synthetic: Sequence[str]) -> int:
    return sum(1 for t in synthetic if cols.fixed_key(t) or cols.subject_of(t))


def find_layout(head: Sequence[Sequence[object]]) -> Layout | RowError:
    """The header among the first rows: a one-row header, or two rows where both look like headers."""
    best: tuple[int, RowError | None] = (0, None)
    for i, row in enumerate(head):
        candidates = []
        if i + 1 < len(head) and _header_like(row) and _header_like(head[i + 1]):
            candidates.append((i + 1, *_combined(row, head[i + 1])))
        candidates.append((i, *_single(row)))
        for last, synthetic, shown in candidates:
            found = _layout(last, synthetic, shown)
            if isinstance(found, Layout):
                return found
            score = _recognised(synthetic)
            if score > best[0]:
                best = (score, found)
    if best[1] is not None:
        return best[1]
    return RowError(1, "", _("没有找到表头行。请在前 %(n)d 行内保留“班级、姓名、语文、数学……”等列名。") % {"n": cols.HEADER_SEARCH_ROWS})


def _layout(last: int, synthetic: list[str], shown: list[str]) -> Layout | RowError:
    header, problems = sheets.find_header([[]] * last + [synthetic], cols.COLUMNS, search_rows=max(cols.HEADER_SEARCH_ROWS, last + 1), min_matches=1,
                                          example=_("班级、姓名、语文"))
    if header is None:
        p = problems[0]
        return RowError(last + 1, p.column, p.message)
    subjects = [(key.split(":", 1)[1], pos, shown[pos]) for key, pos in header.index.items() if key.startswith("subject:")]
    subjects.sort(key=lambda s: s[1])
    if not subjects:
        return RowError(last + 1, "", _("第 %(row)d 行的表头中没有学科列（可识别：%(known)s）。") % {
            "row": last + 1, "known": "、".join(cols.SUBJECTS)})
    if len(subjects) > cols.MAX_SUBJECTS:
        return RowError(last + 1, "", _("学科列有 %(n)d 个，一次最多导入 %(max)d 个学科。") % {
            "n": len(subjects), "max": cols.MAX_SUBJECTS})
    used = set(header.index.values())
    ignored = [t for pos, t in enumerate(shown) if t and pos not in used]
    fixed = {k: v for k, v in header.index.items() if not k.startswith("subject:")}
    return Layout(row=last + 1, index=fixed, subjects=subjects, shown=dict(enumerate(shown)), ignored=ignored[:60])


# --- The rows --------------------------------------------------------------------------------


def _cell(raw: Sequence[object], position: int | None) -> object:
    if position is None or position >= len(raw):
        return None
    value = raw[position]
    return None if value == "" else value


def _parse_rows(rows: Iterable[Sequence[object]], layout: Layout, errors: Collector, *, full_marks: Decimal) -> list[ParsedRow]:
    parsed: list[ParsedRow] = []
    reader = _RowReader(layout, errors, full_marks)
    for number, raw in enumerate(rows, start=layout.row + 1):
        if reader.skip(raw):
            continue
        if len(parsed) == MAX_ROWS:
            errors.extend([RowError(number, "", _("一次最多导入 %(n)d 名学生的成绩，请把文件分成几个。") % {"n": MAX_ROWS})])
            break
        parsed.append(reader.read(number, raw))
    return parsed


class _RowReader:
    """Reads one data row into a :class:`ParsedRow`; an empty class or grade cell takes the one above
    (a class merged down its students' rows)."""

    def __init__(self, layout: Layout, errors: Collector, full_marks: Decimal) -> None:
        self.layout, self.errors, self.full_marks = layout, errors, full_marks
        self.class_at, self.name_at = layout.index["class"], layout.index["name"]
        self.grade_at = layout.index.get("grade")
        self.above_class: object = None
        self.above_grade: object = None
        self.seen: dict[tuple[int, int, str], int] = {}

    def skip(self, raw: Sequence[object]) -> bool:
        positions = [self.class_at, self.name_at, self.grade_at, *(p for _s, p, _t in self.layout.subjects)]
        texts = [_text(_cell(raw, p)) for p in positions if p is not None]
        if not any(texts):
            return True  # a blank row, or only a 序号
        words = {re.sub(r"\s+", "", _text(_cell(raw, p))) for p in (self.class_at, self.name_at)} - {""}
        return bool(words) and words <= SUMMARY_WORDS

    def error(self, row: ParsedRow, position: int, message: str) -> None:
        row.failed = True
        self.errors.add(row.row, position, self.layout.shown.get(position, ""), message)

    def read(self, number: int, raw: Sequence[object]) -> ParsedRow:
        row = ParsedRow(row=number)
        self._place(row, raw)
        self._name(row, raw)
        for subject, position, _shown in self.layout.subjects:
            try:
                status, score = parse_score(_cell(raw, position), full_marks=self.full_marks)
            except BadValue as exc:
                self.error(row, position, str(exc))
                continue
            row.results.append((subject, status, score))
        if not row.failed:
            key = (row.grade, row.class_no, row.name)
            if key in self.seen:
                self.error(row, self.name_at, _("与第 %(first)d 行同班同名。同名的学生请加以区分（如“张伟（大）”），重复的行请删除。")
                           % {"first": self.seen[key]})
            else:
                self.seen[key] = number
        return row

    def _place(self, row: ParsedRow, raw: Sequence[object]) -> None:
        grade = None
        if self.grade_at is not None:
            value = _cell(raw, self.grade_at)
            value = self.above_grade if value is None else value
            self.above_grade = value
            try:
                grade = parse_grade(value) if value is not None else None
            except BadValue as exc:
                self.error(row, self.grade_at, str(exc))
                return
        value = _cell(raw, self.class_at)
        value = self.above_class if value is None else value
        self.above_class = value
        try:
            row.grade, row.class_no = parse_class(value, grade=grade)
        except BadValue as exc:
            self.error(row, self.class_at, str(exc))

    def _name(self, row: ParsedRow, raw: Sequence[object]) -> None:
        value = _cell(raw, self.name_at)
        name = _text(value)
        if name and any("\u3400" <= ch <= "\u9fff" for ch in name):
            name = name.replace(" ", "")  # 王  芳, aligned with spaces
        if not name:
            self.error(row, self.name_at, _("姓名不能为空。"))
        elif len(name) > cols.MAX_NAME:
            self.error(row, self.name_at, _("姓名过长（%(n)d 个字，最多 %(max)d 个）。") % {"n": len(name), "max": cols.MAX_NAME})
        elif any(unicodedata.category(ch)[0] == "C" for ch in name):
            self.error(row, self.name_at, _("姓名中有不可见的控制字符，请重新输入。"))
        else:
            row.name = name
