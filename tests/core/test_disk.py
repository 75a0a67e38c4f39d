"""Personal data on disk: owner-only modes, and roster previews never confirmed are purged after a day."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from yanxiu.core import daily, disk


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def test_uploads_are_written_owner_only(media):
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600 and settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS == 0o700
    storage = FileSystemStorage(location=media)
    name = storage.save("training/leave/2026/12/note.jpg", ContentFile(b"\xff\xd8\xff note"))
    assert _mode(media / name) == 0o600
    assert _mode(media / "training" / "leave" / "2026" / "12") == 0o700 and _mode(media / "training") == 0o700


def test_the_sqlite_file_is_made_owner_only_when_opened(tmp_path):
    """The receiver is connected to connection_created (tests/core/test_backup.py checks a real database file)."""
    import sqlite3

    from django.db.backends.signals import connection_created
    from django.db.backends.sqlite3.base import DatabaseWrapper

    path = tmp_path / "db.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x)")
    path.chmod(0o644)
    wrapper = DatabaseWrapper({**settings.DATABASES["default"], "ENGINE": "django.db.backends.sqlite3", "NAME": str(path),
                               "OPTIONS": {}, "TEST": {}}, alias="h4_private")
    try:
        connection_created.send(sender=DatabaseWrapper, connection=wrapper)
    finally:
        conn.close()
    assert _mode(path) == 0o600


def _preview(media: Path, name: str, age_hours: float) -> Path:
    path = media / "roster_uploads" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK full id numbers")
    stamp = time.time() - age_hours * 3600
    os.utime(path, (stamp, stamp))
    return path


def test_unconfirmed_roster_previews_older_than_a_day_are_deleted(media, capsys):
    old = _preview(media, "aa.xlsx", 25)
    fresh = _preview(media, "bb.csv", 2)
    kept = media / "credits" / "claims" / "scan.pdf"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"%PDF-1.4")
    os.utime(kept, (0, 0))
    call_command("purge_uploads")
    assert "1 个" in capsys.readouterr().out
    assert not old.exists() and fresh.exists() and kept.exists()
    assert disk.purge_pending_uploads(max_age=dt.timedelta(hours=1)) == [fresh]


def test_pending_paths_are_only_the_preview_folder():
    assert disk.is_pending("roster_uploads/ab.xlsx")
    assert not disk.is_pending("credits/claims/roster_uploads.pdf") and not disk.is_pending("roster_uploads.xlsx")


@pytest.mark.django_db
def test_an_abandoned_preview_through_the_page_is_purged_and_the_confirm_then_asks_again(client, roles, school, media):
    from tests.org.test_roster_checks import two_rows

    client.force_login(roles.school_admin)
    upload = SimpleUploadedFile("花名册.csv", two_rows())
    page = client.post(reverse("org:roster_import", args=[school.pk]), {"file": upload, "create_groups": "1"})
    assert page.status_code == 200 and 'id="roster-ok"' in page.content.decode()
    files = list((media / "roster_uploads").iterdir())
    assert len(files) == 1 and _mode(files[0]) == 0o600
    os.utime(files[0], (time.time() - 2 * 86400,) * 2)
    from yanxiu.core.tasks import purge_pending_uploads

    assert purge_pending_uploads.call() == 1
    assert not files[0].exists()
    confirm = client.post(reverse("org:roster_import", args=[school.pk]), {"action": "confirm"}, follow=True)
    assert "上传的文件已失效" in confirm.content.decode()


@pytest.mark.django_db
def test_daily_jobs_are_queued_once_and_each_run_queues_the_next(settings):
    from django_tasks_db.models import DBTaskResult

    assert set(daily.schedule_all()) == {"write_ledger_head", "purge_pending_uploads", "finalize_due_postings", "purge_old_jobs",
                                         "recompute_tiers", "send_messages", "send_reminders"}
    assert daily.schedule_all() == []
    assert DBTaskResult.objects.count() == 7
    DBTaskResult.objects.all().delete()
    from yanxiu.core.tasks import purge_pending_uploads

    purge_pending_uploads.call()
    waiting = DBTaskResult.objects.get()
    assert waiting.task_path.endswith("purge_pending_uploads") and waiting.run_after > timezone.now()
    call_command("schedule_daily")
    assert DBTaskResult.objects.count() == 7


def test_private_file_replaces_with_an_owner_only_file(tmp_path):
    path = tmp_path / "x.part"
    path.write_text("old")
    path.chmod(0o644)
    disk.private_file(path)
    assert path.read_bytes() == b"" and _mode(path) == 0o600
    with path.open("ab") as fh:
        fh.write(io.BytesIO(b"data").read())
    assert _mode(path) == 0o600
