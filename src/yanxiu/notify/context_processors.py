"""The unread count in the navigation bar: one COUNT on the inbox index, at most once per request."""

from __future__ import annotations

from . import selectors


def _unread(request) -> int:
    cached = getattr(request, "_notify_unread", None)
    if cached is None:
        cached = request._notify_unread = selectors.unread_count(request.user)
    return cached


def unread(request) -> dict:
    """``notify_unread``: a callable the template calls only where it shows the count (never for anonymous pages)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notify_unread": 0}
    return {"notify_unread": lambda: _unread(request)}
