"""Mentor pairs: who sets them up, the activity log and its confirmation, summaries,
the assessment and the credit both sides earn within the policy's yearly cap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yanxiu.core.models import AuditEvent
from yanxiu.credits.models import CreditEntry
from yanxiu.growth.models import MentorPair
from yanxiu.growth.services.mentors import (
    activity_confirm,
    activity_log,
    pair_assess,
    pair_cancel,
    pair_create,
    summary_submit,
)

pytestmark = pytest.mark.django_db

YEAR = 2025
TODAY = dt.date(2025, 11, 20)


@pytest.fixture
def duo(growth):
    """张老师 (mentor) and 组员 (apprentice) of the school, and its admin."""
    roles = growth.roles
    return SimpleNamespace(admin=roles.school_admin, mentor=roles.teacher, apprentice=roles.member, school=growth.school,
                           roles=roles)


def make_pair(duo, **extra):
    fields = {"school_year": YEAR, "term": 1, "subject": "语文", "goals": "一学期内独立上好一节校级公开课",
              "mentor_duties": "每两周听徒弟一节课", "apprentice_duties": "每周听师傅一节课", "ceremony_date": dt.date(2025, 9, 5)}
    fields.update(extra)
    return pair_create(actor=duo.admin, school=duo.school, mentor=duo.mentor.person, apprentice=duo.apprentice.person, **fields)


def run_to_summaries(duo, pair, *, confirm=True):
    activity = activity_log(actor=duo.apprentice, pair=pair, kind="mentor_lesson", date=dt.date(2025, 10, 9),
                            content="听师傅《桂林山水》一课", today=TODAY)
    if confirm:
        activity_confirm(actor=duo.mentor, activity=activity)
    summary_submit(actor=duo.mentor, pair=pair, text="徒弟进步明显，能独立设计教学。")
    summary_submit(actor=duo.apprentice, pair=pair, text="学会了如何设计课堂提问。")
    return activity


def test_the_school_admin_pairs_two_current_teachers(duo):
    pair = make_pair(duo)
    assert pair.status == "active" and pair.term == 1
    assert AuditEvent.objects.filter(action="growth.mentor_pair_create", target_id=str(pair.pk), school_id=duo.school.pk).exists()
    for user in (duo.mentor, duo.roles.other_admin, duo.roles.bureau, duo.roles.leader):
        with pytest.raises(PermissionDenied):
            pair_create(actor=user, school=duo.school, mentor=duo.mentor.person, apprentice=duo.roles.leader.person,
                        school_year=YEAR, goals="目标")


def test_pair_rules_name_the_field(duo):
    with pytest.raises(ValidationError) as exc:
        pair_create(actor=duo.admin, school=duo.school, mentor=duo.mentor.person, apprentice=duo.mentor.person,
                    school_year=YEAR, goals="x")
    assert "同一个人" in exc.value.message_dict["apprentice"][0]
    with pytest.raises(ValidationError) as exc:
        pair_create(actor=duo.admin, school=duo.school, mentor=duo.mentor.person, apprentice=duo.roles.other_teacher.person,
                    school_year=YEAR, goals="x")
    assert "不是本校在职教师" in exc.value.message_dict["apprentice"][0]
    with pytest.raises(ValidationError) as exc:
        make_pair(duo, goals="  ")
    assert "goals" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_pair(duo, school_year=2101)
    assert "school_year" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_pair(duo, term=3)
    assert "term" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_pair(duo, ceremony_date=dt.date(2026, 3, 1))
    assert "ceremony_date" in exc.value.message_dict
    with pytest.raises(ValidationError):
        make_pair(duo, goals="长" * 2001)
    assert not MentorPair.objects.exists()


def test_one_live_pair_per_mentor_apprentice_and_year(duo):
    first = make_pair(duo)
    with pytest.raises(ValidationError) as exc:
        make_pair(duo, term=2)
    assert "已有结对" in str(exc.value)
    with pytest.raises(ValidationError):
        pair_cancel(actor=duo.admin, pair=first, reason=" ")
    with pytest.raises(PermissionDenied):
        pair_cancel(actor=duo.mentor, pair=first, reason="调岗")
    pair_cancel(actor=duo.admin, pair=first, reason="师傅调岗")
    second = make_pair(duo, term=2, ceremony_date=None)
    assert second.pk != first.pk
    assert AuditEvent.objects.get(action="growth.mentor_pair_cancel").detail["reason"] == "师傅调岗"


def test_activities_are_logged_by_a_side_within_the_period_and_not_in_the_future(duo):
    pair = make_pair(duo)
    for user in (duo.admin, duo.roles.leader, duo.roles.other_teacher):
        with pytest.raises(PermissionDenied):
            activity_log(actor=user, pair=pair, kind="talk", date=TODAY, content="交流", today=TODAY)
    with pytest.raises(ValidationError) as exc:
        activity_log(actor=duo.mentor, pair=pair, kind="talk", date=TODAY + dt.timedelta(days=1), content="交流", today=TODAY)
    assert "晚于今天" in exc.value.message_dict["date"][0]
    with pytest.raises(ValidationError) as exc:
        activity_log(actor=duo.mentor, pair=pair, kind="talk", date=dt.date(2025, 8, 20), content="交流", today=TODAY)
    assert "结对期间" in exc.value.message_dict["date"][0]
    with pytest.raises(ValidationError) as exc:
        activity_log(actor=duo.mentor, pair=pair, kind="dance", date=TODAY, content="交流", today=TODAY)
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        activity_log(actor=duo.mentor, pair=pair, kind="talk", date=TODAY, content=" ", today=TODAY)
    assert "content" in exc.value.message_dict
    activity = activity_log(actor=duo.mentor, pair=pair, kind="apprentice_lesson", date=TODAY, content="听徒弟一课", today=TODAY)
    assert activity.logged_by_id == duo.mentor.person.pk and not activity.confirmed


def test_only_the_other_side_confirms_an_activity_once(duo):
    pair = make_pair(duo)
    activity = activity_log(actor=duo.mentor, pair=pair, kind="talk", date=TODAY, content="谈教学设计", today=TODAY)
    for user in (duo.mentor, duo.admin, duo.roles.leader):
        with pytest.raises(PermissionDenied):
            activity_confirm(actor=user, activity=activity)
    activity = activity_confirm(actor=duo.apprentice, activity=activity)
    assert activity.confirmed
    with pytest.raises(ValidationError):
        activity_confirm(actor=duo.apprentice, activity=activity)
    assert AuditEvent.objects.filter(action="growth.mentor_activity_confirm").count() == 1


def test_summaries_one_per_side_revisable_until_assessed(duo, policy):
    pair = make_pair(duo)
    with pytest.raises(PermissionDenied):
        summary_submit(actor=duo.admin, pair=pair, text="总结")
    summary_submit(actor=duo.mentor, pair=pair, text="初稿")
    revised = summary_submit(actor=duo.mentor, pair=pair, text="修改稿")
    assert pair.summaries.count() == 1 and revised.text == "修改稿"
    with pytest.raises(ValidationError) as exc:
        pair_assess(actor=duo.admin, pair=pair, result="pass", assessment="", today=TODAY)
    assert duo.apprentice.person.name in str(exc.value)
    summary_submit(actor=duo.apprentice, pair=pair, text="收获很多")
    pair_assess(actor=duo.admin, pair=pair, result="fail", assessment="活动次数不足", today=TODAY)
    with pytest.raises(ValidationError):
        summary_submit(actor=duo.mentor, pair=pair, text="再改")
    assert not CreditEntry.objects.exists()


def test_assessment_rules(duo, policy):
    pair = make_pair(duo)
    run_to_summaries(duo, pair)
    for user in (duo.mentor, duo.roles.bureau, duo.roles.other_admin):
        with pytest.raises(PermissionDenied):
            pair_assess(actor=user, pair=pair, result="pass", assessment="", today=TODAY)
    with pytest.raises(ValidationError) as exc:
        pair_assess(actor=duo.admin, pair=pair, result="great", assessment="", today=TODAY)
    assert "result" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        pair_assess(actor=duo.admin, pair=pair, result="fail", assessment="", today=TODAY)
    assert "assessment" in exc.value.message_dict
    pair.refresh_from_db()
    assert pair.status == "active" and pair.result == ""


def test_a_passed_pair_credits_both_sides_with_the_pair_as_evidence(duo, policy):
    pair = make_pair(duo)
    run_to_summaries(duo, pair)
    pair, why = pair_assess(actor=duo.admin, pair=pair, result="pass", assessment="完成结对任务", today=TODAY)
    assert why == "" and pair.status == "assessed" and pair.result == "pass" and pair.assessed_by == duo.admin
    entries = CreditEntry.objects.filter(evidence__mentor_pair_id=pair.pk)
    assert {e.person_id for e in entries} == {duo.mentor.person.pk, duo.apprentice.person.pk}
    assert all(e.hours == Decimal("4") and e.evidence["confirmed_activities"] == 1 for e in entries)
    assert AuditEvent.objects.get(action="growth.mentor_assess").detail["result"] == "pass"
    with pytest.raises(ValidationError):
        pair_assess(actor=duo.admin, pair=pair, result="excellent", assessment="", today=TODAY)


def test_the_yearly_cap_leaves_a_second_pair_uncredited_with_the_reason(duo, policy):
    leader = duo.roles.leader.person
    first = make_pair(duo)
    run_to_summaries(duo, first)
    pair_assess(actor=duo.admin, pair=first, result="excellent", assessment="", today=TODAY)
    second = pair_create(actor=duo.admin, school=duo.school, mentor=duo.mentor.person, apprentice=leader, school_year=YEAR,
                         goals="带好第二位徒弟")
    activity = activity_log(actor=duo.mentor, pair=second, kind="talk", date=TODAY, content="交流", today=TODAY)
    activity_confirm(actor=duo.roles.leader, activity=activity)
    summary_submit(actor=duo.mentor, pair=second, text="总结")
    summary_submit(actor=duo.roles.leader, pair=second, text="总结")
    second, why = pair_assess(actor=duo.admin, pair=second, result="pass", assessment="", today=TODAY)
    assert second.status == "assessed"
    assert "上限" in why and duo.mentor.person.name in why  # the mentor's 4 学时 a year are used up
    assert CreditEntry.objects.filter(evidence__mentor_pair_id=second.pk, person=leader).exists()
    assert not CreditEntry.objects.filter(evidence__mentor_pair_id=second.pk, person=duo.mentor.person).exists()


def test_a_guangxi_style_cap_of_two_hours(duo, policy):
    policy.activity_caps.filter(activity_type="mentor_pair").update(amount_per_item=Decimal("2"), max_per_year=Decimal("2"))
    pair = make_pair(duo)
    run_to_summaries(duo, pair)
    pair_assess(actor=duo.admin, pair=pair, result="pass", assessment="", today=TODAY)
    assert set(CreditEntry.objects.filter(evidence__mentor_pair_id=pair.pk).values_list("hours", flat=True)) == {Decimal("2")}


def test_no_credit_without_confirmed_activities_or_a_policy(duo, policy):
    pair = make_pair(duo)
    run_to_summaries(duo, pair, confirm=False)
    pair, why = pair_assess(actor=duo.admin, pair=pair, result="pass", assessment="", today=TODAY)
    assert pair.status == "assessed" and "确认" in why and not CreditEntry.objects.exists()
    policy.activity_caps.filter(activity_type="mentor_pair").delete()
    other = make_pair(duo, school_year=YEAR - 1, ceremony_date=None)
    activity = activity_log(actor=duo.mentor, pair=other, kind="talk", date=dt.date(2024, 10, 8), content="交流", today=TODAY)
    activity_confirm(actor=duo.apprentice, activity=activity)
    summary_submit(actor=duo.mentor, pair=other, text="总结")
    summary_submit(actor=duo.apprentice, pair=other, text="总结")
    other, why = pair_assess(actor=duo.admin, pair=other, result="pass", assessment="", today=TODAY)
    assert "不把“师徒结对”计入学时" in why and not CreditEntry.objects.exists()


def test_a_cancelled_pair_takes_no_more_activity(duo):
    pair = make_pair(duo)
    pair_cancel(actor=duo.admin, pair=pair, reason="徒弟调离")
    with pytest.raises(ValidationError):
        activity_log(actor=duo.mentor, pair=pair, kind="talk", date=TODAY, content="交流", today=TODAY)
    with pytest.raises(ValidationError):
        pair_cancel(actor=duo.admin, pair=pair, reason="再次")


def test_a_side_who_moved_school_is_not_credited_here_and_the_pair_stays_with_its_school(duo, policy, school_b):
    from yanxiu.org.services import teacher_transfer

    pair = make_pair(duo)
    run_to_summaries(duo, pair)
    employment = duo.apprentice.person.employments.get(end_date__isnull=True)
    teacher_transfer(actor=duo.roles.bureau, employment=employment, to_school=school_b, date=TODAY, reason="交流轮岗")
    pair, why = pair_assess(actor=duo.admin, pair=pair, result="pass", assessment="", today=TODAY)
    assert "组员" in why and "已不在本校任职" in why
    assert list(CreditEntry.objects.filter(evidence__mentor_pair_id=pair.pk).values_list("person_id", flat=True)) == [
        duo.mentor.person.pk]
