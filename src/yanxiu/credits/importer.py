"""Import of the result list of a bureau, provincial or national training.

All or nothing: every row is checked first and each problem is reported with
its spreadsheet row number, its column and a Chinese reason; only a file
with no problem is written, in one transaction.

The file is read by :mod:`yanxiu.core.sheets` (bounded, first visible sheet)
and its header found the way the roster import finds it: organisers name
their columns their own way (培训项目 for 培训名称, 考核结果 for 结果 …), in
any order, below title rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yanxiu.org import scopes
from yanxiu.core import audit, sheets
from yanxiu.core.events import Event
from yanxiu.org import idnumber
from yanxiu.org.models import Employment, Person, mask_id_number
from yanxiu.policy.selectors import spec_in_force
from yanxiu.policy.models import CreditKind

from .ledger import credit_record
from .models import CreditEntry, ImportBatch, SourceType

COLUMNS = ["身份证号", "姓名", "培训名称", "级别", "类别", "内容类别", "学时", "开始日期", "结束日期", "结果"]
OPTIONAL = ["主办单位", "长周期"]
REQUIRED = [c for c in COLUMNS if c != "内容类别"]
# Header synonyms seen in organisers' lists; compared after sheets.header_key
# (NFKC, no spaces, no trailing note in brackets such as 学时（小时）).
ALIASES = {
    "身份证号": ("身份证号码", "公民身份号码", "公民身份证号码", "居民身份证号码", "身份证", "身份证件号码", "证件号码"),
    "姓名": ("教师姓名", "学员姓名", "参训教师", "参训人员"),
    "培训名称": ("培训项目", "项目名称", "培训项目名称", "培训班名称", "培训班", "项目"),
    "级别": ("培训级别", "层级", "培训层级", "项目级别"),
    "类别": ("培训形式", "方式", "培训方式", "形式", "培训类别", "培训类型"),
    "内容类别": ("培训内容", "内容", "内容分类"),
    "学时": ("学时数", "培训学时", "认定学时", "获得学时", "课时"),
    "开始日期": ("开始时间", "培训开始日期", "培训开始时间", "起始日期"),
    "结束日期": ("结束时间", "培训结束日期", "培训结束时间", "截止日期"),
    "结果": ("考核结果", "是否合格", "结业情况", "考核情况", "结业结果", "考核等次"),
    "主办单位": ("主办方", "培训机构", "承办单位", "组织单位"),
    "长周期": ("是否长周期",),
}
HEADER_COLUMNS = tuple(
    sheets.Column(key=label, label=label, aliases=ALIASES.get(label, ()), required=label in REQUIRED)
    for label in [*COLUMNS, *OPTIONAL]
)
HEADER_SEARCH_ROWS = 10
HEADER_MIN_MATCHES = 5
# What a 结果 cell may say, by the column's usual names (是否合格: 是/否; 结业情况: 已结业/未结业).
OUTCOMES = {"合格": "合格", "不合格": "不合格", "是": "合格", "否": "不合格", "结业": "合格", "已结业": "合格",
            "未结业": "不合格", "不予结业": "不合格"}
_HOURS = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:学时|课时|小时)?$")

LEVELS = {"国培": "national", "国家级": "national", "省培": "provincial", "省级": "provincial", "市培": "city", "市级": "city",
          "县培": "county", "县级": "county", "区级": "county", "校培": "school", "校级": "school"}
KINDS = {"集中": CreditKind.CENTRALISED, "集中培训": CreditKind.CENTRALISED, "面授": CreditKind.CENTRALISED,
         "网络": CreditKind.ONLINE, "网络培训": CreditKind.ONLINE, "网络研修": CreditKind.ONLINE, "远程": CreditKind.ONLINE,
         "远程培训": CreditKind.ONLINE, "校本": CreditKind.SCHOOL_BASED, "校本研修": CreditKind.SCHOOL_BASED,
         "校本培训": CreditKind.SCHOOL_BASED, "校本研训": CreditKind.SCHOOL_BASED}
YES = {"是", "Y", "y", "1", "true", "True", "长周期"}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_json(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    rows: int = 0
    credited: int = 0
    failed_results: int = 0
    errors: list[RowError] = field(default_factory=list)
    batch: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict:
        return {"ok": self.ok, "rows": self.rows, "credited": self.credited, "not_passed": self.failed_results,
                "errors": [e.as_json() for e in self.errors]}


def read_table(name: str, data: bytes) -> tuple[list[list[object]], object]:
    """The first visible sheet of the file, read by :mod:`yanxiu.core.sheets`.

    Returns (the first rows, where the header is looked for; an iterator over
    the rest). Raises ``ValidationError`` with the reader's Chinese message.
    """
    try:
        sheet = next(iter(sheets.read_sheets(name, data)), None)
        if sheet is None:
            raise ValidationError(_("文件里没有可读的工作表。"))
        return list(itertools.islice(sheet.rows, HEADER_SEARCH_ROWS)), sheet.rows
    except sheets.SheetError as exc:
        raise ValidationError(str(exc)) from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.match(_text(value))
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        return None


def import_results(*, actor, name: str, data: bytes, school_year: int, dry_run: bool = False) -> ImportResult:
    """Check the result list and, when every row is right and not ``dry_run``, credit it."""
    result = ImportResult()
    table = _read_rows(name, data, result)
    if table is None:
        return result
    result.rows = len(table.rows)
    planned = _RowChecker(actor=actor, school_year=school_year, table=table, errors=result.errors).check()
    result.failed_results = sum(1 for p in planned if p.outcome == "不合格")
    if result.errors or dry_run:
        result.credited = sum(1 for p in planned if p.outcome == "合格") if not result.errors else 0
        return result
    _write(actor=actor, name=name, data=data, school_year=school_year, row_count=len(table.rows), planned=planned,
           result=result)
    return result


@dataclass
class _Table:
    """The data rows of the file (numbered as in the spreadsheet) and where each column is."""

    index: dict[str, int]
    shown: dict[str, str]  # column -> its name as in the file
    rows: list[tuple[int, list[object]]]

    def cell(self, row, column):
        i = self.index.get(column)
        return row[i] if i is not None and i < len(row) else None


def _read_rows(name: str, data: bytes, result: ImportResult) -> _Table | None:
    """Read the file and match its header; None (with the problem in ``result``) when that fails."""
    try:
        head, rest = read_table(name, data)
    except ValidationError as exc:
        result.errors.append(RowError(1, "", exc.messages[0]))
        return None
    if not any(any(_text(v) for v in r) for r in head):
        result.errors.append(RowError(1, "", _("文件是空的。")))
        return None
    header, problems = sheets.find_header(
        head, HEADER_COLUMNS, search_rows=HEADER_SEARCH_ROWS, min_matches=HEADER_MIN_MATCHES, example=_("身份证号、姓名、培训名称")
    )
    if header is None:
        result.errors.extend(RowError(p.row, p.column, p.message) for p in problems)
        return None
    try:
        rows = [
            (n, row)
            for n, row in enumerate(itertools.chain(head[header.row :], rest), start=header.row + 1)
            if any(_text(v) for v in row)
        ]
    except sheets.SheetError as exc:
        result.errors.append(RowError(1, "", str(exc)))
        return None
    shown = {key: header.text.get(key, key) for key in [*COLUMNS, *OPTIONAL]}
    return _Table(index=header.index, shown=shown, rows=rows)


@dataclass
class _Planned:
    """A checked row, ready to be credited (when passed)."""

    row: int
    person: Person
    employment: Employment
    title: str
    level: str
    kind: str
    category: str
    hours: Decimal
    start: dt.date
    end: dt.date
    outcome: str
    spec: object
    source_key: str
    organiser: str
    long_cycle: bool


@dataclass
class _Fields:
    """The training columns of one row, parsed (None where a value is wrong)."""

    title: str
    level_text: str
    level: str | None
    kind: str | None
    hours: Decimal | None
    start: dt.date | None
    end: dt.date | None
    outcome: str


class _RowChecker:
    """Checks every row, adding each problem to ``errors`` in file order; returns the rows without one."""

    def __init__(self, *, actor, school_year: int, table: _Table, errors: list[RowError]) -> None:
        self.school_year, self.table, self.errors = school_year, table, errors
        scope = scopes.scope_of(actor) if actor is not None else None
        self.visible = (
            None if actor is None or scope.superuser else set(scopes.people_visible_to(actor).values_list("pk", flat=True))
        )
        self.specs: dict[tuple[int, int], object] = {}
        self.seen: dict[tuple, int] = {}

    def error(self, n: int, column: str, message: str) -> None:
        self.errors.append(RowError(n, self.table.shown[column], message))

    def check(self) -> list[_Planned]:
        table = self.table
        numbers = {}
        for n, row in table.rows:
            try:
                numbers[n] = idnumber.parse(table.cell(row, "身份证号")).number
            except ValidationError as exc:
                self.error(n, "身份证号", exc.messages[0])
        self.people = {p.id_number: p for p in Person.objects.filter(id_number__in=set(numbers.values()))}
        self.employments = {
            e.person_id: e
            for e in Employment.objects.current().filter(person__in=self.people.values()).select_related("school__county__parent__parent")
        }
        planned = []
        for n, row in table.rows:
            errors_before = len(self.errors)
            number = numbers.get(n)
            person, employment = self._person(n, row, number)
            fields = self._fields(n, row)
            spec = self._policy(n, employment, fields)
            source_key = f"import:{fields.title}|{fields.start}|{fields.end}"
            self._duplicates(n, number, person, fields, source_key)
            if len(self.errors) == errors_before:
                planned.append(_Planned(
                    row=n, person=person, employment=employment, title=fields.title, level=fields.level, kind=fields.kind,
                    category=_text(table.cell(row, "内容类别")), hours=fields.hours, start=fields.start, end=fields.end,
                    outcome=fields.outcome, spec=spec, source_key=source_key,
                    organiser=_text(table.cell(row, "主办单位")) or fields.level_text,
                    long_cycle=_text(table.cell(row, "长周期")) in YES,
                ))
        return planned

    def _person(self, n: int, row, number: str | None) -> tuple[Person | None, Employment | None]:
        """The teacher the row names: registered, same name, in the importer's reach, currently employed."""
        person = self.people.get(number) if number else None
        if number and person is None:
            self.error(n, "身份证号", _("身份证号 %(id)s 不在系统中，请先在教师名册中登记。") % {"id": mask_id_number(number)})
        name_cell = _text(self.table.cell(row, "姓名"))
        if person is not None and name_cell != person.name:
            self.error(n, "姓名", _("姓名“%(given)s”与系统中该身份证号的姓名“%(known)s”不一致。") % {"given": name_cell, "known": person.name})
        if person is not None and self.visible is not None and person.pk not in self.visible:
            self.error(n, "身份证号", _("%(name)s 不在您的管辖范围内。") % {"name": person.name})
        employment = self.employments.get(person.pk) if person else None
        if person is not None and employment is None:
            self.error(n, "身份证号", _("%(name)s 当前没有在职学校。") % {"name": person.name})
        return person, employment

    def _fields(self, n: int, row) -> _Fields:
        """培训名称, 级别, 类别, 学时, the dates and 结果."""
        cell = self.table.cell
        title = _text(cell(row, "培训名称"))
        if not title:
            self.error(n, "培训名称", _("培训名称不能为空。"))
        level_text = _text(cell(row, "级别"))
        level = LEVELS.get(level_text)
        if level is None:
            self.error(n, "级别", _("级别“%(v)s”无法识别，应为 国培/省培/市培/县培/校培。") % {"v": level_text})
        kind_text = _text(cell(row, "类别"))
        kind = KINDS.get(kind_text)
        if kind is None:
            self.error(n, "类别", _("类别“%(v)s”无法识别，应为 集中培训/网络培训/校本研修。") % {"v": kind_text})
        hours = self._hours(n, _text(cell(row, "学时")))
        start, end = _date(cell(row, "开始日期")), _date(cell(row, "结束日期"))
        if start is None:
            self.error(n, "开始日期", _("开始日期“%(v)s”不是有效日期（如 2025-10-08）。") % {"v": _text(cell(row, "开始日期"))})
        if end is None:
            self.error(n, "结束日期", _("结束日期“%(v)s”不是有效日期（如 2025-10-12）。") % {"v": _text(cell(row, "结束日期"))})
        if start and end and end < start:
            self.error(n, "结束日期", _("结束日期早于开始日期。"))
        outcome_text = _text(cell(row, "结果"))
        outcome = OUTCOMES.get(outcome_text.replace(" ", ""), outcome_text)
        if outcome not in ("合格", "不合格"):
            self.error(n, "结果", _("结果“%(v)s”应为“合格”或“不合格”。") % {"v": outcome_text})
        return _Fields(title=title, level_text=level_text, level=level, kind=kind, hours=hours, start=start, end=end,
                       outcome=outcome)

    def _hours(self, n: int, hours_text: str) -> Decimal | None:
        try:
            hours_match = _HOURS.match(hours_text)
            if hours_match is None:
                raise InvalidOperation
            hours = Decimal(hours_match[1])
            if hours <= 0 or hours != hours.quantize(Decimal("0.1")):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            self.error(n, "学时", _("学时“%(v)s”应为大于 0 的数（最多一位小数）。") % {"v": hours_text})
            return None
        return hours

    def _policy(self, n: int, employment: Employment | None, fields: _Fields):
        """The policy in force for the teacher's county: the school year's dates, the daily cap, exclusions."""
        if employment is None:
            return None
        school_year = self.school_year
        key = (employment.school.county_id, school_year)
        if key not in self.specs:
            self.specs[key] = spec_in_force(employment.school.county, school_year)
        spec = self.specs[key]
        if spec is None:
            self.error(n, "身份证号", _("%(county)s %(year)d 学年尚未制定学时政策。") % {"county": employment.school.county.name, "year": school_year})
            return None
        start, end, hours, title = fields.start, fields.end, fields.hours, fields.title
        if start and end and end >= start:
            y0, y1 = spec.year_start(school_year), spec.year_end(school_year)
            if start < y0 or end > y1:
                column = "开始日期" if start < y0 else "结束日期"
                self.error(n, column, _("培训日期 %(s)s—%(e)s 不在 %(y)d—%(y2)d 学年（%(y0)s 至 %(y1)s）内。")
                           % {"s": start, "e": end, "y": school_year, "y2": school_year + 1, "y0": y0, "y1": y1})
            if hours is not None:
                days = (end - start).days + 1
                cap = spec.max_hours_per_day * days
                if hours > cap:
                    self.error(n, "学时", _("学时 %(h)s 超过上限：%(d)d 天每天最多 %(m)s 学时，共 %(cap)s 学时。")
                               % {"h": hours, "d": days, "m": spec.max_hours_per_day, "cap": cap})
            if title and spec.is_excluded(title):
                self.error(n, "培训名称", _("“%(item)s”不计入培训学时。") % {"item": spec.is_excluded(title)})
        return spec

    def _duplicates(self, n: int, number: str | None, person: Person | None, fields: _Fields, source_key: str) -> None:
        """Twice in the file, or already in the ledger."""
        title, start = fields.title, fields.start
        if not (number and title and start):
            return
        dup = self.seen.get((number, title, start))
        if dup is not None:
            self.error(n, "培训名称", _("与第 %(row)d 行重复（同一人、同一培训、同一开始日期）。") % {"row": dup})
        else:
            self.seen[(number, title, start)] = n
        if person is not None and CreditEntry.objects.active().filter(person=person, source_key=source_key).exists():
            self.error(n, "培训名称", _("%(name)s 的“%(title)s”已登记过学时，不能重复登记。") % {"name": person.name, "title": title})


def _write(*, actor, name: str, data: bytes, school_year: int, row_count: int, planned: list[_Planned],
           result: ImportResult) -> None:
    """Credit the passed rows and issue their certificates, all in one transaction, with one batch and one audit row."""
    from .services import certificate_issue

    with transaction.atomic():
        scope = scopes.scope_of(actor) if actor is not None else None
        scopes.require(actor is None or scope.superuser or bool(scope.region_counties), _("只有教育局或教师发展中心可以导入培训结果。"))
        batch = ImportBatch.objects.create(file_name=name[-200:], sha256=hashlib.sha256(data).hexdigest(), school_year=school_year,
                                           row_count=row_count, created_by=actor)
        passed = [p for p in planned if p.outcome == "合格"]
        for p in passed:
            school = p.employment.school
            credit_record(
                actor=actor, person=p.person, school=school, school_year=school_year, kind=p.kind, category=p.category,
                title=p.title, hours=p.hours, source_type=SourceType.IMPORT, source_id=str(batch.pk), source_key=p.source_key,
                long_cycle=p.long_cycle, spec=p.spec,
                evidence={"batch_id": batch.pk, "row": p.row, "result": p.outcome, "level": p.level, "start": p.start.isoformat(),
                          "end": p.end.isoformat(), "organiser": p.organiser, "file_sha256": batch.sha256},
            )
            certificate_issue(actor=actor, person=p.person, title=p.title, organiser=p.organiser, hours=p.hours,
                              school_year=school_year, source_key=p.source_key, school=school, issued_on=p.end)
            result.credited += 1
        batch.credited_count = result.credited
        batch.save(update_fields=["credited_count"])
        counties = {p.employment.school.county_id for p in passed}
        audit.record(actor=actor, event=Event.CREDIT_IMPORT, target=batch, county=counties.pop() if len(counties) == 1 else None,
                     rows=row_count, credited=result.credited)
        result.batch = batch
