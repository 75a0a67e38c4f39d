"""Writes to policies: every save is a new version; presets are loaded as data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from yanxiu.org import scopes
from yanxiu.core import audit
from yanxiu.core.events import Event

from .models import ActivityCap, ActivityType, CategoryRule, CreditKind, KindRule, Policy
from .presets import PRESETS

SCALAR_FIELDS = (
    "name", "source", "year_start_month", "year_start_day", "unit", "total_min", "cycle_years", "cycle_min",
    "cycle_start_year", "minutes_per_hour", "max_hours_per_day", "min_reflection_chars", "excluded_activities",
    "long_cycle_exempts_school_based", "age_opt_out_age", "below_min_blocks_excellent", "unexcused_absence_fails", "note",
)


def can_edit_policy(user, region) -> bool:
    """The bureau and the training centre set the requirements of their region."""
    s = scopes.scope_of(user)
    return s.superuser or (region is not None and region.pk in s.region_counties)


def policy_as_data(policy: Policy) -> dict[str, Any]:
    data = {name: getattr(policy, name) for name in SCALAR_FIELDS}
    data["kind_rules"] = [(k.kind, k.min_amount, k.credits_per_hour) for k in policy.kind_rules.all()]
    data["category_rules"] = [(c.category, c.min_amount, c.compulsory) for c in policy.category_rules.all()]
    data["activity_caps"] = [(a.activity_type, a.amount_per_item, a.max_per_year, a.kind) for a in policy.activity_caps.all()]
    return data


def validate_children(data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    seen = set()
    for kind, minimum, rate in data.get("kind_rules", []):
        if kind not in CreditKind.values:
            errors["kind_rules"] = _("未知的培训类别“%(kind)s”。") % {"kind": kind}
        elif kind in seen:
            errors["kind_rules"] = _("培训类别“%(kind)s”重复。") % {"kind": CreditKind(kind).label}
        elif Decimal(minimum) < 0 or Decimal(rate) <= 0:
            errors["kind_rules"] = _("“%(kind)s”的下限不能为负，折算系数必须大于 0。") % {"kind": CreditKind(kind).label}
        seen.add(kind)
    kinds_total = sum((Decimal(m) for _k, m, _r in data.get("kind_rules", [])), Decimal("0"))
    if kinds_total > Decimal(data.get("total_min") or 0) and Decimal(data.get("total_min") or 0) > 0:
        errors["total_min"] = _("各类别下限之和（%(sum)s）超过了总量下限。") % {"sum": kinds_total}
    names = [c for c, _m, _s in data.get("category_rules", [])]
    if len(names) != len(set(names)):
        errors["category_rules"] = _("内容类别有重复。")
    for activity_type, per_item, per_year, kind in data.get("activity_caps", []):
        if activity_type not in ActivityType.values:
            errors["activity_caps"] = _("未知的活动类型“%(type)s”。") % {"type": activity_type}
        elif Decimal(per_item) <= 0 or Decimal(per_year) < Decimal(per_item):
            errors["activity_caps"] = _("“%(type)s”每项学时须大于 0，且不超过每学年上限。") % {"type": ActivityType(activity_type).label}
    return errors


def _write(*, actor, region, preset_key: str, valid_from_year: int, version: int, data: dict[str, Any], change_reason: str) -> Policy:
    policy = Policy(region=region, preset_key=preset_key, valid_from_year=valid_from_year, version=version,
                    change_reason=change_reason, created_by=actor if getattr(actor, "pk", None) else None)
    for name in SCALAR_FIELDS:
        if name in data:
            setattr(policy, name, data[name])
    errors = validate_children(data)
    try:
        policy.full_clean()
    except ValidationError as exc:
        errors = {**{k: v[0] for k, v in exc.message_dict.items()}, **errors}
    if errors:
        raise ValidationError(errors)
    policy.save()
    KindRule.objects.bulk_create(KindRule(policy=policy, kind=k, min_amount=m, credits_per_hour=r) for k, m, r in data.get("kind_rules", []))
    CategoryRule.objects.bulk_create(CategoryRule(policy=policy, category=c, min_amount=m, compulsory=s) for c, m, s in data.get("category_rules", []))
    ActivityCap.objects.bulk_create(
        ActivityCap(policy=policy, activity_type=t, amount_per_item=i, max_per_year=y, kind=k) for t, i, y, k in data.get("activity_caps", [])
    )
    return policy


@transaction.atomic
def policy_save(*, actor, region, valid_from_year: int, data: dict[str, Any], change_reason: str = "") -> Policy:
    """Write a new version of the policy of ``region`` from ``valid_from_year`` on."""
    scopes.require(can_edit_policy(actor, region), _("只有教育局或教师发展中心可以制定本区域的学时政策。"))
    # Lock the versions of this policy so two editors get consecutive numbers.
    current = (
        Policy.objects.select_for_update().filter(region=region, valid_from_year=valid_from_year).aggregate(v=Max("version"))["v"] or 0
    )
    policy = _write(actor=actor, region=region, preset_key=data.get("preset_key", ""), valid_from_year=valid_from_year,
                    version=current + 1, data=data, change_reason=change_reason)
    audit.record(actor=actor, event=Event.POLICY_SAVE, target=policy, county=region, region=region.code, year=valid_from_year,
                 version=policy.version, reason=change_reason)
    return policy


@transaction.atomic
def policy_adopt_preset(*, actor, preset: Policy, region, valid_from_year: int) -> Policy:
    data = policy_as_data(preset)
    data["preset_key"] = preset.preset_key
    return policy_save(actor=actor, region=region, valid_from_year=valid_from_year, data=data,
                       change_reason=_("采用预设 %(key)s") % {"key": preset.preset_key})


@transaction.atomic
def load_policy_presets(*, actor=None) -> list[Policy]:
    """Write each preset unless its latest version already holds the same data."""
    written = []
    for preset in PRESETS:
        data = {k: v for k, v in preset.items() if k != "preset_key"}
        data.setdefault("valid_from_year", 2000)
        latest = Policy.objects.filter(region__isnull=True, preset_key=preset["preset_key"]).order_by("-version").first()
        if latest is not None and _same(policy_as_data(latest), data):
            continue
        policy = _write(actor=actor, region=None, preset_key=preset["preset_key"], valid_from_year=data.pop("valid_from_year"),
                        version=(latest.version + 1) if latest else 1, data=data, change_reason=_("预设"))
        audit.record(actor=actor, event=Event.POLICY_PRESET, target=policy, key=policy.preset_key)
        written.append(policy)
    return written


def _same(current: dict, wanted: dict) -> bool:
    for key, value in wanted.items():
        if key == "valid_from_year":
            continue
        have = current.get(key)
        if isinstance(value, list) and value and isinstance(value[0], tuple):
            if sorted(map(lambda t: tuple(str(x) for x in t), have or [])) != sorted(map(lambda t: tuple(str(x) for x in t), value)):
                return False
        elif str(have) != str(value):
            return False
    return True
