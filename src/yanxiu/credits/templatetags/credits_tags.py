"""Template filters for credit amounts and verification codes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from yanxiu.credits import codes

register = template.Library()


@register.filter
def amount(value) -> str:
    """A ledger amount (hours or credits) as on paper: at most two decimals, no trailing zeros (2.5, 12, 0.25)."""
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return "" if value is None else str(value)
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def code_display(value) -> str:
    """A verification code in groups of four."""
    return codes.display(str(value or ""))
