"""Bounded reading of what a request says: years, ids, dates and return addresses.

Every view and API endpoint that reads a year, an id, a date or a ``next``
address from the request goes through these helpers, so that a hostile value
(``?year=10**30``, ``?school=-1``, ``next=https://evil.example``) is refused
with a Chinese message (400 on pages, 422 in the API) before anything is
computed with it, instead of overflowing a database integer or ``datetime``.

- years: ``settings.YANXIU_YEAR_MIN`` (2000) .. this year + ``YANXIU_YEAR_AHEAD`` (5);
- ids: 1 .. 2**63 - 1 (a 64-bit primary key);
- dates: within the same window of years;
- return addresses: only paths on this site (``url_has_allowed_host_and_scheme``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.conf import settings
from django.core.exceptions import BadRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field

ID_MAX = 2**63 - 1
# Longer values are refused before parsing: no year, id or date needs more characters.
_MAX_DIGITS = 20


class BadParameter(BadRequest):
    """A query parameter outside its bounds; rendered as a 400 page with the message."""


def year_bounds() -> tuple[int, int]:
    low = getattr(settings, "YANXIU_YEAR_MIN", 2000)
    return low, timezone.localdate().year + getattr(settings, "YANXIU_YEAR_AHEAD", 5)


def check_year(year: int, *, name: str = "year") -> int:
    """``year`` itself when inside the window, else ValueError with a Chinese message."""
    low, high = year_bounds()
    if not low <= year <= high:
        raise ValueError(_("参数 %(name)s 的年份须在 %(low)d 至 %(high)d 之间。") % {"name": name, "low": low, "high": high})
    return year


def check_id(value: int, *, name: str = "id") -> int:
    if not 1 <= value <= ID_MAX:
        raise ValueError(_("参数 %(name)s 的编号须为 1 至 %(max)d 之间的整数。") % {"name": name, "max": ID_MAX})
    return value


def _integer(raw, name: str) -> int:
    text = str(raw).strip()
    if len(text) > _MAX_DIGITS or not text.lstrip("-").isdigit():
        raise BadParameter(_("参数 %(name)s 须为整数。") % {"name": name})
    return int(text)


def parse_id(value) -> int | None:
    """``value`` as an id when it is one (1 .. 2**63 - 1), else None: for form data a form then refuses."""
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > _MAX_DIGITS or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


def _param(source, name: str):
    value = source.get(name) if hasattr(source, "get") else source
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def year_param(source, name: str = "year", *, default=None):
    """The year in ``source[name]`` (a QueryDict) or ``default`` when absent or empty; BadParameter when bad."""
    raw = _param(source, name)
    if raw is None:
        return default
    try:
        return check_year(_integer(raw, name), name=name)
    except ValueError as exc:
        raise BadParameter(str(exc)) from exc


def id_param(source, name: str, *, default=None):
    """The id in ``source[name]`` or ``default`` when absent or empty; BadParameter when bad."""
    raw = _param(source, name)
    if raw is None:
        return default
    try:
        return check_id(_integer(raw, name), name=name)
    except ValueError as exc:
        raise BadParameter(str(exc)) from exc


def check_date(value: dt.date, *, name: str = "date") -> dt.date:
    low, high = year_bounds()
    if not low <= value.year <= high:
        raise ValueError(_("参数 %(name)s 的日期须在 %(low)d 年至 %(high)d 年之间。") % {"name": name, "low": low, "high": high})
    return value


def date_param(source, name: str, *, default=None):
    """An ISO date in ``source[name]`` within the window of years, or ``default`` when absent."""
    raw = _param(source, name)
    if raw is None:
        return default
    try:
        value = dt.date.fromisoformat(str(raw).strip()[:32])
    except ValueError as exc:
        raise BadParameter(_("参数 %(name)s 须为日期（如 2025-09-01）。") % {"name": name}) from exc
    try:
        return check_date(value, name=name)
    except ValueError as exc:
        raise BadParameter(str(exc)) from exc


def safe_next(request, fallback: str, *, name: str = "next") -> str:
    """Where to go back to: ``next`` from the POST or query string when it is a
    path on this site (it starts with one ``/``), else ``fallback``. Never an
    outside address, and never a bare word such as ``123``, which ``redirect()``
    would take for a view name."""
    target = request.POST.get(name) or request.GET.get(name) or ""
    if target.startswith("/") and not target.startswith(("//", "/\\")) and len(target) <= 2000 and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- API (django-ninja / pydantic) types -------------------------------------------


def _bounded(check, name: str):
    """A pydantic before-validator: our Chinese message, not pydantic's English one."""

    def validate(value):
        if isinstance(value, str):
            text = value.strip()
            if len(text) > _MAX_DIGITS or not text.lstrip("-").isdigit():
                raise ValueError(_("参数 %(name)s 须为整数。") % {"name": name})
            value = int(text)
        if isinstance(value, int) and not isinstance(value, bool):
            return check(value, name=name)
        return value

    return BeforeValidator(validate)


# The schema bounds show in the OpenAPI document; the validator applies the moving window.
# An endpoint under @paginate has its annotations resolved in ninja's module, where
# these names are unknown: there write ``int = Path(..., ge=1, le=ID_MAX)`` / ``Query(...)``.
Year = Annotated[int, _bounded(check_year, "year"), Field(json_schema_extra={"minimum": 2000, "maximum": 9999})]
Id = Annotated[int, _bounded(check_id, "id"), Field(json_schema_extra={"minimum": 1, "maximum": ID_MAX})]



def text_param(source, name: str, *, max_length: int = 100) -> str:
    """A search text: at most ``max_length`` characters, without NUL (which PostgreSQL refuses in a query)."""
    return str(source.get(name, "") or "").replace("\x00", "")[:max_length].strip()


def school_year_param(source, name: str = "year", *, default=None):
    """A school year written ``2025-2026`` (both years in the window, consecutive), or ``default``."""
    raw = _param(source, name)
    if raw is None:
        return default
    text = str(raw).strip()
    first, _sep, second = text.partition("-")
    message = _("参数 %(name)s 须为学年，如 2025-2026。") % {"name": name}
    if len(text) != 9 or not (first.isdigit() and second.isdigit()) or int(second) != int(first) + 1:
        raise BadParameter(message)
    try:
        check_year(int(first), name=name)
    except ValueError as exc:
        raise BadParameter(str(exc)) from exc
    return text


def date_range_params(source, start: str = "start", end: str = "end", *, max_days: int = 366):
    """``(start, end)`` from the query, both present, in order and at most ``max_days`` apart; None when either is absent."""
    first, last = date_param(source, start), date_param(source, end)
    if first is None or last is None:
        return None
    if last < first:
        raise BadParameter(_("参数 %(end)s 不能早于 %(start)s。") % {"start": start, "end": end})
    if (last - first).days > max_days:
        raise BadParameter(_("日期范围最长 %(days)d 天。") % {"days": max_days})
    return first, last


#: The most rows one bulk action (approve the ticked requests) takes at once.
BULK_MAX = 500


def selected_ids(source, name: str = "ids", *, max_items: int = BULK_MAX) -> list[int]:
    """The ticked rows of a bulk form (``<input type=checkbox name=ids value=…>``): distinct ids in order.

    Refuses with a Chinese message when nothing is ticked, when more than ``max_items`` are, or when
    a value is not an id (a stale or forged form): a bulk action either gets clean ids or runs on nothing.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    raw = source.getlist(name)[: max_items + 1] if hasattr(source, "getlist") else list(source)[: max_items + 1]
    if not raw:
        raise ValidationError(_("请先勾选要处理的记录。"))
    if len(raw) > max_items:
        raise ValidationError(_("一次最多处理 %(max)d 条记录，请分批操作。") % {"max": max_items})
    ids: list[int] = []
    for value in raw:
        parsed = parse_id(value)
        if parsed is None:
            raise ValidationError(_("所选记录编号无效，请刷新页面后重试。"))
        if parsed not in ids:
            ids.append(parsed)
    return ids
