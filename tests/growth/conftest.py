"""Growth fixtures: a school with a policy, templates adopted from presets, and a record factory."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import translation

YEAR = 2025  # the 2025—2026 school year: term 1 is 2025-09-01..2026-01-31


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def policy(county, roles):
    """The county adopts seed 000's policy (public lessons 2 学时 each, awards 4, mentor pairs 4 a year)."""
    from tests.credits.factories import adopt

    return adopt("000", county, actor=roles.bureau)


def add_record(person, kind: str, date: dt.date, *, accepted: bool = True, school=None, **fields):
    """A record written straight to the table (the services are tested on their own)."""
    from yanxiu.growth.models import GrowthRecord
    from yanxiu.org.selectors import current_school

    defaults = {"title": f"{kind} {date}", "subject": "语文", "level": "school", "observed_name": "王老师"}
    defaults.update(fields)
    return GrowthRecord.objects.create(person=person, school=school or current_school(person), kind=kind, date=date,
                                       status="accepted" if accepted else "submitted", **defaults)


@pytest.fixture
def growth(db, people, roles, school, group):
    """The ``roles`` users plus helpers: ``adopt(preset_key)``, ``record(...)``."""
    from yanxiu.growth import services

    def adopt(key, year=YEAR, term=1):
        return services.template_adopt(actor=roles.school_admin, school=school, preset_key=key, year=year, term=term)

    return SimpleNamespace(roles=roles, adopt=adopt, record=add_record, school=school, group=group, people=people)
