"""Commendations of a school year: 先进教研组, 先进个人 and 通报批评 (of a group or a teacher).

The school's own admin records them, with the reason and, from the candidates
page, the score and the counts it rests on (the basis, a snapshot the record
keeps); the reports app reads them through
:func:`yanxiu.routine.commendation_selectors.commendations_of`.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.growth import calendar
from yanxiu.org import scopes
from yanxiu.org.models import Employment

from ..choices import CommendationKind
from ..models import Commendation

REASON_MAX = 1000
#: The basis is a snapshot of counts; its JSON is bounded.
BASIS_MAX_CHARS = 8000
SCORE_MAX = Decimal("100")


def can_record(user, school) -> bool:
    """Commendations are recorded by the school's own admin."""
    s = scopes.scope_of(user)
    return school is not None and (s.superuser or school.pk in s.admin_schools)


def _year(school, school_year) -> int:
    if not isinstance(school_year, int) or isinstance(school_year, bool):
        raise ValidationError({"school_year": _("请填写学年。")})
    try:
        calendar.check_year(school_year)
    except ValueError as exc:
        raise ValidationError({"school_year": str(exc)}) from None
    if school_year > calendar.school_year_of(school, timezone.localdate()):
        raise ValidationError({"school_year": _("%(y)s 学年尚未开始，不能登记表彰或通报。") % {"y": school_year}})
    return school_year


def _who(school, kind, group, person) -> None:
    if kind not in CommendationKind.values:
        raise ValidationError({"kind": _("请选择类型（先进教研组、先进个人或通报批评）。")})
    if kind == CommendationKind.ADVANCED_GROUP and (group is None or person is not None):
        raise ValidationError({"group": _("先进教研组须选择一个教研组（不选教师）。")})
    if kind == CommendationKind.ADVANCED_PERSON and (person is None or group is not None):
        raise ValidationError({"person": _("先进个人须选择一名教师（不选教研组）。")})
    if kind == CommendationKind.CRITICISM and (group is None) == (person is None):
        raise ValidationError({"group": _("通报批评须选择一个教研组或一名教师（二选一）。")})
    if group is not None and group.school_id != school.pk:
        raise ValidationError({"group": _("%(g)s 不是本校的教研组。") % {"g": group.name}})
    if person is not None and not Employment.objects.current().filter(person=person, school=school).exists():
        raise ValidationError({"person": _("%(n)s 不是本校在职教师。") % {"n": person.name}})


def _score(score) -> Decimal | None:
    if score is None or score == "":
        return None
    try:
        value = Decimal(str(score))
    except (InvalidOperation, ValueError):
        raise ValidationError({"score": _("评分须为 0 到 100 之间的数。")}) from None
    if not value.is_finite() or not Decimal("0") <= value <= SCORE_MAX:
        raise ValidationError({"score": _("评分须为 0 到 100 之间的数。")})
    return value.quantize(Decimal("0.01"))


def _basis(basis) -> dict:
    if basis is None:
        return {}
    if not isinstance(basis, dict):
        raise ValidationError({"basis": _("依据格式不正确。")})
    try:
        text = json.dumps(basis, ensure_ascii=False)
    except (TypeError, ValueError):
        raise ValidationError({"basis": _("依据格式不正确。")}) from None
    if len(text) > BASIS_MAX_CHARS:
        raise ValidationError({"basis": _("依据过长（不能超过 %(n)s 字符）。") % {"n": BASIS_MAX_CHARS}})
    return basis


def _reason(reason) -> str:
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写事由。")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("事由不能超过 %(n)s 字。") % {"n": REASON_MAX}})
    return reason


@transaction.atomic
def commendation_record(*, actor, school, school_year, kind, group=None, person=None, score=None, basis=None,
                        reason) -> Commendation:
    """Record a 先进教研组 (``group``), 先进个人 (``person``) or 通报批评 (either) of ``school`` for ``school_year``."""
    scopes.require(can_record(actor, school), _("只有本校管理员可以登记表彰或通报。"))
    school_year = _year(school, school_year)
    _who(school, kind, group, person)
    same = Commendation.objects.select_for_update().filter(school=school, school_year=school_year, kind=kind,
                                                           group=group, person=person)
    if same.exists():
        label = CommendationKind(kind).label
        raise ValidationError(_("%(who)s 在 %(y)s 学年已登记为%(kind)s。")
                              % {"who": (group or person).name, "y": school_year, "kind": label})
    commendation = Commendation(school=school, school_year=school_year, kind=kind, group=group, person=person,
                                score=_score(score), basis=_basis(basis), reason=_reason(reason),
                                created_by=actor if getattr(actor, "pk", None) else None)
    commendation.full_clean(exclude=["created_by", "group", "person", "school", "basis"])  # basis: checked above, may be empty
    commendation.save()
    audit.record(actor=actor, event=Event.ROUTINE_COMMENDATION, target=commendation, school=school, kind=kind,
                 year=school_year, group=getattr(group, "pk", None), person=getattr(person, "pk", None))
    return commendation
