"""Attendance fixtures: published sessions built directly on the training models."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


class Sessions:
    def __init__(self, county, school):
        self.county, self.school = county, school

    def make(self, *, school="default", starts_at=None, ends_at=None, presenter=None, enroll=(), status="published", **fields):
        from yanxiu.training.models import Enrollment, Project, Session

        owner = self.school if school == "default" else school
        project = Project.objects.create(
            owner_school=owner, region=self.county, title="校本研修项目" if owner else "县级培训",
            level="school" if owner else "county", school_year="2026-2027", status="approved",
        )
        now = timezone.now()
        session = Session.objects.create(
            project=project, title=fields.pop("title", "评课专题"),
            starts_at=starts_at or now - dt.timedelta(minutes=5),
            ends_at=ends_at or now + dt.timedelta(minutes=85),
            place="三楼会议室", presenter=presenter, status=status, **fields,
        )
        for user in enroll:
            Enrollment.objects.create(session=session, person=user.person, school=user.person.current_employment.school)
        return session


@pytest.fixture
def sessions(county, school):
    return Sessions(county, school)


def text_of(seed: int, length: int = 320) -> str:
    """Deterministic Chinese-like prose (no shared phrases between seeds)."""
    import random

    rng = random.Random(seed)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    out = []
    for i in range(length):
        out.append(rng.choice(chars))
        if i % 23 == 22:
            out.append("，" if rng.random() < 0.7 else "。")
    return "".join(out)
