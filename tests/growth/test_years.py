"""The growth record of a year: who writes which assessment part, who reads what, the
sign-off lock, the file following a transfer, and a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.growth.conftest import YEAR, add_record
from yanxiu.core.models import AuditEvent
from yanxiu.growth import services as growth_services
from yanxiu.growth.models import (
    DevelopmentPlan,
    GrowthYear,
    HonourTitle,
    MentorActivity,
    MentorPair,
    TermGoal,
    TierAssignment,
    YearReview,
)
from yanxiu.growth.record_file import record_file
from yanxiu.growth.services.years import year_review_write, year_sign_off

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 10, 15)  # in the 2025—2026 school year


def review(actor, person, role, score=90, comment="认真负责，成长明显。", year=YEAR):
    return year_review_write(actor=actor, person=person, school_year=year, role=role, score=score, comment=comment)


@pytest.fixture
def assessed(growth):
    """The member's 2025 year with every part written: self, a peer (the teacher), group, school, expert."""
    r = growth.roles
    member = r.member.person
    review(r.member, member, "self", 88, "自评：完成了全部任务。")
    review(r.teacher, member, "peer", 85, "同伴：课堂扎实。")
    review(r.leader, member, "group", 90, "组内：积极承担公开课。")
    review(r.school_admin, member, "school", 92, "学校：表现优秀。")
    review(r.centre, member, "expert", 87, "专家：教学设计有特色。")
    return member


def test_each_part_has_its_own_writer(growth):
    r = growth.roles
    member, teacher = r.member.person, r.teacher.person
    allowed = [(r.member, "self"), (r.teacher, "peer"), (r.school_admin, "peer"), (r.leader, "group"),
               (r.school_admin, "school"), (r.centre, "expert")]
    for actor, role in allowed:
        assert review(actor, member, role).role == role
    refused = [
        (r.teacher, member, "self"),         # someone else's self-assessment
        (r.member, member, "peer"),          # oneself as a peer
        (r.other_teacher, member, "peer"),   # a teacher of another school
        (r.leader, teacher, "group"),        # not in the leader's group
        (r.leader, r.leader.person, "group"),  # the leader themself
        (r.other_admin, member, "school"),   # another school's admin
        (r.bureau, member, "school"),        # the bureau is not the school
        (r.bureau, member, "expert"),        # experts are the centre's staff
        (r.presenter, member, "expert"),
        (r.far_bureau, member, "expert"),
    ]
    for actor, person, role in refused:
        with pytest.raises(PermissionDenied):
            review(actor, person, role)
    assert YearReview.objects.count() == len(allowed)
    assert AuditEvent.objects.filter(action="growth.year_review").count() == len(allowed)


def test_one_review_per_part_and_reviewer_changed_until_sign_off(growth):
    r = growth.roles
    member = r.member.person
    first = review(r.member, member, "self", 70, "初稿")
    again = review(r.member, member, "self", 80, "修改稿")
    assert first.pk == again.pk and YearReview.objects.get().score == 80 and YearReview.objects.get().comment == "修改稿"
    review(r.teacher, member, "peer")
    review(r.school_admin, member, "peer")
    assert YearReview.objects.filter(role="peer").count() == 2


@pytest.mark.parametrize(("score", "comment", "field", "text"), [
    (101, "好", "score", "0 到 100"),
    (-1, "好", "score", "0 到 100"),
    ("八十", "好", "score", "0 到 100"),
    (True, "好", "score", "0 到 100"),
    (80, "   ", "comment", "请填写评语"),
    (80, "字" * 2001, "comment", "2000"),
])
def test_bad_score_or_comment_is_refused_naming_the_field(growth, score, comment, field, text):
    r = growth.roles
    with pytest.raises(ValidationError) as exc:
        review(r.member, r.member.person, "self", score, comment)
    assert field in exc.value.message_dict and text in str(exc.value)
    assert not YearReview.objects.exists()


def test_a_year_not_begun_or_out_of_range_is_refused(growth):
    r = growth.roles
    for year in (2099, 1900, 3000):
        with pytest.raises(ValidationError) as exc:
            review(r.member, r.member.person, "self", year=year)
        assert "school_year" in exc.value.message_dict
    assert not GrowthYear.objects.exists()


def test_sign_off_needs_a_school_review_and_locks_the_year(growth):
    r = growth.roles
    member = r.member.person
    review(r.member, member, "self")
    with pytest.raises(ValidationError, match="学校评价"):
        year_sign_off(actor=r.school_admin, person=member, school_year=YEAR)
    review(r.school_admin, member, "school")
    with pytest.raises(PermissionDenied):
        year_sign_off(actor=r.other_admin, person=member, school_year=YEAR)
    with pytest.raises(PermissionDenied):
        year_sign_off(actor=r.member, person=member, school_year=YEAR)
    review(r.school_admin, r.school_admin.person, "self")
    with pytest.raises(PermissionDenied):  # an admin does not sign their own file
        year_sign_off(actor=r.school_admin, person=r.school_admin.person, school_year=YEAR)
    gy = year_sign_off(actor=r.school_admin, person=member, school_year=YEAR, comment="同意")
    assert gy.locked and gy.signed_off_school == growth.school and gy.signed_off_by == r.school_admin
    assert AuditEvent.objects.filter(action="growth.year_sign_off").count() == 1
    with pytest.raises(ValidationError, match="已签署"):
        year_sign_off(actor=r.school_admin, person=member, school_year=YEAR)
    with pytest.raises(ValidationError, match="已于"):
        review(r.member, member, "self", 99, "签署后修改")
    with pytest.raises(ValidationError, match="已于"):
        review(r.teacher, member, "peer")
    assert YearReview.objects.get(role="self", growth_year__person=member).score == 90
    # A record dated in the signed year is refused; the next year is open.
    with pytest.raises(ValidationError) as exc:
        growth_services.record_submit(actor=r.member, person=member, today=dt.date(2026, 7, 1), kind="reading_note",
                                      date=dt.date(2026, 3, 2), title="《给教师的建议》读书笔记")
    assert "date" in exc.value.message_dict and "已签署" in str(exc.value)
    growth_services.record_submit(actor=r.member, person=member, today=dt.date(2026, 10, 1), kind="reading_note",
                                  date=dt.date(2026, 9, 20), title="新学年的读书笔记")
    assert review(r.member, member, "self", year=YEAR + 1).growth_year.school_year == YEAR + 1


def test_a_sign_off_comment_is_bounded(growth):
    r = growth.roles
    review(r.school_admin, r.member.person, "school")
    with pytest.raises(ValidationError) as exc:
        year_sign_off(actor=r.school_admin, person=r.member.person, school_year=YEAR, comment="长" * 301)
    assert "comment" in exc.value.message_dict and not GrowthYear.objects.get().locked


# --- Who reads what ---------------------------------------------------------------------------


def _parts(f):
    return {(v.review.role, v.shown_name) for v in f.reviews}


def test_a_teacher_never_sees_another_teachers_file_or_reviews(growth, assessed):
    r = growth.roles
    assert record_file(r.teacher, assessed, YEAR) is None  # the peer reviewer does not read the file
    assert record_file(r.other_teacher, assessed, YEAR) is None
    assert record_file(r.presenter, assessed, YEAR) is None
    own = record_file(r.teacher, r.teacher.person, YEAR)
    assert own.reviews == [] and own.growth_year is None


def test_the_teacher_reads_their_reviews_without_the_peer_names(growth, assessed):
    r = growth.roles
    f = record_file(r.member, assessed, YEAR)
    roles = [v.review.role for v in f.reviews]
    assert roles == ["self", "peer", "group", "school", "expert"]
    peer = next(v for v in f.reviews if v.review.role == "peer")
    assert peer.shown_name == "同伴（匿名）" and peer.review.comment == "同伴：课堂扎实。"
    assert "张老师" not in {v.shown_name for v in f.reviews}
    admin_view = record_file(r.school_admin, assessed, YEAR)
    assert ("peer", "张老师") in _parts(admin_view) and len(admin_view.reviews) == 5


def test_the_group_leader_reads_group_self_and_peer_parts_of_their_group_only(growth, assessed):
    r = growth.roles
    f = record_file(r.leader, assessed, YEAR)
    assert f.relation == "group"
    assert {v.review.role for v in f.reviews} == {"self", "peer", "group"}
    assert not f.show_credits  # the ledger is the teacher's, the school's and the region's
    assert record_file(r.leader, r.teacher.person, YEAR) is None  # 张老师 is in no group of theirs


def test_the_file_gathers_the_year(growth, policy):
    r = growth.roles
    growth.adopt("001-1-backbone")
    member = r.member.person
    add_record(member, "observation", DAY)
    add_record(member, "observation", dt.date(2026, 3, 3))
    add_record(member, "public_lesson", DAY, title="县级公开课《荷塘月色》", level="county")
    add_record(member, "reading_note", DAY, accepted=False, title="待审核的笔记")
    add_record(member, "observation", dt.date(2025, 8, 20), title="上一学年的听课")
    DevelopmentPlan.objects.create(person=member, school=growth.school, start_year=2024, end_year=2028, self_analysis="分析",
                                   goals="五年内成为县级骨干", status="accepted")
    TermGoal.objects.create(person=member, school=growth.school, school_year=YEAR, term=1, goal="上好一节公开课")
    pair = MentorPair.objects.create(school=growth.school, mentor=member, apprentice=r.teacher.person, school_year=YEAR, goals="带好徒弟")
    MentorActivity.objects.create(pair=pair, kind="talk", date=DAY, content="谈话", logged_by=member)
    TierAssignment.objects.create(person=member, school=growth.school, school_year=YEAR - 1, tier="mature", source="rule")
    TierAssignment.objects.create(person=member, school=growth.school, school_year=YEAR, tier="backbone", source="manual")
    HonourTitle.objects.create(person=member, school=growth.school, kind="rising_star", level="county", year=2024, body="县教育局")
    f = record_file(r.school_admin, member, YEAR, today=dt.date(2026, 8, 15))
    assert {g.kind: g.count for g in f.kinds} == {"observation": 2, "public_lesson": 1}
    assert f.plan.goals == "五年内成为县级骨干" and [g.goal for g in f.goals] == ["上好一节公开课"]
    assert f.tier == "backbone" and [t.tier for t in f.tier_history] == ["backbone", "mature"]
    assert [t.get_kind_display() for t in f.titles] == ["教坛新秀"]
    assert [(v.side, v.partner.name, v.activities, v.confirmed) for v in f.pairs] == [("mentor", "张老师", 1, 0)]
    assert [(p.term.number, p.template.name) for p in f.progress] == [(1, "骨干教师“五个一”"), (2, "骨干教师“五个一”")]
    done = [{i.kind: (i.done, i.target, i.behind) for i in p.items} for p in f.progress]
    assert [d["observation"] for d in done] == [(1, 20, True), (1, 20, True)]
    assert done[0]["apprentice"] == (1, 1, False) and done[0]["public_lesson"] == (1, 1, False)
    assert done[0]["article"] == (0, 1, True)
    assert f.show_credits and f.show_reviews


# --- The file follows the person ----------------------------------------------------------------


def test_after_a_transfer_the_new_school_sees_all_and_the_old_one_a_read_only_copy(growth, school_b):
    from yanxiu.org.services import teacher_transfer

    r = growth.roles
    member = r.member.person
    add_record(member, "observation", DAY, title="在原校的听课")
    review(r.member, member, "self")
    review(r.school_admin, member, "school", 91, "原校评价")
    year_sign_off(actor=r.school_admin, person=member, school_year=YEAR)
    review(r.member, member, "self", year=YEAR + 1, comment="新学年自评（原校）")
    teacher_transfer(actor=r.school_admin, employment=member.employments.get(), to_school=school_b,
                     date=dt.date(2026, 11, 1), reason="工作需要")
    add_record(member, "observation", dt.date(2026, 11, 10), title="在新校的听课")
    add_record(member, "observation", dt.date(2026, 9, 10), title="新校补录的听课", school=school_b)
    # The new school's admin reads everything, both years.
    new = record_file(r.other_admin, member, YEAR)
    assert new.relation == "current" and [x.title for g in new.kinds for x in g.records] == ["在原校的听课"]
    assert {v.review.role for v in new.reviews} == {"self", "school"} and new.signed_off
    new_next = record_file(r.other_admin, member, YEAR + 1)
    assert {x.title for g in new_next.kinds for x in g.records} == {"新校补录的听课", "在新校的听课"}
    # The old school's admin reads what was made there, read-only: the year it signed, not the new school's records.
    old = record_file(r.school_admin, member, YEAR)
    assert old.relation == "past" and old.read_only and old.school == growth.school
    assert [x.title for g in old.kinds for x in g.records] == ["在原校的听课"] and old.show_reviews
    assert old.progress == []
    old_next = record_file(r.school_admin, member, YEAR + 1)
    assert [x.title for g in old_next.kinds for x in g.records] == [] and not old_next.show_reviews
    # ... and can write nothing any more; the new school can.
    with pytest.raises(PermissionDenied):
        review(r.school_admin, member, "school", year=YEAR + 1)
    with pytest.raises(PermissionDenied):
        year_sign_off(actor=r.school_admin, person=member, school_year=YEAR + 1)
    review(r.other_admin, member, "school", year=YEAR + 1, comment="新校评价")
    assert year_sign_off(actor=r.other_admin, person=member, school_year=YEAR + 1).signed_off_school == school_b


# --- Bounded reading ---------------------------------------------------------------------------


def _fill(growth, n: int):
    r = growth.roles
    member = r.member.person
    kinds = ["observation", "public_lesson", "reading_note", "article", "award"]
    for i in range(n):
        add_record(member, kinds[i % len(kinds)], DAY + dt.timedelta(days=i % 200), title=f"记录{i}", venue="刊物", rank="first")
    for i in range(min(n, 3) if n > 2 else 1):
        apprentice = growth.people.teacher(growth.school).person
        pair = MentorPair.objects.create(school=growth.school, mentor=member, apprentice=apprentice, school_year=YEAR, goals="目标")
        for _ in range(n // 10 + 1):
            MentorActivity.objects.create(pair=pair, kind="talk", date=DAY, content="谈话", logged_by=member)
    return member


def _count(user, person):
    from yanxiu.org.scopes import forget_scope

    forget_scope(user)
    with CaptureQueriesContext(connection) as ctx:
        f = record_file(user, person, YEAR)
    return len(ctx.captured_queries), f


@pytest.mark.parametrize("n", [2, 50])
def test_the_file_is_read_in_at_most_15_queries(growth, n):
    r = growth.roles
    growth.adopt("001-1-backbone")
    member = _fill(growth, n)
    review(r.member, member, "self")
    review(r.school_admin, member, "school")
    for user in (r.school_admin, r.member, r.leader, r.centre):
        count, f = _count(user, member)
        assert f.record_count == n
        assert count <= 15, (user.username, count)


def test_the_number_of_queries_does_not_grow_with_the_records(growth, people):
    r = growth.roles
    growth.adopt("001-1-backbone")
    small = _fill(growth, 2)
    counts_small = [_count(u, small)[0] for u in (r.school_admin, r.member)]
    big = people.teacher(growth.school, name="大量记录").person
    for i in range(60):
        add_record(big, "observation", DAY + dt.timedelta(days=i), title=f"听课{i}")
    for i in range(3):
        pair = MentorPair.objects.create(school=growth.school, mentor=big, apprentice=people.teacher(growth.school).person,
                                         school_year=YEAR, goals="目标")
        MentorActivity.objects.create(pair=pair, kind="talk", date=DAY, content="谈话", logged_by=big)
    assert _count(r.school_admin, big)[0] == counts_small[0]


def test_nul_characters_are_dropped_from_comments(growth):
    r = growth.roles
    assert review(r.member, r.member.person, "self", comment="自评\x00内容").comment == "自评内容"
    review(r.school_admin, r.member.person, "school")
    gy = year_sign_off(actor=r.school_admin, person=r.member.person, school_year=YEAR, comment="同意\x00")
    assert gy.sign_off_comment == "同意"
