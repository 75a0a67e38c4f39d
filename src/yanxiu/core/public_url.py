"""Absolute addresses that leave the server: sign-in QR codes, certificate QR codes.

A phone scanning a code on the presenter's screen must reach the server over the
school network, so such addresses follow ``settings.PUBLIC_URL``
(``YANXIU_PUBLIC_URL``) when it is set, else the host the request came in on.
A loopback host (127.0.0.1, localhost, ::1) is never reachable from a phone:
``is_loopback`` lets a page warn about it.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_base(request=None) -> str:
    """``scheme://host[:port]`` that devices on the network use to reach this server."""
    if settings.PUBLIC_URL:
        return settings.PUBLIC_URL
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return "http://127.0.0.1:8000"


def absolute_url(path: str, request=None) -> str:
    """The absolute address of ``path`` (an absolute path from ``reverse``) for a phone or a printout."""
    return public_base(request) + path
