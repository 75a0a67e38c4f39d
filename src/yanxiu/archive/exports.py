"""The school's yearly library as one zip file: a folder per session,
"<date> <session title>/<material title>.<ext>", plus the session's sign-in
sheet (签到表.xlsx) when the user may export it.

The zip is written to a temporary file and streamed from there, so a year of
video never sits in memory; media that is already compressed is stored as is.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile

from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.attendance import access as attendance_access
from yanxiu.attendance import exports as attendance_exports
from yanxiu.attendance import selectors as attendance_selectors
from yanxiu.core import downloads
from yanxiu.core.downloads import safe_name

from . import selectors

# Already compressed: deflating them again costs time and saves nothing.
_STORED = frozenset({"jpg", "jpeg", "png", "webp", "mp4", "mov", "docx", "pptx", "xlsx"})


def _unique(name: str, used: set[str]) -> str:
    if name not in used:
        used.add(name)
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    n = 2
    while True:
        candidate = f"{stem} ({n}).{extension}" if extension else f"{stem} ({n})"
        if candidate not in used:
            used.add(candidate)
            return candidate
        n += 1


def session_folder(session) -> str:
    return safe_name(f"{selectors.session_date(session)} {session.title}")


def write_library_zip(target, *, user, school, year: int, kind: str = "", progress=None) -> dict:
    """Write the year's materials (and sign-in sheets, without a kind filter) into ``target``; returns counts.

    ``progress(done)``, when given, is called after each material (a background job's progress bar)."""
    used: set[str] = set()
    folders: dict[int, str] = {}
    used_folders: set[str] = set()

    def folder_of(session) -> str:
        # Two sessions of the same day and title still get a folder each.
        if session.pk not in folders:
            folders[session.pk] = _unique(session_folder(session), used_folders)
        return folders[session.pk]

    counts = {"materials": 0, "sheets": 0, "missing": []}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for material in selectors.library_materials(user=user, school=school, year=year, kind=kind).iterator(chunk_size=500):
            folder = folder_of(material.session)
            extension = material.extension or "bin"
            arcname = _unique(f"{folder}/{safe_name(material.title)}.{extension}", used)
            compress = zipfile.ZIP_STORED if extension in _STORED else zipfile.ZIP_DEFLATED
            try:
                with material.file.open("rb") as source:
                    with archive.open(_entry(arcname, material, compress), "w", force_zip64=material.size > 2**31) as sink:
                        shutil.copyfileobj(source, sink, 1024 * 1024)
            except OSError:  # the file is gone from storage: listed in the note below
                counts["missing"].append(arcname)
                continue
            counts["materials"] += 1
            if progress is not None:
                progress(counts["materials"] + len(counts["missing"]))
        if not kind:
            for session in selectors.sessions_started(selectors.library_sessions(user=user, school=school, year=year)):
                if not attendance_access.can_manage_attendance(user, session):
                    continue
                folder = folder_of(session)
                rows = attendance_selectors.attendance_sheet(user=user, session=session)
                arcname = _unique(f"{folder}/{safe_name(_('签到表'))}.xlsx", used)
                archive.writestr(_entry(arcname, None, zipfile.ZIP_STORED), attendance_exports.sheet_workbook(session, rows))
                counts["sheets"] += 1
        if counts["missing"]:
            note = _("以下资料的文件已不在服务器上，未能打包：") + "\n" + "\n".join(counts["missing"]) + "\n"
            archive.writestr(_entry(safe_name(_("缺失文件清单")) + ".txt", None, zipfile.ZIP_DEFLATED), note.encode("utf-8"))
    return counts


def _entry(arcname: str, material, compress: int) -> zipfile.ZipInfo:
    """A zip entry dated by the material's upload (or now), readable by everyone once unpacked."""
    when = timezone.localtime(material.uploaded_at) if material is not None and material.uploaded_at else timezone.localtime()
    info = zipfile.ZipInfo(arcname, date_time=(max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second))
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    return info


def library_zip_response(*, user, school, year: int, kind: str = ""):
    target = tempfile.TemporaryFile(prefix="yanxiu-archive-", suffix=".zip")
    try:
        write_library_zip(target, user=user, school=school, year=year, kind=kind)
        target.seek(0)
    except BaseException:
        target.close()
        raise
    name = _("%(school)s %(year)s学年资源库") % {"school": school.name, "year": selectors.school_year_label(year)}
    if kind:
        from .models import MaterialKind

        name += f"（{MaterialKind(kind).label}）"
    return downloads.file_download(target, name=downloads.filename(name, ext="zip"), content_type="application/zip",
                                   fallback=f"library-{school.code}-{year}.zip")
