"""Sending queued deliveries: e-mail through Django's SMTP backend, webhooks by HTTP POST.

Runs in the background worker (``tasks.send_messages``) or from
``yanxiu send_messages``, never in a request. :func:`send_due` is one pass:

- it takes the due deliveries (queued, ``next_attempt_at`` reached) one by one,
  claiming each with a conditional update (``queued`` → ``sending``), so two
  workers never send the same one; a claim is a lease of :data:`LEASE`: a worker
  that died mid-send leaves it ``sending`` and the next pass after the lease
  puts it back in the queue;
- nothing is sent inside a database transaction (SQLite's writer lock is not
  held while a server answers);
- a failure keeps the delivery with its error and the attempt count, and
  queues it again after ``YANXIU_NOTIFY_RETRY_SECONDS`` × 2^(attempts − 1)
  (at most :data:`MAX_DELAY`); after ``YANXIU_NOTIFY_MAX_ATTEMPTS`` it is
  ``failed`` and waits for the retry button of the log. A channel that is down
  loses nothing.
- e-mail is ``skipped`` (with the reason) when no SMTP server is configured
  (``YANXIU_EMAIL_HOST``) or the account has no address; a disabled or deleted
  channel's posts are skipped too.

A webhook body is the channel's JSON template with {title} {body} {url}
{school} replaced inside its strings (the values JSON-escaped by the encoder,
so a quote in a title cannot break the body), at most :data:`MAX_BODY_BYTES`;
the POST has a short timeout (``YANXIU_WEBHOOK_TIMEOUT``), reads at most 4 KB of
the answer, and counts a 2xx answer as sent unless it is a JSON object with a
non-zero ``errcode`` (企业微信 and 钉钉 robots answer 200 with an error code).

A webhook reaches public addresses only: the host is resolved at sending and the
post is refused (``skipped``, the reason in the log) when any of its addresses is
loopback, private, link-local, multicast, unspecified or otherwise not global; the
connection goes to the checked address itself (no second lookup), redirects are
not followed and no proxy from the environment is used.
``YANXIU_WEBHOOK_ALLOW_PRIVATE`` lifts the address check (an intranet robot, the tests).
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import json
import logging
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core.public_url import absolute_url

from .models import Channel, Delivery

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)
MAX_DELAY = dt.timedelta(hours=6)
MAX_BODY_BYTES = 64 * 1024
BATCH = 200


class SendError(Exception):
    """The channel refused or could not be reached; the message is kept and tried again."""


class Skip(Exception):
    """The delivery cannot be sent as configured (no mail server, no address)."""


class AddressRefused(Exception):
    """The webhook's host is (or resolves to) an address a webhook may not reach."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def refused_address(ip: IPAddress) -> bool:
    """Loopback, private, link-local, multicast, unspecified, reserved or any other non-global address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved
            or not ip.is_global)


def literal_address(host: str) -> IPAddress | None:
    """``host`` as an IP address when it is written as one (also the short forms like ``127.1`` or
    ``2130706433`` that the resolver reads as IPv4), else None."""
    host = (host or "").strip().strip("[]")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def refused_host_reason(host: str) -> str | None:
    """Why a channel may not be saved with this host (a literal non-public address, localhost), or None."""
    if settings.YANXIU_WEBHOOK_ALLOW_PRIVATE:
        return None
    name = (host or "").strip().rstrip(".").lower()
    ip = literal_address(name)
    if (ip is not None and refused_address(ip)) or name == "localhost" or name.endswith(".localhost"):
        return _("推送地址 %(host)s 是本机、内网或保留地址，不能使用；请填写群机器人的公网地址。") % {"host": host}
    return None


def _resolve(host: str, port: int) -> list[tuple]:
    """The addresses to connect to; AddressRefused when any of them may not be reached."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(_("无法解析主机名 %(host)s（%(reason)s）") % {"host": host, "reason": exc.strerror or exc}) from None
    if not settings.YANXIU_WEBHOOK_ALLOW_PRIVATE:
        for *_rest, sockaddr in infos:
            ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
            if refused_address(ip):
                raise AddressRefused(_("推送地址 %(host)s 解析为本机、内网或保留地址 %(ip)s，已拒绝发送。") % {"host": host, "ip": ip})
    return infos


def _connect(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
    """socket.create_connection, to the checked addresses of the host only."""
    host, port = address
    last: OSError | None = None
    for family, kind, proto, _name, sockaddr in _resolve(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            last = exc
            sock.close()
    raise last or OSError(_("无法连接 %(host)s。") % {"host": host})


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _connect


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _connect


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_CheckedHTTPConnection, req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        extra = {"check_hostname": self._check_hostname} if hasattr(self, "_check_hostname") else {}
        return self.do_open(_CheckedHTTPSConnection, req, context=self._context, **extra)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx answer becomes an HTTPError


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _CheckedHTTPHandler(), _CheckedHTTPSHandler(),
                                       _NoRedirect())


def render_body(template: str, values: dict[str, str]) -> bytes:
    """The channel's JSON template with the placeholders replaced inside its strings."""

    def fill(node):
        if isinstance(node, str):
            for key, value in values.items():
                node = node.replace("{%s}" % key, value)
            return node
        if isinstance(node, list):
            return [fill(item) for item in node]
        if isinstance(node, dict):
            return {fill(k) if isinstance(k, str) else k: fill(v) for k, v in node.items()}
        return node

    body = json.dumps(fill(json.loads(template)), ensure_ascii=False).encode("utf-8")
    if len(body) > MAX_BODY_BYTES:
        raise SendError(_("消息体超过 %(n)s KB。") % {"n": MAX_BODY_BYTES // 1024})
    return body


def _values(delivery: Delivery) -> dict[str, str]:
    message = delivery.message
    channel = delivery.channel
    return {"title": message.title, "body": message.body, "url": absolute_url(message.url) if message.url else "",
            "school": channel.owner_name if channel else ""}


def post_webhook(delivery: Delivery) -> None:
    channel = delivery.channel
    if channel is None:
        raise Skip(_("推送渠道已删除。"))
    if not channel.enabled:
        raise Skip(_("推送渠道已停用。"))
    parts = urlsplit(channel.url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise Skip(_("推送地址须以 http:// 或 https:// 开头。"))
    reason = refused_host_reason(parts.hostname)
    if reason:
        raise Skip(reason)
    body = render_body(channel.body_template, _values(delivery))
    headers = {**{str(k): str(v) for k, v in (channel.headers or {}).items()}, "Content-Type": "application/json; charset=utf-8"}
    request = urllib.request.Request(channel.url, data=body, headers=headers, method="POST")
    try:
        with _opener().open(request, timeout=settings.YANXIU_WEBHOOK_TIMEOUT) as response:
            answer = response.read(4096)
    except AddressRefused as exc:
        raise Skip(str(exc)) from None
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            raise SendError(_("对方返回跳转（HTTP %(code)s），推送不跟随跳转。") % {"code": exc.code}) from None
        raise SendError(_("对方返回 HTTP %(code)s。") % {"code": exc.code}) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(_("无法连接推送地址：%(reason)s") % {"reason": str(reason)[:200]}) from None
    try:
        parsed = json.loads(answer.decode("utf-8"))
    except ValueError:
        return
    if isinstance(parsed, dict) and parsed.get("errcode") not in (None, 0, "0"):
        raise SendError(_("对方返回错误 %(code)s：%(msg)s") % {"code": parsed.get("errcode"), "msg": str(parsed.get("errmsg", ""))[:150]})


def send_email(delivery: Delivery) -> None:
    if not settings.EMAIL_HOST:
        raise Skip(_("未配置邮件服务器（YANXIU_EMAIL_HOST）。"))
    address = (delivery.message.recipient.email or "").strip()
    if not address:
        raise Skip(_("该账号没有填写邮箱地址。"))
    message = delivery.message
    text = message.body
    if message.url:
        text = f"{text}\n\n{absolute_url(message.url)}" if text else absolute_url(message.url)
    try:
        connection = get_connection(timeout=settings.YANXIU_EMAIL_TIMEOUT)
        EmailMessage(subject=message.title, body=text, to=[address], connection=connection).send()
    except Exception as exc:  # smtplib and socket errors of every kind: the mail is kept and tried again
        raise SendError(_("邮件发送失败：%(reason)s") % {"reason": f"{type(exc).__name__}: {exc}"[:200]}) from None


def retry_delay(attempts: int) -> dt.timedelta:
    base = dt.timedelta(seconds=max(1, settings.YANXIU_NOTIFY_RETRY_SECONDS))
    return min(MAX_DELAY, base * (2 ** max(0, attempts - 1)))


@dataclass
class PassResult:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed, "skipped": self.skipped}


def _claim(pk: int, now: dt.datetime) -> bool:
    return bool(Delivery.objects.filter(pk=pk, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SENDING, next_attempt_at=now + LEASE))


def _send_one(delivery: Delivery, result: PassResult, now: dt.datetime) -> None:
    attempts = delivery.attempts + 1
    try:
        (send_email if delivery.via == Delivery.Via.EMAIL else post_webhook)(delivery)
    except Skip as exc:
        result.skipped += 1
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED, last_error=str(exc)[:300], next_attempt_at=None)
    except SendError as exc:
        final = attempts >= settings.YANXIU_NOTIFY_MAX_ATTEMPTS
        if final:
            result.failed += 1
        else:
            result.retrying += 1
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED if final else Delivery.Status.QUEUED, attempts=attempts, last_error=str(exc)[:300],
            next_attempt_at=None if final else now + retry_delay(attempts))
        log.warning("delivery %s (%s) failed, attempt %s: %s", delivery.pk, delivery.via, attempts, exc)
    else:
        result.sent += 1
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, attempts=attempts, sent_at=now,
                                                       last_error="", next_attempt_at=None)


def send_due(*, now: dt.datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """One delivery pass: send up to ``limit`` due deliveries; returns the counts."""
    now = now or timezone.now()
    Delivery.objects.filter(status=Delivery.Status.SENDING, next_attempt_at__lt=now).update(status=Delivery.Status.QUEUED)
    due = list(Delivery.objects.filter(status=Delivery.Status.QUEUED)
               .exclude(next_attempt_at__gt=now).order_by("pk").values_list("pk", flat=True)[:limit])
    result = PassResult()
    for pk in due:
        if not _claim(pk, now):
            continue
        delivery = Delivery.objects.select_related("message__recipient", "channel__school", "channel__county").filter(pk=pk).first()
        if delivery is None:
            continue
        _send_one(delivery, result, now)
    return result.as_dict()


def has_due(*, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return Delivery.objects.filter(status=Delivery.Status.QUEUED).exclude(next_attempt_at__gt=now).exists()


__all__ = ["AddressRefused", "Channel", "PassResult", "SendError", "Skip", "has_due", "post_webhook", "render_body", "retry_delay", "send_due",
           "send_email"]
