"""Reading a score sheet: find the header (one row, or two with merged cells), parse each row.

The file goes through :func:`yanxiu.core.sheets.read_sheets` (every bound
checked before a sheet is loaded); every visible sheet with a recognisable
header is read (one sheet for the school, or one per class named by the
sheet's name or title: 三（2）班), other sheets (notes) are passed over. A
header may take two rows: a merged cell leaves its value in its
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
    sheet_class: tuple[int, int] | None = None  # without a class column: the class the sheet's name or title names
    sheet: str = ""


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
    layouts: list[Layout]  # one per sheet read
    rows: list[ParsedRow]
    errors: Collector
    count: int

    @property
    def subjects(self) -> list[str]:
        """The subjects of every sheet, in the order they first appear."""
        return list(dict.fromkeys(s for layout in self.layouts for s, _p, _t in layout.subjects))

    @property
    def ignored(self) -> list[str]:
        return list(dict.fromkeys(t for layout in self.layouts for t in layout.ignored))[:60]


def prepare(file_name: str, data: bytes, *, full_marks: Decimal) -> Table:
    """Read and parse every visible sheet with a header (a book of one sheet per class, or one sheet
    for the school). Every problem is in ``errors``; when several sheets are read, each problem's
    column names its sheet."""
    layouts: list[Layout] = []
    parsed: list[ParsedRow] = []
    errors = Collector()
    first_problem: RowError | None = None
    seen: dict[tuple[int, int, str], tuple[str, int]] = {}
    try:
        for sheet in sheets.read_sheets(file_name, data):
            head = list(itertools.islice(sheet.rows, cols.HEADER_SEARCH_ROWS))
            layout = find_layout(head, sheet_name=sheet.name)
            if not isinstance(layout, Layout):
                first_problem = first_problem or layout
                continue
            layout.sheet = sheet.name
            layouts.append(layout)
            reader = _RowReader(layout, errors, full_marks, seen=seen, sheet_index=len(layouts))
            parsed.extend(_parse_rows(itertools.chain(head[layout.row :], sheet.rows), reader, room=MAX_ROWS - len(parsed)))
    except sheets.SheetError as exc:  # refused before reading, or a bound passed while reading (CSV rows or columns)
        return _failed(RowError(0, "", str(exc)))
    if not layouts:
        return _failed(first_problem or RowError(0, "", _("文件里没有可读的工作表。")))
    if len(layouts) > 1:
        errors.name_sheets({i + 1: layout.sheet for i, layout in enumerate(layouts)})
    if not parsed and not errors:
        errors.extend([RowError(layouts[0].row, "", _("表头下面没有学生成绩行。"))])
    return Table(layouts=layouts, rows=parsed, errors=errors, count=len(parsed))


def _failed(error: RowError) -> Table:
    errors = Collector()
    errors.extend([error])
    return Table(layouts=[], rows=[], errors=errors, count=0)


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


def find_layout(head: Sequence[Sequence[object]], *, sheet_name: str = "") -> Layout | RowError:
    """The header among the first rows: a one-row header, or two rows where both look like headers.

    Without a class column, the sheet's name or a title row above the header must name the class
    (a book of one sheet per class: 三（2）班)."""
    best: tuple[int, RowError | None] = (0, None)
    for i, row in enumerate(head):
        candidates = []
        if i + 1 < len(head) and _header_like(row) and _header_like(head[i + 1]):
            candidates.append((i + 1, *_combined(row, head[i + 1])))
        candidates.append((i, *_single(row)))
        for last, synthetic, shown in candidates:
            found = _layout(last, synthetic, shown)
            if isinstance(found, Layout) and "class" not in found.index:
                found = _class_of_sheet(found, sheet_name, head[: i])
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


_TITLE_CLASS = re.compile(r"(?:初|高)?(?:\d{1,2}|[一二三四五六七八九十]{1,2})(?:年级|年)?[(（]?(?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]?班")


def _class_of_sheet(layout: Layout, sheet_name: str, titles: Sequence[Sequence[object]]) -> Layout | RowError:
    """The class the sheet's name (三（2）班, 3.2) or one title row (三年级二班期末成绩) names."""
    try:
        layout.sheet_class = parse_class(sheet_name)
        return layout
    except BadValue:
        pass
    found = {m[0] for row in titles for cell in row for m in _TITLE_CLASS.finditer(_text(cell).replace(" ", ""))}
    classes = set()
    for text in found:
        try:
            classes.add(parse_class(text))
        except BadValue:
            continue
    if len(classes) == 1:
        layout.sheet_class = classes.pop()
        return layout
    return RowError(layout.row, cols.CLASS.label, _(
        "表头缺少“班级”列：请增加班级列，或在工作表名称、标题中写明班级（如“三（2）班”）。第 %(row)d 行的表头是：%(found)s。") % {
        "row": layout.row, "found": "、".join(t for t in layout.shown.values() if t)[:300]})


# --- The rows --------------------------------------------------------------------------------


def _cell(raw: Sequence[object], position: int | None) -> object:
    if position is None or position >= len(raw):
        return None
    value = raw[position]
    return None if value == "" else value


def _parse_rows(rows: Iterable[Sequence[object]], reader: _RowReader, *, room: int) -> list[ParsedRow]:
    parsed: list[ParsedRow] = []
    for number, raw in enumerate(rows, start=reader.layout.row + 1):
        if reader.skip(raw):
            continue
        if len(parsed) >= room:
            reader.errors.add(number, -1, "", _("一次最多导入 %(n)d 名学生的成绩，请把文件分成几个。") % {"n": MAX_ROWS},
                              sheet=reader.sheet_index)
            break
        parsed.append(reader.read(number, raw))
    return parsed


class _RowReader:
    """Reads one data row into a :class:`ParsedRow`; an empty class or grade cell takes the one above
    (a class merged down its students' rows)."""

    def __init__(self, layout: Layout, errors: Collector, full_marks: Decimal, *,
                 seen: dict[tuple[int, int, str], tuple[str, int]], sheet_index: int = 1) -> None:
        self.layout, self.errors, self.full_marks = layout, errors, full_marks
        self.class_at, self.name_at = layout.index.get("class"), layout.index["name"]
        self.grade_at = layout.index.get("grade")
        self.above_class: object = None
        self.above_grade: object = None
        self.seen, self.sheet_index = seen, sheet_index

    def skip(self, raw: Sequence[object]) -> bool:
        positions = [self.class_at, self.name_at, self.grade_at, *(p for _s, p, _t in self.layout.subjects)]
        texts = [_text(_cell(raw, p)) for p in positions if p is not None]
        if not any(texts):
            return True  # a blank row, or only a 序号
        words = {re.sub(r"\s+", "", _text(_cell(raw, p))) for p in (self.class_at, self.name_at) if p is not None} - {""}
        return bool(words) and words <= SUMMARY_WORDS

    def error(self, row: ParsedRow, position: int, message: str) -> None:
        row.failed = True
        self.errors.add(row.row, position, self.layout.shown.get(position, ""), message, sheet=self.sheet_index)

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
                sheet, first = self.seen[key]
                where = (_("工作表“%(sheet)s”第 %(row)d 行") % {"sheet": sheet, "row": first} if sheet != self.layout.sheet
                         else _("第 %(row)d 行") % {"row": first})
                self.error(row, self.name_at, _("与%(where)s同班同名。同名的学生请加以区分（如“张伟（大）”），重复的行请删除。")
                           % {"where": where})
            else:
                self.seen[key] = (self.layout.sheet, number)
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
        if self.class_at is None:  # a sheet of one class
            row.grade, row.class_no = self.layout.sheet_class
            if grade is not None and grade != row.grade:
                self.error(row, self.grade_at, _("年级与工作表的班级（%(g)d 年级）不一致。") % {"g": row.grade})
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
