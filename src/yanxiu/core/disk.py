"""Personal data on disk: owner-only files, and uploads that were never confirmed.

- The SQLite database file is made 0600 when a connection opens it
  (:func:`restrict_sqlite_file`, connected in ``CoreConfig.ready``); SQLite
  gives its -wal/-shm files the same mode. Uploads are written 0600 in 0700
  folders (``FILE_UPLOAD_PERMISSIONS``), backups and heads 0600 (core.backup,
  credits.ledger).
- A roster preview (``roster_uploads/`` under MEDIA_ROOT, kept by
  :class:`yanxiu.core.pending_uploads.PendingUpload` for the roster import page)
  holds full ID numbers until it is confirmed;
  so does a growth register preview (``growth_uploads/``, the growth import page) and an exam's
  scores waiting for confirmation (``routine_uploads/``: student names).
  :func:`purge_pending_uploads` deletes those older than a day (daily task
  ``core.tasks.purge_pending_uploads``, command ``yanxiu purge_uploads``), and
  backups leave them out (:data:`PENDING_UPLOAD_DIRS`).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from django.conf import settings

#: Folders under MEDIA_ROOT whose files wait for a confirmation; never backed up, purged after a day.
PENDING_UPLOAD_DIRS = ("roster_uploads", "growth_uploads", "routine_uploads")
PENDING_MAX_AGE = dt.timedelta(days=1)

_restricted: set[str] = set()


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 (replacing any file there), to be written into."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def make_tree_private(root: Path) -> None:
    """Every file under ``root`` 0600, every folder 0700."""
    if not root.is_dir():
        return
    root.chmod(0o700)
    for current, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(current, name), 0o700)
        for name in files:
            path = os.path.join(current, name)
            if not os.path.islink(path):
                os.chmod(path, 0o600)


def restrict_sqlite_file(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: the SQLite database file (and -wal/-shm) readable by its owner only."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or name in _restricted:
        return
    for suffix in ("", "-wal", "-shm"):
        path = Path(name + suffix)
        try:
            if path.is_file() and path.stat().st_uid == os.getuid():
                path.chmod(0o600)
        except OSError:
            continue
    _restricted.add(name)


def is_pending(relative: str) -> bool:
    """Is this path (relative to MEDIA_ROOT, '/'-separated) an upload waiting for confirmation?"""
    return relative.split("/", 1)[0] in PENDING_UPLOAD_DIRS


def purge_pending_uploads(*, max_age: dt.timedelta = PENDING_MAX_AGE, now: float | None = None) -> list[Path]:
    """Delete pending uploads last written more than ``max_age`` ago; returns the paths deleted."""
    root = Path(settings.MEDIA_ROOT)
    cutoff = (now if now is not None else time.time()) - max_age.total_seconds()
    removed = []
    for folder in PENDING_UPLOAD_DIRS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            try:
                if (path.is_file() or path.is_symlink()) and path.lstat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
            except FileNotFoundError:
                continue
    return removed
