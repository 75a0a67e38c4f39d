"""Each audited action tells exactly the right people, after the commit, and nobody else.

``roles``: the school's admin, group leader, member and teacher (张老师) at ``school``; another
school's admin and teacher (李老师) at ``school_b``; the county's bureau and centre; a far county's
bureau; a presenter. Every test checks the recipients AND that the others got nothing, and opens
the message's link as its recipient (a link the recipient cannot open would be a broken message).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from tests.notify.conftest import at, told
from yanxiu.notify.models import Message, MessageKind
from yanxiu.training import services as training

pytestmark = pytest.mark.django_db


def only(kind, *users, topic=None):
    """Exactly these users hold a message of ``kind`` and no other message exists."""
    expected = {u.username for u in users}
    assert told(kind, topic=topic) == expected
    assert told() == expected, f"others were told: {told() - expected}"


def opens(client, user, kind):
    """Each message of ``kind`` to ``user`` links to a page ``user`` may open."""
    client.force_login(user)
    messages = list(Message.objects.filter(recipient=user, kind=kind))
    assert messages, f"{user.username} has no message of kind {kind}"
    for message in messages:
        assert message.url.startswith("/")
        response = client.get(message.url)
        assert response.status_code == 200, (message.url, response.status_code)


def test_a_published_session_tells_those_enrolled_but_not_the_actor_nor_another_school(client, roles, ready_session, committed):
    with committed():
        training.session_publish(actor=roles.school_admin, session=ready_session)
    # The whole school is invited: its teachers (the admin is one, but published it), not school_b.
    only(MessageKind.SESSION_PUBLISHED, roles.teacher, roles.member, roles.leader)
    message = Message.objects.get(recipient=roles.teacher)
    assert message.title == "培训通知：评课专题"
    assert "三楼会议室" in message.body and message.sender == roles.school_admin and message.read_at is None
    assert message.topic == f"training.session:{ready_session.pk}" and message.event.action == "training.session.publish"
    opens(client, roles.teacher, MessageKind.SESSION_PUBLISHED)


def test_nothing_is_told_before_the_commit_and_nothing_after_a_rollback(roles, ready_session, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        training.session_publish(actor=roles.school_admin, session=ready_session)
    assert told() == set() and len(callbacks) == 1  # queued for the commit, not written in the transaction
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                training.session_update(actor=roles.school_admin, session=ready_session, place="报告厅")
                raise RuntimeError("undo")
        except RuntimeError:
            pass
    assert told() == set()


def test_a_change_of_time_or_place_tells_those_enrolled_old_and_new(client, roles, published_session, committed):
    new_start = at(4, 14, 0)
    with committed():
        training.session_update(actor=roles.school_admin, session=published_session, place="报告厅", starts_at=new_start,
                                ends_at=new_start + dt.timedelta(hours=1))
    only(MessageKind.SESSION_CHANGED, roles.teacher, roles.member, roles.leader)
    body = Message.objects.get(recipient=roles.member).body
    assert "地点由“三楼会议室”改为“报告厅”" in body
    assert timezone.localtime(new_start).strftime("%Y-%m-%d %H:%M") in body
    opens(client, roles.member, MessageKind.SESSION_CHANGED)


def test_a_change_nobody_is_told_about_writes_no_message(roles, published_session, committed):
    with committed():
        training.session_update(actor=roles.school_admin, session=published_session, content="新的内容")
    assert told() == set()


def test_a_cancelled_session_tells_those_enrolled_with_the_reason(roles, published_session, committed):
    with committed():
        training.session_cancel(actor=roles.school_admin, session=published_session, reason="停电")
    only(MessageKind.SESSION_CANCELLED, roles.teacher, roles.member, roles.leader)
    assert "停电" in Message.objects.get(recipient=roles.leader).body


def test_places_on_a_bureau_project_tell_the_schools_admin_with_the_deadline(client, roles, school, bureau_session, committed):
    deadline = at(6, 17, 0)
    with committed():
        training.quota_allocate(actor=roles.bureau, project=bureau_session.project, school=school, places=2, deadline=deadline)
    only(MessageKind.QUOTA_ALLOCATED, roles.school_admin)
    body = Message.objects.get().body
    assert "2 人" in body and timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M") in body
    opens(client, roles.school_admin, MessageKind.QUOTA_ALLOCATED)


def test_teachers_named_on_places_get_the_session_notice_once(client, roles, school, bureau_session, committed):
    quota = training.quota_allocate(actor=roles.bureau, project=bureau_session.project, school=school, places=3, deadline=at(4))
    with committed():
        training.quota_name(actor=roles.school_admin, quota=quota, people=[roles.teacher.person])
        training.quota_name(actor=roles.school_admin, quota=quota, people=[roles.member.person])
    only(MessageKind.SESSION_PUBLISHED, roles.teacher, roles.member)
    assert Message.objects.filter(recipient=roles.teacher).count() == 1
    opens(client, roles.teacher, MessageKind.SESSION_PUBLISHED)


def test_a_leave_request_goes_to_the_school_then_the_bureau_and_each_decision_to_the_teacher(client, roles, school, bureau_session, committed):
    quota = training.quota_allocate(actor=roles.bureau, project=bureau_session.project, school=school, places=3, deadline=at(4))
    training.quota_name(actor=roles.school_admin, quota=quota, people=[roles.teacher.person])
    with committed():
        leave = training.leave_request_create(actor=roles.teacher, session=bureau_session, leave_type="official", reason="外出监考")
    only(MessageKind.LEAVE_TO_DECIDE, roles.school_admin)
    opens(client, roles.school_admin, MessageKind.LEAVE_TO_DECIDE)

    with committed():
        training.leave_decide(actor=roles.school_admin, leave=leave, approve=True)
    # The bureau over the county decides next (not the far county's); the teacher hears the school agreed.
    assert told(MessageKind.LEAVE_TO_DECIDE) == {"schooladmin", "bureau"}
    assert told(MessageKind.LEAVE_DECIDED) == {"teacher"}
    assert "待教育局审批" in Message.objects.get(kind=MessageKind.LEAVE_DECIDED).title
    opens(client, roles.bureau, MessageKind.LEAVE_TO_DECIDE)

    with committed():
        training.leave_decide(actor=roles.bureau, leave=leave, approve=False, comment="名额紧张")
    final = Message.objects.filter(kind=MessageKind.LEAVE_DECIDED).order_by("-id").first()
    assert final.recipient == roles.teacher and "未批准" in final.title and "名额紧张" in final.body
    assert told() == {"schooladmin", "bureau", "teacher"}
    opens(client, roles.teacher, MessageKind.LEAVE_DECIDED)


def test_a_school_leave_decision_is_final_for_a_school_session(roles, published_session, committed):
    leave = training.leave_request_create(actor=roles.member, session=published_session, leave_type="personal", reason="家中有事")
    with committed():
        training.leave_decide(actor=roles.school_admin, leave=leave, approve=True)
    only(MessageKind.LEAVE_DECIDED, roles.member)
    assert "已批准" in Message.objects.get().title


def test_a_reflection_review_tells_its_author(client, roles, committed):
    from tests.attendance.conftest import Sessions, text_of
    from yanxiu.attendance import services as attendance

    session = Sessions(roles.teacher.person.current_employment.school.county, roles.teacher.person.current_employment.school).make(
        enroll=[roles.teacher, roles.member], starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() - dt.timedelta(hours=1))
    first = attendance.reflection_submit(actor=roles.teacher, session=session, notes="", body=text_of(1))
    second = attendance.reflection_submit(actor=roles.member, session=session, notes="", body=text_of(2))
    with committed():
        attendance.reflection_review(actor=roles.school_admin, reflection=first, accept=False, comment="请补充课堂实例")
        attendance.reflection_review(actor=roles.school_admin, reflection=second, accept=True)
    assert told(MessageKind.REFLECTION_REVIEWED) == told() == {"teacher", "member"}
    returned = Message.objects.get(recipient=roles.teacher)
    assert "退回" in returned.title and "请补充课堂实例" in returned.body
    assert "通过" in Message.objects.get(recipient=roles.member).title
    opens(client, roles.teacher, MessageKind.REFLECTION_REVIEWED)
    opens(client, roles.member, MessageKind.REFLECTION_REVIEWED)


@pytest.fixture
def posting(roles, school, committed):
    from tests.credits.factories import adopt, credit
    from yanxiu.credits.services import posting_create

    adopt("000", school.county)
    entry = credit(roles.teacher.person, 2, title="集体备课")
    credit(roles.member.person, 3, title="专题讲座")
    credit(roles.other_teacher.person, 1, title="外校")
    today = timezone.localdate()
    with committed():
        posting = posting_create(actor=roles.school_admin, school=school, title="十月学时公示",
                                 period_start=today - dt.timedelta(days=30), period_end=today)
    return posting, entry


def test_a_posting_tells_the_teachers_in_it_with_the_objection_period(client, roles, posting):
    posting, _entry = posting
    only(MessageKind.POSTING_OPENED, roles.teacher, roles.member)
    assert timezone.localtime(posting.ends_at).strftime("%Y-%m-%d %H:%M") in Message.objects.get(recipient=roles.teacher).body
    opens(client, roles.teacher, MessageKind.POSTING_OPENED)


def test_an_answered_objection_tells_the_objector(client, roles, posting, committed):
    from yanxiu.credits.services import objection_file, objection_resolve

    posting, entry = posting
    objection = objection_file(actor=roles.teacher, posting=posting, entry=entry, reason="那天我请假了")
    Message.objects.all().delete()
    with committed():
        objection_resolve(actor=roles.school_admin, objection=objection, decision="reject", resolution="签到表显示已到")
    only(MessageKind.OBJECTION_ANSWERED, roles.teacher)
    assert "签到表显示已到" in Message.objects.get().body
    opens(client, roles.teacher, MessageKind.OBJECTION_ANSWERED)


def test_a_needs_survey_tells_the_schools_current_teachers(client, roles, school, county, committed):
    from yanxiu.needs import services as needs
    from yanxiu.training.models import ContentCategory, school_year_of

    category = ContentCategory.objects.create(region=county, code="A01", name="师德师风", compulsory=True)
    with committed():
        needs.survey_create(actor=roles.school_admin, school=school, school_year=school_year_of(timezone.localdate()),
                            title="培训需求调研", closes_on=timezone.localdate() + dt.timedelta(days=7), categories=[category])
    only(MessageKind.SURVEY_OPENED, roles.teacher, roles.member, roles.leader)
    opens(client, roles.member, MessageKind.SURVEY_OPENED)


def test_a_published_questionnaire_tells_exactly_those_it_asks(client, roles, school, committed):
    from yanxiu.needs.services.questionnaires import questionnaire_create, questionnaire_publish, questionnaire_update
    from yanxiu.training.models import ContentCategory

    for code, name in (("A01", "师德师风"), ("B01", "课堂教学")):
        ContentCategory.objects.create(region=school.county, code=code, name=name)
    q = questionnaire_create(actor=roles.school_admin, purpose="needs", school=school)
    q = questionnaire_update(actor=roles.school_admin, questionnaire=q, title="语文组调研", audience="groups",
                             groups=[roles.leader.person.employments.get().groups.get()], opens_on=q.opens_on, closes_on=q.closes_on)
    with committed():
        questionnaire_publish(actor=roles.school_admin, questionnaire=q)
    only(MessageKind.SURVEY_OPENED, roles.member, roles.leader)
    opens(client, roles.member, MessageKind.SURVEY_OPENED)


def test_a_growth_record_goes_to_its_reviewers_and_the_review_back_to_its_author(client, growth, committed):
    from yanxiu.growth import services as growth_services

    roles = growth.roles
    today = dt.date(2025, 12, 1)
    with committed():
        record = growth_services.record_submit(actor=roles.teacher, person=roles.teacher.person, today=today, kind="public_lesson",
                                               date=dt.date(2025, 10, 9), title="《桂林山水》公开课", level="county", subject="语文")
    only(MessageKind.GROWTH_TO_REVIEW, roles.school_admin)
    opens(client, roles.school_admin, MessageKind.GROWTH_TO_REVIEW)
    with committed():
        growth_services.record_review(actor=roles.school_admin, record=record, accept=False, reason="请补充教案")
    assert told(MessageKind.GROWTH_REVIEWED) == {"teacher"} and told() == {"schooladmin", "teacher"}
    assert "请补充教案" in Message.objects.get(kind=MessageKind.GROWTH_REVIEWED).body
    opens(client, roles.teacher, MessageKind.GROWTH_REVIEWED)


def test_a_mentor_activity_asks_the_other_side_to_confirm(client, growth, committed):
    from tests.growth.test_mentors import TODAY
    from yanxiu.growth.services.mentors import activity_log, pair_create

    roles = growth.roles
    pair = pair_create(actor=roles.school_admin, school=growth.school, mentor=roles.teacher.person, apprentice=roles.member.person,
                       school_year=2025, term=1, subject="语文", goals="上好一节公开课", mentor_duties="听课", apprentice_duties="听课",
                       ceremony_date=dt.date(2025, 9, 5))
    with committed():
        activity_log(actor=roles.member, pair=pair, kind="mentor_lesson", date=dt.date(2025, 10, 9), content="听师傅一课", today=TODAY)
    only(MessageKind.MENTOR_ACTIVITY, roles.teacher)
    assert Message.objects.get().title.startswith("组员")
    opens(client, roles.teacher, MessageKind.MENTOR_ACTIVITY)


def test_an_action_no_one_is_told_about_writes_nothing(roles, school_project, committed):
    with committed():
        training.session_create(actor=roles.school_admin, project=school_project, title="草稿", starts_at=at(3),
                                ends_at=at(3, 16, 40), place="会议室")
    assert told() == set()
