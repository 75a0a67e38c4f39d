"""The year-end assessment of a growth record (002 §七.2) and the school's sign-off.

Who writes which part (one review per part and reviewer, changed freely until
the sign-off):

- ``self``: the teacher themself;
- ``peer``: another current teacher of the same school (anonymous to the
  reviewed teacher: the file shows them "同伴（匿名）");
- ``group``: the leader of a group the teacher belongs to (not themself);
- ``school``: an admin of the teacher's current school;
- ``expert``: training-centre staff (研训中心, the county's 教研员) over the
  teacher's current school. Presenters are not experts here: their role names
  no region, so it would open every teacher's file to them.

The sign-off (:func:`year_sign_off`) is the current school's admin's, needs a
school review, and locks the year: reviews and records of that year are refused
after it (``services.records`` asks ``year_is_locked``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.org import scopes
from yanxiu.org.selectors import current_employment

from .. import calendar
from ..choices import ReviewerRole
from ..models import GrowthYear, YearReview

COMMENT_MAX = 2000
SIGN_OFF_COMMENT_MAX = 300


def _current(person):
    employment = current_employment(person, related=("school",))
    if employment is None:
        raise ValidationError(_("%(name)s 当前没有在职学校，不能评价或签署成长记录袋。") % {"name": person.name})
    return employment


def may_write(actor, person, role: str, employment=None) -> bool:
    """Whether ``actor`` may write the ``role`` part of ``person``'s assessment (see the module's list)."""
    employment = employment if employment is not None else current_employment(person, related=("school",))
    if employment is None or role not in ReviewerRole.values:
        return False
    s = scopes.scope_of(actor)
    own = s.person_id is not None and s.person_id == person.pk
    if role == ReviewerRole.SELF:
        return own
    if own:
        return False
    if role == ReviewerRole.PEER:
        mine = current_employment(s.person_id, related=()) if s.person_id is not None else None
        return mine is not None and mine.school_id == employment.school_id
    if role == ReviewerRole.GROUP:
        return bool(s.led_groups) and employment.groups.filter(pk__in=s.led_groups).exists()
    if role == ReviewerRole.SCHOOL:
        return s.superuser or employment.school_id in s.admin_schools
    return s.superuser or employment.school.county_id in s.centre_counties  # expert


def may_sign_off(actor, person, employment=None) -> bool:
    """An admin of the person's current school, who is not the person (an admin's own file is signed by another)."""
    employment = employment if employment is not None else current_employment(person, related=("school",))
    s = scopes.scope_of(actor)
    if employment is None or (s.person_id is not None and s.person_id == person.pk):
        return False
    return s.superuser or employment.school_id in s.admin_schools


def _check_year(school, school_year) -> int:
    if not isinstance(school_year, int) or isinstance(school_year, bool):
        raise ValidationError({"school_year": _("学年须为整数。")})
    try:
        calendar.check_year(school_year)
    except ValueError as exc:
        raise ValidationError({"school_year": str(exc)}) from None
    if school_year > calendar.school_year_of(school, timezone.localdate()):
        raise ValidationError({"school_year": _("该学年尚未开始，不能评价或签署。")})
    return school_year


def _check_score(score) -> int:
    if isinstance(score, str):
        text = score.strip()
        score = int(text) if text.isdigit() and len(text) <= 3 else None
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise ValidationError({"score": _("得分须为 0 到 100 之间的整数。")})
    return score


def _clean(text) -> str:
    """Stripped text without NUL characters (PostgreSQL refuses them in text)."""
    return str(text or "").replace("\x00", "").strip()


def _check_comment(comment) -> str:
    comment = _clean(comment)
    if not comment:
        raise ValidationError({"comment": _("请填写评语。")})
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": _("评语不能超过 %(n)s 字（现有 %(len)s 字）。") % {"n": COMMENT_MAX, "len": len(comment)}})
    return comment


def _locked_year(person, school_year: int) -> GrowthYear:
    """The year's row, created when missing, locked for this transaction."""
    GrowthYear.objects.get_or_create(person=person, school_year=school_year)
    gy = GrowthYear.objects.select_for_update().get(person=person, school_year=school_year)
    if gy.locked:
        raise ValidationError(_("%(year)s 学年的成长记录袋已于 %(day)s 签署，不能再修改评价。") % {
            "year": f"{school_year}—{school_year + 1}", "day": timezone.localtime(gy.signed_off_at).strftime("%Y-%m-%d")})
    return gy


def _reviewer_name(actor) -> str:
    person = getattr(actor, "person", None) if getattr(actor, "pk", None) else None
    name = getattr(person, "name", "") or getattr(actor, "display_name", "") or getattr(actor, "username", "")
    return str(name)[:40]


@transaction.atomic
def year_review_write(*, actor, person, school_year: int, role: str, score, comment: str) -> YearReview:
    """Write (or, before the sign-off, change) ``actor``'s ``role`` part of ``person``'s year."""
    employment = _current(person)
    if role not in ReviewerRole.values:
        raise ValidationError({"role": _("未知的评价类型“%(r)s”。") % {"r": str(role)[:20]}})
    scopes.require(may_write(actor, person, role, employment),
                   _("您不能为%(name)s填写“%(role)s”。") % {"name": person.name, "role": ReviewerRole(role).label})
    _check_year(employment.school, school_year)
    score, comment = _check_score(score), _check_comment(comment)
    gy = _locked_year(person, school_year)
    review = YearReview.objects.filter(growth_year=gy, role=role, reviewer=actor).first()
    created = review is None
    if created:
        review = YearReview(growth_year=gy, role=role, reviewer=actor)
    review.reviewer_name = _reviewer_name(actor)
    review.score, review.comment = score, comment
    review.full_clean()
    review.save()
    audit.record(actor=actor, event=Event.GROWTH_YEAR_REVIEW, target=gy, school=employment.school, person=person.pk,
                 year=school_year, role=role, score=score, changed=not created)
    return review


@transaction.atomic
def year_sign_off(*, actor, person, school_year: int, comment: str = "") -> GrowthYear:
    """The current school signs ``person``'s year off; the year is locked from then on."""
    employment = _current(person)
    scopes.require(may_sign_off(actor, person, employment), _("只有教师所在学校的管理员可以签署成长记录袋。"))
    _check_year(employment.school, school_year)
    comment = _clean(comment)
    if len(comment) > SIGN_OFF_COMMENT_MAX:
        raise ValidationError({"comment": _("学校意见不能超过 %(n)s 字。") % {"n": SIGN_OFF_COMMENT_MAX}})
    gy = GrowthYear.objects.select_for_update().filter(person=person, school_year=school_year).first()
    if gy is not None and gy.locked:
        raise ValidationError(_("该学年的成长记录袋已签署。"))
    if gy is None or not gy.reviews.filter(role=ReviewerRole.SCHOOL).exists():
        raise ValidationError(_("签署前须先填写学校评价。"))
    gy.signed_off_school = employment.school
    gy.signed_off_by = actor if getattr(actor, "pk", None) else None
    gy.signed_off_at = timezone.now()
    gy.sign_off_comment = comment
    gy.full_clean()
    gy.save()
    audit.record(actor=actor, event=Event.GROWTH_YEAR_SIGN_OFF, target=gy, school=employment.school, person=person.pk,
                 year=school_year)
    return gy
