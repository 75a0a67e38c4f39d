"""Rotating sign-in tokens (签到码).

A token is a pure function of the server secret, the session, the purpose
(sign-in or sign-out) and the time window ``floor(unix_time / period)``. No
server memory is involved, so any number of processes (or hosts) verify the
same token, and a photo of the screen forwarded to a friend stops working
within two windows (30 s at the default 15 s period): the server accepts the
current and the previous window only.

The same HMAC also yields a 6-digit code, shown in large digits beside the
QR code for phones whose camera cannot scan.
"""

from __future__ import annotations

import base64
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

PURPOSE_IN = "in"
PURPOSE_OUT = "out"
PURPOSES = (PURPOSE_IN, PURPOSE_OUT)

#: A salt used for nothing else, so that a leaked token says nothing about
#: any other HMAC the site computes from SECRET_KEY.
KEY_SALT = "yanxiu.attendance.tokens.signin-v1"
DEFAULT_PERIOD_SECONDS = 15
TOKEN_BYTES = 12  # 96 bits, 16 URL-safe characters
CODE_DIGITS = 6


def default_period() -> int:
    return int(getattr(settings, "YANXIU_SIGNIN_PERIOD_SECONDS", DEFAULT_PERIOD_SECONDS))


def window_index(now: float | None = None, period: int | None = None) -> int:
    period = period or default_period()
    return int((time.time() if now is None else now) // period)


def seconds_left(now: float | None = None, period: int | None = None) -> float:
    """Seconds until the current window ends (used to refresh the screen on time)."""
    period = period or default_period()
    now = time.time() if now is None else now
    return period - (now % period)


def _digest(session_id: int, purpose: str, window: int) -> bytes:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    message = f"{int(session_id)}:{purpose}:{int(window)}"
    return salted_hmac(KEY_SALT, message, algorithm="sha256").digest()


def _token_from_digest(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).decode("ascii").rstrip("=")


def _code_from_digest(digest: bytes) -> str:
    # Dynamic truncation as in HOTP (RFC 4226), on the same HMAC as the token.
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**CODE_DIGITS).zfill(CODE_DIGITS)


@dataclass(frozen=True)
class Issued:
    token: str
    code: str
    window: int
    period: int
    seconds_left: float


def issue(session_id: int, purpose: str = PURPOSE_IN, *, now: float | None = None, period: int | None = None) -> Issued:
    """The token and code to show on the screen right now."""
    period = period or default_period()
    now = time.time() if now is None else now
    window = window_index(now, period)
    digest = _digest(session_id, purpose, window)
    return Issued(
        token=_token_from_digest(digest),
        code=_code_from_digest(digest),
        window=window,
        period=period,
        seconds_left=seconds_left(now, period),
    )


def make_token(session_id: int, purpose: str, window: int) -> str:
    return _token_from_digest(_digest(session_id, purpose, window))


def make_code(session_id: int, purpose: str, window: int) -> str:
    return _code_from_digest(_digest(session_id, purpose, window))


def _accepted_windows(now: float | None, period: int | None) -> tuple[int, int]:
    current = window_index(now, period)
    return current, current - 1


def verify_token(
    session_id: int, purpose: str, token: str, *, now: float | None = None, period: int | None = None
) -> bool:
    """True when ``token`` belongs to this session and purpose in the current or previous window."""
    if not token or len(token) > 64:
        return False
    return any(constant_time_compare(make_token(session_id, purpose, w), token) for w in _accepted_windows(now, period))


def verify_code(
    session_id: int, purpose: str, code: str, *, now: float | None = None, period: int | None = None
) -> bool:
    code = (code or "").strip()
    if len(code) != CODE_DIGITS or not code.isdigit():
        return False
    return any(hmac.compare_digest(make_code(session_id, purpose, w), code) for w in _accepted_windows(now, period))


def purpose_of_token(session_id: int, token: str, *, now: float | None = None, period: int | None = None) -> str | None:
    """Which purpose (in/out) a scanned token was issued for, or None if it is not valid now."""
    for purpose in PURPOSES:
        if verify_token(session_id, purpose, token, now=now, period=period):
            return purpose
    return None


def purpose_of_code(session_id: int, code: str, *, now: float | None = None, period: int | None = None) -> str | None:
    for purpose in PURPOSES:
        if verify_code(session_id, purpose, code, now=now, period=period):
            return purpose
    return None
