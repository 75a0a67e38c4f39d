"""The import file waiting for confirmation: kept, found for its school only, dropped, and only in its folder."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yanxiu.core.disk import PENDING_UPLOAD_DIRS
from yanxiu.core.pending_uploads import PendingUpload

PENDING = PendingUpload("test_pending_upload", "growth_uploads")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _request():
    return SimpleNamespace(session={})


def test_a_saved_file_is_found_read_and_dropped(media):
    request, school = _request(), SimpleNamespace(pk=7)
    pending = PENDING.save(request, school, name="名单.XLSX", content=b"rows", exam={"name": "期中"})
    assert pending["school"] == 7 and pending["name"] == "名单.XLSX" and pending["exam"] == {"name": "期中"}
    assert pending["path"].startswith("growth_uploads/") and pending["path"].endswith(".xlsx")
    assert request.session["test_pending_upload"] == pending
    assert PENDING.get(request, school) == pending and PENDING.get(request, 7) == pending
    assert PENDING.read(pending) == b"rows"
    PENDING.drop(request)
    assert "test_pending_upload" not in request.session and not (media / pending["path"]).exists()
    assert PENDING.get(request, school) is None
    PENDING.drop(request)  # nothing waiting: nothing to do


def test_a_new_upload_replaces_the_earlier_one(media):
    request = _request()
    first = PENDING.save(request, 7, name="a.csv", content=b"one")
    second = PENDING.save(request, 7, name="b.csv", content=SimpleUploadedFile("b.csv", b"two"))
    assert not (media / first["path"]).exists() and PENDING.read(second) == b"two"
    assert PENDING.get(request, 7)["name"] == "b.csv"


def test_another_schools_file_is_not_returned(media):
    request = _request()
    PENDING.save(request, 7, name="a.csv", content=b"one")
    assert PENDING.get(request, 8) is None and PENDING.get(request, SimpleNamespace(pk=8)) is None


def test_a_path_outside_the_folder_is_refused_and_not_deleted(media):
    request = _request()
    other = PendingUpload("test_pending_upload", "roster_uploads").save(request, 7, name="a.csv", content=b"ids")
    assert PENDING.get(request, 7) is None
    PENDING.drop(request)
    assert (media / other["path"]).exists()
    for path in ("growth_uploads/../roster_uploads/x.csv", "/etc/passwd", ""):
        request.session["test_pending_upload"] = {"school": 7, "path": path, "name": "x.csv"}
        assert PENDING.get(request, 7) is None


def test_the_name_is_kept_without_folders_and_bounded(media):
    request = _request()
    pending = PENDING.save(request, 7, name="../../" + "长" * 300 + ".xlsx", content=b"x")
    assert pending["name"] == ("长" * 300 + ".xlsx")[-200:] and "/" not in pending["name"]


def test_a_file_above_the_inline_limit_is_large(media, settings):
    settings.YANXIU_IMPORT_INLINE_KB = 1
    request = _request()
    assert not PENDING.is_large(PENDING.save(request, 7, name="a.csv", content=b"x" * 1024))
    assert PENDING.is_large(PENDING.save(request, 7, name="a.csv", content=b"x" * 1025))
    assert not PENDING.is_large({"path": "growth_uploads/missing.csv"}) and not PENDING.is_large({})


def test_the_importers_folders_are_the_pending_folders():
    from yanxiu.growth import import_tasks
    from yanxiu.org import tasks as roster_tasks
    from yanxiu.routine.importing import tasks as score_tasks

    kept = {t.PENDING.folder: t.PENDING.session_key for t in (roster_tasks, import_tasks, score_tasks)}
    assert kept == {"roster_uploads": "roster_upload", "growth_uploads": "growth_import_upload",
                    "routine_uploads": "routine_scores_upload"}
    assert set(kept) == set(PENDING_UPLOAD_DIRS)
