"""Writes of the evaluation sheet: the bureau's review of a school's score, and a county's points per item."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit, params
from yanxiu.core.events import Event
from yanxiu.credits.selectors import current_school_year
from yanxiu.org import scopes

from .. import evaluation
from ..models import EvaluationWeights, SchoolScore

COMMENT_MAX = SchoolScore._meta.get_field("comment").max_length


def _year(school, year) -> int:
    if not isinstance(year, int) or isinstance(year, bool):
        raise ValidationError({"year": _("请填写学年。")})
    try:
        params.check_year(year)
    except ValueError as exc:
        raise ValidationError({"year": str(exc)}) from None
    current = current_school_year(school.county)
    if year > current:
        raise ValidationError({"year": _("%(y)s 学年尚未开始，不能评估。") % {"y": year}})
    return year


def _adjustment(value) -> Decimal:
    lo, hi = evaluation.ADJUSTMENT_MIN, evaluation.ADJUSTMENT_MAX
    message = _("调整分须为 %(lo)s 到 %(hi)s 之间的数，最多两位小数。") % {"lo": lo, "hi": hi}
    if value is None or value == "" or isinstance(value, bool):
        return Decimal("0.00")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"adjustment": message}) from None
    if not number.is_finite() or not lo <= number <= hi or number != number.quantize(evaluation.CENT):
        raise ValidationError({"adjustment": message})
    return number.quantize(evaluation.CENT)


def _comment(text) -> str:
    text = (text or "").replace("\x00", "").strip()
    if len(text) > COMMENT_MAX:
        raise ValidationError({"comment": _("评估意见不能超过 %(n)s 字。") % {"n": COMMENT_MAX}})
    return text


@transaction.atomic
def score_review(*, actor, school, year, adjustment, comment) -> SchoolScore:
    """Region staff over ``school`` record its evaluation of school year ``year``.

    The items are measured now and kept as the score's snapshot with the
    measured score; ``adjustment`` (−20…+20) is added to it for the final
    score; a second review of the same school and year replaces the first.
    """
    scopes.require(evaluation.can_review(actor, school), _("只有主管该校的教育局或研训中心人员可以评估学校。"))
    year = _year(school, year)
    adjustment = _adjustment(adjustment)
    comment = _comment(comment)
    line = evaluation.school_line(school, year)
    score = SchoolScore.objects.select_for_update().filter(school=school, school_year=year).first()
    if score is None:
        score = SchoolScore(school=school, school_year=year)
    score.items = [item.as_json() for item in line.items]
    score.measured_score = line.measured_now
    score.adjustment = adjustment
    score.comment = comment
    score.reviewed_by = actor if getattr(actor, "pk", None) else None
    score.reviewed_at = timezone.now()
    score.full_clean(exclude=["school", "reviewed_by"])
    score.save()
    audit.record(actor=actor, event=Event.REPORT_SCORE_REVIEW, target=score, school=school, year=year,
                 measured=str(score.measured_score), adjustment=str(adjustment), final=str(score.final_score))
    return score


@transaction.atomic
def weights_set(*, actor, county, points: dict, sessions_target, postings_target) -> EvaluationWeights:
    """The county's bureau sets the points of each item (adding up to 100) and the two targets."""
    scopes.require(evaluation.can_set_weights(actor, county), _("只有本县教育局可以设置评估细则分值。"))
    row = EvaluationWeights.objects.select_for_update().filter(region=county).first() or EvaluationWeights(region=county)
    before = {key: getattr(row, key) for key in (*EvaluationWeights.ITEM_FIELDS, "sessions_target", "postings_target")}
    errors = {}
    for key in EvaluationWeights.ITEM_FIELDS:
        value = points.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            errors[key] = _("%(label)s的分值须为 0 到 100 之间的整数。") % {"label": evaluation.ITEMS_BY_KEY[key].label}
        else:
            setattr(row, key, value)
    for key, value, hi in (("sessions_target", sessions_target, 200), ("postings_target", postings_target, 24)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= hi:
            errors[key] = _("目标次数须为 1 到 %(hi)s 之间的整数。") % {"hi": hi}
        else:
            setattr(row, key, value)
    if errors:
        raise ValidationError(errors)
    row.updated_by = actor if getattr(actor, "pk", None) else None
    row.full_clean(exclude=["region", "updated_by"])
    row.save()
    after = {key: getattr(row, key) for key in before}
    audit.record(actor=actor, event=Event.REPORT_EVALUATION_WEIGHTS, target=row, county=county,
                 changed={k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return row
