from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit

from . import otp, scopes
from .models import User


@transaction.atomic
def password_set(*, user: User, password: str) -> None:
    user.set_password(password)
    user.must_change_password = False
    user.otp_hash, user.otp_expires_at = "", None
    user.save(update_fields=["password", "must_change_password", "otp_hash", "otp_expires_at"])
    audit.record(actor=user, action="account.password_set", target=user)


def login_unlock(*, username: str) -> int:
    """Forget the failed logins of ``username`` from every address (django-axes)."""
    from axes.utils import reset

    return reset(username=username)


@dataclass(frozen=True)
class LoginSlip:
    """What one printed login slip shows. The one-time password exists only here."""

    name: str
    username: str
    password: str
    expires_at: datetime


@transaction.atomic
def initial_passwords_issue(*, actor: User, school, people: list) -> list[LoginSlip]:
    """New one-time passwords for teachers of ``school``, for printing.

    Each account's previous password and any earlier one-time password stop
    working; failed-login counts are cleared; the teacher must set a password
    of their own after logging in once. Only the school's own admin may do
    this. One ``account.initial_password_issue`` audit row per account.
    """
    from yanxiu.org.models import Employment, Person
    from yanxiu.org.services import account_create_for

    if not scopes.can_issue_login_slips(actor, school):
        raise PermissionDenied(_("只有本校的师训管理员可以生成初始密码、打印登录单。"))
    ids = [p.pk for p in people]
    current = set(Employment.objects.current().filter(school=school, person_id__in=ids).values_list("person_id", flat=True))
    if current != set(ids):
        raise PermissionDenied(_("只能为本校在职教师生成初始密码。"))
    slips: list[LoginSlip] = []
    for person in Person.objects.filter(pk__in=ids).select_related("user").order_by("name", "pk"):
        user = person.user
        if user is None:
            user = account_create_for(person)
            Person.objects.filter(pk=person.pk).update(user=user)
        slips.append(_issue(actor=actor, user=user, name=person.name, school=school.code))
    return slips


@transaction.atomic
def initial_password_issue_by_operator(*, user: User) -> LoginSlip:
    """A one-time password for one account, from the server's command line
    (``yanxiu login_slip``): for the first admin of a school, who has nobody
    at the school to print their slip, or an account of bureau staff."""
    person = getattr(user, "person", None)
    return _issue(actor=None, user=user, name=person.name if person else str(user), school="", via="command")


def _issue(*, actor, user: User, name: str, **detail) -> LoginSlip:
    expires = timezone.now() + timedelta(days=settings.INITIAL_PASSWORD_DAYS)
    secret = otp.generate()
    user.set_unusable_password()
    user.must_change_password = True
    user.otp_hash, user.otp_expires_at = otp.make(secret), expires
    user.save(update_fields=["password", "must_change_password", "otp_hash", "otp_expires_at"])
    login_unlock(username=user.username)
    audit.record(actor=actor, action="account.initial_password_issue", target=user, expires=expires.isoformat(), **detail)
    return LoginSlip(name=name, username=user.username, password=otp.display(secret), expires_at=expires)
