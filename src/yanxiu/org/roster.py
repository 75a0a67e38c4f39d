"""Roster import: a school's staff spreadsheet -> Person + Employment + account.

The spreadsheet is the kind bureaus hand out (教职工花名册): a title row or
two, then a header row, then one teacher per row. Columns are found by their
header text (with common aliases) in any order; values are matched to the
choices of :mod:`yanxiu.org.choices` by their Chinese labels and a few usual
variants.

Two entry points:

- :func:`preview_roster` reads and validates, writes nothing;
- :func:`import_roster` runs the same validation and, only when the whole file
  is clean, writes everything in one transaction (all or nothing).

Both return a :class:`RosterReport`; problems in the file are reported, never
raised. Each problem names the row as the user sees it in the spreadsheet
(1-based, title rows included) and the column by its header text in the file.

A row whose ID number belongs to a current teacher of *this* school updates
that employment; one that belongs to a teacher of another school is refused
(that is a transfer, which keeps the person's record, 档随人走). A person known
from an earlier, ended employment gets a new employment.

Writes are bulk so that a 10,000-row file imports in a second or two:
``bulk_create`` for people and employments, one ``executemany`` for accounts
and group memberships. Created rows get no simple_history rows (see
``HISTORY_ON_CREATE``); changed rows do. One ``roster.import`` audit event
with the counts records each import.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from yanxiu.org import scopes
from yanxiu.accounts.otp import new_usernames
from yanxiu.accounts.models import User
from yanxiu.core import audit, history, sheets

from . import idnumber
from .choices import SUBJECTS, Education, EmploymentType, Gender, GroupKind, Position, Stage, Tier, Title
from .models import Employment, Group, Person, School
from .services import phone_taken_message, validate_person_fields

__all__ = ["RowError", "RosterReport", "preview_roster", "import_roster", "SUPPORTED_EXTENSIONS"]

SUPPORTED_EXTENSIONS = sheets.SUPPORTED_EXTENSIONS
HEADER_SEARCH_ROWS = 10
HEADER_MIN_MATCHES = 5
CHUNK = 500
MAX_ROWS = 50_000
BATCH_SIZE = 1000
CHANGE_REASON = "花名册导入"
# History rows (simple_history) for the people and employments an import
# creates are copied by the database (core.history.record_created, one
# INSERT … SELECT per chunk); simple-history's own bulk helper builds them in
# Python and more than doubled the import's time. Changes to known people and
# employments go through bulk_update_with_history (few per import).
HISTORY_ON_CREATE = True

# A valid ID number, used only to run the phone rule of validate_person_fields
# on rows whose own ID number is invalid (so that every problem is listed).
_PROBE_ID = "110101199003070011"


# --- Report -------------------------------------------------------------------


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


# --- Cells --------------------------------------------------------------------


_cell_text = sheets.cell_text


# --- Columns ------------------------------------------------------------------


_Column = sheets.Column

COLUMNS: tuple[_Column, ...] = (
    _Column("name", "姓名", ("姓名", "教师姓名", "教职工姓名"), True),
    _Column("gender", "性别", ("性别",), True),
    _Column(
        "id_number",
        "身份证号",
        ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "居民身份证号码", "身份证", "身份证件号码", "证件号码"),
        True,
    ),
    _Column("phone", "手机", ("手机", "手机号", "手机号码", "联系电话", "电话", "联系方式")),
    _Column("birth_date", "出生日期", ("出生日期", "出生年月", "出生年月日")),
    _Column("stage", "学段", ("学段", "任教学段"), True),
    _Column("subject", "学科", ("学科", "任教学科", "任教科目", "科目"), True),
    _Column("title", "职称", ("职称", "现任职称", "专业技术职称", "职称等级"), True),
    _Column("education", "学历", ("学历", "最高学历"), True),
    _Column("employment_type", "编制", ("编制", "用工形式", "编制情况", "编制类型"), True),
    _Column("teaching_since", "参加工作年月", ("参加工作年月", "参加工作时间", "参加工作日期"), True),
    _Column("research_group", "教研组", ("教研组", "所在教研组", "所属教研组")),
    _Column("prep_group", "备课组", ("备课组", "所在备课组", "所属备课组")),
    _Column("position", "岗位", ("岗位", "岗位类别")),
    _Column("tier", "梯队", ("梯队", "成长梯队", "教师梯队")),
    _Column("start_date", "到校日期", ("到校日期", "到校时间", "调入本校时间", "进校时间")),
)
_COLUMN_BY_KEY = {c.key: c for c in COLUMNS}


_header_key = sheets.header_key


# --- Value vocabularies -------------------------------------------------------


def _vocab(choices: type, extra: dict[str, str]) -> dict[str, str]:
    table = {_value_key(str(label)): str(value) for value, label in choices.choices}
    table.update({_value_key(k): str(v) for k, v in extra.items()})
    return table


@lru_cache(maxsize=4096)
def _value_key(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


_GENDERS = _vocab(Gender, {"男性": Gender.MALE, "M": Gender.MALE, "女性": Gender.FEMALE, "F": Gender.FEMALE})
_STAGES = _vocab(
    Stage,
    {
        "学前": Stage.KINDERGARTEN,
        "学前教育": Stage.KINDERGARTEN,
        "幼教": Stage.KINDERGARTEN,
        "初级中学": Stage.JUNIOR,
        "初中部": Stage.JUNIOR,
        "九年制": Stage.NINE_YEAR,
        "九年一贯": Stage.NINE_YEAR,
        "高级中学": Stage.SENIOR,
        "高中部": Stage.SENIOR,
        "普通高中": Stage.SENIOR,
        "中职": Stage.VOCATIONAL,
        "职业高中": Stage.VOCATIONAL,
        "中等职业": Stage.VOCATIONAL,
        "小学部": Stage.PRIMARY,
    },
)
# Titles before the 2015 reform map to the unified titles: 中学高级 -> 高级,
# 中学一级/小学高级 -> 一级, 中学二级/小学一级 -> 二级, 中学三级/小学二级/小学三级 -> 三级.
_TITLES = _vocab(
    Title,
    {
        "无": Title.NONE,
        "暂无": Title.NONE,
        "未定级": Title.NONE,
        "未评级": Title.NONE,
        "未评定": Title.NONE,
        "见习": Title.NONE,
        "试用期": Title.NONE,
        "三级": Title.THIRD,
        "二级": Title.SECOND,
        "一级": Title.FIRST,
        "高级": Title.SENIOR,
        "副高": Title.SENIOR,
        "副高级": Title.SENIOR,
        "正高": Title.PROFESSOR,
        "正高级": Title.PROFESSOR,
        "中学高级": Title.SENIOR,
        "中学高级教师": Title.SENIOR,
        "中学一级": Title.FIRST,
        "中学一级教师": Title.FIRST,
        "中学二级": Title.SECOND,
        "中学二级教师": Title.SECOND,
        "中学三级": Title.THIRD,
        "中学三级教师": Title.THIRD,
        "小学高级": Title.FIRST,
        "小学高级教师": Title.FIRST,
        "小学一级": Title.SECOND,
        "小学一级教师": Title.SECOND,
        "小学二级": Title.THIRD,
        "小学二级教师": Title.THIRD,
        "小学三级": Title.THIRD,
        "小学三级教师": Title.THIRD,
        "幼儿园高级": Title.FIRST,
        "幼儿园一级": Title.SECOND,
        "幼儿园二级": Title.THIRD,
    },
)
_EDUCATIONS = _vocab(
    Education,
    {
        "中专": Education.SECONDARY,
        "中师": Education.SECONDARY,
        "高中": Education.SECONDARY,
        "高中及以下": Education.SECONDARY,
        "初中": Education.SECONDARY,
        "中专以下": Education.SECONDARY,
        "专科": Education.JUNIOR_COLLEGE,
        "大学专科": Education.JUNIOR_COLLEGE,
        "大专学历": Education.JUNIOR_COLLEGE,
        "大学本科": Education.BACHELOR,
        "本科学历": Education.BACHELOR,
        "学士": Education.BACHELOR,
        "硕士": Education.MASTER,
        "研究生": Education.MASTER,
        "硕士研究生学历": Education.MASTER,
        "博士": Education.DOCTOR,
    },
)
_EMPLOYMENT_TYPES = _vocab(
    EmploymentType,
    {
        "编内": EmploymentType.ESTABLISHED,
        "正式": EmploymentType.ESTABLISHED,
        "有编": EmploymentType.ESTABLISHED,
        "在编在岗": EmploymentType.ESTABLISHED,
        "事业编": EmploymentType.ESTABLISHED,
        "事业编制": EmploymentType.ESTABLISHED,
        "临时聘用": EmploymentType.CONTRACT,
        "代课": EmploymentType.CONTRACT,
        "代课教师": EmploymentType.CONTRACT,
        "合同": EmploymentType.CONTRACT,
        "合同制": EmploymentType.CONTRACT,
        "编外": EmploymentType.CONTRACT,
        "聘用": EmploymentType.CONTRACT,
        "劳务派遣": EmploymentType.CONTRACT,
    },
)
_POSITIONS = _vocab(
    Position,
    {
        "教师": Position.TEACHER,
        "任课教师": Position.TEACHER,
        "中层": Position.DIRECTOR,
        "主任": Position.DIRECTOR,
        "教辅": Position.ASSISTANT,
        "工勤": Position.STAFF,
    },
)
_TIERS = _vocab(
    Tier,
    {
        "新教师": Tier.NOVICE,
        "新任": Tier.NOVICE,
        "青年": Tier.YOUNG,
        "成熟": Tier.MATURE,
        "骨干": Tier.BACKBONE,
        "带头人": Tier.LEADER,
        "名优教师": Tier.MASTER,
    },
)
_SUBJECTS = {_value_key(s): s for s in SUBJECTS}
_SUBJECTS.update(
    {
        _value_key(k): v
        for k, v in {
            "思想品德": "道德与法治",
            "思品": "道德与法治",
            "品德与社会": "道德与法治",
            "品德与生活": "道德与法治",
            "道法": "道德与法治",
            "思想政治": "政治",
            "信息": "信息技术",
            "计算机": "信息技术",
            "心理": "心理健康",
            "心理健康教育": "心理健康",
            "综合实践活动": "综合实践",
            "劳动技术": "劳动",
            "体育与健康": "体育",
            "幼教": "学前教育",
            "幼儿教育": "学前教育",
            "特教": "特殊教育",
            "外语": "英语",
        }.items()
    }
)


def _labels(choices: type) -> str:
    return "、".join(str(label) for label in choices.labels)


# --- Reading ------------------------------------------------------------------


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


def _choice(value: str, table: dict[str, str]) -> str | None:
    return table.get(_value_key(value))


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


class _Collector:
    """Collects errors in file order (row, then column position)."""

    def __init__(self, header: _Header | None = None) -> None:
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
    r = row.row

    def required(key: str) -> str | None:
        value = texts.get(key, "")
        if not value:
            errors.add(r, key, _("%(column)s不能为空。") % {"column": _COLUMN_BY_KEY[key].label})
            return None
        return value

    def choose(key: str, table: dict[str, str], choices: type) -> str | None:
        value = required(key)
        if value is None:
            return None
        code = _choice(value, table)
        if code is None:
            errors.add(
                r,
                key,
                _("%(column)s“%(value)s”无法识别，可填：%(allowed)s。")
                % {"column": _COLUMN_BY_KEY[key].label, "value": value, "allowed": _labels(choices)},
            )
        return code

    name = required("name")
    if name is not None:
        if _CJK.search(name):
            name = name.replace(" ", "")  # "王  芳" aligned with spaces
        if len(name) > 40:
            errors.add(r, "name", _("姓名过长（最多 40 个字）。"))
        row.name = name

    gender_text = required("gender")
    gender = _choice(gender_text, _GENDERS) if gender_text else None
    if gender_text and gender is None:
        errors.add(r, "gender", _("性别“%(value)s”无法识别，请填“男”或“女”。") % {"value": gender_text})

    birth_date: dt.date | None = None
    birth_has_day = True
    if texts.get("birth_date"):
        try:
            birth_date, birth_has_day = _parse_date(cells["birth_date"], column=_("出生日期"), month_only=False)
        except _ValueError as exc:
            errors.add(r, "birth_date", str(exc))

    phone = ""
    if texts.get("phone"):
        phone = re.sub(r"[\s\-()'‘’`]", "", texts["phone"])
        if phone.startswith("+86"):
            phone = phone[3:]
        elif len(phone) == 13 and phone.startswith("86"):
            phone = phone[2:]
    row.phone = phone

    raw_id = cells.get("id_number", "")
    if isinstance(raw_id, str):
        # A leading apostrophe is how people force text in Excel; some tools keep it.
        raw_id = texts["id_number"].lstrip("'‘’`")
    info, problems = validate_person_fields(
        id_number=raw_id,
        gender=gender,
        birth_date=birth_date if birth_has_day else None,
        phone=phone,
    )
    if "id_number" in problems:
        errors.add(r, "id_number", problems["id_number"])
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
            errors.add(r, key, problems[key])

    row.stage = choose("stage", _STAGES, Stage) or ""
    subject = required("subject")
    if subject is not None:
        row.subject = _SUBJECTS.get(_value_key(subject), "")
        if not row.subject:
            errors.add(
                r,
                "subject",
                _("学科“%(value)s”无法识别，可填：%(allowed)s。") % {"value": subject, "allowed": "、".join(SUBJECTS)},
            )
    row.title = choose("title", _TITLES, Title) or ""
    row.education = choose("education", _EDUCATIONS, Education) or ""
    row.employment_type = choose("employment_type", _EMPLOYMENT_TYPES, EmploymentType) or ""

    if required("teaching_since") is not None:
        try:
            since, _has_day = _parse_date(cells["teaching_since"], column=_("参加工作年月"), month_only=True)
        except _ValueError as exc:
            errors.add(r, "teaching_since", str(exc))
        else:
            since = since.replace(day=1)
            born = info.birth_date if info is not None else birth_date
            if since > today:
                errors.add(r, "teaching_since", _("参加工作年月 %(value)s 晚于今天。") % {"value": since.strftime("%Y.%m")})
            elif born is not None and since.year - born.year < 15:
                errors.add(
                    r,
                    "teaching_since",
                    _("参加工作年月 %(value)s 与出生日期 %(birth)s 相距不足 15 年，请核对。")
                    % {"value": since.strftime("%Y.%m"), "birth": born.isoformat()},
                )
            else:
                row.teaching_since = since

    for key in ("research_group", "prep_group"):
        value = texts.get(key, "")
        if len(value) > 60:
            errors.add(r, key, _("组名过长（最多 60 个字）。"))
        setattr(row, key, value)
    if row.research_group and row.research_group == row.prep_group:
        errors.add(r, "prep_group", _("备课组不能与教研组同名。"))

    if texts.get("position"):
        row.position = _choice(texts["position"], _POSITIONS)
        if row.position is None:
            errors.add(
                r,
                "position",
                _("岗位“%(value)s”无法识别，可填：%(allowed)s。") % {"value": texts["position"], "allowed": _labels(Position)},
            )
    if texts.get("tier"):
        row.tier = _choice(texts["tier"], _TIERS)
        if row.tier is None:
            errors.add(
                r, "tier", _("梯队“%(value)s”无法识别，可填：%(allowed)s。") % {"value": texts["tier"], "allowed": _labels(Tier)}
            )
    if texts.get("start_date"):
        try:
            row.start_date, _has_day = _parse_date(cells["start_date"], column=_("到校日期"), month_only=False)
        except _ValueError as exc:
            errors.add(r, "start_date", str(exc))
        else:
            if row.start_date > today:
                errors.add(r, "start_date", _("到校日期 %(value)s 晚于今天。") % {"value": row.start_date.isoformat()})


# --- Checks against the database ----------------------------------------------


@dataclass
class _Known:
    """What the database already holds about the people in the file."""

    persons: dict[str, Person]  # id_number -> person
    current: dict[int, Employment]  # person id -> current employment (school loaded)
    groups: dict[str, Group]  # name -> group of this school


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_known(school: School, rows: list[_Row]) -> _Known:
    numbers = [row.info.number for row in rows if row.info is not None]
    persons: dict[str, Person] = {}
    for chunk in _chunks(numbers):
        for person in Person.objects.filter(id_number__in=chunk):
            persons[person.id_number] = person
    current: dict[int, Employment] = {}
    person_ids = [p.pk for p in persons.values()]
    for chunk in _chunks(person_ids):
        for employment in Employment.objects.current().filter(person_id__in=chunk).select_related("school"):
            current[employment.person_id] = employment
    groups = {g.name: g for g in Group.objects.filter(school=school)}
    return _Known(persons=persons, current=current, groups=groups)


#: The 学段 a teacher's post may have at a school of each 学段: a 九年一贯制 school
#: has primary and junior posts, a 高中 (often a 完全中学) may have junior posts.
STAGES_OF_SCHOOL: dict[str, tuple[str, ...]] = {
    Stage.KINDERGARTEN: (Stage.KINDERGARTEN,),
    Stage.PRIMARY: (Stage.PRIMARY,),
    Stage.JUNIOR: (Stage.JUNIOR,),
    Stage.NINE_YEAR: (Stage.PRIMARY, Stage.JUNIOR, Stage.NINE_YEAR),
    Stage.SENIOR: (Stage.JUNIOR, Stage.SENIOR),
    Stage.VOCATIONAL: (Stage.VOCATIONAL,),
}


def stages_of_school(school: School) -> list[str]:
    """The 学段 values a roster row may name for ``school``."""
    return list(STAGES_OF_SCHOOL.get(school.stage, (school.stage,)))


def _group_list(known: _Known, kind: str) -> str:
    names = sorted(name for name, group in known.groups.items() if group.kind == kind)
    return "、".join(names) if names else _("（暂无）")


def _may_name_schools(actor):
    """Whether the report may say which other school employs an ID number: for the
    system (command line), superusers and region staff (bureau, centre) of that
    school's county; a school admin only learns it is registered elsewhere."""
    if actor is None:
        return lambda school: True
    s = scopes.scope_of(actor)
    return lambda school: s.superuser or school.county_id in s.region_counties


def _check_known(
    school: School, rows: list[_Row], known: _Known, errors: _Collector, *, create_groups: bool = False, actor=None
) -> None:
    may_name = _may_name_schools(actor)
    research_names = {row.research_group for row in rows if row.research_group}
    allowed_stages = stages_of_school(school)
    stage_labels = "、".join(str(Stage(s).label) for s in allowed_stages)
    for row in rows:
        if row.stage and row.stage not in allowed_stages:
            errors.add(
                row.row, "stage",
                _("学段“%(stage)s”不是本校的学段：%(school)s是%(school_stage)s，可填：%(allowed)s。")
                % {"stage": Stage(row.stage).label, "school": school.name, "school_stage": school.get_stage_display(),
                   "allowed": stage_labels},
            )
            row.failed = True
        if not create_groups:
            for key, kind, label in (("research_group", GroupKind.RESEARCH, _("教研组")), ("prep_group", GroupKind.PREPARATION, _("备课组"))):
                name = getattr(row, key)
                if name and name not in known.groups:
                    errors.add(
                        row.row, key,
                        _("本校没有名为“%(name)s”的%(kind)s。本校现有%(kind)s：%(existing)s。"
                          "请改成其中之一；确需新建，请勾选“新建表中缺少的教研组/备课组”（命令行：--create-groups）。")
                        % {"name": name, "kind": label, "existing": _group_list(known, kind)},
                    )
                    row.failed = True
        person = known.persons.get(row.info.number) if row.info is not None else None
        employment = known.current.get(person.pk) if person is not None else None
        if employment is not None and employment.school_id != school.pk:
            if may_name(employment.school):
                message = _("该身份证号已登记在“%(school)s”（在职），不能重复导入；如已调入本校，请由原学校或教育局办理调动。") % {
                    "school": employment.school.name}
            else:
                message = _("该身份证号已在其他学校登记（在职），不能重复导入；如已调入本校，请由原学校或教育局办理调动。")
            errors.add(row.row, "id_number", message)
            row.failed = True
        research = known.groups.get(row.research_group) if row.research_group else None
        if research is not None and research.kind != GroupKind.RESEARCH:
            errors.add(row.row, "research_group", _("“%(name)s”是本校的备课组，不是教研组。") % {"name": row.research_group})
            row.failed = True
        prep = known.groups.get(row.prep_group) if row.prep_group else None
        if prep is not None and prep.kind != GroupKind.PREPARATION:
            errors.add(row.row, "prep_group", _("“%(name)s”是本校的教研组，不是备课组。") % {"name": row.prep_group})
            row.failed = True
        elif prep is None and row.prep_group in research_names:
            errors.add(
                row.row,
                "prep_group",
                _("“%(name)s”在其他行填作教研组，教研组和备课组不能同名。") % {"name": row.prep_group},
            )
            row.failed = True
    _check_phones(rows, known, errors)


def _check_phones(rows: list[_Row], known: _Known, errors: _Collector) -> None:
    """A phone logs its owner in, so it belongs to one person: not two rows of
    the file, not someone else already in the system."""
    first: dict[str, int] = {}
    for row in rows:
        if not row.phone:
            continue
        if row.phone in first:
            errors.add(
                row.row,
                "phone",
                _("手机号与第 %(first)d 行相同，一个手机号只能登记给一人。") % {"first": first[row.phone]},
            )
            row.failed = True
        else:
            first[row.phone] = row.row
    owners: dict[str, int] = {}
    for chunk in _chunks(list(first)):
        owners.update(Person.objects.filter(phone__in=chunk).values_list("phone", "pk"))
    for row in rows:
        owner = owners.get(row.phone) if row.phone else None
        if owner is None:
            continue
        person = known.persons.get(row.info.number) if row.info is not None else None
        if person is None or person.pk != owner:
            errors.add(row.row, "phone", phone_taken_message())
            row.failed = True


# --- Writing ------------------------------------------------------------------

_EMPLOYMENT_FIELDS = ("stage", "subject", "title", "education", "employment_type", "teaching_since")


def _bulk_create(objs: list[Any], model: type, history_user) -> None:
    model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
    if HISTORY_ON_CREATE:
        history.record_created(model, [obj.pk for obj in objs], user=history_user, reason=CHANGE_REASON)


def _bulk_update(objs: list[Any], model: type, fields: list[str], history_user) -> None:
    bulk_update_with_history(
        objs, model, fields, batch_size=BATCH_SIZE, default_user=history_user, default_change_reason=CHANGE_REASON
    )


def _insert_plain(model: type, attnames: list[str], values: list[tuple[Any, ...]]) -> None:
    """INSERT rows whose values are already database values (ints, strings, bools,
    datetimes): ``COPY`` on PostgreSQL, ``executemany`` (a prepared statement
    run in C) elsewhere. Used for the membership links and the accounts, where
    ``bulk_create`` would spend most of its time preparing 10,000 x N values that
    need no preparing."""
    if not values:
        return
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(model._meta.get_field(name).column) for name in attnames)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(attnames))})"
        for chunk in _chunks(values, BATCH_SIZE):
            cursor.executemany(sql, list(chunk))


def _insert_accounts(entries: list[tuple[str, str]]) -> dict[str, int]:
    """Create accounts from (username, display name) pairs; returns username -> id.

    Every account gets ``must_change_password`` and an unusable password (as
    ``set_unusable_password`` would set it); every other column gets the value
    a new ``User()`` has, prepared for the database once for all rows.
    """
    if not entries:
        return {}
    prototype = User(must_change_password=True, date_joined=timezone.now())
    varying = ("username", "display_name", "password")
    fields = [f for f in User._meta.concrete_fields if not f.primary_key and f.attname not in varying]
    constants = tuple(f.get_db_prep_save(f.pre_save(prototype, True), connection) for f in fields)
    _insert_plain(
        User,
        [*varying, *(f.attname for f in fields)],
        [(username, name[:60], _unusable_password(), *constants) for username, name in entries],
    )
    table = connection.ops.quote_name(User._meta.db_table)
    username_column = connection.ops.quote_name(User._meta.get_field("username").column)
    id_column = connection.ops.quote_name(User._meta.pk.column)
    ids: dict[str, int] = {}
    with connection.cursor() as cursor:
        for chunk in _chunks([username for username, _name in entries], 900):
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {username_column}, {id_column} FROM {table} WHERE {username_column} IN ({placeholders})",
                list(chunk),
            )
            ids.update(cursor.fetchall())
    return ids


def _unusable_password() -> str:
    """What ``make_password(None)`` stores (the prefix and a random suffix), but
    from ``secrets.token_urlsafe``: about fifty times faster than get_random_string
    character by character, which matters for 10,000 accounts."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(UNUSABLE_PASSWORD_SUFFIX_LENGTH)[:UNUSABLE_PASSWORD_SUFFIX_LENGTH]


def _existing_usernames(names: Iterable[str]) -> set[str]:
    """Which of ``names`` are taken. Plain SQL: for 10,000 names the ORM spends
    more time compiling the IN parameters than the database spends answering."""
    wanted = sorted(set(names))
    table = connection.ops.quote_name(User._meta.db_table)
    column = connection.ops.quote_name(User._meta.get_field("username").column)
    found: set[str] = set()
    with connection.cursor() as cursor:
        for chunk in _chunks(wanted, 900):
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {column} FROM {table} WHERE {column} IN ({placeholders})", list(chunk))
            found.update(name for (name,) in cursor.fetchall())
    return found


def _allocate_usernames(rows: list[_Row]) -> dict[int, str]:
    """Username per row: ``t`` + 7 random characters (accounts.otp), carrying no
    digits of the ID number or phone; a name already taken is drawn again."""
    result: dict[int, str] = {}
    pending = [row.row for row in rows]
    while pending:
        names = new_usernames(len(pending))
        taken = _existing_usernames(names) | set(result.values())
        retry: list[int] = []
        for row_number, name in zip(pending, names, strict=True):
            if name in taken:
                retry.append(row_number)
            else:
                taken.add(name)
                result[row_number] = name
        pending = retry
    return result


def _ensure_groups(*, actor, school: School, rows: list[_Row], known: _Known) -> list[str]:
    """Create the groups the file names and the school does not have yet.

    A new group's subject is the subject of its members when they all teach
    the same one (语文组), else blank (综合组); a new 备课组 belongs to the
    教研组 named beside it in its first row.
    """
    subjects: dict[str, set[str]] = {}
    first_row: dict[str, _Row] = {}
    for row in rows:
        for name in (row.research_group, row.prep_group):
            if name:
                subjects.setdefault(name, set()).add(row.subject)
                first_row.setdefault(name, row)
    history_user = actor if getattr(actor, "pk", None) else None
    created: list[str] = []
    for kind in (GroupKind.RESEARCH, GroupKind.PREPARATION):
        for name, row in first_row.items():
            if name in known.groups or (name == row.research_group) != (kind == GroupKind.RESEARCH):
                continue
            group = Group(
                school=school,
                name=name,
                kind=kind,
                subject=next(iter(subjects[name])) if len(subjects[name]) == 1 else "",
                parent=known.groups.get(row.research_group) if kind == GroupKind.PREPARATION and row.research_group else None,
            )
            group._history_user = history_user  # read by simple_history
            group.save()
            known.groups[name] = group
            created.append(name)
            audit.record(actor=actor, action="group.create", target=group, name=name, via="roster.import")
    return created


def _write(*, actor, school: School, rows: list[_Row], known: _Known) -> tuple[int, int, int, list[str]]:
    """Write the validated rows. Returns (created, updated, unchanged, groups created)."""
    history_user = actor if getattr(actor, "pk", None) else None
    groups_created = _ensure_groups(actor=actor, school=school, rows=rows, known=known)
    today = timezone.localdate()

    new_rows: list[_Row] = []  # rows that start an employment at this school
    update_rows: list[tuple[_Row, Employment]] = []
    for row in rows:
        person = known.persons.get(row.info.number)  # type: ignore[union-attr]
        employment = known.current.get(person.pk) if person is not None else None
        if employment is not None:
            update_rows.append((row, employment))
        else:
            new_rows.append(row)

    # Accounts: one per person that has none yet.
    need_account = [
        row for row in new_rows if (p := known.persons.get(row.info.number)) is None or p.user_id is None  # type: ignore[union-attr]
    ]
    usernames = _allocate_usernames(need_account)
    account_ids = _insert_accounts([(usernames[row.row], row.name) for row in need_account])
    user_id_by_row = {row.row: account_ids[usernames[row.row]] for row in need_account}

    # People: new ones in bulk; known ones get the name/phone of the file and an account if missing.
    new_persons: list[Person] = []
    changed_persons: list[Person] = []
    persons_new_user: list[Person] = []
    for row in new_rows:
        info = row.info
        assert info is not None
        person = known.persons.get(info.number)
        user_id = user_id_by_row.get(row.row)
        if person is None:
            person = Person(
                name=row.name,
                gender=info.gender,
                birth_date=info.birth_date,
                id_number=info.number,
                phone=row.phone,
                user_id=user_id,
            )
            new_persons.append(person)
            known.persons[info.number] = person
        else:
            person.name, person.phone = row.name, row.phone or person.phone
            if user_id is not None:
                person.user_id = user_id
                persons_new_user.append(person)
            changed_persons.append(person)
    for row, employment in update_rows:
        person = known.persons[row.info.number]  # type: ignore[union-attr]
        if person.name != row.name or (row.phone and person.phone != row.phone):
            person.name, person.phone = row.name, row.phone or person.phone
            changed_persons.append(person)
    if new_persons:
        _bulk_create(new_persons, Person, history_user)
    if changed_persons:
        if persons_new_user:
            Person.objects.bulk_update(persons_new_user, ["user"], batch_size=BATCH_SIZE)
        _bulk_update(changed_persons, Person, ["name", "phone"], history_user)

    # Employments.
    new_employments: list[Employment] = []
    for row in new_rows:
        person = known.persons[row.info.number]  # type: ignore[union-attr]
        new_employments.append(
            Employment(
                person_id=person.pk,
                school_id=school.pk,
                start_date=row.start_date or today,
                stage=row.stage,
                subject=row.subject,
                position=row.position or Position.TEACHER,
                title=row.title,
                education=row.education,
                employment_type=row.employment_type,
                teaching_since=row.teaching_since,
                tier=row.tier or "",
            )
        )
    if new_employments:
        _bulk_create(new_employments, Employment, history_user)

    changed_employments: list[Employment] = []
    changed_rows: set[int] = set()
    update_fields = set(_EMPLOYMENT_FIELDS)
    for row, employment in update_rows:
        values = {key: getattr(row, key) for key in _EMPLOYMENT_FIELDS}
        for key in ("position", "tier", "start_date"):
            if getattr(row, key):
                values[key] = getattr(row, key)
                update_fields.add(key)
        if any(getattr(employment, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(employment, key, value)
            changed_employments.append(employment)
            changed_rows.add(row.row)
    if changed_employments:
        _bulk_update(changed_employments, Employment, sorted(update_fields), history_user)
    changed_person_ids = {p.pk for p in changed_persons}
    for row, _employment in update_rows:
        if known.persons[row.info.number].pk in changed_person_ids:  # type: ignore[union-attr]
            changed_rows.add(row.row)

    changed_rows |= _write_memberships(new_rows=new_rows, new_employments=new_employments, update_rows=update_rows, known=known)
    updated = len({row.row for row, _e in update_rows} & changed_rows)
    return len(new_rows), updated, len(update_rows) - updated, groups_created


def _write_memberships(
    *,
    new_rows: list[_Row],
    new_employments: list[Employment],
    update_rows: list[tuple[_Row, Employment]],
    known: _Known,
) -> set[int]:
    """Group memberships named in the file: new employments join them; for known
    employments a named group replaces the membership of the same kind."""
    Through = Employment.groups.through
    links: list[tuple[int, int]] = []
    for row, employment in zip(new_rows, new_employments, strict=True):
        for name in (row.research_group, row.prep_group):
            if name:
                links.append((employment.pk, known.groups[name].pk))
    changed: set[int] = set()
    named = [(row, e) for row, e in update_rows if row.research_group or row.prep_group]
    if named:
        existing: dict[int, set[int]] = {}
        ids = [e.pk for _r, e in named]
        for chunk in _chunks(ids):
            for employment_id, group_id in Through.objects.filter(employment_id__in=chunk).values_list(
                "employment_id", "group_id"
            ):
                existing.setdefault(employment_id, set()).add(group_id)
        kind_of = {g.pk: g.kind for g in known.groups.values()}
        remove: list[tuple[int, int]] = []
        for row, employment in named:
            have = existing.get(employment.pk, set())
            for kind, name in ((GroupKind.RESEARCH, row.research_group), (GroupKind.PREPARATION, row.prep_group)):
                if not name:
                    continue
                target = known.groups[name].pk
                for group_id in have:
                    if group_id != target and kind_of.get(group_id) == kind:
                        remove.append((employment.pk, group_id))
                        changed.add(row.row)
                if target not in have:
                    links.append((employment.pk, target))
                    changed.add(row.row)
        by_group: dict[int, list[int]] = {}
        for employment_id, group_id in remove:
            by_group.setdefault(group_id, []).append(employment_id)
        for group_id, employment_ids in by_group.items():
            for chunk in _chunks(employment_ids):
                Through.objects.filter(group_id=group_id, employment_id__in=chunk).delete()
    _insert_plain(Through, ["employment_id", "group_id"], links)
    return changed


# --- Public API -----------------------------------------------------------------


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while a roster is read and written.

    An import allocates hundreds of thousands of short-lived containers, which
    makes the collector run (and walk every live object) again and again; pausing
    it saves about a fifth of the time. Reference counting still frees the
    garbage; the collector resumes when the import ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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


def preview_roster(*, school: School, file_name: str, data: bytes, create_groups: bool = False, actor=None) -> RosterReport:
    """Read and validate a roster without writing anything.

    The caller is responsible for checking that the user may manage ``school``.
    The report names the other school that employs a given ID number only for
    ``actor`` None (the command line) or region staff of that school's county.
    """
    with _gc_paused():
        return _preview(school=school, file_name=file_name, data=data, create_groups=create_groups, actor=actor)


def _preview(*, school: School, file_name: str, data: bytes, create_groups: bool = False, actor=None) -> RosterReport:
    rows, errors, count = _prepare(file_name, data)
    if rows:
        known = _load_known(school, rows)
        _check_known(school, rows, known, errors, create_groups=create_groups, actor=actor)
        new = sum(1 for r in rows if not r.failed and _current_here(r, known, school) is None)
        updated = sum(1 for r in rows if not r.failed and _current_here(r, known, school) is not None)
    else:
        new = updated = 0
    found = errors.sorted()
    return RosterReport(ok=not found, rows=count, created=new, updated=updated, errors=found, dry_run=True)


def _current_here(row: _Row, known: _Known, school: School) -> Employment | None:
    person = known.persons.get(row.info.number) if row.info is not None else None
    employment = known.current.get(person.pk) if person is not None else None
    return employment if employment is not None and employment.school_id == school.pk else None


def import_roster(*, actor, school: School, file_name: str, data: bytes, create_groups: bool = False) -> RosterReport:
    """Validate a roster and, if it has no errors at all, import it in one transaction.

    ``actor`` must be allowed to manage ``school`` (else ``PermissionDenied``);
    ``None`` means the system and is for the ``import_roster`` management
    command only. Errors in the file are returned in the report (``ok`` False)
    and nothing is written. A group the file names and the school does not have
    is an error unless ``create_groups`` (an explicit choice) creates it.
    """
    if actor is not None and not scopes.can_manage_school(actor, school):
        raise PermissionDenied(_("您没有权限向该学校导入教师名单。"))
    with _gc_paused():
        return _import(actor=actor, school=school, file_name=file_name, data=data, create_groups=create_groups)


def _import(*, actor, school: School, file_name: str, data: bytes, create_groups: bool = False) -> RosterReport:
    rows, errors, count = _prepare(file_name, data)
    if errors.items or not rows:
        return RosterReport(ok=False, rows=count, errors=errors.sorted())
    try:
        with transaction.atomic():
            known = _load_known(school, rows)
            _check_known(school, rows, known, errors, create_groups=create_groups, actor=actor)
            if errors.items:
                return RosterReport(ok=False, rows=count, errors=errors.sorted())
            created, updated, unchanged, groups_created = _write(actor=actor, school=school, rows=rows, known=known)
            audit.record(
                actor=actor,
                action="roster.import",
                target=school,
                file=PurePath(file_name).name,
                rows=count,
                created=created,
                updated=updated,
                unchanged=unchanged,
                groups_created=groups_created,
            )
    except IntegrityError:
        return RosterReport(
            ok=False,
            rows=count,
            errors=[RowError(0, "", _("导入过程中数据被其他操作同时修改，本次导入未写入任何数据，请重新导入。"))],
        )
    return RosterReport(
        ok=True, rows=count, created=created, updated=updated, unchanged=unchanged, groups_created=groups_created
    )
