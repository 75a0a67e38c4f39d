"""Notices (通知) with read receipts and "remind the rest"; questionnaire reminders as messages.

Who gets a notice, who may send one, who sees its receipts (another school's admin: 404), the
"已阅" button, and a reminder that reaches exactly those who have not read it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.notify.conftest import told
from yanxiu.core.models import AuditEvent
from yanxiu.notify import broadcasts, services
from yanxiu.notify.models import Broadcast, Message, MessageKind

pytestmark = pytest.mark.django_db


def _send(actor, **fields):
    base = {"title": "关于期末教研总结的通知", "body": "请于周五前提交教研总结。", "audience": "school_teachers",
            "requires_receipt": True}
    return services.notice_send(actor=actor, **{**base, **fields})


def test_a_school_notice_reaches_its_teachers_and_the_receipts_show_who_has_read_it(client, roles, school):
    notice = _send(roles.school_admin, school=school)
    assert told(MessageKind.NOTICE) == {"teacher", "member", "leader"}  # not the sender, not school_b
    assert notice.recipient_count == 3
    row = AuditEvent.objects.get(action="notify.notice_send")
    assert row.school_id == school.pk and row.detail["count"] == 3 and row.detail["requires_receipt"] is True

    # The teacher opens it: read, but a receipt is asked for, so not yet counted as read.
    message = Message.objects.get(recipient=roles.teacher, kind=MessageKind.NOTICE)
    assert message.requires_receipt and message.sender == roles.school_admin
    client.force_login(roles.teacher)
    page = client.get(reverse("notify:message", args=[message.pk])).content.decode()
    assert "请于周五前提交教研总结" in page and reverse("notify:message_confirm", args=[message.pk]) in page
    message.refresh_from_db()
    assert message.read_at is not None and message.receipt_at is None
    read, unread = broadcasts.receipts(notice)
    assert read == [] and {r.name for r in unread} == {"张老师", "组员", roles.leader.person.name}

    assert client.post(reverse("notify:message_confirm", args=[message.pk])).status_code == 302
    message.refresh_from_db()
    assert message.receipt_at is not None
    assert "已于" in client.get(reverse("notify:message", args=[message.pk])).content.decode()
    read, unread = broadcasts.receipts(notice)
    assert [r.name for r in read] == ["张老师"] and read[0].school == "长沙县星沙第一小学" and len(unread) == 2

    # Someone else's message cannot be confirmed.
    client.force_login(roles.member)
    assert client.post(reverse("notify:message_confirm", args=[message.pk])).status_code == 404

    # The sender's page.
    client.force_login(roles.school_admin)
    page = client.get(reverse("notify:notice_detail", args=[notice.pk])).content.decode()
    assert "已阅 1 人，未阅 2 人" in page and "张老师" in page and "组员" in page
    assert reverse("notify:notice_remind", args=[notice.pk]) in page
    listing = client.get(reverse("notify:notices")).content.decode()
    assert "关于期末教研总结的通知" in listing and "1 / 3" in listing


def test_remind_the_rest_reaches_only_those_who_have_not_read_it_with_one_audit_row(client, roles, school):
    notice = _send(roles.school_admin, school=school)
    mine = Message.objects.get(recipient=roles.teacher, kind=MessageKind.NOTICE)
    services.message_confirm_receipt(actor=roles.teacher, message=mine)
    opened = Message.objects.get(recipient=roles.member, kind=MessageKind.NOTICE)
    services.message_mark_read(actor=roles.member, message=opened)  # opened, not confirmed: still to remind

    client.force_login(roles.school_admin)
    response = client.post(reverse("notify:notice_remind", args=[notice.pk]), follow=True)
    assert "已提醒 2 位尚未阅读的人" in response.content.decode()
    assert told(MessageKind.REMINDER) == {"member", "leader"}
    assert AuditEvent.objects.filter(action="notify.notice_remind").count() == 1
    assert AuditEvent.objects.get(action="notify.notice_remind").detail["count"] == 2
    reminder = Message.objects.get(recipient=roles.member, kind=MessageKind.REMINDER)
    assert reminder.title == "请确认已阅：关于期末教研总结的通知" and reminder.url == reverse("notify:message", args=[opened.pk])
    client.force_login(roles.member)
    assert client.get(reminder.url).status_code == 200

    for m in Message.objects.filter(kind=MessageKind.NOTICE, receipt_at__isnull=True):
        services.message_confirm_receipt(actor=m.recipient, message=m)
    with pytest.raises(ValidationError, match="都已阅读"):
        services.notice_remind(actor=roles.school_admin, broadcast=notice)


def test_a_notice_without_receipt_counts_an_opened_message_as_read(roles, school):
    notice = _send(roles.school_admin, school=school, requires_receipt=False)
    message = Message.objects.get(recipient=roles.leader, kind=MessageKind.NOTICE)
    assert not message.requires_receipt
    services.message_mark_read(actor=roles.leader, message=message)
    read, unread = broadcasts.receipts(notice)
    assert [r.message.recipient_id for r in read] == [roles.leader.pk] and len(unread) == 2
    with pytest.raises(ValidationError):
        services.message_confirm_receipt(actor=roles.leader, message=message)


def test_groups_county_admins_and_county_teachers(roles, school, county, group, far_school):
    _send(roles.school_admin, school=school, audience="school_groups", groups=[group])
    assert told(MessageKind.NOTICE) == {"member", "leader"}
    Message.objects.all().delete()
    _send(roles.bureau, county=county, audience="county_admins")
    assert told(MessageKind.NOTICE) == {"schooladmin", "otheradmin"}  # not the far county's schools
    Message.objects.all().delete()
    _send(roles.centre, county=county, audience="county_teachers")
    assert told(MessageKind.NOTICE) == {"teacher", "member", "leader", "schooladmin", "otherteacher", "otheradmin"}


def test_who_may_send_what(client, roles, school, school_b, county, other_county, group):
    with pytest.raises(PermissionDenied):
        _send(roles.teacher, school=school)
    with pytest.raises(PermissionDenied):
        _send(roles.other_admin, school=school)
    with pytest.raises(PermissionDenied):
        _send(roles.bureau, county=other_county, audience="county_admins")
    with pytest.raises(ValidationError) as exc:
        _send(roles.school_admin, school=school, audience="county_teachers")
    assert "audience" in exc.value.message_dict
    other_group = type(group).objects.create(school=school_b, name="数学组")
    with pytest.raises(ValidationError, match="本校的教研组"):
        _send(roles.school_admin, school=school, audience="school_groups", groups=[other_group])
    with pytest.raises(ValidationError, match="至少选择一个教研组"):
        _send(roles.school_admin, school=school, audience="school_groups", groups=[])
    with pytest.raises(ValidationError) as exc:
        _send(roles.school_admin, school=school, title="  ")
    assert "title" in exc.value.message_dict
    assert not Broadcast.objects.exists() and not Message.objects.exists()

    client.force_login(roles.teacher)
    assert client.get(reverse("notify:notice_create")).status_code == 403
    assert client.get(reverse("notify:notices")).status_code == 403
    assert client.post(reverse("notify:notice_create"), {"owner": f"school:{school.pk}", "title": "x", "body": "y",
                                                         "audience": "school_teachers"}).status_code == 403


def test_another_schools_admin_cannot_see_or_remind_a_notice(client, roles, school):
    notice = _send(roles.school_admin, school=school)
    client.force_login(roles.other_admin)
    assert client.get(reverse("notify:notice_detail", args=[notice.pk])).status_code == 404
    assert client.post(reverse("notify:notice_remind", args=[notice.pk])).status_code == 404
    assert "关于期末教研总结的通知" not in client.get(reverse("notify:notices")).content.decode()
    client.force_login(roles.far_bureau)
    assert client.get(reverse("notify:notice_detail", args=[notice.pk])).status_code == 404
    client.force_login(roles.school_admin)
    assert client.get(reverse("notify:notice_detail", args=[2**62])).status_code == 404
    assert not Message.objects.filter(kind=MessageKind.REMINDER).exists()


def test_the_notice_form_sends_to_the_chosen_groups(client, roles, school, group):
    client.force_login(roles.school_admin)
    page = client.get(reverse("notify:notice_create")).content.decode()
    assert "语文组" in page and "本区县全体教师" not in page  # a school admin sends for the school only
    response = client.post(reverse("notify:notice_create"), {
        "owner": f"school:{school.pk}", "title": "语文组活动调整", "body": "本周四改为集体备课。", "audience": "school_groups",
        "groups": [str(group.pk)], "requires_receipt": "on"})
    notice = Broadcast.objects.get()
    assert response.status_code == 302 and response.url == reverse("notify:notice_detail", args=[notice.pk])
    assert told(MessageKind.NOTICE) == {"member", "leader"} and notice.requires_receipt
    bad = client.post(reverse("notify:notice_create"), {"owner": f"school:{school.pk}", "title": "t", "body": "b",
                                                        "audience": "school_groups"})
    assert bad.status_code == 400 and "请至少选择一个教研组" in bad.content.decode()


# --- Questionnaires: "remind all who have not answered" -----------------------------------


def test_the_questionnaire_reminder_from_its_results_page_reaches_exactly_those_who_have_not_answered(client, roles, county, committed):
    from yanxiu.needs import questionnaires as logic
    from yanxiu.needs.services import questionnaires as needs

    today = timezone.localdate()
    q = needs.questionnaire_create(actor=roles.centre, purpose="other", title="县级培训需求问卷", county=county)
    needs.questionnaire_update(actor=roles.centre, questionnaire=q, title=q.title, anonymous=True, audience="all", groups=[],
                               opens_on=today, closes_on=today + dt.timedelta(days=5))
    question = needs.question_save(actor=roles.centre, questionnaire=q, kind="single", text="您的教龄", options=["5 年以下", "5 年以上"])
    q = needs.questionnaire_publish(actor=roles.centre, questionnaire=q)
    option = str(logic.questions_of(q)[0].option_list[0].pk)
    for actor in (roles.teacher, roles.other_teacher):
        needs.questionnaire_respond(actor=actor, questionnaire=q, answers={question.pk: option})

    client.force_login(roles.centre)
    page = client.get(reverse("needs:questionnaire", args=[q.pk])).content.decode()
    assert reverse("needs:questionnaire_remind", args=[q.pk]) in page
    with committed():
        response = client.post(reverse("needs:questionnaire_remind", args=[q.pk]))
    assert response.status_code == 302
    assert told(MessageKind.REMINDER) == {"member", "leader", "schooladmin", "otheradmin"}  # asked, not answered
    assert told() == {"member", "leader", "schooladmin", "otheradmin"}  # nobody else
    message = Message.objects.get(recipient=roles.member)
    assert message.title == "请填写问卷：县级培训需求问卷" and message.sender == roles.centre
    assert message.event.action == "questionnaire.remind"
    client.force_login(roles.member)
    assert client.get(message.url).status_code == 200


def test_the_notices_list_counts_the_read_in_one_query_whatever_the_number_of_notices(client, roles, school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with_receipt = _send(roles.school_admin, school=school, title="需回执的通知")
    without = _send(roles.school_admin, school=school, title="不需回执的通知", requires_receipt=False)
    for notice, user in ((with_receipt, roles.teacher), (without, roles.member), (without, roles.leader)):
        message = Message.objects.get(topic=notice.topic, recipient=user)
        services.message_mark_read(actor=user, message=message)  # opened: read without a receipt only
    services.message_confirm_receipt(actor=roles.leader, message=Message.objects.get(topic=with_receipt.topic, recipient=roles.leader))
    counts = {b.pk: b.unread_count for b in broadcasts.with_unread_count(Broadcast.objects.all())}
    assert counts == {with_receipt.pk: 2, without.pk: 1}
    assert counts == {b.pk: broadcasts.unread_messages(b).count() for b in Broadcast.objects.all()}

    client.force_login(roles.school_admin)

    def listing_queries():
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("notify:notices"))
        assert page.status_code == 200
        return len(ctx.captured_queries), page.content.decode()

    few, page = listing_queries()
    assert "1 / 3" in page and "2 / 3" in page
    for n in range(5):
        _send(roles.school_admin, school=school, title=f"又一条通知{n}")
    many, page = listing_queries()
    assert many == few and page.count("0 / 3") == 5
