"""Commendations: candidates ranked on the score sheets from constructed counts, the record
service's validation and permissions, and the pages (candidates, form, list, one record)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from yanxiu.core.models import AuditEvent
from yanxiu.org.models import Group
from yanxiu.growth import calendar
from yanxiu.routine import commendation_selectors as selectors
from yanxiu.routine import prep_selectors
from yanxiu.routine.models import (
    CheckFinding,
    CheckKind,
    Commendation,
    Competition,
    CollectivePrep,
    Entry,
    Exam,
    ExamScore,
    QualityTarget,
    RoutineCheck,
    TeachingAssignment,
)
from yanxiu.routine.services.commendations import commendation_record

YEAR = 2025  # 2025—2026: term 1 2025-09-01..2026-01-31, term 2 2026-02-01..2026-07-31
AFTER = dt.date(2026, 8, 20)  # the whole school year is over


def mondays() -> list[dt.date]:
    """The Mondays of the weeks of both terms of YEAR."""
    weeks = {w.start for term in (calendar.default_term(YEAR, 1), calendar.default_term(YEAR, 2)) for w in prep_selectors.term_weeks(term.start, term.end)}
    return sorted(weeks)


def weeks_due() -> int:
    """Weeks the rule counts over YEAR: each term's weeks (a week across the two terms belongs to one of them)."""
    return sum(len(prep_selectors.term_weeks(t.start, t.end)) for t in (calendar.default_term(YEAR, 1), calendar.default_term(YEAR, 2)))


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def _prep(group, lead, day, minutes=120):
    return CollectivePrep.objects.create(group=group, date=day, minutes=minutes, subject=group.subject or "数学",
                                         grade_name="三年级", lesson="单元备课", lead=lead, discussion="研讨")


def _findings(school, checker, grades: dict, day=dt.date(2025, 10, 13)):
    kind, _ = CheckKind.objects.get_or_create(school=school, name="备课")
    check = RoutineCheck.objects.create(school=school, kind=kind, date=day, checker=checker)
    for person, grade in grades.items():
        CheckFinding.objects.create(routine_check=check, person=person, grade=grade)
    return check


def _final(school, rows, *, name="期末", kind="final"):
    """An exam whose scores are ``rows``: (grade, class, subject, [scores or status words])."""
    exam = Exam.objects.create(school=school, name=name, kind=kind, date=dt.date(2026, 1, 15), school_year=YEAR, term=1)
    n = 0
    for grade, class_no, subject, values in rows:
        for value in values:
            n += 1
            status, score = ("scored", Decimal(value)) if not isinstance(value, str) else (value, None)
            ExamScore.objects.create(exam=exam, grade=grade, class_no=class_no, student_name=f"学生{n}", subject=subject,
                                     score=score, status=status, row=n)
    return exam


@pytest.fixture
def world(roles, people, school, group):
    """语文组 (leader + member: every week prepared, findings 优, its class meets every target) and
    数学组 (one teacher: half the weeks short, findings 合格, no class taught)."""
    from types import SimpleNamespace

    maths = Group.objects.create(school=school, name="数学组", kind="research", subject="数学")
    mathsteacher = people.teacher(school, username="maths", name="钱老师", groups=[maths], subject="数学")
    leader, member = roles.leader.person, roles.member.person
    weeks = mondays()
    for monday in weeks:
        _prep(group, leader, monday + dt.timedelta(days=2))
    for index, monday in enumerate(weeks):
        _prep(maths, mathsteacher.person, monday + dt.timedelta(days=1), minutes=120 if index % 2 else 60)
    checker = roles.school_admin.person
    _findings(school, checker, {leader: "excellent", member: "excellent", mathsteacher.person: "pass"})
    _findings(school, checker, {leader: "good", member: "excellent", mathsteacher.person: "pass"}, day=dt.date(2026, 3, 2))
    TeachingAssignment.objects.create(school=school, school_year=YEAR, grade=3, class_no=2, subject="语文", person=member)
    QualityTarget.objects.create(school=school, grade=3, subject="", average=Decimal("90"), excellent_rate=Decimal("0.8"),
                                 pass_rate=Decimal("0.95"))
    _final(school, [(3, 2, "语文", [95, 92, 88, 96, "absent"]), (3, 1, "语文", [40, 50])])
    return SimpleNamespace(maths=maths, mathsteacher=mathsteacher, leader=leader, member=member, weeks=weeks)


# --- Score sheet ----------------------------------------------------------------------------


def test_a_part_without_data_leaves_its_weight_to_the_others():
    parts = [selectors.Part("a", "A", 40, 3, 4), selectors.Part("b", "B", 30, 1, 2), selectors.Part("c", "C", 30, 0, 0)]
    assert parts[2].share is None and parts[2].percent == "—"
    # (0.75 * 40 + 0.5 * 30) / 70 * 100 = 64.2857…
    assert selectors.weighted_score(parts) == Decimal("64.29")
    assert selectors.weighted_score([selectors.Part("c", "C", 30, 0, 0)]) is None
    assert selectors.Part("x", "X", 10, 9, 6).share == 1.0  # capped


# --- Candidates -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_groups_are_ranked_on_preps_findings_and_quality(world, school, group):
    rows = selectors.group_candidates(school, YEAR, today=AFTER)
    assert [c.name for c in rows] == ["语文组", "数学组"]
    yuwen, maths = rows
    assert (yuwen.rank, maths.rank) == (1, 2) and yuwen.members == 2 and maths.members == 1
    n, due = len(world.weeks), weeks_due()
    # The week of 26 January belongs to term 1 only (its Thursday is in January): counted once.
    assert due == n
    preps, checks, quality = yuwen.parts
    assert (preps.done, preps.total) == (n, due)
    assert (checks.done, checks.total) == (3, 4)
    # Class 3(2): counted 4 (one absent), average 92.75, excellent 3/4 (>= 90), pass 4/4: average and pass met, excellent 0.75 < 0.8.
    assert (quality.done, quality.total) == (2, 3)
    assert yuwen.score == selectors.weighted_score(yuwen.parts)
    assert yuwen.score == (Decimal(n) / due * 40 + Decimal("0.75") * 30 + Decimal(2) / 3 * 30).quantize(Decimal("0.01"))
    m_preps, m_checks, m_quality = maths.parts
    assert (m_preps.done, m_checks.done, m_checks.total, m_quality.total) == (n // 2, 0, 2, 0)
    assert m_quality.share is None  # no class taught: its weight goes to the other parts
    assert m_preps.total == due
    assert maths.score == (Decimal(n // 2) / due * 40 * 100 / 70).quantize(Decimal("0.01"))


@pytest.mark.django_db
def test_a_group_short_of_two_hours_a_week_does_not_meet_it_and_the_subject_target_wins(world, school, group):
    last = world.weeks[-1]
    CollectivePrep.objects.filter(group=group, date__gte=last).update(minutes=119)
    QualityTarget.objects.create(school=school, grade=3, subject="语文", average=Decimal("95"), excellent_rate=Decimal("0.5"),
                                 pass_rate=Decimal("1"))
    # A class where every student was absent is not judged; a monthly test does not count.
    TeachingAssignment.objects.create(school=school, school_year=YEAR, grade=3, class_no=2, subject="数学", person=world.member)
    _final(school, [(3, 2, "数学", ["absent", "leave", "absent"])], name="期中", kind="midterm")
    _final(school, [(3, 2, "语文", [10, 10])], name="十月月考", kind="monthly")
    yuwen = selectors.group_candidates(school, YEAR, today=AFTER)[0]
    assert yuwen.parts[0].done == len(world.weeks) - 1
    # Against 语文's own target: average 92.75 < 95, excellent 0.75 >= 0.5, pass 1 >= 1.
    assert (yuwen.parts[2].done, yuwen.parts[2].total) == (2, 3)


@pytest.mark.django_db
def test_teachers_are_ranked_on_findings_growth_and_awards_with_ties_sharing_a_rank(world, roles, school):
    from tests.growth.conftest import add_record

    add_record(world.member, "award", dt.date(2026, 4, 10), title="县级优质课", level="county", rank="first")
    add_record(world.member, "award", dt.date(2024, 4, 10), title="往年获奖", level="county", rank="first")  # another year
    add_record(world.leader, "award", dt.date(2026, 4, 10), title="未审核", rank="first", accepted=False)
    contest = Competition.objects.create(school=school, name="青年教师教学比武", kind="teaching", date=dt.date(2025, 11, 20),
                                         status="published")
    Entry.objects.create(competition=contest, person=world.leader, lesson="《荷花》", award="second", rank=2)
    rows = {c.name: c for c in selectors.teacher_candidates(school, YEAR, today=AFTER)}
    member, leader, maths = rows["组员"], rows[world.leader.name], rows["钱老师"]
    assert [p.key for p in member.parts] == ["checks", "growth", "awards"]
    assert (member.parts[0].done, member.parts[0].total) == (2, 2)
    assert (member.parts[2].done, member.parts[2].note) == (3, "县级优质课")
    assert (leader.parts[2].done, leader.parts[2].note) == (2, "青年教师教学比武")
    assert member.parts[1].share is None  # no task list adopted
    # No task list adopted: the growth part has no data and its weight is shared.
    assert member.score == Decimal("78.57")  # (1 * 40 + 3/6 * 30) / 70 * 100
    assert leader.score == Decimal("42.86")  # (1/2 * 40 + 2/6 * 30) / 70 * 100
    assert (member.rank, leader.rank) == (1, 2)
    zero = [c for c in rows.values() if c.score == 0]
    assert {c.name for c in zero} >= {"钱老师", "张老师"} and {c.rank for c in zero} == {3}


@pytest.mark.django_db
def test_growth_progress_counts_towards_a_teacher(roles, school):
    from tests.growth.conftest import add_record
    from yanxiu.growth import services as growth_services
    from yanxiu.org.models import Employment

    Employment.objects.filter(person=roles.teacher.person).update(tier="mature")
    growth_services.template_adopt(actor=roles.school_admin, school=school, preset_key="001-1-mature", year=YEAR, term=1)

    def growth_part():
        row = next(c for c in selectors.teacher_candidates(school, YEAR, today=AFTER) if c.pk == roles.teacher.person.pk)
        return row.parts[1]

    before = growth_part()
    assert before.total > 0 and before.done == 0
    add_record(roles.teacher.person, "observation", dt.date(2025, 10, 9))
    add_record(roles.teacher.person, "observation", dt.date(2025, 10, 10), accepted=False)
    after = growth_part()
    assert (after.done, after.total) == (1, before.total)


# --- Recording ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_records_a_group_a_teacher_and_a_criticism_with_one_audit_row_each(world, roles, school, group):
    yuwen = selectors.group_candidate(school, YEAR, group)
    c = commendation_record(actor=roles.school_admin, school=school, school_year=YEAR, kind="advanced_group", group=group,
                            score=yuwen.score, basis=yuwen.basis(YEAR), reason="  每周集体备课全部达标。 ")
    assert (c.reason, c.score, c.basis["parts"][0]["key"], c.created_by) == ("每周集体备课全部达标。", yuwen.score, "preps",
                                                                              roles.school_admin)
    commendation_record(actor=roles.school_admin, school=school, school_year=YEAR, kind="advanced_person",
                        person=world.member, reason="常规检查全优。")
    commendation_record(actor=roles.school_admin, school=school, school_year=YEAR, kind="criticism", group=world.maths,
                        reason="集体备课多周不足两小时。")
    rows = AuditEvent.objects.filter(action="routine.commendation")
    assert rows.count() == 3 and {r.school_id for r in rows} == {school.pk}
    assert [x.kind for x in selectors.commendations_of(school, YEAR)] == ["advanced_group", "advanced_person", "criticism"]
    assert not selectors.commendations_of(school, YEAR - 1).exists()
    # The candidates show what is already recorded.
    ranked = {x.name: x.commended for x in selectors.group_candidates(school, YEAR, today=AFTER)}
    assert ranked == {"语文组": ["advanced_group"], "数学组": ["criticism"]}


@pytest.mark.django_db
@pytest.mark.parametrize("changes, field", [
    ({"reason": "  "}, "reason"),
    ({"reason": "很" * 1001}, "reason"),
    ({"kind": "medal"}, "kind"),
    ({"kind": "advanced_group", "group": None}, "group"),
    ({"kind": "advanced_person", "group": "group"}, "person"),
    ({"kind": "criticism", "person": "member"}, "group"),
    ({"score": Decimal("100.5")}, "score"),
    ({"score": "abc"}, "score"),
    ({"score": Decimal("NaN")}, "score"),
    ({"school_year": 1949}, "school_year"),
    ({"school_year": 2300}, "school_year"),
    ({"school_year": "2025"}, "school_year"),
    ({"basis": ["x"]}, "basis"),
    ({"basis": {"text": "x" * 9000}}, "basis"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(roles, school, group, changes, field):
    values = {"kind": "advanced_group", "group": group, "person": None, "school_year": YEAR, "score": None, "basis": None,
              "reason": "事由"}
    values.update(changes)
    if values["group"] == "group":
        values["group"] = group
    if values["person"] == "member":
        values["person"] = roles.member.person
    with pytest.raises(ValidationError) as exc:
        commendation_record(actor=roles.school_admin, school=school, **values)
    assert field in exc.value.message_dict
    assert not Commendation.objects.exists() and not AuditEvent.objects.filter(action="routine.commendation").exists()


@pytest.mark.django_db
def test_a_year_not_begun_another_schools_group_or_teacher_and_a_repeat_are_refused(roles, people, school, school_b, group):
    from django.utils import timezone

    from yanxiu.growth import calendar

    upcoming = calendar.school_year_of(school, timezone.localdate()) + 1
    with pytest.raises(ValidationError, match="尚未开始"):
        commendation_record(actor=roles.school_admin, school=school, school_year=upcoming, kind="advanced_group", group=group,
                            reason="事由")
    other_group = Group.objects.create(school=school_b, name="英语组")
    with pytest.raises(ValidationError, match="不是本校的教研组"):
        commendation_record(actor=roles.school_admin, school=school, school_year=YEAR, kind="advanced_group",
                            group=other_group, reason="事由")
    with pytest.raises(ValidationError, match="不是本校在职教师"):
        commendation_record(actor=roles.school_admin, school=school, school_year=YEAR, kind="advanced_person",
                            person=roles.other_teacher.person, reason="事由")
    commendation_record(actor=roles.school_admin, school=school, school_year=YEAR, kind="advanced_group", group=group,
                        reason="事由")
    with pytest.raises(ValidationError, match="已登记为先进教研组"):
        commendation_record(actor=roles.school_admin, school=school, school_year=YEAR, kind="advanced_group", group=group,
                            reason="又一次")
    assert Commendation.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["teacher", "leader", "bureau", "centre", "other_admin", "presenter"])
def test_only_the_schools_own_admin_records(roles, school, group, who):
    with pytest.raises(PermissionDenied):
        commendation_record(actor=getattr(roles, who), school=school, school_year=YEAR, kind="advanced_group", group=group,
                            reason="事由")
    assert not Commendation.objects.exists()


# --- Pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_candidates_page_ranks_groups_and_teachers_for_the_admin_only(client, world, roles, school):
    url = reverse("routine:commendation_candidates")
    client.force_login(roles.school_admin)
    page = client.get(url, {"year": YEAR})
    assert page.status_code == 200
    text = page.content.decode()
    assert "先进教研组候选" in text and "语文组" in text and "钱老师" in text
    assert text.index("语文组") < text.index("数学组")
    assert f"kind=advanced_group&amp;group={world.maths.pk}" in text
    assert client.get(url, {"year": "abc"}).status_code == 400
    assert client.get(url, {"year": 2099}).status_code == 400  # not begun
    assert client.get(url).status_code == 200  # the current school year
    # Another school's admin sees their own school; ?school= of a school they do not run is ignored.
    client.force_login(roles.other_admin)
    theirs = client.get(url, {"year": YEAR, "school": school.pk})
    assert theirs.status_code == 200 and "语文组" not in theirs.content.decode()
    for who in ("teacher", "leader", "bureau", "centre", "presenter"):
        client.force_login(getattr(roles, who))
        assert client.get(url, {"year": YEAR}).status_code == 403, who


@pytest.mark.django_db
def test_the_form_records_with_the_basis_computed_on_the_server(client, world, roles, school, group):
    client.force_login(roles.school_admin)
    url = reverse("routine:commendation_create") + f"?year={YEAR}"
    form = client.get(url + f"&kind=advanced_group&group={group.pk}")
    assert form.status_code == 200 and 'value="advanced_group" selected' in form.content.decode()
    answer = client.post(url, {"school_year": YEAR, "kind": "advanced_group", "group": group.pk, "score": "",
                               "reason": "备课全部达标，检查优良。", "basis": '{"forged": 1}'})
    assert answer.status_code == 302
    c = Commendation.objects.get()
    expected = selectors.group_candidate(school, YEAR, group)
    assert c.score == expected.score and c.basis["parts"][0]["done"] == len(world.weeks) and "forged" not in c.basis
    assert c.basis["parts"][0]["total"] == weeks_due() and c.basis["school_year"] == YEAR
    assert answer["Location"] == reverse("routine:commendation_detail", args=[c.pk])
    detail = client.get(answer["Location"])
    assert detail.status_code == 200 and "集体备课达标周" in detail.content.decode()
    # The admin's own score wins; a wrong choice is shown on the form.
    client.post(url, {"school_year": YEAR, "kind": "advanced_person", "person": world.member.pk, "score": "96.5",
                      "reason": "全优"})
    assert Commendation.objects.get(kind="advanced_person").score == Decimal("96.50")
    bad = client.post(url, {"school_year": YEAR, "kind": "advanced_person", "group": group.pk, "reason": "x"})
    assert bad.status_code == 400 and "先进个人须选择一名教师" in bad.content.decode()
    other_school_teacher = client.post(url, {"school_year": YEAR, "kind": "advanced_person",
                                             "person": roles.other_teacher.person.pk, "reason": "x"})
    assert other_school_teacher.status_code == 400  # not among the choices
    client.force_login(roles.teacher)
    assert client.get(url).status_code == 403
    assert client.post(url, {"school_year": YEAR, "kind": "criticism", "group": group.pk, "reason": "x"}).status_code == 403
    assert Commendation.objects.count() == 2


@pytest.mark.django_db
def test_the_list_and_a_record_show_what_each_role_may_see(client, world, roles, school, school_b, group):
    mine = commendation_record(actor=roles.school_admin, school=school, school_year=YEAR, kind="advanced_person",
                               person=roles.teacher.person, reason="张老师：常规全优")
    groups = commendation_record(actor=roles.school_admin, school=school, school_year=YEAR, kind="advanced_group",
                                 group=group, reason="语文组：备课达标")
    other = commendation_record(actor=roles.other_admin, school=school_b, school_year=YEAR, kind="criticism",
                                person=roles.other_teacher.person, reason="李老师：作业未批改")
    url = reverse("routine:commendation_list")
    seen = {"school_admin": {mine, groups}, "teacher": {mine}, "leader": {groups}, "bureau": {mine, groups, other},
            "other_admin": {other}, "member": set()}
    for who, rows in seen.items():
        client.force_login(getattr(roles, who))
        text = client.get(url).content.decode()
        for c in (mine, groups, other):
            assert (c.reason in text) == (c in rows), (who, c.reason)
            detail = client.get(reverse("routine:commendation_detail", args=[c.pk]))
            assert detail.status_code == (200 if c in rows else 404), (who, c.reason)
    client.force_login(roles.presenter)
    assert client.get(url).status_code == 403
    client.force_login(roles.school_admin)
    export = client.get(url, {"export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    filtered = client.get(url, {"kind": "advanced_group", "school_year": YEAR}).content.decode()
    assert groups.reason in filtered and mine.reason not in filtered


@pytest.mark.django_db
def test_the_candidates_page_reads_a_fixed_number_of_queries_whatever_the_staff(client, world, roles, people, school, group):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("routine:commendation_candidates")
    client.force_login(roles.school_admin)
    client.get(url, {"year": YEAR})  # warm the session and the caches

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"year": YEAR}).status_code == 200
        return len(queries)

    before = count()
    for n in range(4):
        user = people.teacher(school, username=f"more{n}", groups=[group])
        _findings(school, roles.school_admin.person, {user.person: "good"}, day=dt.date(2025, 11, 3 + n))
    Group.objects.create(school=school, name="英语组", kind="research", subject="英语")
    assert count() == before
