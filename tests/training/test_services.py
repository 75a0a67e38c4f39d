"""Training services: 四定 gating, project approval, recurring slots, quotas, leave, evaluation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yanxiu.core.models import AuditEvent
from yanxiu.training import selectors, services
from yanxiu.training.models import (
    Decision,
    Enrollment,
    Nomination,
    Project,
    Session,
    SwapRequest,
    minutes_to_hours,
    session_hours,
)

from .conftest import at

pytestmark = pytest.mark.django_db


def message_of(exc_info) -> str:
    return " ".join(exc_info.value.messages)


# --- Hours -------------------------------------------------------------------


def test_hours_are_45_minute_units_rounded_to_a_tenth():
    assert minutes_to_hours(90) == Decimal("2.0")
    assert minutes_to_hours(60) == Decimal("1.3")
    assert minutes_to_hours(0) == Decimal("0.0")


def test_hours_are_capped_per_day_and_policy_values_are_honoured():
    tz = timezone.get_current_timezone()
    start = dt.datetime(2026, 10, 12, 8, 0, tzinfo=tz)
    assert session_hours(start, start.replace(hour=18)) == Decimal("8.0")
    assert session_hours(start, start.replace(hour=18), minutes_per_hour=60, max_per_day=6) == Decimal("6.0")
    three_days = session_hours(start, start + dt.timedelta(days=2, hours=9))
    assert three_days == Decimal("24.0")  # 8 a day, three days


def test_a_session_stores_hours_from_its_duration(ready_session):
    assert ready_session.hours == Decimal("2.0")  # 15:10-16:40 = 90 minutes


# --- Projects ----------------------------------------------------------------


def test_a_school_chosen_project_goes_through_centre_approval_with_audit(roles, school, own_category):
    project = services.project_create(actor=roles.school_admin, owner_school=school, title="读书会", kind="reading",
                                      category=own_category, school_year="2026-2027")
    assert project.requires_approval and project.status == Project.Status.DRAFT
    services.project_submit(actor=roles.school_admin, project=project)
    with pytest.raises(ValidationError) as exc:
        services.project_return(actor=roles.centre, project=project, comment="")
    assert "审核意见" in message_of(exc)
    services.project_return(actor=roles.centre, project=project, comment="请补充活动安排")
    project.refresh_from_db()
    assert project.status == Project.Status.RETURNED and project.review_comment == "请补充活动安排"
    services.project_update(actor=roles.school_admin, project=project, description="每月一次")
    services.project_submit(actor=roles.school_admin, project=project)
    services.project_approve(actor=roles.centre, project=project)
    project.refresh_from_db()
    assert project.status == Project.Status.APPROVED and project.reviewer == roles.centre
    actions = list(AuditEvent.objects.filter(target_id=str(project.pk), target_type="training.project")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["training.project.create", "training.project.submit", "training.project.return",
                       "training.project.update", "training.project.submit", "training.project.approve"]


def test_a_mandated_content_project_needs_no_approval(roles, school, category):
    project = services.project_create(actor=roles.school_admin, owner_school=school, title="师德专题", category=category,
                                      school_year="2026-2027")
    assert not project.requires_approval and project.is_cleared_to_run


def test_only_the_centre_reviews_and_a_school_admin_cannot_approve_its_own_project(roles, school, own_category):
    project = services.project_create(actor=roles.school_admin, owner_school=school, title="x", category=own_category,
                                      school_year="2026-2027")
    services.project_submit(actor=roles.school_admin, project=project)
    for actor in (roles.school_admin, roles.teacher, roles.bureau):
        with pytest.raises(PermissionDenied):
            services.project_approve(actor=actor, project=project)


def test_sessions_of_an_unapproved_project_cannot_be_published(roles, school, own_category):
    project = services.project_create(actor=roles.school_admin, owner_school=school, title="未审项目",
                                      category=own_category, school_year="2026-2027")
    session = services.session_create(actor=roles.school_admin, project=project, title="第一次", starts_at=at(2),
                                      ends_at=at(2, 16, 40), place="会议室", presenter_name="甲", content="乙")
    with pytest.raises(ValidationError) as exc:
        services.session_publish(actor=roles.school_admin, session=session)
    assert "尚未通过研训中心审核" in message_of(exc)


def test_school_year_format_is_checked(roles, school, category):
    with pytest.raises(ValidationError) as exc:
        services.project_create(actor=roles.school_admin, owner_school=school, title="x", category=category,
                                school_year="2026-2028")
    assert "学年" in message_of(exc)


def test_plan_holds_projects_and_one_plan_per_school_year(roles, school, category):
    plan = services.plan_save(actor=roles.school_admin, school=school, school_year="2026-2027", summary="全年计划")
    project = services.project_create(actor=roles.school_admin, owner_school=school, title="x", category=category,
                                      school_year="2026-2027", plan=plan)
    assert list(plan.projects.all()) == [project]
    with pytest.raises(ValidationError):
        services.plan_save(actor=roles.school_admin, school=school, school_year="2026-2027")
    with pytest.raises(PermissionDenied):
        services.plan_save(actor=roles.other_admin, school=school, school_year="2027-2028")


# --- Sessions: 四定 / 五定 ---------------------------------------------------------


def test_publishing_lists_exactly_the_missing_fixed_items(roles, school_project):
    session = services.session_create(actor=roles.school_admin, project=school_project, title="待定活动",
                                      starts_at=at(2), ends_at=at(2, 16, 40))
    with pytest.raises(ValidationError) as exc:
        services.session_publish(actor=roles.school_admin, session=session)
    assert "四定未落实" in message_of(exc)
    assert "缺少：地点、内容、主讲人。" in message_of(exc)
    assert "时间" not in message_of(exc).split("缺少：")[1]
    session.refresh_from_db()
    assert session.status == Session.Status.DRAFT


def test_group_sessions_also_need_theme_and_lead_speaker(roles, school_project, group):
    session = services.session_create(actor=roles.school_admin, project=school_project, title="语文组集体备课",
                                      starts_at=at(2), ends_at=at(2, 16, 40), place="语文组办公室",
                                      presenter_name="组长", content="第三单元", group=group, invite_scope="group")
    with pytest.raises(ValidationError) as exc:
        services.session_publish(actor=roles.school_admin, session=session)
    assert "五定未落实" in message_of(exc) and "缺少：主题、中心发言人。" in message_of(exc)
    services.session_update(actor=roles.school_admin, session=session, theme="单元整体教学",
                            lead_speaker=roles.leader.person)
    services.session_publish(actor=roles.school_admin, session=session)
    enrolled = set(Enrollment.objects.filter(session=session).values_list("person_id", flat=True))
    assert enrolled == {roles.leader.person.pk, roles.member.person.pk}


def test_publishing_invites_the_whole_school_and_audits(roles, ready_session, school):
    services.session_publish(actor=roles.school_admin, session=ready_session)
    ready_session.refresh_from_db()
    assert ready_session.status == Session.Status.PUBLISHED and ready_session.published_at
    enrolled = set(Enrollment.objects.filter(session=ready_session).values_list("person__user__username", flat=True))
    assert {"teacher", "member", "leader", "schooladmin"} <= enrolled
    assert "otherteacher" not in enrolled
    event = AuditEvent.objects.get(action="training.session.publish", target_id=str(ready_session.pk))
    assert event.detail["invited"] == len(enrolled)


def test_a_published_session_cannot_lose_its_fixed_items(roles, published_session):
    with pytest.raises(ValidationError) as exc:
        services.session_update(actor=roles.school_admin, session=published_session, place="")
    assert "地点" in message_of(exc)


def test_recurring_slot_creates_one_session_each_week_between_the_dates(roles, school_project):
    tz = timezone.get_current_timezone()
    sessions = services.sessions_create_recurring(
        actor=roles.school_admin, project=school_project, title="周二教研", weekday=1,
        start_time=dt.time(15, 10), end_time=dt.time(16, 40),
        first_date=dt.date(2026, 9, 1), last_date=dt.date(2026, 9, 29), place="会议室",
    )
    days = [timezone.localtime(s.starts_at).date() for s in sessions]
    assert days == [dt.date(2026, 9, 1), dt.date(2026, 9, 8), dt.date(2026, 9, 15), dt.date(2026, 9, 22),
                    dt.date(2026, 9, 29)]
    assert all(timezone.localtime(s.ends_at).time() == dt.time(16, 40) for s in sessions)
    assert all(s.hours == Decimal("2.0") for s in sessions)
    assert len({s.series for s in sessions}) == 1 and sessions[0].series
    assert sessions[0].title == "周二教研（第1次）"
    assert sessions[0].starts_at.tzinfo is not None and sessions[0].starts_at == dt.datetime(2026, 9, 1, 15, 10, tzinfo=tz)


def test_recurring_slot_starting_mid_week_begins_on_the_next_matching_day(roles, school_project):
    sessions = services.sessions_create_recurring(
        actor=roles.school_admin, project=school_project, weekday=1, start_time=dt.time(15, 10),
        end_time=dt.time(16, 40), first_date=dt.date(2026, 9, 3), last_date=dt.date(2026, 9, 15),
    )
    assert [timezone.localtime(s.starts_at).date() for s in sessions] == [dt.date(2026, 9, 8), dt.date(2026, 9, 15)]


def test_recurring_slot_skips_holidays(roles, school_project):
    sessions = services.sessions_create_recurring(
        actor=roles.school_admin, project=school_project, weekday=1, start_time=dt.time(15, 10),
        end_time=dt.time(16, 40), first_date=dt.date(2026, 9, 29), last_date=dt.date(2026, 10, 13),
        skip_dates=[dt.date(2026, 10, 6)],  # National Day week
    )
    assert [timezone.localtime(s.starts_at).date() for s in sessions] == [dt.date(2026, 9, 29), dt.date(2026, 10, 13)]
    assert sessions[1].title.endswith("（第2次）")


def test_the_recurring_page_reads_holidays_and_names_a_bad_date(client, roles, school_project):
    client.force_login(roles.school_admin)
    url = f"/training/projects/{school_project.pk}/sessions/recurring/"
    form = {"title": "周二教研", "weekday": 1, "start_time": "15:10", "end_time": "16:40",
            "first_date": "2026-09-29", "last_date": "2026-10-13", "place": "会议室"}
    response = client.post(url, {**form, "skip_dates": "2026-10-06，国庆"})
    assert response.status_code == 400 and "无法识别的日期：国庆" in response.content.decode()
    assert client.post(url, {**form, "skip_dates": "2026/10/06"}).status_code == 302
    assert school_project.sessions.count() == 2


def test_a_school_admin_cannot_touch_another_schools_session(roles, ready_session):
    with pytest.raises(PermissionDenied):
        services.session_update(actor=roles.other_admin, session=ready_session, place="别处")
    with pytest.raises(PermissionDenied):
        services.session_publish(actor=roles.other_admin, session=ready_session)
    with pytest.raises(PermissionDenied):
        services.session_publish(actor=roles.teacher, session=ready_session)


def test_inviting_a_list_refuses_teachers_of_other_schools(roles, ready_session):
    with pytest.raises(ValidationError) as exc:
        services.session_invite(actor=roles.school_admin, session=ready_session, scope="list",
                                people=[roles.teacher.person, roles.other_teacher.person])
    # Only the number sent, never the name: it would tell who works at another school.
    assert "李老师" not in message_of(exc)
    assert f"编号不是本校在职教师：{roles.other_teacher.person.pk}" in message_of(exc)
    assert not Enrollment.objects.filter(session=ready_session).exists()
    assert services.session_invite(actor=roles.school_admin, session=ready_session, scope="list",
                                   people=[roles.teacher.person]) == 1


# --- Quotas ------------------------------------------------------------------


def test_naming_over_the_quota_is_refused_with_the_counts(roles, bureau_project, bureau_session, school, people):
    quota = services.quota_allocate(actor=roles.bureau, project=bureau_project, school=school, places=2,
                                    deadline=at(2))
    services.quota_name(actor=roles.school_admin, quota=quota, people=[roles.teacher.person, roles.member.person])
    extra = people.teacher(school, name="王老师").person
    with pytest.raises(ValidationError) as exc:
        services.quota_name(actor=roles.school_admin, quota=quota, people=[extra])
    assert message_of(exc) == "名额已满：本校名额 2 人，已报 2 人。"
    assert set(Enrollment.objects.filter(session=bureau_session).values_list("person_id", flat=True)) == {
        roles.teacher.person.pk, roles.member.person.pk}
    assert Enrollment.objects.filter(session=bureau_session, source="named").count() == 2


def test_only_the_school_names_on_its_own_quota_and_only_its_teachers(roles, bureau_project, bureau_session, school):
    quota = services.quota_allocate(actor=roles.bureau, project=bureau_project, school=school, places=3, deadline=at(2))
    with pytest.raises(PermissionDenied):
        services.quota_name(actor=roles.other_admin, quota=quota, people=[roles.teacher.person])
    with pytest.raises(ValidationError) as exc:
        services.quota_name(actor=roles.school_admin, quota=quota, people=[roles.other_teacher.person])
    assert "李老师" in message_of(exc)
    with pytest.raises(PermissionDenied):
        services.quota_allocate(actor=roles.school_admin, project=bureau_project, school=school, places=3,
                                deadline=at(2))


def test_after_submission_a_swap_needs_bureau_approval(roles, bureau_project, bureau_session, school):
    quota = services.quota_allocate(actor=roles.bureau, project=bureau_project, school=school, places=1, deadline=at(2))
    services.quota_name(actor=roles.school_admin, quota=quota, people=[roles.teacher.person])
    services.quota_submit(actor=roles.school_admin, quota=quota)
    with pytest.raises(ValidationError) as exc:
        services.quota_name(actor=roles.school_admin, quota=quota, people=[roles.member.person])
    assert "须提出申请" in message_of(exc)
    swap = services.swap_request_create(actor=roles.school_admin, quota=quota, kind="swap",
                                        out_person=roles.teacher.person, in_person=roles.member.person,
                                        reason="张老师外出参赛")
    # Nothing changes until the bureau decides.
    assert Nomination.objects.get(quota=quota, is_active=True).person == roles.teacher.person
    with pytest.raises(PermissionDenied):
        services.swap_request_decide(actor=roles.school_admin, swap=swap, approve=True)
    services.swap_request_decide(actor=roles.bureau, swap=swap, approve=True, comment="同意")
    assert Nomination.objects.get(quota=quota, is_active=True).person == roles.member.person
    rows = dict(Enrollment.objects.filter(session=bureau_session).values_list("person_id", "status"))
    assert rows == {roles.teacher.person.pk: "withdrawn", roles.member.person.pk: "enrolled"}
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.APPROVED and swap.decided_by == roles.bureau


def test_a_rejected_withdrawal_keeps_the_participant(roles, bureau_project, bureau_session, school):
    quota = services.quota_allocate(actor=roles.bureau, project=bureau_project, school=school, places=1, deadline=at(2))
    services.quota_name(actor=roles.school_admin, quota=quota, people=[roles.teacher.person])
    services.quota_submit(actor=roles.school_admin, quota=quota)
    swap = services.swap_request_create(actor=roles.school_admin, quota=quota, kind="withdraw",
                                        out_person=roles.teacher.person, reason="有事")
    with pytest.raises(ValidationError):
        services.swap_request_decide(actor=roles.bureau, swap=swap, approve=False)
    services.swap_request_decide(actor=roles.bureau, swap=swap, approve=False, comment="理由不充分")
    assert Enrollment.objects.get(session=bureau_session, person=roles.teacher.person).status == "enrolled"


def test_schools_that_missed_the_deadline_are_listed(roles, bureau_project, school, school_b):
    late = services.quota_allocate(actor=roles.bureau, project=bureau_project, school=school_b, places=2,
                                   deadline=at(1))
    on_time = services.quota_allocate(actor=roles.bureau, project=bureau_project, school=school, places=2,
                                      deadline=at(1))
    services.quota_name(actor=roles.school_admin, quota=on_time, people=[roles.teacher.person])
    services.quota_submit(actor=roles.school_admin, quota=on_time)
    missed = selectors.quotas_missed_deadline(user=roles.bureau, now=at(2))
    assert [q.pk for q in missed] == [late.pk]
    assert list(selectors.quotas_missed_deadline(user=roles.bureau, now=at(0, 0, 0))) == []


def test_naming_after_the_deadline_is_refused(roles, bureau_project, school):
    quota = services.quota_allocate(actor=roles.bureau, project=bureau_project, school=school, places=2,
                                    deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError) as exc:
        services.quota_name(actor=roles.school_admin, quota=quota, people=[roles.teacher.person])
    assert "截止" in message_of(exc)


# --- Leave -------------------------------------------------------------------


def test_sick_leave_needs_a_note_and_the_school_head_approves(roles, published_session):
    with pytest.raises(ValidationError) as exc:
        services.leave_request_create(actor=roles.teacher, session=published_session, leave_type="sick", reason="发烧")
    assert "病假证明" in message_of(exc)
    note = SimpleUploadedFile("note.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg")
    leave = services.leave_request_create(actor=roles.teacher, session=published_session, leave_type="sick",
                                          reason="发烧", attachment=note)
    assert not leave.needs_bureau and leave.status == Decision.PENDING
    with pytest.raises(PermissionDenied):
        services.leave_decide(actor=roles.teacher, leave=leave, approve=True)
    with pytest.raises(PermissionDenied):
        services.leave_decide(actor=roles.other_admin, leave=leave, approve=True)
    services.leave_decide(actor=roles.school_admin, leave=leave, approve=True)
    leave.refresh_from_db()
    assert leave.status == Decision.APPROVED
    assert selectors.absence_status(published_session, roles.teacher.person) == selectors.AbsenceStatus.LEAVE


def test_leave_after_the_session_started_is_refused(roles, published_session):
    Session.objects.filter(pk=published_session.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    with pytest.raises(ValidationError) as exc:
        services.leave_request_create(actor=roles.teacher, session=published_session, leave_type="personal",
                                      reason="家中有事")
    assert "已于" in message_of(exc) and "不能再请假" in message_of(exc)


def test_bureau_training_leave_needs_school_then_bureau(roles, bureau_project, bureau_session, school):
    quota = services.quota_allocate(actor=roles.bureau, project=bureau_project, school=school, places=2, deadline=at(2))
    services.quota_name(actor=roles.school_admin, quota=quota, people=[roles.teacher.person])
    leave = services.leave_request_create(actor=roles.teacher, session=bureau_session, leave_type="official",
                                          reason="参加县教学比武")
    assert leave.needs_bureau
    with pytest.raises(PermissionDenied):
        services.leave_decide(actor=roles.bureau, leave=leave, approve=True)  # the school decides first
    services.leave_decide(actor=roles.school_admin, leave=leave, approve=True)
    leave.refresh_from_db()
    assert leave.status == Decision.PENDING and leave.bureau_decision == Decision.PENDING
    assert list(selectors.leave_awaiting(user=roles.bureau)) == [leave]
    assert list(selectors.leave_awaiting(user=roles.school_admin)) == []
    with pytest.raises(PermissionDenied):
        services.leave_decide(actor=roles.school_admin, leave=leave, approve=True)
    services.leave_decide(actor=roles.bureau, leave=leave, approve=True)
    leave.refresh_from_db()
    assert leave.status == Decision.APPROVED
    assert AuditEvent.objects.filter(target_id=str(leave.pk), action__startswith="training.leave.").count() == 3


def test_a_school_rejection_ends_a_bureau_leave_request(roles, bureau_project, bureau_session, school):
    quota = services.quota_allocate(actor=roles.bureau, project=bureau_project, school=school, places=2, deadline=at(2))
    services.quota_name(actor=roles.school_admin, quota=quota, people=[roles.teacher.person])
    leave = services.leave_request_create(actor=roles.teacher, session=bureau_session, leave_type="personal", reason="事")
    services.leave_decide(actor=roles.school_admin, leave=leave, approve=False, comment="培训重要，请参加")
    leave.refresh_from_db()
    assert leave.status == Decision.REJECTED and leave.bureau_decision == ""
    assert list(selectors.leave_awaiting(user=roles.bureau)) == []


def test_absence_is_enrolled_without_sign_in_or_approved_leave_after_the_end(roles, published_session):
    person = roles.teacher.person
    assert selectors.absence_status(published_session, person) == selectors.AbsenceStatus.PENDING
    after = published_session.ends_at + dt.timedelta(minutes=1)
    assert selectors.absence_status(published_session, person, now=after) == selectors.AbsenceStatus.ABSENT
    assert selectors.absence_status(published_session, roles.other_teacher.person, now=after) == "not_expected"


# --- Evaluation --------------------------------------------------------------


def _started(session):
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1),
                                                 ends_at=timezone.now() - dt.timedelta(minutes=5))
    session.refresh_from_db()
    return session


def test_evaluations_are_one_per_participant_and_aggregate(roles, published_session):
    session = _started(published_session)
    services.evaluation_submit(actor=roles.teacher, session=session, content_score=5, presenter_score=4,
                               organisation_score=3, comment="很实用")
    services.evaluation_submit(actor=roles.member, session=session, content_score=4, presenter_score=4,
                               organisation_score=4)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_submit(actor=roles.teacher, session=session, content_score=1, presenter_score=1,
                                   organisation_score=1)
    assert "只能评价一次" in message_of(exc)
    with pytest.raises(PermissionDenied):
        services.evaluation_submit(actor=roles.other_teacher, session=session, content_score=5, presenter_score=5,
                                   organisation_score=5)
    summary = selectors.evaluation_summary(session=session)
    assert summary["count"] == 2
    assert summary["content"] == Decimal("4.50") and summary["presenter"] == Decimal("4.00")
    assert summary["organisation"] == Decimal("3.50") and summary["overall"] == Decimal("4.00")
    by_presenter = selectors.evaluation_by_presenter(user=roles.school_admin)
    assert by_presenter == [{"name": "王教授", "person_id": None, "count": 2, "sessions": 1,
                             "presenter": Decimal("4.00"), "content": Decimal("4.50")}]


def test_scores_must_be_1_to_5_and_the_session_must_have_started(roles, published_session):
    with pytest.raises(ValidationError) as exc:
        services.evaluation_submit(actor=roles.teacher, session=published_session, content_score=5,
                                   presenter_score=5, organisation_score=5)
    assert "开始后" in message_of(exc)
    session = _started(published_session)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_submit(actor=roles.teacher, session=session, content_score=6, presenter_score=5,
                                   organisation_score=0)
    assert set(exc.value.message_dict) == {"content_score", "organisation_score"}


def test_hours_follow_the_policy_in_force_for_the_county(roles, school_project, county):
    from yanxiu.policy.models import Policy

    Policy.objects.create(region=county, name="长沙县学时办法", valid_from_year=2025, minutes_per_hour=60,
                          max_hours_per_day=Decimal("6"))
    session = services.session_create(actor=roles.school_admin, project=school_project, title="x", starts_at=at(2),
                                      ends_at=at(2, 16, 40))
    assert session.hours == Decimal("1.5")  # 90 minutes at 60 a 学时


def test_sessions_added_later_enrol_people_named_on_project_places(roles, bureau_project, bureau_session, school):
    quota = services.quota_allocate(actor=roles.bureau, project=bureau_project, school=school, places=2, deadline=at(2))
    services.quota_name(actor=roles.school_admin, quota=quota, people=[roles.teacher.person])
    later = services.session_create(actor=roles.bureau, project=bureau_project, title="第二讲", starts_at=at(6, 9, 0),
                                    ends_at=at(6, 11, 0), place="中心", presenter_name="专家", content="内容")
    assert list(Enrollment.objects.filter(session=later).values_list("person_id", "source")) == [
        (roles.teacher.person.pk, "named")]
