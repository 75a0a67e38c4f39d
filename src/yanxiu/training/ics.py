"""iCalendar (RFC 5545) text for a teacher's sessions, so phones and desktop
calendars can subscribe to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from .models import Session

CRLF = "\r\n"


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (
        (value or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (§3.1)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines start with a space
        if size + width > limit:
            out.append(current)
            current, size = char, width
        else:
            current += char
            size += width
    out.append(current)
    return (CRLF + " ").join(out)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def build_calendar(sessions: Iterable[Session], *, name: str, domain: str = "yanxiu", now: dt.datetime | None = None) -> str:
    stamp = _utc(now or timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Yanxiu//Training//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for session in sessions:
        if not (session.starts_at and session.ends_at):
            continue
        description = []
        if session.content:
            description.append(f"内容：{session.content}")
        if session.presenter_display:
            description.append(f"主讲：{session.presenter_display}")
        if session.theme:
            description.append(f"主题：{session.theme}")
        if session.requirements:
            description.append(f"要求：{session.requirements}")
        description.append(f"学时：{session.hours}")
        lines += [
            "BEGIN:VEVENT",
            f"UID:session-{session.pk}@{domain}",
            # Bumped on every change of a published session's time or place, so calendars replace the event.
            f"SEQUENCE:{session.ics_sequence}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(session.starts_at)}",
            f"DTEND:{_utc(session.ends_at)}",
            f"SUMMARY:{escape_text(session.title)}",
            f"LOCATION:{escape_text(session.place)}",
            f"DESCRIPTION:{escape_text(chr(10).join(description))}",
            f"STATUS:{'CANCELLED' if session.status == Session.Status.CANCELLED else 'CONFIRMED'}",
            f"LAST-MODIFIED:{_utc(session.updated_at)}" if session.updated_at else f"LAST-MODIFIED:{stamp}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return CRLF.join(fold(line) for line in lines) + CRLF
