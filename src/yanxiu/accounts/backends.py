"""Authentication: username or phone; one-time passwords; throttling.

Backends, in the order of ``AUTHENTICATION_BACKENDS``:

- :class:`LockoutBackend` (django-axes) refuses a locked (address, login) pair
  before any password is checked;
- :class:`YanxiuBackend` refuses an address that failed too often or a
  site under a guessing storm (:mod:`yanxiu.accounts.throttle`), then checks
  the password, or the one-time password of an account that has one.

Every failure looks and takes the same whether or not the login exists: the
same message, and the same hashing (Django's hasher and the one-time password
hasher run on a dummy when there is nothing to check against). Logging in with
an ID number is not offered: ID numbers are known to many people, and typed
into a login form they would end up in the failure records.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from . import otp, throttle
from .models import User


def find_user(login: str) -> User | None:
    login = (login or "").strip()
    if not login or len(login) > 150:
        return None
    if len(login) == 11 and login.isdigit():
        # A phone number; phones are unique among people (org.Person).
        user = User.objects.filter(person__phone=login).first()
        if user is not None:
            return user
    # Usernames are lower case; a phone keyboard may capitalise the first letter.
    return User.objects.filter(username=login).first() or User.objects.filter(username__iexact=login).order_by("pk").first()


class _UserWithPerson:
    """Load the session's user together with their person (one query, not two):
    every page asks who the person is (``org.scopes.scope_of``)."""

    def get_user(self, user_id):
        user = User._default_manager.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check. Without a request (code calling
    ``authenticate`` directly, never a login form) there is no client to count."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class YanxiuBackend(_UserWithPerson, ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        password = password[:128]
        reason = throttle.refusal(request)
        if reason is not None:
            setattr(request, throttle.REFUSED_ATTR, reason)
            raise PermissionDenied(reason)
        user = find_user(username)
        if user is None:
            # Run both hashers anyway so that timing does not reveal which logins exist.
            User().set_password(password)
            otp.matches("", password)
            return None
        password_ok = user.check_password(password)  # runs the hasher even for an unusable password
        otp_pending = user.has_pending_otp
        otp_ok = otp.matches(user.otp_hash if otp_pending else "", password)
        if not self.user_can_authenticate(user):
            return None
        if password_ok:
            return user
        if otp_ok:
            self._consume_otp(user)
            return user
        return None

    @staticmethod
    def _consume_otp(user: User) -> None:
        """A one-time password works once: the user now sets their own."""
        from yanxiu.core import audit
        from yanxiu.core.events import Event

        User.objects.filter(pk=user.pk).update(otp_hash="", must_change_password=True)
        user.otp_hash, user.must_change_password = "", True
        audit.record(actor=user, event=Event.ACCOUNT_OTP_USED, target=user, at=timezone.now().isoformat())
