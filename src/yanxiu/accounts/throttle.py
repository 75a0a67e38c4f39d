"""Login throttling on top of django-axes.

- django-axes counts failed logins per (client address, login) and locks that
  pair for ``LOGIN_LOCKOUT_MINUTES`` after ``LOGIN_MAX_FAILURES`` failures
  (``AXES_LOCKOUT_PARAMETERS`` in settings). Someone failing a teacher's login
  from one machine therefore cannot lock the teacher out on another machine.
- One address is refused for the same period after
  ``LOGIN_MAX_FAILURES_PER_ADDRESS`` failures over all logins (guessing many
  accounts from one machine), counted from the same axes records.
- Site-wide: when more than ``LOGIN_SITE_FAILURES_PER_MINUTE`` logins failed in
  the last minute (guessing from many machines), an address that itself failed
  in that minute is asked to wait; addresses without failures log in as usual.

Every refusal looks the same whether the login exists or not. The login a
person typed is stored by axes in canonical form (:func:`axes_username`): the
account's username, or a keyed hash for unknown logins, so phone numbers and
ID numbers typed into the form never land in the axes tables.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

REFUSED_ATTR = "yanxiu_login_refused"


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind a reverse proxy the
    address the proxy wrote into ``LOGIN_CLIENT_IP_HEADER`` (e.g.
    ``X-Forwarded-For``: the entry ``LOGIN_PROXY_COUNT`` from the right, the
    one the trusted proxy appended; entries further left are client-supplied)."""
    header = settings.LOGIN_CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        hops = [h.strip() for h in value.split(",") if h.strip()]
        if hops:
            return hops[-min(settings.LOGIN_PROXY_COUNT, len(hops))][:45]
    return request.META.get("REMOTE_ADDR")


def axes_username(request, credentials) -> str:
    from .backends import find_user

    login = ""
    if credentials:
        login = credentials.get("username") or ""
    elif request is not None and hasattr(request, "POST"):
        login = request.POST.get("username", "")
    login = str(login)[:200]
    user = find_user(login)
    if user is not None:
        return user.username
    digest = hmac.new(settings.SECRET_KEY.encode(), login.strip().encode(), hashlib.sha256).hexdigest()[:24]
    return f"?{digest}"


def failure_limit(request, credentials) -> int:
    return settings.LOGIN_MAX_FAILURES


def cool_off(request) -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def lockout_response(request, original_response=None, credentials=None):
    """Axes marks a locked-out request; the login page already says so in Chinese."""
    if original_response is None:
        from django.http import HttpResponse

        return HttpResponse(lockout_message(), status=429, content_type="text/plain; charset=utf-8")
    original_response.status_code = 429
    return original_response


def lockout_message() -> str:
    from django.utils.translation import gettext as _

    return _("登录失败次数过多，请 %(minutes)d 分钟后再试；忘记密码请联系学校管理员重置。") % {
        "minutes": settings.LOGIN_LOCKOUT_MINUTES
    }


def _window_start():
    return timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def address_failures(ip: str | None) -> int:
    from axes.models import AccessAttempt

    if not ip:
        return 0
    total = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=_window_start()).aggregate(n=Sum("failures_since_start"))["n"]
    return total or 0


def site_busy() -> bool:
    """At least LOGIN_SITE_FAILURES_PER_MINUTE failures in the last minute: one
    indexed look-up (the N-th newest failure, by primary key, and its time)."""
    from axes.models import AccessFailureLog

    limit = settings.LOGIN_SITE_FAILURES_PER_MINUTE
    nth = AccessFailureLog.objects.order_by("-pk").values_list("attempt_time", flat=True)[limit - 1 : limit]
    nth = list(nth)
    return bool(nth) and nth[0] >= timezone.now() - timedelta(minutes=1)


def failed_recently(ip: str | None) -> bool:
    from axes.models import AccessFailureLog

    since = timezone.now() - timedelta(minutes=1)
    return bool(ip) and AccessFailureLog.objects.filter(ip_address=ip, attempt_time__gte=since).exists()


def refusal(request) -> str | None:
    """Why this request may not try a password now: ``"address"``, ``"busy"`` or None."""
    if request is None:
        return None
    ip = client_ip(request)
    if address_failures(ip) >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS:
        return "address"
    if failed_recently(ip) and site_busy():
        return "busy"
    return None


def refusal_message(reason: str) -> str:
    from django.utils.translation import gettext as _

    if reason == "address":
        return _("本设备登录失败次数过多，请 %(minutes)d 分钟后再试。") % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}
    return _("当前登录尝试过于频繁，请 1 分钟后再试。")
