"""Reading a register: find the header, parse each row without the database.

The file goes through :func:`yanxiu.core.sheets.read_sheets` (every bound
checked before a sheet is loaded); the first sheet with a recognisable header
is read. A register of one kind only (a 听课记录 book) may leave out the 类型
column when its sheet name or title says the kind.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yanxiu.core import sheets
from yanxiu.org import idnumber

from .. import calendar
from ..choices import RecordKind
from .columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    HEADER_MIN_MATCHES,
    HEADER_SEARCH_ROWS,
    MAX_LENGTHS,
    NO,
    STUDENT_AWARD_WORDS,
    YES,
    allowed,
    value_key,
    vocabularies,
)
from .report import Collector, RowError
from .values import BadValue, check_date_bounds, parse_date, text

MAX_ROWS = 50_000

#: Columns whose cell is matched to a vocabulary (cell text -> stored code).
CODED = ("level", "role", "topic_status")
#: Free text columns, stored as written (bounded by MAX_LENGTHS).
FREE_TEXT = ("title", "class_name", "subject", "observed_name", "venue", "content", "critique", "note")


@dataclass
class ParsedRow:
    row: int
    id_number: str = ""  # valid and normalised, or "" (no ID column or cell, or a bad one)
    id_given: bool = False
    name: str = ""
    fields: dict = field(default_factory=dict)  # GrowthRecord fields
    failed_keys: set = field(default_factory=set)


@dataclass
class Table:
    header: sheets.Header | None
    rows: list[ParsedRow]
    errors: Collector
    count: int


def prepare(file_name: str, data: bytes, *, today: dt.date) -> Table:
    """Read and parse the file. Every problem is in ``errors``; nothing touches the database."""
    try:
        found = _find_sheet(file_name, data)
    except sheets.SheetError as exc:
        return _failed(RowError(0, "", str(exc)))
    if isinstance(found, RowError):
        return _failed(found)
    header, rows, default_kind = found
    errors = Collector(header)
    try:
        parsed = _parse_rows(rows, header, errors, default_kind=default_kind, today=today)
    except sheets.SheetError as exc:  # a bound passed while reading (CSV rows or columns)
        return _failed(RowError(0, "", str(exc)))
    if not parsed:
        errors.extend([RowError(header.row, "", _("表头下面没有数据行。"))])
    return Table(header=header, rows=parsed, errors=errors, count=len(parsed))


def _failed(error: RowError) -> Table:
    errors = Collector()
    errors.extend([error])
    return Table(header=None, rows=[], errors=errors, count=0)


def _find_sheet(file_name: str, data: bytes):
    """(header, the rows below it, the kind the sheet's name or title says) of the
    first sheet with a header, or the first sheet's header problem as a RowError."""
    first_problem: RowError | None = None
    for sheet in sheets.read_sheets(file_name, data):
        head = list(itertools.islice(sheet.rows, HEADER_SEARCH_ROWS))
        header, problems = sheets.find_header(
            head, COLUMNS, search_rows=HEADER_SEARCH_ROWS, min_matches=HEADER_MIN_MATCHES,
            example=_("姓名、类型、日期、名称"),
        )
        problem = _header_problem(header, problems, sheet.name, head)
        if problem is None:
            titles = [sheet.name, *(text(cell) for row in head[: header.row - 1] for cell in row)]
            return header, itertools.chain(head[header.row:], sheet.rows), kind_named_in(titles)
        first_problem = first_problem or problem
    return first_problem or RowError(0, "", _("文件里没有可读的工作表。"))


def _header_problem(header, problems, sheet_name: str, head) -> RowError | None:
    if header is None:
        p = problems[0]
        return RowError(p.row, p.column, p.message)
    missing = [COLUMN_BY_KEY[k].label for k in ("date", "title") if k not in header.index]
    if "name" not in header.index and "id_number" not in header.index:
        missing.insert(0, _("姓名或身份证号"))
    if "kind" not in header.index:
        titles = [sheet_name, *(text(cell) for row in head[: header.row - 1] for cell in row)]
        if kind_named_in(titles) is None:
            missing.append(_("类型（或在工作表名称、标题中写明记录类型，如“听课记录”）"))
    if not missing:
        return None
    return RowError(header.row, "、".join(missing), _("表头缺少必需的列：%(cols)s。第 %(row)d 行的表头是：%(found)s。") % {
        "cols": "、".join(missing), "row": header.row, "found": "、".join(header.text.values())})


def kind_named_in(texts: Iterable[str]) -> str | None:
    """The one record kind the texts name (a sheet called 听课记录, a title 2024年听课记录登记表), else None."""
    words = sorted((w for w in vocabularies()["kind"] if len(w) >= 2), key=len, reverse=True)
    kinds = set()
    for chunk in texts:
        chunk = value_key(chunk)
        for word in words:
            if word in chunk:
                kinds.add(vocabularies()["kind"][word])
                chunk = chunk.replace(word, "|")  # a shorter word inside a longer one counts once
    return kinds.pop() if len(kinds) == 1 else None


def _parse_rows(rows: Iterable[Sequence[object]], header: sheets.Header, errors: Collector, *, default_kind,
                today: dt.date) -> list[ParsedRow]:
    parsed: list[ParsedRow] = []
    for number, raw in enumerate(rows, start=header.row + 1):
        cells = {key: (raw[i] if i < len(raw) else None) for key, i in header.index.items()}
        texts = {key: text(value) for key, value in cells.items()}
        if not any(texts.values()):
            continue  # a blank row, or only a pre-filled 序号
        if len(parsed) == MAX_ROWS:
            errors.extend([RowError(number, "", _("一次最多导入 %(n)d 行，请把文件分成几个。") % {"n": MAX_ROWS})])
            break
        row = ParsedRow(row=number)
        _RowReader(row, cells, texts, errors, default_kind=default_kind, today=today).read()
        parsed.append(row)
    return parsed


class _RowReader:
    """Reads one data row into a :class:`ParsedRow`, each problem added to ``errors``."""

    def __init__(self, row: ParsedRow, cells: dict, texts: dict, errors: Collector, *, default_kind, today: dt.date):
        self.row, self.cells, self.texts, self.errors = row, cells, texts, errors
        self.default_kind, self.today = default_kind, today

    def error(self, key: str, message: str) -> None:
        self.row.failed_keys.add(key)
        self.errors.add(self.row.row, key, message)

    def read(self) -> None:
        self.identity()
        self.kind()
        self.date()
        self.free_text()
        self.coded()
        self.rank()
        self.student_award()

    def identity(self) -> None:
        row, name = self.row, self.texts.get("name", "")
        if name and any("\u3400" <= ch <= "\u9fff" for ch in name):
            name = name.replace(" ", "")  # 王  芳, aligned with spaces
        if len(name) > MAX_LENGTHS["name"]:
            self.error("name", _("姓名过长（%(n)d 个字，最多 %(max)d 个）。") % {"n": len(name), "max": MAX_LENGTHS["name"]})
        row.name = name[: MAX_LENGTHS["name"]]
        raw = self.cells.get("id_number")
        if self.texts.get("id_number"):
            row.id_given = True
            try:
                row.id_number = idnumber.parse(self.texts["id_number"] if isinstance(raw, str) else raw).number
            except ValidationError as exc:
                self.error("id_number", exc.messages[0])
        elif not name:
            self.error("name", _("姓名和身份证号至少填写一项。"))

    def kind(self) -> None:
        shown = self.texts.get("kind", "")
        if not shown:
            if self.default_kind is None:
                self.error("kind", _("类型不能为空，可填：%(allowed)s。") % {"allowed": allowed("kind")})
                return
            self.row.fields["kind"] = self.default_kind
            return
        code = vocabularies()["kind"].get(value_key(shown))
        if code is None:
            self.error("kind", _("类型“%(v)s”无法识别，可填：%(allowed)s。") % {"v": shown[:40], "allowed": allowed("kind")})
            return
        self.row.fields["kind"] = code
        if value_key(shown) in STUDENT_AWARD_WORDS:
            self.row.fields["student_award"] = True

    def date(self) -> None:
        if not self.texts.get("date"):
            self.error("date", _("日期不能为空。"))
            return
        try:
            day = parse_date(self.cells["date"])
        except BadValue as exc:
            self.error("date", str(exc))
            return
        problem = check_date_bounds(day, today=self.today, first_year=calendar.MIN_YEAR)
        if problem:
            self.error("date", problem)
        else:
            self.row.fields["date"] = day

    def free_text(self) -> None:
        """Names, titles and notes as written: spaces collapsed (line breaks kept in the long texts),
        full-width punctuation left as typed; only a name is compared, so only a name is normalised."""
        for key in FREE_TEXT:
            raw = self.cells.get(key)
            if key == "observed_name" or not isinstance(raw, str):
                value = self.texts.get(key, "")
            elif key in ("content", "critique", "note"):
                value = raw.strip()
            else:
                value = " ".join(raw.split())
            limit = MAX_LENGTHS[key]
            if len(value) > limit:
                self.error(key, _("%(col)s过长（%(n)d 个字，最多 %(max)d 个）。") % {
                    "col": COLUMN_BY_KEY[key].label, "n": len(value), "max": limit})
                continue
            self.row.fields[key] = value
        if not self.row.fields.get("title") and "title" not in self.row.failed_keys:
            self.error("title", _("名称不能为空。"))
        note = self.row.fields.pop("note", "")
        if note:
            content = self.row.fields.get("content", "")
            self.row.fields["content"] = f"{content}\n{_('备注')}：{note}" if content else note

    def coded(self) -> None:
        for key in CODED:
            shown = self.texts.get(key, "")
            if not shown:
                continue
            code = vocabularies()[key].get(value_key(shown))
            if code is None:
                self.error(key, _("%(col)s“%(v)s”无法识别，可填：%(allowed)s。") % {
                    "col": COLUMN_BY_KEY[key].label, "v": shown[:40], "allowed": allowed(key)})
            else:
                self.row.fields[key] = code

    def rank(self) -> None:
        """An award's rank must be one of the ranks; another kind (a paper's author place) keeps its text."""
        shown = self.texts.get("rank", "")
        if not shown:
            return
        code = vocabularies()["rank"].get(value_key(shown))
        if code is None and self.row.fields.get("kind") == RecordKind.AWARD:
            self.error("rank", _("等次“%(v)s”无法识别，可填：%(allowed)s。") % {"v": shown[:40], "allowed": allowed("rank")})
        elif code is None and len(shown) > MAX_LENGTHS["rank"]:
            self.error("rank", _("等次过长（最多 %(max)d 个字）。") % {"max": MAX_LENGTHS["rank"]})
        else:
            self.row.fields["rank"] = code or shown

    def student_award(self) -> None:
        shown = value_key(self.texts.get("student_award", ""))
        if shown in YES:
            self.row.fields["student_award"] = True
        elif shown not in NO:
            self.error("student_award", _("指导学生获奖“%(v)s”应填“是”或“否”。") % {"v": self.texts["student_award"][:20]})
