"""E-mail and webhook deliveries: chosen per kind, queued by the request, sent by the background
pass against a local SMTP sink and a local HTTP receiver, retried with backoff, never lost."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.notify.receivers import HttpReceiver, SmtpSink, serve
from yanxiu.notify import channels, services
from yanxiu.notify.forms import DEFAULT_BODY
from yanxiu.notify.models import Channel, Delivery, DeliveryPreference, Message, MessageKind
from yanxiu.training import services as training

pytestmark = pytest.mark.django_db

PUBLISHED = MessageKind.SESSION_PUBLISHED


@pytest.fixture
def smtp(settings):
    sink = SmtpSink()
    stop = serve(sink)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.PUBLIC_URL = "http://192.168.1.20:8000"
    yield sink
    stop()


@pytest.fixture
def receiver():
    server = HttpReceiver()
    stop = serve(server)
    yield server
    stop()


@pytest.fixture
def robot(roles, school, receiver):
    return services.channel_save(actor=roles.school_admin, school=school, name="教师群机器人", url=receiver.url,
                                 body_template=DEFAULT_BODY, headers={"X-Token": "abc"})


def choose(user, kind=PUBLISHED, *, email=False, webhook=False):
    services.preferences_save(actor=user, choices={kind: (email, webhook)})


def publish(client, roles, session, committed):
    """Publish through the page, as the school admin does: the request only writes and queues."""
    client.force_login(roles.school_admin)
    with committed():
        response = client.post(reverse("training:session_publish", args=[session.pk]))
    assert response.status_code == 302


def test_email_goes_only_to_who_chose_it_and_only_from_the_background_pass(client, roles, ready_session, smtp, committed):
    roles.teacher.email = "zhang@example.cn"
    roles.teacher.save()
    roles.member.email = "member@example.cn"
    roles.member.save()
    choose(roles.teacher, email=True)
    choose(roles.member, MessageKind.SESSION_CANCELLED, email=True)  # another kind: inbox only for this one
    publish(client, roles, ready_session, committed)
    assert Message.objects.filter(kind=PUBLISHED).count() == 3  # everyone enrolled has it in the inbox
    delivery = Delivery.objects.get()
    assert delivery.message.recipient == roles.teacher and delivery.via == "email" and delivery.status == "queued"
    assert smtp.mails == []  # nothing was sent inside the request
    assert channels.send_due() == {"sent": 1, "retrying": 0, "failed": 0, "skipped": 0}
    sender, rcpts, data = smtp.mails[0]
    assert rcpts == ["zhang@example.cn"]
    text = data.decode()
    assert "Subject: =?utf-8?" in text  # the Chinese title, encoded
    assert f"http://192.168.1.20:8000/training/sessions/{ready_session.pk}/" in text
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 1 and delivery.sent_at is not None
    assert channels.send_due()["sent"] == 0  # never twice


def test_email_without_a_server_or_an_address_is_marked_not_sent(roles, published_session, settings, committed):
    settings.EMAIL_HOST = ""
    choose(roles.teacher, MessageKind.SESSION_CANCELLED, email=True)
    choose(roles.member, MessageKind.SESSION_CANCELLED, email=True)
    roles.member.email = "member@example.cn"
    roles.member.save()
    with committed():
        training.session_cancel(actor=roles.school_admin, session=published_session, reason="停电")
    assert channels.send_due()["skipped"] == 2
    reasons = set(Delivery.objects.values_list("status", "last_error"))
    assert reasons == {("skipped", "未配置邮件服务器（YANXIU_EMAIL_HOST）。")}
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Delivery.objects.update(status="queued")
    channels.send_due()
    assert dict(Delivery.objects.values_list("message__recipient__username", "last_error")) == {
        "teacher": "该账号没有填写邮箱地址。", "member": ""}


def test_a_webhook_posts_once_per_channel_and_a_failing_receiver_loses_nothing(client, roles, ready_session, robot, receiver, committed):
    choose(roles.teacher, webhook=True)
    choose(roles.member, webhook=True)
    receiver.answers = [(500, b"down"), (200, b'{"errcode": 93000, "errmsg": "invalid webhook url"}')]
    publish(client, roles, ready_session, committed)
    delivery = Delivery.objects.get()  # two teachers asked; the group hears the notice once
    assert delivery.channel == robot and delivery.school_id == robot.school_id and receiver.requests == []

    start = timezone.now()
    assert channels.send_due(now=start)["retrying"] == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("queued", 1, "对方返回 HTTP 500。")
    assert delivery.next_attempt_at == pytest.approx(start + dt.timedelta(seconds=60), abs=dt.timedelta(seconds=2))
    assert channels.send_due(now=start + dt.timedelta(seconds=30)) == {"sent": 0, "retrying": 0, "failed": 0, "skipped": 0}
    assert len(receiver.requests) == 1  # not due yet: not tried again

    channels.send_due(now=start + dt.timedelta(seconds=61))  # up, but the robot answers with an error code
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and "93000" in delivery.last_error
    assert delivery.next_attempt_at >= start + dt.timedelta(seconds=61 + 119)  # the wait doubled

    assert channels.send_due(now=start + dt.timedelta(hours=1))["sent"] == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 3 and delivery.last_error == ""
    path, headers, body = receiver.requests[-1]
    assert path == "/robot/send?key=secret-key" and headers["X-Token"] == "abc"
    payload = json.loads(body)
    assert payload["msgtype"] == "text" and payload["text"]["content"].startswith("培训通知：评课专题\n时间：")


def test_after_the_last_attempt_it_is_failed_and_the_retry_button_sends_it(client, roles, published_session, robot, receiver,
                                                                           settings, committed):
    settings.YANXIU_NOTIFY_MAX_ATTEMPTS = 2
    choose(roles.teacher, MessageKind.SESSION_CANCELLED, webhook=True)
    receiver.answers = [(503, b""), (503, b"")]
    with committed():
        training.session_cancel(actor=roles.school_admin, session=published_session, reason="停电")
    far = timezone.now() + dt.timedelta(days=1)
    channels.send_due()
    assert channels.send_due(now=far)["failed"] == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 2 and delivery.next_attempt_at is None
    assert channels.send_due(now=far + dt.timedelta(days=1))["failed"] == 0  # left alone until someone retries

    client.force_login(roles.school_admin)
    log = client.get(reverse("notify:deliveries"))
    assert "对方返回 HTTP 503。" in log.content.decode() and reverse("notify:delivery_retry", args=[delivery.pk]) in log.content.decode()
    with committed():
        assert client.post(reverse("notify:delivery_retry", args=[delivery.pk])).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "queued"
    out = io.StringIO()
    call_command("send_messages", stdout=out)
    assert out.getvalue().strip() == "sent=1 retrying=0 failed=0 skipped=0"
    assert Delivery.objects.get().status == "sent" and len(receiver.requests) == 3


def test_an_unreachable_channel_keeps_the_error(roles, published_session, school, committed):
    channel = services.channel_save(actor=roles.school_admin, school=school, name="坏地址", url="http://127.0.0.1:9/none",
                                    body_template=DEFAULT_BODY)
    choose(roles.teacher, MessageKind.SESSION_CANCELLED, webhook=True)
    with committed():
        training.session_cancel(actor=roles.school_admin, session=published_session, reason="停电")
    assert channels.send_due()["retrying"] == 1
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == "queued" and delivery.last_error.startswith("无法连接推送地址")


def test_the_body_template_escapes_what_it_is_given():
    body = channels.render_body('{"text": {"content": "{title}: {body}"}, "n": 1}', {"title": 'a "b"', "body": "c\\d\n"})
    assert json.loads(body) == {"text": {"content": 'a "b": c\\d\n'}, "n": 1}


def test_a_stale_claim_is_put_back_in_the_queue(roles, published_session, robot, receiver, committed):
    choose(roles.teacher, MessageKind.SESSION_CANCELLED, webhook=True)
    with committed():
        training.session_cancel(actor=roles.school_admin, session=published_session, reason="停电")
    Delivery.objects.update(status="sending", next_attempt_at=timezone.now() + channels.LEASE)  # a worker died mid-send
    assert channels.send_due()["sent"] == 0
    assert channels.send_due(now=timezone.now() + channels.LEASE + dt.timedelta(seconds=1))["sent"] == 1


def test_the_pass_runs_as_a_task_that_queues_its_next_run(roles, published_session, robot, receiver, committed):
    from django_tasks_db.models import DBTaskResult

    from yanxiu.notify import tasks

    choose(roles.teacher, MessageKind.SESSION_CANCELLED, webhook=True)
    with committed():
        training.session_cancel(actor=roles.school_admin, session=published_session, reason="停电")
    queued = DBTaskResult.objects.filter(task_path="yanxiu.notify.tasks.send_messages", status="READY")
    assert queued.count() == 1  # the new delivery asked for a pass
    assert tasks.send_messages.call() == {"sent": 1, "retrying": 0, "failed": 0, "skipped": 0}
    assert queued.count() == 1  # one waiting run, not two
    assert len(receiver.requests) == 1


def test_a_teacher_without_a_schools_channel_posts_nowhere(roles, published_session, robot, committed):
    choose(roles.other_teacher, MessageKind.SESSION_CANCELLED, webhook=True)
    choose(roles.teacher, MessageKind.SESSION_CANCELLED, webhook=False, email=False)
    with committed():
        training.session_cancel(actor=roles.school_admin, session=published_session, reason="停电")
    assert Delivery.objects.count() == 0
    assert DeliveryPreference.objects.filter(user=roles.teacher).count() == 0  # nothing chosen: no row


def test_channel_settings_are_checked(roles, school, school_b, county):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError) as exc:
        services.channel_save(actor=roles.school_admin, school=school, name="群", url="ftp://x", body_template="{")
    assert "JSON" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.channel_save(actor=roles.school_admin, school=school, name="群", url="https://example.cn/hook", body_template='{"a": "{phone}"}')
    assert "{phone}" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.parse_headers("X-Token abc")
    assert "第 1 行" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.channel_save(actor=roles.school_admin, school=school_b, name="群", url="https://example.cn/hook", body_template=DEFAULT_BODY)
    with pytest.raises(PermissionDenied):
        services.channel_save(actor=roles.school_admin, county=county, name="群", url="https://example.cn/hook", body_template=DEFAULT_BODY)
    channel = services.channel_save(actor=roles.centre, county=county, name="县群", url="https://example.cn/hook", body_template=DEFAULT_BODY)
    assert Channel.objects.get().county == county and channel.headers == {}
