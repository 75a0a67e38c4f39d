"""The .ics feed: RFC 5545 line endings, escaping, folding, one event per session."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from yanxiu.training import ics, services
from yanxiu.training.models import Session

from .conftest import at

pytestmark = pytest.mark.django_db


def unfold(text: str) -> list[str]:
    assert "\n" not in text.replace("\r\n", "")  # only CRLF line breaks
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def parse_events(text: str) -> list[dict[str, str]]:
    events, current = [], None
    for line in unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return events


def test_text_values_are_escaped():
    assert ics.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_long_lines_fold_at_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "研修" * 60
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert folded.replace("\r\n ", "") == line


def test_calendar_has_one_event_per_session_with_utc_times(roles, published_session):
    services.session_update(actor=roles.school_admin, session=published_session, place="会议室, 三楼; 东侧",
                            content="观课议课\n" + "要点" * 50)
    published_session.refresh_from_db()
    text = ics.build_calendar([published_session], name="张老师 · 培训日程", now=at(0, 8, 0))
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR" and "VERSION:2.0" in lines
    assert all(len(raw.encode("utf-8")) <= 75 for raw in text.split("\r\n"))
    (event,) = parse_events(text)
    assert event["UID"] == f"session-{published_session.pk}@yanxiu"
    start = dt.datetime.strptime(event["DTSTART"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
    assert start == published_session.starts_at
    assert timezone.localtime(start).strftime("%H:%M") == "15:10"
    assert event["LOCATION"] == "会议室\\, 三楼\\; 东侧"
    assert event["DESCRIPTION"].startswith("内容：观课议课\\n要点") and "主讲：王教授" in event["DESCRIPTION"]
    assert event["STATUS"] == "CONFIRMED"


def test_cancelled_sessions_are_marked_cancelled_and_undated_drafts_skipped(roles, published_session, school_project):
    services.session_cancel(actor=roles.school_admin, session=published_session, reason="改期")
    published_session.refresh_from_db()
    undated = services.session_create(actor=roles.school_admin, project=school_project, title="未定时间")
    events = parse_events(ics.build_calendar([published_session, undated], name="x"))
    assert [e["STATUS"] for e in events] == ["CANCELLED"]
    assert Session.objects.filter(pk=undated.pk).exists()
