"""Reading a roster: find the header, parse and validate each row without the
database. Nothing here writes."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import sheets

from .. import idnumber
from ..choices import SUBJECTS, Education, EmploymentType, Position, Stage, Tier, Title
from ..services import validate_person_fields
from .columns import (
    _COLUMN_BY_KEY,
    _EDUCATIONS,
    _EMPLOYMENT_TYPES,
    _GENDERS,
    _POSITIONS,
    _STAGES,
    _SUBJECTS,
    _TIERS,
    _TITLES,
    COLUMNS,
    _choice,
    _labels,
    _value_key,
)
from .report import RowError, _Collector

HEADER_SEARCH_ROWS = 10
HEADER_MIN_MATCHES = 5
MAX_ROWS = 50_000

# A valid ID number, used only to run the phone rule of validate_person_fields
# on rows whose own ID number is invalid (so that every problem is listed).
_PROBE_ID = "110101199003070011"

_cell_text = sheets.cell_text
_Header = sheets.Header


def _find_header(rows: Sequence[Sequence[object]]) -> tuple[_Header | None, int, list[RowError]]:
    """The header row among the first rows (see :func:`yanxiu.core.sheets.find_header`).

    Returns (header or None, header row number for error reports, header errors).
    """
    header, problems = sheets.find_header(
        rows, COLUMNS, search_rows=HEADER_SEARCH_ROWS, min_matches=HEADER_MIN_MATCHES, example=_("姓名、性别、身份证号")
    )
    errors = [RowError(p.row, p.column, p.message) for p in problems]
    return header, (header.row if header else (problems[0].row if problems else 1)), errors


# --- Parsing rows -------------------------------------------------------------

_YM_RE = re.compile(r"(\d{4})[./\-年](\d{1,2})(?:月|(?:月|[./\-])(\d{1,2})日?)?")
_COMPACT_RE = re.compile(r"(\d{4})(\d{2})(\d{2})?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_CJK = re.compile(r"[\u3400-\u9fff]")


class _ValueError(Exception):
    pass


def _parse_date(value: object, *, column: str, month_only: bool) -> tuple[dt.date, bool]:
    """Parse a date or year-month cell. Returns (date, has_day).

    Accepts date cells, 2008.09, 2008-09, 2008/9, 200809, 2008年9月, 2008-09-01,
    20080901 and Excel serial numbers. A number 2008.1 is refused because
    Excel stores 2008.10 the same way.
    """
    if isinstance(value, dt.datetime):
        return value.date(), True
    if isinstance(value, dt.date):
        return value, True
    if isinstance(value, float) and not value.is_integer():
        whole, _dot, decimals = repr(value).partition(".")
        if len(decimals) == 1 and decimals == "1":
            raise _ValueError(
                _(
                    "%(column)s“%(value)s”是数字格式，无法分辨是 1 月还是 10 月。"
                    "请把该列设置为文本格式，按“2008.01”或“2008.10”填写。"
                )
                % {"column": column, "value": repr(value)}
            )
        if len(decimals) > 2 or not whole.isdigit():
            raise _ValueError(_("%(column)s“%(value)s”无法识别，请按“2008.09”的格式填写。") % {"column": column, "value": value})
        return _checked_date(int(whole), int(decimals), None, column, value), False
    text = _cell_text(value)
    key = re.sub(r"\s+", "", text)
    year = month = day = None
    if m := _YM_RE.fullmatch(key):
        year, month, day = int(m[1]), int(m[2]), (int(m[3]) if m[3] else None)
    elif m := _COMPACT_RE.fullmatch(key):
        year, month, day = int(m[1]), int(m[2]), (int(m[3]) if m[3] else None)
    elif key.isdigit() and 10000 <= int(key) <= 80000:
        # An Excel serial date whose cell lost its date format.
        serial = _EXCEL_EPOCH + dt.timedelta(days=int(key))
        return serial, True
    else:
        example = "2008.09" if month_only else "1985-03-12"
        raise _ValueError(_("%(column)s“%(value)s”无法识别，请按“%(example)s”的格式填写。") % {"column": column, "value": text, "example": example})
    return _checked_date(year, month, day, column, text), day is not None


def _checked_date(year: int, month: int, day: int | None, column: str, shown: object) -> dt.date:
    try:
        date = dt.date(year, month, day or 1)
    except ValueError:
        raise _ValueError(_("%(column)s“%(value)s”不是有效的日期。") % {"column": column, "value": shown}) from None
    if year < 1900:
        raise _ValueError(_("%(column)s“%(value)s”不合理。") % {"column": column, "value": shown})
    return date


@dataclass
class _Row:
    row: int
    name: str = ""
    info: idnumber.IdInfo | None = None
    phone: str = ""
    stage: str = ""
    subject: str = ""
    title: str = ""
    education: str = ""
    employment_type: str = ""
    teaching_since: dt.date | None = None
    research_group: str = ""
    prep_group: str = ""
    position: str | None = None  # None: column absent or cell empty (keep / default)
    tier: str | None = None
    start_date: dt.date | None = None
    failed: bool = False


def _parse_rows(rows: Iterable[Sequence[object]], header: _Header, errors: _Collector) -> list[_Row]:
    """Parse the rows below the header; ``rows`` starts with the row after it."""
    index = header.index
    keys = list(index)
    parsed: list[_Row] = []
    seen_ids: dict[str, int] = {}
    today = timezone.localdate()
    for i, raw_row in enumerate(rows, start=header.row):
        cells: dict[str, object] = {}
        for key in keys:
            position = index[key]
            cells[key] = raw_row[position] if position < len(raw_row) else ""
        texts = {key: _cell_text(value) for key, value in cells.items()}
        if not any(texts.values()):
            continue  # empty row, or only cells of unknown columns (e.g. a pre-filled 序号)
        if len(parsed) == MAX_ROWS:
            errors.extend(
                [RowError(i + 1, "", _("一次最多导入 %(n)d 行，请把名单分成几个文件。") % {"n": MAX_ROWS})]
            )
            break
        row = _Row(row=i + 1)
        parsed.append(row)
        n_before = len(errors.items)
        _parse_one(row, cells, texts, errors, today)
        if row.info is not None:
            first = seen_ids.get(row.info.number)
            if first is not None:
                errors.add(
                    row.row,
                    "id_number",
                    _("身份证号与第 %(first)d 行重复（第 %(first)d 行和第 %(this)d 行是同一人），请删除其中一行。")
                    % {"first": first, "this": row.row},
                )
            else:
                seen_ids[row.info.number] = row.row
        row.failed = len(errors.items) > n_before
    return parsed


def _parse_one(row: _Row, cells: dict[str, object], texts: dict[str, str], errors: _Collector, today: dt.date) -> None:
    """Fill ``row`` from its cells, adding every problem of the row to ``errors``."""
    reader = _RowReader(row, cells, texts, errors, today)
    reader.name()
    gender, birth_date, birth_has_day = reader.gender(), *reader.birth_date()
    reader.identity(gender, birth_date, birth_has_day)
    reader.post()
    reader.teaching_since(birth_date)
    reader.groups()
    reader.placement()


class _RowReader:
    """The steps that read one data row, column by column, into a :class:`_Row`."""

    def __init__(
        self, row: _Row, cells: dict[str, object], texts: dict[str, str], errors: _Collector, today: dt.date
    ) -> None:
        self.row, self.cells, self.texts, self.errors, self.today = row, cells, texts, errors, today

    def error(self, key: str, message: str) -> None:
        self.errors.add(self.row.row, key, message)

    def required(self, key: str) -> str | None:
        value = self.texts.get(key, "")
        if not value:
            self.error(key, _("%(column)s不能为空。") % {"column": _COLUMN_BY_KEY[key].label})
            return None
        return value

    def choose(self, key: str, table: dict[str, str], choices: type) -> str | None:
        value = self.required(key)
        if value is None:
            return None
        code = _choice(value, table)
        if code is None:
            self.error(
                key,
                _("%(column)s“%(value)s”无法识别，可填：%(allowed)s。")
                % {"column": _COLUMN_BY_KEY[key].label, "value": value, "allowed": _labels(choices)},
            )
        return code

    def name(self) -> None:
        name = self.required("name")
        if name is not None:
            if _CJK.search(name):
                name = name.replace(" ", "")  # "王  芳" aligned with spaces
            if len(name) > 40:
                self.error("name", _("姓名过长（最多 40 个字）。"))
            self.row.name = name

    def gender(self) -> str | None:
        gender_text = self.required("gender")
        gender = _choice(gender_text, _GENDERS) if gender_text else None
        if gender_text and gender is None:
            self.error("gender", _("性别“%(value)s”无法识别，请填“男”或“女”。") % {"value": gender_text})
        return gender

    def birth_date(self) -> tuple[dt.date | None, bool]:
        """The birth date cell, if filled: (date, whether it gave the day)."""
        if not self.texts.get("birth_date"):
            return None, True
        try:
            return _parse_date(self.cells["birth_date"], column=_("出生日期"), month_only=False)
        except _ValueError as exc:
            self.error("birth_date", str(exc))
            return None, True

    def phone(self) -> str:
        phone = ""
        if self.texts.get("phone"):
            phone = re.sub(r"[\s\-()'‘’`]", "", self.texts["phone"])
            if phone.startswith("+86"):
                phone = phone[3:]
            elif len(phone) == 13 and phone.startswith("86"):
                phone = phone[2:]
        return phone

    def identity(self, gender: str | None, birth_date: dt.date | None, birth_has_day: bool) -> None:
        """ID number, phone and their agreement with gender and birth date (the rules of
        the person form, :func:`yanxiu.org.services.validate_person_fields`)."""
        row = self.row
        row.phone = phone = self.phone()
        raw_id = self.cells.get("id_number", "")
        if isinstance(raw_id, str):
            # A leading apostrophe is how people force text in Excel; some tools keep it.
            raw_id = self.texts["id_number"].lstrip("'‘’`")
        info, problems = validate_person_fields(
            id_number=raw_id,
            gender=gender,
            birth_date=birth_date if birth_has_day else None,
            phone=phone,
        )
        if "id_number" in problems:
            self.error("id_number", problems["id_number"])
            if phone:
                _probe, phone_problems = validate_person_fields(id_number=_PROBE_ID, phone=phone)
                problems.update(phone_problems)
        else:
            row.info = info
            if birth_date is not None and not birth_has_day and (birth_date.year, birth_date.month) != (
                info.birth_date.year,
                info.birth_date.month,
            ):
                problems["birth_date"] = _("出生日期与身份证号不符：身份证号显示为 %(expected)s。") % {
                    "expected": info.birth_date.isoformat()
                }
        for key in ("gender", "birth_date", "phone"):
            if key in problems:
                self.error(key, problems[key])

    def post(self) -> None:
        """学段, 学科, 职称, 学历 and 编制."""
        row = self.row
        row.stage = self.choose("stage", _STAGES, Stage) or ""
        subject = self.required("subject")
        if subject is not None:
            row.subject = _SUBJECTS.get(_value_key(subject), "")
            if not row.subject:
                self.error(
                    "subject",
                    _("学科“%(value)s”无法识别，可填：%(allowed)s。") % {"value": subject, "allowed": "、".join(SUBJECTS)},
                )
        row.title = self.choose("title", _TITLES, Title) or ""
        row.education = self.choose("education", _EDUCATIONS, Education) or ""
        row.employment_type = self.choose("employment_type", _EMPLOYMENT_TYPES, EmploymentType) or ""

    def teaching_since(self, birth_date: dt.date | None) -> None:
        if self.required("teaching_since") is None:
            return
        try:
            since, _has_day = _parse_date(self.cells["teaching_since"], column=_("参加工作年月"), month_only=True)
        except _ValueError as exc:
            self.error("teaching_since", str(exc))
            return
        since = since.replace(day=1)
        info = self.row.info
        born = info.birth_date if info is not None else birth_date
        if since > self.today:
            self.error("teaching_since", _("参加工作年月 %(value)s 晚于今天。") % {"value": since.strftime("%Y.%m")})
        elif born is not None and since.year - born.year < 15:
            self.error(
                "teaching_since",
                _("参加工作年月 %(value)s 与出生日期 %(birth)s 相距不足 15 年，请核对。")
                % {"value": since.strftime("%Y.%m"), "birth": born.isoformat()},
            )
        else:
            self.row.teaching_since = since

    def groups(self) -> None:
        row = self.row
        for key in ("research_group", "prep_group"):
            value = self.texts.get(key, "")
            if len(value) > 60:
                self.error(key, _("组名过长（最多 60 个字）。"))
            setattr(row, key, value)
        if row.research_group and row.research_group == row.prep_group:
            self.error("prep_group", _("备课组不能与教研组同名。"))

    def placement(self) -> None:
        """岗位, 梯队 and 到校日期: optional; empty keeps the current value (or the default)."""
        row, texts = self.row, self.texts
        if texts.get("position"):
            row.position = _choice(texts["position"], _POSITIONS)
            if row.position is None:
                self.error(
                    "position",
                    _("岗位“%(value)s”无法识别，可填：%(allowed)s。") % {"value": texts["position"], "allowed": _labels(Position)},
                )
        if texts.get("tier"):
            row.tier = _choice(texts["tier"], _TIERS)
            if row.tier is None:
                self.error(
                    "tier", _("梯队“%(value)s”无法识别，可填：%(allowed)s。") % {"value": texts["tier"], "allowed": _labels(Tier)}
                )
        if texts.get("start_date"):
            try:
                row.start_date, _has_day = _parse_date(self.cells["start_date"], column=_("到校日期"), month_only=False)
            except _ValueError as exc:
                self.error("start_date", str(exc))
            else:
                if row.start_date > self.today:
                    self.error("start_date", _("到校日期 %(value)s 晚于今天。") % {"value": row.start_date.isoformat()})


def _prepare(file_name: str, data: bytes) -> tuple[list[_Row], _Collector, int]:
    """Read and check the file without the database. Returns (rows, errors, data row count).

    The first sheet with a recognisable header is read; if none has one, the
    first sheet's header problem is reported.
    """
    header: _Header | None = None
    rows: Iterable[Sequence[object]] = ()
    first_errors: list[RowError] | None = None
    try:
        for sheet in sheets.read_sheets(file_name, data):
            head = list(itertools.islice(sheet.rows, HEADER_SEARCH_ROWS))
            header, _row_number, header_errors = _find_header(head)
            if header is not None:
                rows = itertools.chain(head[header.row :], sheet.rows)
                break
            if first_errors is None:
                first_errors = header_errors
    except sheets.SheetError as exc:
        first_errors, header = [RowError(0, "", str(exc))], None
    if header is None:
        collector = _Collector()
        collector.extend(first_errors or [RowError(0, "", _("文件里没有可读的工作表。"))])
        return [], collector, 0
    collector = _Collector(header)
    try:
        parsed = _parse_rows(rows, header, collector)
    except sheets.SheetError as exc:  # a bound passed while reading (CSV rows or columns)
        collector = _Collector()
        collector.extend([RowError(0, "", str(exc))])
        return [], collector, 0
    if not parsed:
        collector.extend([RowError(header.row, "", _("表头下面没有数据行。"))])
    return parsed, collector, len(parsed)
