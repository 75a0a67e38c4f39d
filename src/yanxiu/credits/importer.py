"""Import of the result list of a bureau, provincial or national training.

All or nothing: every row is checked first and each problem is reported with
its spreadsheet row number, its column and a Chinese reason; only a file
with no problem is written, in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yanxiu.accounts import scopes
from yanxiu.core import audit
from yanxiu.org import idnumber
from yanxiu.org.models import Employment, Person, mask_id_number
from yanxiu.policy.compliance import spec_in_force
from yanxiu.policy.models import CreditKind

from .ledger import credit_record
from .models import CreditEntry, ImportBatch, SourceType

COLUMNS = ["身份证号", "姓名", "培训名称", "级别", "类别", "内容类别", "学时", "开始日期", "结束日期", "结果"]
OPTIONAL = ["主办单位", "长周期"]
REQUIRED = [c for c in COLUMNS if c != "内容类别"]

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


def read_table(name: str, data: bytes) -> list[list[object]]:
    """Rows of the first sheet (xlsx/xls/ods via calamine) or of a CSV in UTF-8 or GBK."""
    lower = name.lower()
    if lower.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises its own error types
            raise ValidationError(_("无法读取表格文件：%(err)s") % {"err": exc}) from None
    if lower.endswith((".csv", ".txt")):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError(_("CSV 文件既不是 UTF-8 也不是 GBK 编码。"))
        return [row for row in csv.reader(io.StringIO(text))]
    raise ValidationError(_("只支持 xlsx、xls、ods 或 csv 文件。"))


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
    try:
        table = read_table(name, data)
    except ValidationError as exc:
        result.errors.append(RowError(1, "", exc.messages[0]))
        return result
    if not table:
        result.errors.append(RowError(1, "", _("文件是空的。")))
        return result
    header = [_text(h) for h in table[0]]
    index = {h: i for i, h in enumerate(header) if h}
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        result.errors.append(RowError(1, "、".join(missing), _("缺少列：%(cols)s。表头应为：%(all)s") % {"cols": "、".join(missing), "all": "、".join(COLUMNS)}))
        return result
    scope = scopes.scope_of(actor) if actor is not None else None
    visible = None if actor is None or scope.superuser else set(scopes.people_visible_to(actor).values_list("pk", flat=True))

    def cell(row, column):
        i = index.get(column)
        return row[i] if i is not None and i < len(row) else None

    rows = [(n, row) for n, row in enumerate(table[1:], start=2) if any(_text(v) for v in row)]
    result.rows = len(rows)
    numbers = {}
    for n, row in rows:
        try:
            numbers[n] = idnumber.parse(cell(row, "身份证号")).number
        except ValidationError as exc:
            result.errors.append(RowError(n, "身份证号", exc.messages[0]))
    people = {p.id_number: p for p in Person.objects.filter(id_number__in=set(numbers.values()))}
    employments = {
        e.person_id: e for e in Employment.objects.filter(person__in=people.values(), end_date__isnull=True).select_related("school__county__parent__parent")
    }
    specs: dict[tuple[int, int], object] = {}
    seen: dict[tuple, int] = {}
    planned = []
    for n, row in rows:
        errors_before = len(result.errors)
        number = numbers.get(n)
        person = people.get(number) if number else None
        if number and person is None:
            result.errors.append(RowError(n, "身份证号", _("身份证号 %(id)s 不在系统中，请先在教师名册中登记。") % {"id": mask_id_number(number)}))
        name_cell = _text(cell(row, "姓名"))
        if person is not None and name_cell != person.name:
            result.errors.append(RowError(n, "姓名", _("姓名“%(given)s”与系统中该身份证号的姓名“%(known)s”不一致。") % {"given": name_cell, "known": person.name}))
        if person is not None and visible is not None and person.pk not in visible:
            result.errors.append(RowError(n, "身份证号", _("%(name)s 不在您的管辖范围内。") % {"name": person.name}))
        employment = employments.get(person.pk) if person else None
        if person is not None and employment is None:
            result.errors.append(RowError(n, "身份证号", _("%(name)s 当前没有在职学校。") % {"name": person.name}))
        title = _text(cell(row, "培训名称"))
        if not title:
            result.errors.append(RowError(n, "培训名称", _("培训名称不能为空。")))
        level_text = _text(cell(row, "级别"))
        level = LEVELS.get(level_text)
        if level is None:
            result.errors.append(RowError(n, "级别", _("级别“%(v)s”无法识别，应为 国培/省培/市培/县培/校培。") % {"v": level_text}))
        kind_text = _text(cell(row, "类别"))
        kind = KINDS.get(kind_text)
        if kind is None:
            result.errors.append(RowError(n, "类别", _("类别“%(v)s”无法识别，应为 集中培训/网络培训/校本研修。") % {"v": kind_text}))
        hours_text = _text(cell(row, "学时"))
        try:
            hours = Decimal(hours_text)
            if hours <= 0 or hours != hours.quantize(Decimal("0.1")):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            hours = None
            result.errors.append(RowError(n, "学时", _("学时“%(v)s”应为大于 0 的数（最多一位小数）。") % {"v": hours_text}))
        start, end = _date(cell(row, "开始日期")), _date(cell(row, "结束日期"))
        if start is None:
            result.errors.append(RowError(n, "开始日期", _("开始日期“%(v)s”不是有效日期（如 2025-10-08）。") % {"v": _text(cell(row, "开始日期"))}))
        if end is None:
            result.errors.append(RowError(n, "结束日期", _("结束日期“%(v)s”不是有效日期（如 2025-10-12）。") % {"v": _text(cell(row, "结束日期"))}))
        if start and end and end < start:
            result.errors.append(RowError(n, "结束日期", _("结束日期早于开始日期。")))
        outcome = _text(cell(row, "结果"))
        if outcome not in ("合格", "不合格"):
            result.errors.append(RowError(n, "结果", _("结果“%(v)s”应为“合格”或“不合格”。") % {"v": outcome}))
        spec = None
        if employment is not None:
            key = (employment.school.county_id, school_year)
            if key not in specs:
                specs[key] = spec_in_force(employment.school.county, school_year)
            spec = specs[key]
            if spec is None:
                result.errors.append(RowError(n, "身份证号", _("%(county)s %(year)d 学年尚未制定学时政策。") % {"county": employment.school.county.name, "year": school_year}))
        if spec is not None and start and end and end >= start:
            y0, y1 = spec.year_start(school_year), spec.year_end(school_year)
            if start < y0 or end > y1:
                column = "开始日期" if start < y0 else "结束日期"
                result.errors.append(RowError(n, column, _("培训日期 %(s)s—%(e)s 不在 %(y)d—%(y2)d 学年（%(y0)s 至 %(y1)s）内。")
                                              % {"s": start, "e": end, "y": school_year, "y2": school_year + 1, "y0": y0, "y1": y1}))
            if hours is not None:
                days = (end - start).days + 1
                cap = spec.max_hours_per_day * days
                if hours > cap:
                    result.errors.append(RowError(n, "学时", _("学时 %(h)s 超过上限：%(d)d 天每天最多 %(m)s 学时，共 %(cap)s 学时。")
                                                  % {"h": hours, "d": days, "m": spec.max_hours_per_day, "cap": cap}))
            if title and spec.is_excluded(title):
                result.errors.append(RowError(n, "培训名称", _("“%(item)s”不计入培训学时。") % {"item": spec.is_excluded(title)}))
        source_key = f"import:{title}|{start}|{end}"
        if number and title and start:
            dup = seen.get((number, title, start))
            if dup is not None:
                result.errors.append(RowError(n, "培训名称", _("与第 %(row)d 行重复（同一人、同一培训、同一开始日期）。") % {"row": dup}))
            else:
                seen[(number, title, start)] = n
            if person is not None and CreditEntry.objects.active().filter(person=person, source_key=source_key).exists():
                result.errors.append(RowError(n, "培训名称", _("%(name)s 的“%(title)s”已登记过学时，不能重复登记。") % {"name": person.name, "title": title}))
        if len(result.errors) == errors_before:
            organiser = _text(cell(row, "主办单位")) or level_text
            long_cycle = _text(cell(row, "长周期")) in YES
            planned.append((n, person, employment, title, level, kind, _text(cell(row, "内容类别")), hours, start, end, outcome, spec, source_key, organiser, long_cycle))
    result.failed_results = sum(1 for p in planned if p[10] == "不合格")
    if result.errors or dry_run:
        result.credited = sum(1 for p in planned if p[10] == "合格") if not result.errors else 0
        return result
    with transaction.atomic():
        if actor is not None and not (scope.superuser or scope.region_counties):
            raise PermissionDenied(_("只有教育局或教师发展中心可以导入培训结果。"))
        batch = ImportBatch.objects.create(file_name=name[-200:], sha256=hashlib.sha256(data).hexdigest(), school_year=school_year,
                                           row_count=len(rows), created_by=actor)
        from .services import certificate_issue

        for n, person, employment, title, level, kind, category, hours, start, end, outcome, spec, source_key, organiser, long_cycle in planned:
            if outcome != "合格":
                continue
            credit_record(
                actor=actor, person=person, school=employment.school, school_year=school_year, kind=kind, category=category,
                title=title, hours=hours, source_type=SourceType.IMPORT, source_id=str(batch.pk), source_key=source_key,
                long_cycle=long_cycle, spec=spec,
                evidence={"batch_id": batch.pk, "row": n, "result": outcome, "level": level, "start": start.isoformat(),
                          "end": end.isoformat(), "organiser": organiser, "file_sha256": batch.sha256},
            )
            certificate_issue(actor=actor, person=person, title=title, organiser=organiser, hours=hours, school_year=school_year,
                              source_key=source_key, school=employment.school, issued_on=end)
            result.credited += 1
        batch.credited_count = result.credited
        batch.save(update_fields=["credited_count"])
        audit.record(actor=actor, action="credit.import", target=batch, rows=len(rows), credited=result.credited)
        result.batch = batch
    return result
