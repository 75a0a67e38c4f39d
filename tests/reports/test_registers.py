"""Registers (台账): the rows are the ledger's, with the date and level of each source from the same query."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.reports.registers_data import YEAR, build
from yanxiu.credits.models import CreditEntry
from yanxiu.credits.selectors import person_compliance
from yanxiu.reports import registers as reg

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(roles, school, school_b, county):
    return build(roles, school, school_b, county)


def _register(user, **filters):
    return list(reg.register_entries(user, reg.EntryFilters(year=YEAR, **filters)))


def test_the_rows_are_the_ledgers_active_rows_and_a_reversed_pair_vanishes(data, roles):
    rows = _register(roles.teacher)
    ledger = CreditEntry.objects.active().filter(person=data.teacher, school_year=YEAR)
    assert sorted(e.pk for e in rows) == sorted(ledger.values_list("pk", flat=True))
    assert len(rows) == 5
    titles = {e.title for e in rows}
    assert "误登记的活动" not in titles and "上一学年的培训" not in titles
    # The reversal exists in the ledger but neither it nor its entry is a register row.
    assert CreditEntry.objects.filter(reverses=data.wrong).exists()
    assert sum(e.hours for e in rows) == Decimal("47") == person_compliance(data.teacher, YEAR).total


def test_each_source_gives_its_date_and_level(data, roles):
    by_title = {e.title: (reg.level_label(e.level), reg.date_text(e.training_start, e.training_end, e.training_date))
                for e in _register(roles.teacher)}
    assert by_title == {
        "校本讲座：大单元教学": ("校培", "2025-10-15"),
        "县级学科培训": ("县培", "2026-03-20"),
        "省级骨干教师培训": ("省培", "2025-11-03 至 2025-11-07"),
        "市级班主任培训": ("市培", "2025-12-01 至 2025-12-02"),
        "公开课：圆的认识": ("校培", "2026-03-10"),
    }


def test_an_entry_without_a_dated_source_is_dated_the_day_it_was_registered(data, roles):
    from django.utils import timezone

    [row] = _register(roles.member)  # the member's only row: an activity entry without its activity record
    assert row.title.startswith("=HYPERLINK")
    assert row.training_start is None and row.training_date == timezone.localtime(row.created_at).date()
    assert reg.level_label(row.level) == "校培"


def test_level_and_date_come_with_the_rows_in_one_query(data, roles):
    with CaptureQueriesContext(connection) as ctx:
        rows = _register(roles.school_admin)
        [(e.level, e.training_date, e.person.name, e.school.name) for e in rows]
    assert len(rows) == 6
    reads = [q for q in ctx.captured_queries if "credits_creditentry" in q["sql"]]
    assert len(reads) == 1


@pytest.mark.parametrize(("filters", "expected"), [
    ({"level": "provincial"}, {"省级骨干教师培训"}),
    ({"level": "school"}, {"校本讲座：大单元教学", "公开课：圆的认识"}),
    ({"kind": "online"}, {"市级班主任培训"}),
    ({"kind": "centralised"}, {"县级学科培训", "省级骨干教师培训"}),
])
def test_level_and_kind_filter_the_rows(data, roles, filters, expected):
    assert {e.title for e in _register(roles.teacher, **filters)} == expected


def test_the_terms_split_the_year(data, roles, school):
    first, second = reg.term_spans(school, YEAR)
    assert first == (dt.date(2025, 9, 1), dt.date(2026, 1, 31)) and second == (dt.date(2026, 2, 1), dt.date(2026, 8, 31))
    assert {e.title for e in _register(roles.teacher, term=first)} == {"校本讲座：大单元教学", "省级骨干教师培训", "市级班主任培训"}
    assert {e.title for e in _register(roles.teacher, term=second)} == {"县级学科培训", "公开课：圆的认识"}


def test_a_schools_own_calendar_moves_the_term_boundary(data, roles, school):
    from yanxiu.growth.models import SchoolTerm

    SchoolTerm.objects.create(school=school, school_year=YEAR, number=1, start=dt.date(2025, 9, 1), end=dt.date(2025, 11, 20))
    SchoolTerm.objects.create(school=school, school_year=YEAR, number=2, start=dt.date(2025, 11, 21), end=dt.date(2026, 7, 10))
    first, second = reg.term_spans(school, YEAR)
    assert first[1] == dt.date(2025, 11, 20) and second == (dt.date(2025, 11, 21), dt.date(2026, 8, 31))
    assert "市级班主任培训" in {e.title for e in _register(roles.teacher, term=second)}


def test_school_cluster_group_and_year_filter_by_the_teachers_current_school(data, roles, school, school_b, group):
    from yanxiu.org.models import Cluster

    cluster = Cluster.objects.create(county=school.county, name="星沙片区")
    school_b.cluster = cluster
    school_b.save()
    assert {e.person.name for e in _register(roles.bureau, school=school_b)} == {"李老师"}
    assert {e.person.name for e in _register(roles.bureau, cluster_id=cluster.pk)} == {"李老师"}
    assert {e.person.name for e in _register(roles.bureau, group_id=group.pk)} == {"组员"}
    assert {e.title for e in reg.register_entries(roles.teacher, reg.EntryFilters(year=YEAR - 1))} == {"上一学年的培训"}


def test_search_finds_a_name_or_a_title(data, roles):
    assert {e.person.name for e in reg.register_entries(roles.bureau, reg.EntryFilters(year=YEAR), search="李老")} == {"李老师"}
    assert {e.title for e in reg.register_entries(roles.bureau, reg.EntryFilters(year=YEAR), search="骨干")} == {"省级骨干教师培训"}


def test_who_sees_which_rows(data, roles, far_school):
    names = lambda user: {e.person.name for e in _register(user)}  # noqa: E731
    assert names(roles.bureau) == names(roles.centre) == {"张老师", "组员", "李老师"}
    assert names(roles.school_admin) == {"张老师", "组员"}
    assert names(roles.other_admin) == {"李老师"}
    assert names(roles.leader) == {"组员"}  # the members of the led group (the leader has no rows)
    assert names(roles.teacher) == {"张老师"}
    assert names(roles.far_bureau) == set() and names(roles.presenter) == set()


def test_the_school_register_has_one_row_per_teacher_with_totals_by_level_and_kind(data, roles, school):
    entries = reg.filter_entries(reg.with_register_columns(CreditEntry.objects.active()), reg.EntryFilters(year=YEAR))
    rows = {r.name: r for r in reg.teacher_rows(reg.register_employments(roles.school_admin), YEAR, entries)}
    assert set(rows) == {"张老师", "组员", roles.leader.person.name, roles.school_admin.person.name}
    zhang = rows["张老师"]
    assert zhang.trainings == 5 and zhang.total == Decimal("47")
    assert zhang.by_level == {"national": 0, "provincial": 24, "city": 12, "county": 6, "school": 5}
    assert zhang.by_kind == {"centralised": 30, "online": 12, "school_based": 5}
    assert zhang.compliance.total == zhang.total and zhang.status_label == zhang.compliance.status_label
    assert rows["组员"].groups == "语文组" and rows["组员"].total == 4
    assert zhang.masked_id_number.count("*") == 8


def test_during_the_year_the_standing_is_progress_not_a_verdict(data, roles, school):
    from tests.credits.factories import credit

    credit(data.teacher, 2, title="本学年的培训", year=YEAR + 1)
    entries = reg.filter_entries(reg.with_register_columns(CreditEntry.objects.active()), reg.EntryFilters(year=YEAR + 1))
    rows = {r.name: r for r in reg.teacher_rows(reg.register_employments(roles.school_admin), YEAR + 1, entries)}
    assert rows["张老师"].compliance.in_progress
    assert rows["张老师"].status in ("in_progress", "at_risk", "met")
    assert "未达标" not in rows["张老师"].status_label.replace("有未达标风险", "")


def test_the_matrix_has_a_column_per_training_and_the_hours_in_each_cell(data, roles):
    entries = reg.filter_entries(reg.with_register_columns(CreditEntry.objects.active()), reg.EntryFilters(year=YEAR))
    trainings, cells = reg.training_matrix(entries, [data.teacher.pk, data.member.pk])
    assert [t.title for t in trainings][:2] == ["校本讲座：大单元教学", "省级骨干教师培训"]
    key = next(t.key for t in trainings if t.title == "省级骨干教师培训")
    assert cells[data.teacher.pk][key] == Decimal("24") and key not in cells[data.member.pk]


def test_the_training_register_lists_who_took_part(data, roles):
    sessions = reg.register_sessions(roles.school_admin).filter(pk=data.school_session.pk)
    rows = {r.name: r for r in reg.participant_rows(sessions)}
    zhang, member = rows["张老师"], rows["组员"]
    leader, admin = rows[roles.leader.person.name], rows[roles.school_admin.person.name]
    assert (zhang.enrolled, zhang.present, zhang.late, zhang.absent, zhang.hours) == (1, 1, 0, 0, Decimal("2"))
    assert (member.present, member.late, member.hours) == (1, 1, Decimal("0"))
    assert (leader.present, leader.absent) == (0, 1)
    assert (admin.leave, admin.absent, admin.leave_text) == (1, 0, "发烧住院")


def test_the_training_register_of_a_school_admin_shows_their_own_teachers(data, roles, school_b):
    from yanxiu.training.models import Enrollment

    Enrollment.objects.create(session=data.county_session, person=data.teacher, school=data.teacher.employments.get().school)
    Enrollment.objects.create(session=data.county_session, person=data.other, school=school_b)
    assert reg.register_sessions(roles.school_admin).filter(pk=data.county_session.pk).exists()
    rows = reg.participant_rows(reg.register_sessions(roles.school_admin).filter(pk=data.county_session.pk),
                                people=reg.register_people(roles.school_admin))
    assert [r.name for r in rows] == ["张老师"] and rows[0].hours == Decimal("6")
    assert {r.name for r in reg.participant_rows(reg.register_sessions(roles.bureau).filter(pk=data.county_session.pk))} == {
        "张老师", "李老师"}
