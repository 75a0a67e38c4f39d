from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit
from yanxiu.core.events import Event

from . import otp
from .models import User


@transaction.atomic
def password_set(*, user: User, password: str) -> None:
    user.set_password(password)
    user.must_change_password = False
    user.otp_hash, user.otp_expires_at = "", None
    user.save(update_fields=["password", "must_change_password", "otp_hash", "otp_expires_at"])
    audit.record(actor=user, event=Event.ACCOUNT_PASSWORD_SET, target=user)


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
def initial_password_issue_by_operator(*, user: User) -> LoginSlip:
    """A one-time password for one account, from the server's command line
    (``yanxiu login_slip``): for the first admin of a school, who has nobody
    at the school to print their slip, or an account of bureau staff."""
    person = getattr(user, "person", None)
    return one_time_password_issue(actor=None, user=user, name=person.name if person else str(user), via="command")


def one_time_password_issue(*, actor, user: User, name: str, school=None, **detail) -> LoginSlip:
    """A new one-time password for ``user``; the caller has checked who may ask.

    The previous password and any earlier one-time password stop working and
    failed logins are forgotten. Writes ``account.initial_password_issue`` in the
    history of ``school`` (the school whose admin printed the slip; none from the command line)."""
    expires = timezone.now() + timedelta(days=settings.INITIAL_PASSWORD_DAYS)
    secret = otp.generate()
    user.set_unusable_password()
    user.must_change_password = True
    user.otp_hash, user.otp_expires_at = otp.make(secret), expires
    user.save(update_fields=["password", "must_change_password", "otp_hash", "otp_expires_at"])
    login_unlock(username=user.username)
    audit.record(actor=actor, event=Event.ACCOUNT_INITIAL_PASSWORD_ISSUE, target=user, school=school, expires=expires.isoformat(),
                 **detail)
    return LoginSlip(name=name, username=user.username, password=otp.display(secret), expires_at=expires)
