"""What every growth service shares: the acting school, the review step and credit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.org import scopes
from yanxiu.org.selectors import current_employment

from .. import access
from ..choices import ReviewStatus


def current_school_of(person):
    """The person's current school, or a Chinese refusal."""
    employment = current_employment(person)
    if employment is None:
        raise ValidationError(_("%(name)s 当前没有在职学校。") % {"name": person.name})
    return employment.school


def require_reviewer(actor, person) -> None:
    scopes.require(access.can_review(actor, person), _("只有教师所在学校的管理员可以审核。"))


def apply_review(obj, *, actor, accept: bool, reason: str) -> None:
    """Accept or return ``obj`` (a record, plan or goal still waiting for review); the caller saves it."""
    if obj.status != ReviewStatus.SUBMITTED:
        raise ValidationError(_("该条目已审核（%(status)s），不能再次审核。") % {"status": obj.get_status_display()})
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError({"review_reason": _("退回时必须说明理由。")})
    if len(reason) > 300:
        raise ValidationError({"review_reason": _("审核意见不能超过 300 字。")})
    obj.status = ReviewStatus.ACCEPTED if accept else ReviewStatus.RETURNED
    obj.review_reason = reason
    obj.reviewed_by = actor if getattr(actor, "pk", None) else None
    obj.reviewed_at = timezone.now()


def try_credit(**kwargs):
    """Credit an activity within the policy's cap; ``(entry, "")`` or ``(None, why not)``.

    A full cap or a policy that does not count the activity is not an error of
    the review: the record is accepted and the reason is kept."""
    from yanxiu.credits.services import activity_credit

    try:
        with transaction.atomic():
            activity = activity_credit(**kwargs)
    except ValidationError as exc:
        messages = exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]
        return None, "；".join(m for group in messages for m in group)
    return activity.entry, ""
