"""Authentication: username, phone or ID number; lockout; initial passwords.

Imported accounts have no stored password hash (hashing 10,000 passwords
would make a roster import take minutes). Until their first password change
they log in with the last six characters of their ID number and are then
forced to choose a password of their own.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from .models import User


def find_user(login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    user = User.objects.filter(username=login).first()
    if user is None and login.isdigit() and len(login) == 11:
        user = User.objects.filter(person__phone=login).first()
    if user is None and len(login) == 18:
        user = User.objects.filter(person__id_number=login.upper()).first()
    return user


def initial_password_matches(user: User, password: str) -> bool:
    person = getattr(user, "person", None)
    if user.has_usable_password() or not user.must_change_password or person is None:
        return False
    return constant_time_compare(password.strip().upper(), person.id_number[-6:])


def register_failure(user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    user.refresh_from_db(fields=["failed_logins"])
    if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
        user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        user.save(update_fields=["locked_until"])


def register_success(user: User) -> None:
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        user.failed_logins, user.locked_until = 0, None


class YanxiuBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_user(username)
        if user is None or password is None:
            # Run the hasher anyway so that timing does not reveal which logins exist.
            User().set_password(password or "")
            return None
        if user.is_locked or not self.user_can_authenticate(user):
            return None
        if user.check_password(password) or initial_password_matches(user, password):
            register_success(user)
            return user
        register_failure(user)
        return None
