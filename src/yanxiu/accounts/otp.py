"""One-time passwords for new and reset accounts, and usernames without ID digits.

A one-time password is random (``secrets``), drawn from characters that cannot
be mistaken for one another on a printed slip (no 0/O, 1/I/L), stored only as a
salted PBKDF2 hash in ``User.otp_hash`` and shown once, on the login slip the
school admin prints. It expires after ``INITIAL_PASSWORD_DAYS`` days and works
for one login; the user must then choose a password of their own.

The hash uses fewer PBKDF2 rounds than Django's password hasher: the secret
has about 50 bits of entropy (a chosen password has far fewer) and expires, so
20,000 rounds keep an offline search out of reach while a school's 300 slips
are printed in a few seconds instead of minutes.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from django.contrib.auth.hashers import PBKDF2PasswordHasher

OTP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
OTP_LENGTH = 10
# Crockford's base32, lower case: 32 symbols, so one random byte & 31 picks one without bias.
USERNAME_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
USERNAME_LENGTH = 7
USERNAME_PREFIX = "t"


class OneTimePasswordHasher(PBKDF2PasswordHasher):
    algorithm = "otp_pbkdf2_sha256"
    iterations = 20_000


_HASHER = OneTimePasswordHasher()


def generate() -> str:
    return "".join(secrets.choice(OTP_ALPHABET) for _ in range(OTP_LENGTH))


def display(otp: str) -> str:
    """``ABCDE FGHJK``: easier to copy from paper; spaces are ignored at login."""
    return " ".join(otp[i : i + 5] for i in range(0, len(otp), 5))


def normalise(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch not in " -\t")


def make(otp: str) -> str:
    return _HASHER.encode(otp, _HASHER.salt())


@lru_cache(maxsize=1)
def _dummy() -> str:
    return make(generate())


def matches(encoded: str, raw: str) -> bool:
    """Check ``raw`` against ``encoded``; with no ``encoded``, check a dummy so
    that the time taken does not tell whether a one-time password exists."""
    candidate = normalise(raw)[:64]
    if not encoded:
        _HASHER.verify(candidate, _dummy())
        return False
    try:
        return _HASHER.verify(candidate, encoded)
    except (ValueError, AssertionError):
        return False


def new_usernames(count: int) -> list[str]:
    """``count`` random usernames like ``t7kq2mz`` (no digits of any ID number or phone)."""
    raw = secrets.token_bytes(count * USERNAME_LENGTH)
    return [
        USERNAME_PREFIX + "".join(USERNAME_ALPHABET[b & 31] for b in raw[i * USERNAME_LENGTH : (i + 1) * USERNAME_LENGTH])
        for i in range(count)
    ]


def new_username(taken=None) -> str:
    """One free username; ``taken(names) -> set`` tells which are in use."""
    from .models import User

    while True:
        candidates = new_usernames(4)
        used = taken(candidates) if taken else set(User.objects.filter(username__in=candidates).values_list("username", flat=True))
        free = [c for c in candidates if c not in used]
        if free:
            return free[0]
