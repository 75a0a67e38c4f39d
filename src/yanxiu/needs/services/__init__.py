"""Every change to needs surveys goes through these functions, each with its audit row.

This module holds the fixed needs survey of earlier years (NeedsSurvey); questionnaires, which new
needs surveys and session evaluations are, change through :mod:`.questionnaires`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.org import scopes
from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.org.selectors import current_school_id
from yanxiu.training.models import TrainingKind
from yanxiu.training.selectors import categories_for
from yanxiu.training.services import validate_school_year

from ..models import NeedsResponse, NeedsSurvey, PreferredTime

MAX_SUGGESTION = 1000


@transaction.atomic
def survey_create(*, actor, school, school_year: str, title: str, closes_on, categories: Iterable, intro: str = "") -> NeedsSurvey:
    """A school admin asks the school's teachers about their training needs."""
    scopes.require(scopes.can_manage_school(actor, school))
    validate_school_year(school_year)
    categories = list(categories)
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("请填写调研标题。")
    if closes_on is None or closes_on < timezone.localdate():
        errors["closes_on"] = _("截止日期不能早于今天。")
    if not categories:
        errors["categories"] = _("请至少选择一项供教师勾选的培训内容。")
    allowed = set(categories_for(region=school.county).values_list("pk", flat=True))
    outside = [c.name for c in categories if c.pk not in allowed]
    if outside:
        errors["categories"] = _("“%(names)s”不在本地区培训目录中。") % {"names": "、".join(outside)}
    if errors:
        raise ValidationError(errors)
    survey = NeedsSurvey(school=school, school_year=school_year, title=title.strip(), intro=(intro or "").strip(),
                         closes_on=closes_on, created_by=actor)
    survey.full_clean()
    survey.save()
    survey.categories.set(categories)
    audit.record(actor=actor, event=Event.NEEDS_SURVEY_CREATE, target=survey, school=school, categories=len(categories))
    return survey


@transaction.atomic
def survey_close(*, actor, survey: NeedsSurvey) -> NeedsSurvey:
    survey = NeedsSurvey.objects.select_for_update().select_related("school").get(pk=survey.pk)
    scopes.require(scopes.can_manage_school(actor, survey.school))
    if survey.closed_at is not None:
        raise ValidationError(_("该调研已结束。"))
    survey.closed_at = timezone.now()
    survey.save(update_fields=["closed_at"])
    audit.record(actor=actor, event=Event.NEEDS_SURVEY_CLOSE, target=survey, school=survey.school, responses=survey.responses.count())
    return survey


@transaction.atomic
def survey_respond(
    *, actor, survey: NeedsSurvey, categories: Iterable, kinds: Iterable[str] = (), times: Iterable[str] = (), suggestion: str = ""
) -> NeedsResponse:
    """A teacher of the school answers, or changes their answer while the survey is open."""
    person_id = scopes.scope_of(actor).person_id
    scopes.require(person_id is not None, _("您的账号未关联教师档案。"))
    survey = NeedsSurvey.objects.select_related("school").get(pk=survey.pk)
    scopes.require(
        current_school_id(person_id) == survey.school_id,
        _("只有本校在职教师可以填写该调研。"),
    )
    if not survey.is_open():
        raise ValidationError(_("该调研已于 %(date)s 截止。") % {"date": survey.closes_on.isoformat()})
    categories, kinds, times = list(categories), list(kinds), list(times)
    suggestion = (suggestion or "").strip()
    errors = {}
    offered = set(survey.categories.values_list("pk", flat=True))
    if any(c.pk not in offered for c in categories):
        errors["categories"] = _("所选内容不在本次调研的选项中。")
    bad_kinds = [k for k in kinds if k not in TrainingKind.values]
    if bad_kinds:
        errors["kinds"] = _("培训形式“%(value)s”无效。") % {"value": "、".join(bad_kinds)}
    bad_times = [t for t in times if t not in PreferredTime.values]
    if bad_times:
        errors["times"] = _("时间选项“%(value)s”无效。") % {"value": "、".join(bad_times)}
    if len(suggestion) > MAX_SUGGESTION:
        errors["suggestion"] = _("其他需求与建议不能超过 %(n)s 字（现为 %(len)s 字）。") % {"n": MAX_SUGGESTION, "len": len(suggestion)}
    if not categories and not suggestion and "categories" not in errors:
        errors["categories"] = _("请至少勾选一项需要的培训内容，或填写其他需求。")
    if errors:
        raise ValidationError(errors)
    response, created = NeedsResponse.objects.update_or_create(
        survey=survey, person_id=person_id,
        defaults={"kinds": sorted(set(kinds)), "times": sorted(set(times)), "suggestion": suggestion},
    )
    response.categories.set(categories)
    audit.record(actor=actor, event=Event.NEEDS_RESPOND if created else Event.NEEDS_RESPOND_UPDATE, target=response, school=survey.school,
                 survey=survey.pk, categories=len(categories))
    return response
