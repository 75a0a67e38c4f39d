"""Personal development plans (个人专业发展规划) and term goals (学期目标).

A teacher writes a plan of at most five years beyond its first school year
and a goal for each term; their current school accepts or returns each with a
reason. A returned (or still waiting) plan is revised by submitting again; an
accepted plan stays in force until a plan for a later span is accepted. A
goal may be changed until it is accepted; its outcome (how far it was
reached) is filled at the term's end, accepted or not. Nothing of a school
year whose growth record is signed off changes any more.

Reads (the plan in force, what a viewer may see, what waits for review) are
in :mod:`yanxiu.growth.plan_selectors`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.org import scopes

from .. import calendar
from ..choices import ReviewStatus
from ..models import DevelopmentPlan, GrowthYear, TermGoal
from ._common import apply_review, current_school_of, require_reviewer

#: Longest text of any plan or goal field.
TEXT_MAX = 5000
#: A plan runs from ``start_year`` to at most ``start_year + PLAN_MAX_SPAN`` (a five-year plan).
PLAN_MAX_SPAN = 5


# --- Checks ---------------------------------------------------------------------------


def _require_self(actor, person) -> None:
    own = getattr(getattr(actor, "person", None), "pk", None) == person.pk
    scopes.require(own, _("只能填写本人的发展规划和学期目标。"))


def _year(value, field: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValidationError({field: _("%(label)s须为年份数字。") % {"label": label}}) from None
    if not calendar.MIN_YEAR <= value <= calendar.MAX_YEAR:
        raise ValidationError({field: _("%(label)s须在 %(lo)s 到 %(hi)s 之间。") % {
            "label": label, "lo": calendar.MIN_YEAR, "hi": calendar.MAX_YEAR}})
    return value


def _text(value, field: str, label: str, *, required: bool) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: _("%(label)s不能超过 %(n)s 字（现有 %(len)s 字）。") % {
            "label": label, "n": TEXT_MAX, "len": len(text)}})
    return text


def _signed_off_years(person, years) -> list[int]:
    return sorted(GrowthYear.objects.filter(person=person, school_year__in=list(years), signed_off_at__isnull=False)
                  .values_list("school_year", flat=True))


def _refuse_locked(person, years, field: str | None = None) -> None:
    locked = _signed_off_years(person, years)
    if locked:
        message = _("%(year)s 学年的成长记录袋已签署，不能再修改。") % {"year": f"{locked[0]}—{locked[0] + 1}"}
        raise ValidationError({field: message} if field else message)


def _span(plan: DevelopmentPlan) -> range:
    return range(plan.start_year, plan.end_year + 1)


# --- Plans ----------------------------------------------------------------------------


def _plan_fields(start_year, end_year, self_analysis, goals, measures) -> dict:
    start = _year(start_year, "start_year", _("起始学年"))
    end = _year(end_year, "end_year", _("截止学年"))
    if end < start:
        raise ValidationError({"end_year": _("截止学年不能早于起始学年。")})
    if end > start + PLAN_MAX_SPAN:
        raise ValidationError({"end_year": _("规划最长五年：截止学年不能晚于 %(y)s。") % {"y": start + PLAN_MAX_SPAN}})
    return {
        "start_year": start,
        "end_year": end,
        "self_analysis": _text(self_analysis, "self_analysis", _("自我分析"), required=True),
        "goals": _text(goals, "goals", _("发展目标"), required=True),
        "measures": _text(measures, "measures", _("主要措施"), required=False),
    }


@transaction.atomic
def plan_submit(*, actor, person, start_year, end_year, self_analysis, goals, measures="") -> DevelopmentPlan:
    """The teacher submits a plan, or revises the one not yet accepted (which resubmits it).

    With an accepted plan in force, a new plan must start in a later school
    year; once accepted it supersedes the old one."""
    _require_self(actor, person)
    school = current_school_of(person)
    fields = _plan_fields(start_year, end_year, self_analysis, goals, measures)
    plans = DevelopmentPlan.objects.select_for_update().filter(person=person)
    plan = plans.exclude(status=ReviewStatus.ACCEPTED).order_by("-id").first()
    in_force = plans.filter(status=ReviewStatus.ACCEPTED).order_by("-start_year", "-id").first()
    if in_force is not None and fields["start_year"] <= in_force.start_year:
        raise ValidationError({"start_year": _("现行规划从 %(y)s 学年起；新规划的起始学年须晚于它。") % {"y": in_force.start_year}})
    _refuse_locked(person, range(fields["start_year"], fields["end_year"] + 1), "start_year")
    revised = plan is not None
    if revised:
        _refuse_locked(person, _span(plan), "start_year")
    else:
        plan = DevelopmentPlan(person=person)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.school = school
    plan.status, plan.review_reason, plan.reviewed_by, plan.reviewed_at = ReviewStatus.SUBMITTED, "", None, None
    plan.full_clean(exclude=["person", "school", "reviewed_by"])
    plan.save()
    audit.record(actor=actor, event=Event.GROWTH_PLAN_SUBMIT, target=plan, school=school, person=person.pk,
                 start_year=plan.start_year, end_year=plan.end_year, revised=revised)
    return plan


@transaction.atomic
def plan_review(*, actor, plan: DevelopmentPlan, accept: bool, reason: str = "") -> DevelopmentPlan:
    """The teacher's current school accepts the plan (it comes into force) or returns it with a reason."""
    plan = DevelopmentPlan.objects.select_for_update().select_related("person").get(pk=plan.pk)
    require_reviewer(actor, plan.person)
    _refuse_locked(plan.person, _span(plan))
    apply_review(plan, actor=actor, accept=bool(accept), reason=reason)
    plan.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at", "updated_at"])
    audit.record(actor=actor, event=Event.GROWTH_PLAN_REVIEW, target=plan, school=current_school_of(plan.person),
                 person=plan.person_id, accepted=plan.status == ReviewStatus.ACCEPTED)
    return plan


# --- Term goals -----------------------------------------------------------------------


def _term(value) -> int:
    if value in (1, 2) or str(value).strip() in ("1", "2"):
        return int(value)
    raise ValidationError({"term": _("学期只能是 1（第一学期）或 2（第二学期）。")})


@transaction.atomic
def goal_submit(*, actor, person, school_year, term, goal, outcome="") -> TermGoal:
    """The teacher writes the goal of a term, or changes it while it is not accepted (which resubmits it)."""
    _require_self(actor, person)
    school = current_school_of(person)
    year = _year(school_year, "school_year", _("学年"))
    number = _term(term)
    goal_text = _text(goal, "goal", _("学期目标"), required=True)
    outcome_text = _text(outcome, "outcome", _("完成情况"), required=False)
    _refuse_locked(person, [year], "school_year")
    row = TermGoal.objects.select_for_update().filter(person=person, school_year=year, term=number).first()
    if row is not None and row.status == ReviewStatus.ACCEPTED:
        raise ValidationError({"goal": _("该学期目标已通过审核，不能再修改；期末可填写完成情况。")})
    row = row or TermGoal(person=person, school_year=year, term=number)
    row.school, row.goal, row.outcome = school, goal_text, outcome_text
    row.status, row.review_reason, row.reviewed_by, row.reviewed_at = ReviewStatus.SUBMITTED, "", None, None
    row.full_clean(exclude=["person", "school", "reviewed_by"], validate_unique=False)
    revised = row.pk is not None
    row.save()
    audit.record(actor=actor, event=Event.GROWTH_GOAL_SUBMIT, target=row, school=school, person=person.pk,
                 school_year=year, term=number, revised=revised)
    return row


@transaction.atomic
def goal_outcome(*, actor, goal: TermGoal, outcome) -> TermGoal:
    """The teacher records how far the goal was reached (also after acceptance)."""
    goal = TermGoal.objects.select_for_update().select_related("person").get(pk=goal.pk)
    _require_self(actor, goal.person)
    text = _text(outcome, "outcome", _("完成情况"), required=True)
    _refuse_locked(goal.person, [goal.school_year], "outcome")
    goal.outcome = text
    goal.save(update_fields=["outcome"])
    audit.record(actor=actor, event=Event.GROWTH_GOAL_SUBMIT, target=goal, school=goal.school, person=goal.person_id,
                 school_year=goal.school_year, term=goal.term, outcome_only=True)
    return goal


@transaction.atomic
def goal_review(*, actor, goal: TermGoal, accept: bool, reason: str = "") -> TermGoal:
    """The teacher's current school accepts the goal (it counts for the "goal" task) or returns it."""
    goal = TermGoal.objects.select_for_update().select_related("person").get(pk=goal.pk)
    require_reviewer(actor, goal.person)
    _refuse_locked(goal.person, [goal.school_year])
    apply_review(goal, actor=actor, accept=bool(accept), reason=reason)
    goal.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at"])
    audit.record(actor=actor, event=Event.GROWTH_GOAL_REVIEW, target=goal, school=current_school_of(goal.person),
                 person=goal.person_id, accepted=goal.status == ReviewStatus.ACCEPTED)
    return goal
