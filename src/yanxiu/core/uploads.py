"""Evidence files people upload: sick notes, certificate scans, activity proofs.

Only photos and PDF are accepted, checked by their first bytes as well as by
their name, so a web page or a script renamed ``note.jpg`` is refused. Files
are served back through :func:`evidence_response`, which names the type from
the checked extension and sandboxes the response, so even a file stored
before these checks cannot run as a page in the reviewer's browser.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _

# extension -> (content type, accepted leading bytes)
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "webp": ("image/webp", (b"RIFF",)),
    "pdf": ("application/pdf", (b"%PDF-",)),
}


def max_evidence_bytes() -> int:
    return int(getattr(settings, "YANXIU_MAX_EVIDENCE_MB", 10)) * 1024 * 1024


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_evidence(file, *, field: str, label: str) -> None:
    """Raise a ValidationError on ``field`` unless ``file`` is a photo or PDF of a sensible size."""
    name = getattr(file, "name", "") or ""
    short = name.rsplit("/", 1)[-1]
    kind = EVIDENCE_TYPES.get(extension_of(name))
    if kind is None:
        raise ValidationError({field: _("%(label)s“%(name)s”的格式不支持：请上传 JPG、PNG、WebP 图片或 PDF 文件。")
                               % {"label": label, "name": short}})
    size = getattr(file, "size", None)
    if size is not None and size > max_evidence_bytes():
        raise ValidationError({field: _("%(label)s“%(name)s”超过 %(limit)s MB，请压缩或拍照后重新上传。")
                               % {"label": label, "name": short, "limit": max_evidence_bytes() // (1024 * 1024)}})
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if not size or not head.startswith(kind[1]) or (extension_of(name) == "webp" and head[8:12] != b"WEBP"):
        raise ValidationError({field: _("%(label)s“%(name)s”的内容不是有效的%(type)s文件，请重新选择。")
                               % {"label": label, "name": short, "type": extension_of(name).upper()}})


def evidence_response(fieldfile, *, download_name: str) -> FileResponse:
    """Serve a stored evidence file inline if it is a photo or PDF, else as a download; never as a page."""
    extension = extension_of(fieldfile.name)
    kind = EVIDENCE_TYPES.get(extension)
    if kind is None:
        response = FileResponse(fieldfile.open("rb"), as_attachment=True, filename=f"{download_name}.bin",
                                content_type="application/octet-stream")
    else:
        response = FileResponse(fieldfile.open("rb"), filename=f"{download_name}.{extension}", content_type=kind[0])
    if extension != "pdf":  # Chromium's PDF viewer does not open in a sandboxed document
        response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
