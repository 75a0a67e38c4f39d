"""Terms, tiers and titles: the school calendar, the tier rule, each teacher's
tier per school year (with history) and the titles teachers are selected for."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.org import scopes
from yanxiu.org.choices import Tier
from yanxiu.org.models import Employment

from .. import access, calendar
from ..choices import HonourStatus, TierBasis, TierSource
from ..models import HonourReview, HonourTitle, SchoolTerm, TierAssignment, TierRule
from ._common import current_school_of

GROWTH_TIERS = (Tier.YOUNG, Tier.MATURE, Tier.BACKBONE)


def _require_manager(actor, school) -> None:
    scopes.require(access.can_manage(actor, school), _("只有本校管理员可以执行此操作。"))


@transaction.atomic
def terms_set(*, actor, school, school_year: int, spans: list[tuple[dt.date, dt.date]]) -> list[SchoolTerm]:
    """Set the dates of both terms of ``school_year`` for the school."""
    _require_manager(actor, school)
    calendar.check_year(school_year)
    if len(spans) != 2:
        raise ValidationError(_("须填写两个学期的起止日期。"))
    (s1, e1), (s2, e2) = spans
    if not (s1 < e1 < s2 < e2):
        raise ValidationError(_("学期日期须依次为：第一学期开始 < 第一学期结束 < 第二学期开始 < 第二学期结束。"))
    if s1 < dt.date(school_year, 7, 1) or e2 > dt.date(school_year + 1, 8, 31):
        raise ValidationError(
            _("学期日期须在 %(a)s 年 7 月 1 日到 %(b)s 年 8 月 31 日之间。") % {"a": school_year, "b": school_year + 1}
        )
    rows = []
    for number, (start, end) in enumerate(spans, start=1):
        row, _created = SchoolTerm.objects.update_or_create(
            school=school, school_year=school_year, number=number, defaults={"start": start, "end": end}
        )
        rows.append(row)
    audit.record(actor=actor, event=Event.GROWTH_TERMS_SET, target=school, school=school, year=school_year,
                 terms=[[str(s), str(e)] for s, e in spans])
    return rows


@transaction.atomic
def tier_rule_set(*, actor, school, basis: str, young_below_years: int = 5, backbone_until_years: int = 15,
                  young_max_age: int = 35) -> TierRule:
    _require_manager(actor, school)
    if basis not in TierBasis.values:
        raise ValidationError({"basis": _("未知的划分依据“%(b)s”。") % {"b": basis}})
    rule, _created = TierRule.objects.get_or_create(school=school)
    rule.basis, rule.young_below_years, rule.backbone_until_years = basis, young_below_years, backbone_until_years
    rule.young_max_age = young_max_age
    rule.updated_by = actor if getattr(actor, "pk", None) else None
    rule.full_clean()
    if rule.backbone_until_years < rule.young_below_years:
        raise ValidationError({"backbone_until_years": _("骨干培养对象的教龄上限不能小于青年教师的教龄上限。")})
    rule.save()
    audit.record(actor=actor, event=Event.GROWTH_TIER_RULE_SET, target=rule, school=school, basis=basis)
    return rule


def _years_between(since: dt.date, day: dt.date) -> int:
    return day.year - since.year - ((day.month, day.day) < (since.month, since.day))


def tier_by_rule(rule: TierRule, employment: Employment, on: dt.date) -> str:
    """The tier the school's rule gives a teacher on ``on`` (the first day of the school year).

    By teaching age (001 篇4): under ``young_below_years`` 青年, up to
    ``backbone_until_years`` 骨干 (candidates), beyond 成熟. By age (001 篇1):
    up to ``young_max_age`` 青年, beyond 成熟. ``""`` when the rule is manual."""
    if rule.basis == TierBasis.TEACHING_AGE:
        years = _years_between(employment.teaching_since, on)
        if years < rule.young_below_years:
            return Tier.YOUNG
        return Tier.BACKBONE if years <= rule.backbone_until_years else Tier.MATURE
    if rule.basis == TierBasis.AGE:
        return Tier.YOUNG if _years_between(employment.person.birth_date, on) <= rule.young_max_age else Tier.MATURE
    return ""


def _current_year(school) -> int:
    return calendar.school_year_of(school, timezone.localdate())


def _latest_years(person_ids) -> dict[int, int]:
    """The latest school year each person holds a tier for, in one query."""
    rows = TierAssignment.objects.filter(person_id__in=person_ids).values("person_id").annotate(latest=Max("school_year"))
    return {r["person_id"]: r["latest"] for r in rows}


def _in_force(year: int, *, current_year: int, latest_year: int | None) -> bool:
    """A tier written for ``year`` is the one in force when no later year holds one and the year has begun."""
    return year <= current_year and (latest_year is None or year >= latest_year)


def _write_tier(*, actor, employment: Employment, year: int, tier: str, source: str, current_year: int, reason: str = "") -> TierAssignment:
    latest_year = _latest_years([employment.person_id]).get(employment.person_id)
    row = TierAssignment.objects.create(
        person_id=employment.person_id, school_id=employment.school_id, school_year=year, tier=tier, source=source,
        reason=reason[:200], created_by=actor if getattr(actor, "pk", None) else None,
    )
    if employment.is_current and employment.tier != tier and _in_force(year, current_year=current_year, latest_year=latest_year):
        # The staff list and the person page read the tier in force (this school year's) from the employment.
        Employment.objects.filter(pk=employment.pk).update(tier=tier)
        employment.tier = tier
    return row


@transaction.atomic
def tier_assign(*, actor, person, school_year: int, tier: str, reason: str) -> TierAssignment:
    """Set a teacher's tier for a school year by hand; the history keeps the earlier rows."""
    school = current_school_of(person)
    _require_manager(actor, school)
    calendar.check_year(school_year)
    if tier not in Tier.values:
        raise ValidationError({"tier": _("未知的梯队“%(t)s”。") % {"t": tier}})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("手工指定梯队时须说明理由。")})
    employment = Employment.objects.current().select_related("person").get(person=person)
    row = _write_tier(actor=actor, employment=employment, year=school_year, tier=tier, source=TierSource.MANUAL, reason=reason.strip(),
                      current_year=_current_year(school))
    audit.record(actor=actor, event=Event.GROWTH_TIER_ASSIGN, target=person, school=school, year=school_year, tier=tier)
    return row


@transaction.atomic
def tiers_recompute(*, actor, school, school_year: int, force: bool = False) -> int:
    """Assign every current teacher's tier for ``school_year`` by the school's rule.

    Run at the start of each school year (the daily job) and on demand. A
    teacher already holding a tier that year keeps it unless ``force``; a
    hand-set tier is never overwritten. Under a manual rule, last year's tier
    is carried over. Returns the number of rows written."""
    if actor is not None:
        _require_manager(actor, school)
    calendar.check_year(school_year)
    rule = TierRule.objects.filter(school=school).first() or TierRule(school=school)
    first_day = calendar.term(school, school_year, 1).start
    employments = list(Employment.objects.current().filter(school=school).select_related("person"))
    ids = [e.person_id for e in employments]
    this_year: dict[int, TierAssignment] = {}
    for row in TierAssignment.objects.filter(person_id__in=ids, school_year=school_year).order_by("-id"):
        this_year.setdefault(row.person_id, row)
    last_year: dict[int, str] = {}
    for person_id, tier in TierAssignment.objects.filter(person_id__in=ids, school_year=school_year - 1).order_by("-id").values_list("person_id", "tier"):
        last_year.setdefault(person_id, tier)
    current_year, latest = _current_year(school), _latest_years(ids)
    created_by = actor if getattr(actor, "pk", None) else None
    rows: list[TierAssignment] = []
    mirror: dict[str, list[int]] = {}  # tier → employments whose tier in force it becomes
    for employment in employments:
        held = this_year.get(employment.person_id)
        if held is not None and (held.source == TierSource.MANUAL or not force):
            continue
        tier = tier_by_rule(rule, employment, first_day)
        source = TierSource.RULE
        if not tier:
            tier, source = last_year.get(employment.person_id) or employment.tier, TierSource.CARRIED
        if not tier or (held is not None and held.tier == tier):
            continue
        rows.append(TierAssignment(person_id=employment.person_id, school_id=employment.school_id, school_year=school_year, tier=tier,
                                   source=source, reason=str(rule.get_basis_display())[:200], created_by=created_by))
        if employment.tier != tier and _in_force(school_year, current_year=current_year, latest_year=latest.get(employment.person_id)):
            mirror.setdefault(tier, []).append(employment.pk)
    TierAssignment.objects.bulk_create(rows)
    for tier, employment_ids in mirror.items():
        Employment.objects.filter(pk__in=employment_ids).update(tier=tier)
    written = len(rows)
    audit.record(actor=actor, event=Event.GROWTH_TIERS_RECOMPUTE, target=school, school=school, year=school_year, written=written)
    return written


# --- Titles (评选称号) ------------------------------------------------------------


@transaction.atomic
def title_add(*, actor, person, kind: str, level: str, year: int, body: str, valid_until: dt.date | None = None) -> HonourTitle:
    school = current_school_of(person)
    _require_manager(actor, school)
    title = HonourTitle(person=person, school=school, kind=kind, level=level, year=year, body=(body or "").strip(),
                        valid_until=valid_until, created_by=actor if getattr(actor, "pk", None) else None)
    title.full_clean()
    if valid_until is not None and valid_until.year < year:
        raise ValidationError({"valid_until": _("有效期不能早于评选年度。")})
    title.save()
    audit.record(actor=actor, event=Event.GROWTH_TITLE_ADD, target=title, school=school, person=person.pk, kind=kind, level=level)
    return title


@transaction.atomic
def title_review(*, actor, title: HonourTitle, school_year: int, passed: bool, comment: str = "") -> HonourReview:
    """The yearly review of a title; a title that fails it is revoked."""
    school = current_school_of(title.person)
    _require_manager(actor, school)
    calendar.check_year(school_year)
    if title.status != HonourStatus.ACTIVE:
        raise ValidationError(_("该称号已撤销，不能再考核。"))
    if HonourReview.objects.filter(title=title, school_year=school_year).exists():
        raise ValidationError(_("该称号 %(y)s 学年已考核过。") % {"y": school_year})
    if not passed and not (comment or "").strip():
        raise ValidationError({"comment": _("考核不通过时须填写意见。")})
    review = HonourReview.objects.create(title=title, school_year=school_year, passed=passed, comment=(comment or "").strip()[:300],
                                         reviewed_by=actor if getattr(actor, "pk", None) else None)
    if not passed:
        HonourTitle.objects.filter(pk=title.pk).update(status=HonourStatus.REVOKED)
        title.status = HonourStatus.REVOKED
    audit.record(actor=actor, event=Event.GROWTH_TITLE_REVIEW, target=title, school=school, year=school_year, passed=passed)
    return review
