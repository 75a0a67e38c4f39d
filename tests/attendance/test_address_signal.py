"""The weaker "same address" signal: several teachers signed in within a minute from one
address with the same browser (a proxy who cleared the device cookie), while a school's
shared Wi-Fi (one address, different phones) is not flagged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from yanxiu.attendance import services, tokens
from yanxiu.attendance.models import Attendance

pytestmark = pytest.mark.django_db

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.49"
ANDROID = "Mozilla/5.0 (Linux; Android 13; V2219A) AppleWebKit/537.36 Chrome/108.0 Mobile Safari/537.36"
HUAWEI = "Mozilla/5.0 (Linux; Android 12; NOH-AN00; HarmonyOS) AppleWebKit/537.36 Chrome/99.0 Mobile Safari/537.36"


@pytest.fixture
def teachers(people, school):
    return [people.teacher(school, username=f"hall{i}") for i in range(4)]


@pytest.fixture
def session(sessions, teachers):
    return sessions.make(enroll=teachers)


def sign(user, session, *, agent, ip="10.0.0.8", seconds=0, device=""):
    return services.attendance_sign_in(
        actor=user, session=session, method="qr", device=device, ip=ip, agent=agent,
        now=session.starts_at + dt.timedelta(seconds=seconds),
    )


def flags(session):
    return list(Attendance.objects.filter(session=session).order_by("signed_in_at").values_list("address_flagged", "device_flagged"))


def test_three_teachers_from_one_address_and_browser_within_a_minute_are_flagged(session, teachers):
    for i, user in enumerate(teachers[:3]):
        sign(user, session, agent=IPHONE, seconds=i * 20, device=f"fresh-cookie-{i}")
    assert flags(session) == [(True, False)] * 3  # not a shared device: each time a new cookie


def test_a_schools_shared_wifi_with_different_phones_is_not_flagged(session, teachers):
    for i, (user, agent) in enumerate(zip(teachers, [IPHONE, ANDROID, HUAWEI, ANDROID + " wv"])):
        sign(user, session, agent=agent, seconds=i * 5)
    assert flags(session) == [(False, False)] * 4


def test_two_teachers_or_a_slow_trickle_are_not_flagged(session, teachers):
    sign(teachers[0], session, agent=IPHONE, seconds=0)
    sign(teachers[1], session, agent=IPHONE, seconds=10)
    assert flags(session) == [(False, False)] * 2
    sign(teachers[2], session, agent=IPHONE, seconds=10 + 61 + 1)  # the first is out of the minute
    assert flags(session) == [(False, False)] * 3
    sign(teachers[3], session, agent=IPHONE, seconds=10 + 61 + 30)  # the second is out of the minute too
    assert [f for f, _d in flags(session)] == [False, False, False, False]


def test_the_sheet_shows_the_address_flag_apart_from_the_device_flag(client, session, teachers, roles):
    for i, user in enumerate(teachers[:3]):
        sign(user, session, agent=IPHONE, seconds=i)
    client.force_login(roles.school_admin)
    html = client.get(reverse("attendance:sheet", args=[session.pk])).content.decode()
    assert 'id="address-flags"' in html and html.count("address-flag\"") == 3
    assert 'id="device-flags"' not in html and "设备存疑" not in html
    api = client.get(f"/api/attendance/sessions/{session.pk}/attendance").json()
    assert sorted((r["address_flagged"], r["device_flagged"]) for r in api if r["signed_in_at"]) == [(True, False)] * 3


def test_the_phone_sign_in_with_a_real_browser_still_reads_four_rows_and_writes_two(client, session, teachers):
    """Same pin as test_views: the address check rides in the enrolment-and-device probe."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(teachers[0])
    url = reverse("attendance:scan", args=[session.pk, tokens.issue(session.pk, "in").token])
    confirm = client.get(url, headers={"User-Agent": IPHONE})["Location"]
    with CaptureQueriesContext(connection) as ctx:
        done = client.post(confirm, {"p": confirm.split("p=", 1)[1]}, headers={"HX-Request": "true", "User-Agent": IPHONE})
    assert "签到成功" in done.content.decode()
    statements = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert [s.split()[0] for s in statements] == ["SELECT"] * 4 + ["INSERT"] * 2, statements
    assert Attendance.objects.get(session=session, person=teachers[0].person).signin_agent == services.agent_key(IPHONE)
