"""Checking a parsed register against the database (reads only): whose record
each row is, whether it is already there, and every rule a record must meet
(:func:`yanxiu.growth.services.records.check_record`, the rules of a record
filed by hand)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.org.models import Employment, mask_id_number

from .. import calendar
from ..choices import RecordKind, ReviewStatus
from ..models import GrowthRecord, GrowthYear
from ..services.records import check_record
from .read import ParsedRow, Table
from .report import Collector

#: Model fields an error of check_record or full_clean names -> the column it is reported under.
FIELD_COLUMN = {"observed": "observed_name"}
CLEAN_EXCLUDE = ["credit_entry", "reviewed_by", "person", "school", "observed", "created_by"]


@dataclass
class Staff:
    """The school's teachers, current and past, by ID number and by name."""

    by_id: dict
    by_name: dict
    left_on: dict  # person id -> the day their last employment here ended (absent: still here)


def load_staff(school) -> Staff:
    employments = Employment.objects.filter(school=school).select_related("person").only(
        "person_id", "end_date", "person__id", "person__name", "person__id_number")
    current = set(Employment.objects.current().filter(school=school).values_list("person_id", flat=True))
    by_id, by_name, ended = {}, {}, {}
    for employment in employments:
        person = employment.person
        by_id[person.id_number] = person
        by_name.setdefault(person.name, {})[person.pk] = person
        if person.pk not in current and employment.end_date is not None:
            ended[person.pk] = max(ended.get(person.pk, employment.end_date), employment.end_date)
    return Staff(by_id=by_id, by_name=by_name, left_on=ended)


class Checker:
    """Builds the record of every row that has no problem; the problems go to ``errors``."""

    def __init__(self, *, school, table: Table, actor, today: dt.date) -> None:
        self.school, self.table, self.errors, self.actor, self.today = school, table, table.errors, actor, today
        self.staff = load_staff(school)
        self.now = timezone.now()
        self.years: dict[dt.date, int] = {}

    def check(self) -> list[GrowthRecord]:
        matched = [(row, self.person_of(row)) for row in self.table.rows]
        people = {person.pk for _row, person in matched if person is not None}
        existing = self._existing(people)
        locked = self._locked(people)
        records, seen = [], {}
        for row, person in matched:
            record = self.record_of(row, person)
            if record is None or person is None:
                continue
            key = (person.pk, record.kind, record.date, record.title)
            if key in seen:
                self.error(row, "title", _("与第 %(first)d 行重复（同一教师、类型、日期和名称），请删除其中一行。") % {"first": seen[key]})
            elif key in existing:
                self.error(row, "title", _("%(name)s 已有这条记录（%(kind)s，%(date)s，“%(title)s”），不能重复导入。") % {
                    "name": person.name, "kind": RecordKind(record.kind).label, "date": record.date.isoformat(),
                    "title": record.title[:60]})
            seen.setdefault(key, row.row)
            if locked and record.date is not None and (person.pk, self._year(record.date)) in locked:
                self.error(row, "date", _("%(name)s %(y)s 学年的成长记录袋已签署，不能再增加记录。") % {
                    "name": person.name, "y": self._year(record.date)})
            if not row.failed_keys:
                records.append(record)
        return records

    def error(self, row: ParsedRow, key: str, message: str) -> None:
        row.failed_keys.add(key)
        self.errors.add(row.row, key, message)

    def person_of(self, row: ParsedRow):
        """The teacher of the row: by ID number, else by a name unique among the school's staff."""
        staff = self.staff
        if row.id_number:
            person = staff.by_id.get(row.id_number)
            if person is None:
                self.error(row, "id_number", _("身份证号 %(id)s 不是本校在职或曾在本校任职的教师。") % {
                    "id": mask_id_number(row.id_number)})
            elif row.name and row.name != person.name:
                self.error(row, "name", _("姓名“%(given)s”与该身份证号登记的姓名“%(known)s”不一致。") % {
                    "given": row.name, "known": person.name})
            return person
        if row.id_given or not row.name:
            return None  # a bad ID number (already reported) is not replaced by the name
        namesakes = staff.by_name.get(row.name, {})
        if len(namesakes) == 1:
            return next(iter(namesakes.values()))
        if not namesakes:
            self.error(row, "name", _("本校没有名为“%(name)s”的教师（在职或曾任职），请核对姓名或填写身份证号。") % {"name": row.name})
        else:
            self.error(row, "name", _("本校有 %(n)d 位名为“%(name)s”的教师，请填写身份证号加以区分。") % {
                "n": len(namesakes), "name": row.name})
        return None

    def record_of(self, row: ParsedRow, person) -> GrowthRecord | None:
        """The record the row describes, checked by the rules of a record filed by hand."""
        fields = row.fields
        if "kind" not in fields:
            return None
        record = GrowthRecord(
            person=person, school=self.school, status=ReviewStatus.ACCEPTED, source=GrowthRecord.Source.IMPORTED,
            import_row=row.row, reviewed_at=self.now, reviewed_by=self.actor, created_by=self.actor,
            observed=self._observed(fields.get("observed_name", ""), person), **fields)
        if person is not None and record.date is not None and person.pk in self.staff.left_on:
            left = self.staff.left_on[person.pk]
            if record.date > left:
                self.error(row, "date", _("%(name)s 已于 %(left)s 离开本校，此后的记录不能由本校导入。") % {
                    "name": person.name, "left": left.isoformat()})
        self._rules(row, lambda: check_record(record, today=self.today))
        if not row.failed_keys:  # the model's own checks, behind the rules above
            self._rules(row, lambda: record.full_clean(exclude=CLEAN_EXCLUDE))
        return record

    def _rules(self, row: ParsedRow, rule) -> None:
        try:
            rule()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.error(row, FIELD_COLUMN.get(name, name), messages[0])

    def _observed(self, name: str, person):
        """The colleague observed, when the name is one teacher of the school's (the critique reaches them)."""
        namesakes = self.staff.by_name.get(name.replace(" ", ""), {}) if name else {}
        return next(iter(namesakes.values())) if len(namesakes) == 1 else None

    def _existing(self, people: set[int]) -> set[tuple]:
        dates = [r.fields["date"] for r in self.table.rows if "date" in r.fields]
        if not people or not dates:
            return set()
        return set(GrowthRecord.objects.filter(person_id__in=people, date__gte=min(dates), date__lte=max(dates))
                   .values_list("person_id", "kind", "date", "title"))

    def _locked(self, people: set[int]) -> set[tuple[int, int]]:
        if not people:
            return set()
        return set(GrowthYear.objects.filter(person_id__in=people, signed_off_at__isnull=False)
                   .values_list("person_id", "school_year"))

    def _year(self, day: dt.date) -> int:
        if day not in self.years:
            self.years[day] = calendar.school_year_of(self.school, day)
        return self.years[day]
