"""Nothing personal reaches a group chat: only the kinds meant for the whole school go to a webhook."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.notify.conftest import at
from tests.notify.receivers import HttpReceiver, serve
from yanxiu.notify import channels, services
from yanxiu.notify.forms import DEFAULT_BODY, PreferencesForm
from yanxiu.notify.models import GROUP_KINDS, Broadcast, Delivery, DeliveryPreference, Message, MessageKind
from yanxiu.training import services as training

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    server = HttpReceiver()
    stop = serve(server)
    yield server
    stop()


def test_the_group_kinds_are_those_for_everyone():
    assert GROUP_KINDS == {"session_published", "session_changed", "session_cancelled", "notice", "survey_opened"}


def test_a_leave_to_decide_never_reaches_the_webhook_even_with_an_old_preference(roles, school, county, bureau_session,
                                                                                  receiver, committed):
    services.channel_save(actor=roles.school_admin, school=school, name="校群", url=receiver.url, body_template=DEFAULT_BODY)
    services.channel_save(actor=roles.centre, county=county, name="县群", url=receiver.url, body_template=DEFAULT_BODY)
    for user in (roles.school_admin, roles.bureau):  # rows written before webhooks were limited
        DeliveryPreference.objects.create(user=user, kind=MessageKind.LEAVE_TO_DECIDE, email=True, webhook=True)
    quota = training.quota_allocate(actor=roles.bureau, project=bureau_session.project, school=school, places=3, deadline=at(4))
    training.quota_name(actor=roles.school_admin, quota=quota, people=[roles.teacher.person])
    with committed():
        training.leave_request_create(actor=roles.teacher, session=bureau_session, leave_type="official", reason="外出监考")
    message = Message.objects.get(kind=MessageKind.LEAVE_TO_DECIDE)
    assert message.recipient == roles.school_admin
    assert list(Delivery.objects.values_list("message_id", "via")) == [(message.pk, "email")]  # the e-mail, no post
    channels.send_due()
    assert receiver.requests == []


def test_a_notice_still_reaches_the_webhook(roles, school, receiver, committed):
    services.channel_save(actor=roles.school_admin, school=school, name="校群", url=receiver.url, body_template=DEFAULT_BODY)
    services.preferences_save(actor=roles.teacher, choices={MessageKind.NOTICE: (False, True)})
    with committed():
        services.notice_send(actor=roles.school_admin, school=school, title="教研通知", body="周三下午教研",
                             audience=Broadcast.Audience.SCHOOL_TEACHERS)
    assert Delivery.objects.filter(via="webhook").count() == 1
    assert channels.send_due()["sent"] == 1 and len(receiver.requests) == 1


def test_a_personal_kind_keeps_no_webhook_choice(client, roles):
    count = services.preferences_save(actor=roles.teacher, choices={MessageKind.LEAVE_DECIDED: (False, True),
                                                                    MessageKind.GROWTH_REVIEWED: (True, True),
                                                                    MessageKind.SESSION_CHANGED: (False, True)})
    assert count == 2
    assert set(DeliveryPreference.objects.filter(user=roles.teacher).values_list("kind", "email", "webhook")) == {
        ("growth_reviewed", True, False), ("session_changed", False, True)}

    form = PreferencesForm()
    assert "leave_to_decide__webhook" not in form.fields and "leave_to_decide__email" in form.fields
    assert {name.split("__")[0] for name in form.fields if name.endswith("__webhook")} == set(GROUP_KINDS)

    client.force_login(roles.teacher)
    page = client.get(reverse("notify:preferences")).content.decode()
    assert 'name="leave_decided__webhook"' not in page and 'name="leave_decided__email"' in page
    assert 'name="session_changed__webhook" id="id_session_changed__webhook" checked' in page
