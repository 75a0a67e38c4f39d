"""The inbox, the unread count, preferences, channel settings and the delivery log: who sees what."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yanxiu.notify import services
from yanxiu.notify.forms import DEFAULT_BODY
from yanxiu.notify.models import Channel, Delivery, DeliveryPreference, Message, MessageKind

pytestmark = pytest.mark.django_db


def message(user, title, *, read=False, kind=MessageKind.SESSION_PUBLISHED, url="/training/"):
    return Message.objects.create(recipient=user, kind=kind, title=title, body="内容", url=url,
                                  read_at=timezone.now() if read else None)


def test_the_inbox_shows_own_messages_unread_first_and_the_count_in_the_navbar(client, roles):
    old = message(roles.teacher, "已读的旧消息", read=True)
    message(roles.teacher, "未读消息甲")
    message(roles.teacher, "未读消息乙")
    message(roles.member, "别人的消息")
    client.force_login(roles.teacher)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("notify:inbox"))
    html = page.content.decode()
    assert page.status_code == 200 and "别人的消息" not in html
    assert html.index("未读消息乙") < html.index("未读消息甲") < html.index("已读的旧消息")
    # The navbar's count is loaded after the page renders: no page pays a query for it.
    assert f'hx-get="{reverse("notify:unread_badge")}" hx-trigger="load"' in html
    unread = [q["sql"] for q in queries.captured_queries if "notify_message" in q["sql"] and "read_at\" IS NULL" in q["sql"]
              and "COUNT" in q["sql"].upper()]
    assert unread == []
    with CaptureQueriesContext(connection) as queries:
        badge = client.get(reverse("notify:unread_badge")).content.decode()
    assert 'title="未读消息">2</span>' in badge
    assert sum(1 for q in queries.captured_queries if "notify_message" in q["sql"]) == 1
    partial = client.get(reverse("notify:inbox"), HTTP_HX_REQUEST="true").content.decode()
    assert partial.strip().startswith('<div id="list-table">') and 'class="navbar' not in partial and "未读消息甲" in partial
    assert old.read_at is not None


def test_opening_a_message_marks_it_read_and_nobody_else_can_open_it(client, roles):
    mine = message(roles.teacher, "活动通知", url="/training/")
    client.force_login(roles.member)
    assert client.get(reverse("notify:message", args=[mine.pk])).status_code == 404
    client.force_login(roles.school_admin)
    assert client.get(reverse("notify:message", args=[mine.pk])).status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None
    client.force_login(roles.teacher)
    page = client.get(reverse("notify:message", args=[mine.pk]))
    assert page.status_code == 200 and 'href="/training/"' in page.content.decode()
    mine.refresh_from_db()
    first = mine.read_at
    assert first is not None
    client.get(reverse("notify:message", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.read_at == first  # the first reading is kept
    assert 'title="未读消息"' not in client.get(reverse("notify:unread_badge")).content.decode()


def test_mark_all_read_touches_only_own_messages(client, roles):
    message(roles.teacher, "甲")
    message(roles.teacher, "乙")
    theirs = message(roles.member, "丙")
    client.force_login(roles.teacher)
    assert client.get(reverse("notify:read_all")).status_code == 405
    assert client.post(reverse("notify:read_all")).status_code == 302
    assert not Message.objects.filter(recipient=roles.teacher, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_are_saved_per_kind(client, roles):
    client.force_login(roles.teacher)
    assert client.get(reverse("notify:preferences")).status_code == 200
    response = client.post(reverse("notify:preferences"), {"session_changed__email": "on", "notice__webhook": "on",
                                                           "leave_decided__webhook": "on"})
    assert response.status_code == 302
    # A personal kind has no work-group box: a forged one is ignored.
    assert set(DeliveryPreference.objects.filter(user=roles.teacher).values_list("kind", "email", "webhook")) == {
        ("session_changed", True, False), ("notice", False, True)}
    page = client.get(reverse("notify:preferences")).content.decode()
    assert 'name="session_changed__email" id="id_session_changed__email" checked' in page
    client.post(reverse("notify:preferences"), {})
    assert not DeliveryPreference.objects.filter(user=roles.teacher).exists()


@pytest.fixture
def channel(roles, school):
    return services.channel_save(actor=roles.school_admin, school=school, name="本校教师群", url="https://qyapi.example.cn/send?key=k1",
                                 body_template=DEFAULT_BODY, headers={"Authorization": "Bearer t0ken"})


def test_channel_pages_belong_to_the_school_admin_and_the_region_staff(client, roles, school, county, channel):
    for user in (roles.teacher, roles.leader, roles.presenter):
        client.force_login(user)
        assert client.get(reverse("notify:channels")).status_code == 403
        assert client.get(reverse("notify:deliveries")).status_code == 403
        assert "推送渠道" not in client.get(reverse("notify:inbox")).content.decode()
    client.force_login(roles.other_admin)
    assert "本校教师群" not in client.get(reverse("notify:channels")).content.decode()
    assert client.get(reverse("notify:channel_edit", args=[channel.pk])).status_code == 404
    assert client.post(reverse("notify:channel_delete", args=[channel.pk])).status_code == 404
    client.force_login(roles.far_bureau)
    assert client.get(reverse("notify:channel_edit", args=[channel.pk])).status_code == 404

    client.force_login(roles.school_admin)
    page = client.get(reverse("notify:channels")).content.decode()
    assert "本校教师群" in page and "https://qyapi.example.cn/send?…" in page
    assert "k1" not in page and "t0ken" not in page  # the robot key and the token are never shown back
    edit = client.get(reverse("notify:channel_edit", args=[channel.pk])).content.decode()
    assert "Authorization" in edit and "t0ken" not in edit
    response = client.post(reverse("notify:channel_edit", args=[channel.pk]), {
        "name": "教师群", "url": channel.url, "body_template": DEFAULT_BODY, "headers": "", "enabled": "on"})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "教师群" and channel.headers == {"Authorization": "Bearer t0ken"}  # blank keeps them
    bad = client.post(reverse("notify:channel_edit", args=[channel.pk]), {
        "name": "教师群", "url": channel.url, "body_template": '{"text": "{name}"}', "headers": ""})
    assert bad.status_code == 400 and "未知的占位符" in bad.content.decode()

    client.force_login(roles.centre)
    form = client.get(reverse("notify:channel_create")).content.decode()
    assert f'value="county:{county.pk}"' in form and f'value="school:{school.pk}"' not in form
    response = client.post(reverse("notify:channel_create"), {
        "owner": f"county:{county.pk}", "name": "县研训群", "url": "https://oapi.example.cn/robot/send", "body_template": DEFAULT_BODY,
        "headers": "X-Sign: s1", "enabled": "on"})
    assert response.status_code == 302
    assert Channel.objects.get(county=county).headers == {"X-Sign": "s1"}
    refused = client.post(reverse("notify:channel_create"), {
        "owner": f"school:{roles.other_admin.roles.get().school_id}", "name": "x", "url": "https://a.cn", "body_template": DEFAULT_BODY})
    assert refused.status_code == 400  # not a choice the centre has
    # A school's channel is its admins' own: the county's staff run the county's channels only.
    assert client.post(reverse("notify:channel_delete", args=[channel.pk])).status_code == 404
    client.force_login(roles.school_admin)
    assert client.post(reverse("notify:channel_delete", args=[channel.pk])).status_code == 302
    assert not Channel.objects.filter(pk=channel.pk).exists()


def test_the_delivery_log_is_scoped_and_retry_is_refused_outside_it(client, roles, channel):
    mine = Delivery.objects.create(message=message(roles.teacher, "给张老师"), via="email", school_id=channel.school_id,
                                   county_id=channel.school.county_id, status="failed", attempts=6, last_error="连接超时")
    client.force_login(roles.other_admin)
    assert "给张老师" not in client.get(reverse("notify:deliveries")).content.decode()
    assert client.post(reverse("notify:delivery_retry", args=[mine.pk])).status_code == 404
    client.force_login(roles.far_bureau)
    assert "给张老师" not in client.get(reverse("notify:deliveries")).content.decode()
    client.force_login(roles.bureau)
    page = client.get(reverse("notify:deliveries"), {"status": "failed"}).content.decode()
    assert "给张老师" in page and "连接超时" in page and "zhang" not in page
    assert "给张老师" not in client.get(reverse("notify:deliveries"), {"status": "sent"}).content.decode()
    client.force_login(roles.school_admin)
    assert client.post(reverse("notify:delivery_retry", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.status == "queued"
    client.post(reverse("notify:delivery_retry", args=[mine.pk]))  # queued already: refused with a message, unchanged
    mine.refresh_from_db()
    assert mine.status == "queued"


def test_the_retry_and_channel_changes_are_audited(roles, channel):
    from yanxiu.core.models import AuditEvent

    rows = AuditEvent.objects.filter(action="notify.channel_save", target_id=str(channel.pk))
    assert rows.get().school_id == channel.school_id and rows.get().county_id == channel.school.county_id
    assert "t0ken" not in str(rows.get().detail)


@pytest.mark.parametrize("value", [str(10**30), "-1", "abc", "\x00", "9" * 5000, "9223372036854775808", "１２３"])
def test_hostile_query_values_never_break_the_pages(client, roles, channel, value):
    message(roles.school_admin, "消息")
    client.force_login(roles.school_admin)
    for name in ("notify:inbox", "notify:channels", "notify:deliveries", "notify:preferences", "notify:channel_create"):
        for param in ("page", "q", "status", "sort", "school", "county"):
            response = client.get(reverse(name), {param: value})
            assert response.status_code in (200, 400), (name, param, response.status_code)



def test_an_id_out_of_range_is_a_404(client, roles):
    client.force_login(roles.school_admin)
    for url in (f"/notify/{10**30}/", "/notify/9223372036854775808/", f"/notify/channels/{10**30}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/notify/deliveries/{10**30}/retry/").status_code == 404


def test_deleting_a_channel_keeps_its_deliveries_in_the_log(client, roles, channel):
    from yanxiu.notify import channels

    delivery = Delivery.objects.create(message=message(roles.teacher, "推送"), channel=channel, via="webhook",
                                       school_id=channel.school_id, county_id=channel.school.county_id)
    services.channel_delete(actor=roles.school_admin, channel=channel)
    delivery.refresh_from_db()
    assert delivery.channel is None and delivery.status == "queued"
    assert channels.send_due()["skipped"] == 1
    client.force_login(roles.school_admin)
    assert "（已删除的渠道）" in client.get(reverse("notify:deliveries")).content.decode()
