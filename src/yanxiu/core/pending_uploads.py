"""An uploaded file waiting, between the preview and the confirmation, for the user to confirm it.

An import page that previews a file keeps it in storage under one of the
folders of :data:`yanxiu.core.disk.PENDING_UPLOAD_DIRS` (never backed up,
purged after a day) and notes it in the session under its own key: the school
it is meant for, its storage path and its file name, with whatever else the
importer keeps with it (an exam's details, for one). One user has at most one
file waiting per page; a new upload replaces the earlier one.

The school is given as a model instance (its ``pk`` is kept) or as a pk, so
this module needs no app.
"""

from __future__ import annotations

import io
import secrets
from pathlib import PurePath

from django.core.files.storage import default_storage

from . import jobs

#: The longest file name kept (its end, so the extension stays).
MAX_NAME = 200


def _school_pk(school):
    return getattr(school, "pk", school)


def is_large_size(size: int) -> bool:
    """Is a file of ``size`` bytes checked and imported by a background job rather than in the request?"""
    return size > jobs.inline_import_bytes()


class PendingUpload:
    """The file one import page keeps in ``folder`` (under MEDIA_ROOT) and the session under ``session_key``."""

    def __init__(self, session_key: str, folder: str):
        self.session_key = session_key
        self.folder = folder

    def _ours(self, path: str) -> bool:
        return path.startswith(f"{self.folder}/") and ".." not in PurePath(path).parts

    def save(self, request, school, *, name: str, content, **extra) -> dict:
        """Keep the uploaded file (bytes or a file) until it is confirmed, replacing an earlier one;
        returns what the session holds (``school``, ``path``, ``name`` and ``extra``)."""
        self.drop(request)
        suffix = PurePath(name).suffix.lower().lstrip(".")[:5]
        content = io.BytesIO(content) if isinstance(content, bytes) else content
        path = default_storage.save(f"{self.folder}/{secrets.token_hex(16)}.{suffix}", content)
        pending = {"school": _school_pk(school), "path": path, "name": PurePath(name).name[-MAX_NAME:], **extra}
        request.session[self.session_key] = pending
        return pending

    def get(self, request, school) -> dict | None:
        """The file this user uploaded for ``school`` and has not confirmed yet, while it is still there."""
        pending = request.session.get(self.session_key) or {}
        path = str(pending.get("path", ""))
        if pending.get("school") != _school_pk(school) or not self._ours(path) or not default_storage.exists(path):
            return None
        return pending

    def drop(self, request) -> None:
        """Forget the waiting file and delete it."""
        pending = request.session.pop(self.session_key, None) or {}
        path = str(pending.get("path", ""))
        if self._ours(path) and default_storage.exists(path):
            default_storage.delete(path)

    def hand_over(self, request) -> None:
        """Forget the waiting file but leave it in storage: a background job imports (and deletes) it."""
        request.session.pop(self.session_key, None)

    def is_large(self, pending: dict) -> bool:
        """Is the waiting file imported by a background job rather than in the request?"""
        try:
            return is_large_size(default_storage.size(pending["path"]))
        except (KeyError, OSError):
            return False

    @staticmethod
    def read(pending: dict) -> bytes:
        """The waiting file's content (pages and jobs alike)."""
        return read_path(pending["path"])


def read_path(path: str) -> bytes:
    """The content of a file in storage, as a job given its path reads it."""
    with default_storage.open(path, "rb") as fh:
        return fh.read()
