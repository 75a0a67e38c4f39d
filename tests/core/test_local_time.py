"""All times are Beijing time: a session at 13:26 reads 13:26 on pages, in exports, the calendar and the API."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.attendance.conftest import Sessions

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def session(county, school, roles):
    today = timezone.localdate()
    starts = dt.datetime.combine(today, dt.time(13, 26), tzinfo=SHANGHAI)
    return Sessions(county, school).make(enroll=[roles.teacher], presenter=roles.leader.person,
                                         starts_at=starts, ends_at=starts + dt.timedelta(minutes=90))


def test_the_server_runs_on_beijing_time(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ


def test_code_entry_page_shows_the_local_start_time(client, session, roles):
    client.force_login(roles.teacher)
    html = client.get(reverse("attendance:code")).content.decode()
    assert "13:26–14:56" in html and "05:26" not in html


def test_sign_in_sheet_shows_the_local_start_time(client, session, roles):
    client.force_login(roles.school_admin)
    response = client.get(reverse("attendance:export", args=[session.pk]))
    cells = [str(c) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in row if c]
    assert any("13:26" in c for c in cells) and not any("05:26" in c for c in cells)


def test_calendar_feed_gives_the_instant_in_utc(client, session, roles):
    from yanxiu.training import services

    feed = services.calendar_feed_for(roles.teacher.person)
    text = client.get(reverse("training:calendar_feed", args=[feed.token])).content.decode()
    day = timezone.localdate()
    assert f"DTSTART:{day:%Y%m%d}T052600Z" in text  # 13:26 in Shanghai is 05:26 UTC, marked Z


def test_api_gives_times_with_the_beijing_offset(client, session, roles):
    client.force_login(roles.school_admin)
    data = client.get(f"/api/training/sessions/{session.pk}").json()
    assert data["starts_at"] == f"{timezone.localdate():%Y-%m-%d}T13:26:00+08:00"
    assert dt.datetime.fromisoformat(data["starts_at"]) == session.starts_at
