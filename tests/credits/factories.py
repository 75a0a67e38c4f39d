"""Helpers shared by the policy and credits tests."""

from __future__ import annotations

from decimal import Decimal

from yanxiu.credits.ledger import credit_record
from yanxiu.credits.models import SourceType
from yanxiu.policy.models import Policy
from yanxiu.policy.services import policy_adopt_preset

YEAR = 2025


def adopt(preset_key: str, county, *, actor=None, year: int = 2020):
    from yanxiu.accounts.models import User

    actor = actor or User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("root", password="x")
    if not Policy.objects.filter(region__isnull=True, preset_key=preset_key).exists():
        # Transactional (browser) tests flush the database, data migrations included.
        from yanxiu.policy.services import load_policy_presets

        load_policy_presets()
    preset = Policy.objects.get(region__isnull=True, preset_key=preset_key)
    return policy_adopt_preset(actor=actor, preset=preset, region=county, valid_from_year=year)


def credit(person, hours, *, kind="school_based", year=YEAR, school=None, category="", long_cycle=False, title="校本研修活动", key=""):
    school = school or person.employments.current().get().school
    return credit_record(
        actor=None, person=person, school=school, school_year=year, kind=kind, category=category, title=title,
        hours=Decimal(str(hours)), source_type=SourceType.ACTIVITY, long_cycle=long_cycle, source_key=key,
        evidence={"activity_id": 1, "proof": "测试证明"},
    )
