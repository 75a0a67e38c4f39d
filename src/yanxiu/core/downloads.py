"""Names of downloaded files, and the one way to put them on a response.

Every download (xlsx, pdf, zip, ics, evidence and material files) is named in
Chinese from its parts, e.g. ``签到表-<session title>-<date>.xlsx``:
:func:`filename` cleans each user-provided part (no slashes, no characters
Windows or zip tools refuse, no control or direction-override characters,
bounded length) and :func:`content_disposition` sends it as RFC 6266/5987
``filename*=UTF-8''…`` with a plain ASCII ``filename="…"`` for old clients.
:func:`safe_name` is the same cleaning for names inside a zip file.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

# Characters Windows and zip tools refuse in a file or folder name.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

#: Longest cleaned part of a name, and the longest file name (without extension).
PART_LENGTH = 60
NAME_LENGTH = 120


def safe_name(text, fallback: str = "_", max_length: int = 80) -> str:
    """``text`` as one file or folder name: unsafe and control characters replaced, bounded length."""
    text = "".join("_" if unicodedata.category(ch).startswith("C") and ch not in "\t\n\r" else ch for ch in str(text or ""))
    cleaned = _UNSAFE.sub("_", text).strip().strip(".").strip()
    return cleaned[:max_length].rstrip(" .") or fallback


def _extension(ext: str) -> str:
    ext = _ASCII_UNSAFE.sub("", (ext or "").lstrip(".")).lower()[:10]
    return f".{ext}" if ext else ""


def filename(*parts, ext: str) -> str:
    """``part-part-….ext`` from the non-empty parts, each cleaned; e.g. ``filename(_("签到表"), title, day, ext="xlsx")``."""
    cleaned = [safe_name(p, fallback="", max_length=PART_LENGTH) for p in parts if p not in (None, "")]
    stem = "-".join(p for p in cleaned if p)[:NAME_LENGTH].rstrip(" .-") or "download"
    return stem + _extension(ext)


def ascii_name(name: str, fallback: str = "download") -> str:
    """An ASCII-only version of ``name`` for clients that do not read ``filename*``."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = _ASCII_UNSAFE.sub("_", stem).strip("._-")[:NAME_LENGTH] or fallback
    return stem + _extension(ext)


def content_disposition(name: str, *, inline: bool = False, fallback: str | None = None) -> str:
    """``attachment; filename="<ascii>"; filename*=UTF-8''<name>`` (``inline`` to show it in the browser)."""
    name = name.replace("\r", "").replace("\n", "")
    plain = ascii_name(fallback or name)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def attach(response, name: str, *, inline: bool = False, fallback: str | None = None):
    """Set the download name of ``response``; returns it."""
    response["Content-Disposition"] = content_disposition(name, inline=inline, fallback=fallback)
    return response


def download(content: bytes, *, name: str, content_type: str, inline: bool = False, fallback: str | None = None) -> HttpResponse:
    """An in-memory file as a named download."""
    return attach(HttpResponse(content, content_type=content_type), name, inline=inline, fallback=fallback)


def file_download(fileobj, *, name: str, content_type: str, inline: bool = False, fallback: str | None = None) -> FileResponse:
    """An open file streamed as a named download."""
    response = FileResponse(fileobj, as_attachment=not inline, filename=name, content_type=content_type)
    return attach(response, name, inline=inline, fallback=fallback)
