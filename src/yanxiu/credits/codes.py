"""Verification codes printed on certificates and transcripts.

A code is 16 characters from an alphabet without the characters people
misread or mistype (0/O, 1/I/L, and lower case altogether), printed in groups
of four (``7KQM-3XRT-9ADF-2HNP``). Typing it back is forgiving: case, spaces
and dashes (ASCII or full-width) do not matter. Codes issued before this
scheme (random URL-safe text) keep verifying: they are looked up as typed
first, then regardless of case.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from django.db import models

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 16
GROUP = 4
#: Longest text accepted from a visitor before any lookup.
MAX_INPUT = 64

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−_·.]+")
_NEW_CODE = re.compile(rf"^[{ALPHABET}]{{{LENGTH}}}$")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str:
    """The canonical form of a typed code: full-width folded, upper case, no separators."""
    text = unicodedata.normalize("NFKC", str(text or ""))[:MAX_INPUT]
    return _SEPARATORS.sub("", text).upper()


def display(code: str) -> str:
    """``XXXX-XXXX-XXXX-XXXX`` for a code of this scheme; older codes unchanged."""
    if _NEW_CODE.match(code or ""):
        return "-".join(code[i:i + GROUP] for i in range(0, LENGTH, GROUP))
    return code


def find(queryset: models.QuerySet, text: str):
    """The row of ``queryset`` whose ``code`` the visitor typed, or None."""
    raw = str(text or "").strip()
    if not raw or len(raw) > MAX_INPUT:
        return None
    canonical = normalise(raw)
    if _NEW_CODE.match(canonical):
        found = queryset.filter(code=canonical).first()
        if found is not None:
            return found
    # Codes issued before this scheme: as typed, then regardless of case.
    return queryset.filter(code=raw).first() or queryset.filter(code__iexact=raw).first()
