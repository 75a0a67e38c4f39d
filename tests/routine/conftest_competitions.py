"""Competition fixtures: a school competition with a two-item sheet, a panel and entries.

Imported explicitly by the competition test modules (``from .conftest_competitions import *``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

TODAY = dt.date(2026, 5, 20)
DAY = dt.date(2026, 5, 12)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def award_policy(county, roles):
    """The county adopts seed 000's policy (awards 4 学时 each, 8 a year)."""
    from tests.credits.factories import adopt

    return adopt("000", county, actor=roles.bureau)


def make_competition(admin, school, *, items=(("教学设计", "0.40", 40), ("课堂教学", "0.60", 60)), **fields):
    from yanxiu.routine.services import competitions as services

    values = {"name": "青年教师教学比武", "kind": "teaching", "level": "school", "date": DAY,
              "drop_extremes": True, "first_prizes": 1, "second_prizes": 1, "third_prizes": 1}
    values.update(fields)
    competition = services.competition_create(actor=admin, school=school, **values)
    if items:
        services.items_set(actor=admin, competition=competition,
                           items=[{"name": n, "weight": w, "max_score": m} for n, w, m in items])
    return competition


@pytest.fixture
def contest(db, people, roles, school):
    """A competition of ``school`` with judges (``judges``: n staff users) and entrants (``teachers``)."""
    from yanxiu.routine.services import competitions as services

    def build(*, judges=3, teachers=3, **fields):
        competition = make_competition(roles.school_admin, school, **fields)
        judge_users = [people.teacher(school, name=f"评委{n}", username=f"judge{n}") for n in range(1, judges + 1)]
        panel = [services.judge_add(actor=roles.school_admin, competition=competition, user=u) for u in judge_users]
        teacher_users = [people.teacher(school, name=f"选手{n}", username=f"player{n}") for n in range(1, teachers + 1)]
        entries = [services.entry_add(actor=roles.school_admin, competition=competition, person=u.person, lesson=f"课题{n}")
                   for n, u in enumerate(teacher_users, start=1)]
        return SimpleNamespace(competition=competition, judges=panel, judge_users=judge_users, entries=entries,
                               teachers=teacher_users)

    return build


def score_all(c, table, *, judges=None):
    """``table[j][e]`` = (item1, item2) of judge j (of ``judges``, by default every judge) for entry e."""
    from yanxiu.routine.services import competitions as services

    items = list(c.competition.items.order_by("position"))
    for judge_user, row in zip(judges or c.judge_users, table):
        for entry, values in zip(c.entries, row):
            services.score_submit(actor=judge_user, entry=entry,
                                  values={item.pk: Decimal(str(v)) for item, v in zip(items, values)})
