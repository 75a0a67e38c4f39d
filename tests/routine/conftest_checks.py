"""Fixtures of the teaching-routine check tests (imported explicitly by tests/routine/test_checks*.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
#: A day inside term 1 of school year 2025 (1 September 2025 – 31 January 2026 by default).
IN_TERM = dt.date(2025, 10, 13)


def png(name="check.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name="record.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fake_png(name="page.png"):
    return SimpleUploadedFile(name, b"<html><script>alert(1)</script></html>", content_type="image/png")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def principal(people, school):
    """The school's principal: a leader who records checks, with an account."""
    return people.teacher(school, username="principal", name="王校长", position="principal")


@pytest.fixture
def kinds(school):
    from yanxiu.routine.services.checks import check_kinds_ensure

    return {k.name: k for k in check_kinds_ensure(school)}


def finding(user, grade="good", class_name="", comment=""):
    return {"person": user.person, "class_name": class_name, "grade": grade, "comment": comment}
