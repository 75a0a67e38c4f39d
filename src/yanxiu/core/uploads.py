"""Files people upload: evidence (sick notes, certificate scans, activity
proofs) and the materials of a session (slides, photos, video, records).

Evidence is photos and PDF only; materials add Office documents and video.
Both are checked by their first bytes as well as by their name, so a web page
or a script renamed ``note.jpg`` is refused. Files are served back through
:func:`evidence_response` and :func:`material_response`, which name the type
from the checked extension and sandbox the response, so even a file stored
before these checks cannot run as a page in the reader's browser.
"""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from . import downloads

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


def _short_name(file) -> tuple[str, str]:
    name = getattr(file, "name", "") or ""
    return name, name.rsplit("/", 1)[-1]


def _content_ok(file, extension: str, magic: tuple[bytes, ...], size) -> bool:
    """Do the file's first bytes match what its extension promises?"""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if not size or not head.startswith(magic):
        return False
    if extension == "webp":
        return head[8:12] == b"WEBP"
    return True


def check_evidence(file, *, field: str, label: str) -> None:
    """Raise a ValidationError on ``field`` unless ``file`` is a photo or PDF of a sensible size."""
    name, short = _short_name(file)
    kind = EVIDENCE_TYPES.get(extension_of(name))
    if kind is None:
        raise ValidationError({field: _("%(label)s“%(name)s”的格式不支持：请上传 JPG、PNG、WebP 图片或 PDF 文件。")
                               % {"label": label, "name": short}})
    size = getattr(file, "size", None)
    if size is not None and size > max_evidence_bytes():
        raise ValidationError({field: _("%(label)s“%(name)s”超过 %(limit)s MB，请压缩或拍照后重新上传。")
                               % {"label": label, "name": short, "limit": max_evidence_bytes() // (1024 * 1024)}})
    if not _content_ok(file, extension_of(name), kind[1], size):
        raise ValidationError({field: _("%(label)s“%(name)s”的内容不是有效的%(type)s文件，请重新选择。")
                               % {"label": label, "name": short, "type": extension_of(name).upper()}})


def _serve(fieldfile, *, types: dict, inline: frozenset, download_name: str, fallback: str = "") -> FileResponse:
    """A stored file with the content type of its checked extension: inline when in ``inline``, else a
    download; an unknown extension is an anonymous download. Never run as a page in the reader's browser.
    ``download_name`` (without extension) is cleaned and sent by :mod:`yanxiu.core.downloads`;
    ``fallback`` is the ASCII name for old clients."""
    extension = extension_of(fieldfile.name)
    kind = types.get(extension)
    if kind is None:
        extension, content_type, as_attachment = "bin", "application/octet-stream", True
    else:
        content_type, as_attachment = kind[0], extension not in inline
    name = downloads.filename(download_name, ext=extension)
    response = downloads.file_download(fieldfile.open("rb"), name=name, content_type=content_type, inline=not as_attachment,
                                       fallback=f"{fallback}.{extension}" if fallback else None)
    return _protect(response, extension)


def _protect(response, extension: str):
    if extension != "pdf":  # Chromium's PDF viewer does not open in a sandboxed document
        response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def evidence_response(fieldfile, *, download_name: str, fallback: str = "") -> FileResponse:
    """Serve a stored evidence file inline if it is a photo or PDF, else as a download."""
    return _serve(fieldfile, types=EVIDENCE_TYPES, inline=frozenset(EVIDENCE_TYPES), download_name=download_name, fallback=fallback)


# --- Session materials --------------------------------------------------------

_OOXML = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)

# extension -> (content type, accepted leading bytes); video is checked at offset 4.
MATERIAL_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    **EVIDENCE_TYPES,
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _OOXML),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _OOXML),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _OOXML),
    "doc": ("application/msword", _OLE),
    "ppt": ("application/vnd.ms-powerpoint", _OLE),
    "xls": ("application/vnd.ms-excel", _OLE),
    "mp4": ("video/mp4", (b"ftyp",)),
    "mov": ("video/quicktime", (b"ftyp",)),
}
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "webp"})
VIDEO_EXTENSIONS = frozenset({"mp4", "mov"})
OFFICE_EXTENSIONS = frozenset({"docx", "pptx", "xlsx", "doc", "ppt", "xls"})
#: Served inline (shown in the browser); the rest are downloads.
INLINE_MATERIAL_EXTENSIONS = IMAGE_EXTENSIONS | VIDEO_EXTENSIONS | {"pdf"}


def max_material_bytes(extension: str) -> int:
    """The size limit of a material: one for video, one for everything else (settings, in MB)."""
    if extension in VIDEO_EXTENSIONS:
        return int(getattr(settings, "YANXIU_MAX_MATERIAL_VIDEO_MB", 200)) * 1024 * 1024
    return int(getattr(settings, "YANXIU_MAX_MATERIAL_MB", 50)) * 1024 * 1024


def _material_content_ok(file, extension: str, size) -> bool:
    magic = MATERIAL_TYPES[extension][1]
    if extension in VIDEO_EXTENSIONS:
        file.seek(0)
        head = file.read(12)
        file.seek(0)
        return bool(size) and head[4:8] in magic
    if not _content_ok(file, extension, magic, size):
        return False
    if magic is _OOXML:
        # An Office Open XML file is a zip with a content-types part, not any zip renamed.
        try:
            with zipfile.ZipFile(file) as archive:
                ok = "[Content_Types].xml" in archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            ok = False
        file.seek(0)
        return ok
    return True


def check_material(file, *, field: str, label: str) -> None:
    """Raise a ValidationError on ``field`` unless ``file`` is a document, photo or video of a sensible size."""
    name, short = _short_name(file)
    extension = extension_of(name)
    if extension not in MATERIAL_TYPES:
        raise ValidationError({field: _("%(label)s“%(name)s”的格式不支持：请上传 PDF、Word、PowerPoint、Excel 文档，"
                                        "JPG、PNG、WebP 图片或 MP4、MOV 视频。") % {"label": label, "name": short}})
    size = getattr(file, "size", None)
    limit = max_material_bytes(extension)
    if size is not None and size > limit:
        raise ValidationError({field: _("%(label)s“%(name)s”超过 %(limit)s MB，请压缩或拆分后重新上传。")
                               % {"label": label, "name": short, "limit": limit // (1024 * 1024)}})
    if not _material_content_ok(file, extension, size):
        raise ValidationError({field: _("%(label)s“%(name)s”的内容不是有效的%(type)s文件，请重新选择。")
                               % {"label": label, "name": short, "type": extension.upper()}})


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) of a single ``bytes=`` range within ``size``; None when absent, unsupported or unsatisfiable."""
    unit, _sep, spec = (header or "").partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first, _dash, last = spec.strip().partition("-")
    try:
        if first:
            start, end = int(first), int(last) if last else size - 1
        else:  # the last N bytes
            start, end = max(size - int(last), 0), size - 1
    except ValueError:
        return None
    if start < 0 or start > end or start >= size:
        return None
    return start, min(end, size - 1)


def _partial(fieldfile, start: int, end: int, size: int, content_type: str) -> StreamingHttpResponse:
    def chunks(chunk=64 * 1024):
        with fieldfile.open("rb") as fh:
            fh.seek(start)
            left = end - start + 1
            while left > 0:
                data = fh.read(min(chunk, left))
                if not data:
                    break
                left -= len(data)
                yield data

    response = StreamingHttpResponse(chunks(), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    return response


def material_response(fieldfile, *, download_name: str, range_header: str = "", fallback: str = "") -> HttpResponseBase:
    """Serve a stored material: photos, PDF and video inline with their checked type, Office files as downloads.

    ``download_name`` is the name without extension; the extension comes from the stored file.
    Videos answer a single byte range (``range_header``, the request's Range), which phones'
    players need to start and to seek.
    """
    extension = extension_of(fieldfile.name)
    if extension in VIDEO_EXTENSIONS and range_header:
        size = fieldfile.size
        wanted = _byte_range(range_header, size)
        if wanted is None:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
        else:
            response = _partial(fieldfile, *wanted, size, MATERIAL_TYPES[extension][0])
        response = _protect(response, extension)
    else:
        response = _serve(fieldfile, types=MATERIAL_TYPES, inline=INLINE_MATERIAL_EXTENSIONS, download_name=download_name,
                          fallback=fallback)
    if extension in VIDEO_EXTENSIONS:
        response["Accept-Ranges"] = "bytes"
    return response
