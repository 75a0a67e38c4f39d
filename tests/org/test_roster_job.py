"""A large roster file is checked and imported by background jobs, with the same report on the import page."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.core.test_jobs import run_worker
from tests.org.test_roster_checks import CHEN, LIU, groups, two_rows  # noqa: F401 (fixture)
from yanxiu.core.models import Job
from yanxiu.org.models import Group, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(settings, tmp_path):
    settings.YANXIU_JOB_DIR = tmp_path / "jobs"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YANXIU_IMPORT_INLINE_KB = 0  # every file counts as large


def test_a_large_roster_is_checked_then_imported_by_jobs(client, roles, school, groups, large, monkeypatch,  # noqa: F811
                                                         django_capture_on_commit_callbacks):
    client.force_login(roles.school_admin)
    url = reverse("org:roster_import", args=[school.pk])
    upload = SimpleUploadedFile("r.csv", two_rows(research="语文教研组"), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url, {"action": "preview", "file": upload, "create_groups": "1"})
    preview = Job.objects.get(kind="org.roster_preview")
    assert started.status_code == 302 and started["Location"] == reverse("core:job_detail", args=[preview.pk])
    assert not Person.objects.filter(id_number__in=[LIU, CHEN]).exists()
    run_worker(monkeypatch)
    preview.refresh_from_db()
    assert preview.status == Job.Status.DONE and preview.return_url == f"{url}?job={preview.pk}", preview.message
    job_page = client.get(reverse("core:job_detail", args=[preview.pk])).content.decode()
    assert "检查通过" in job_page and f"{url}?job={preview.pk}" in job_page
    page = client.get(preview.return_url).content.decode()
    assert 'id="roster-ok"' in page and 'id="roster-confirm"' in page and "create-groups-confirm\" checked" in page
    assert not Person.objects.filter(id_number__in=[LIU, CHEN]).exists()  # checking writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(url, {"action": "confirm", "create_groups": "1"})
    imported = Job.objects.get(kind="org.roster_import")
    assert confirmed["Location"] == reverse("core:job_detail", args=[imported.pk])
    run_worker(monkeypatch)
    imported.refresh_from_db()
    assert imported.status == Job.Status.DONE and "导入成功" in imported.message, imported.message
    assert imported.return_url == f"{reverse('org:staff_list')}?school={school.pk}"
    assert Person.objects.filter(id_number__in=[LIU, CHEN]).count() == 2
    assert Group.objects.filter(school=school, name="语文教研组").exists()
    assert not default_storage.listdir("roster_uploads")[1]  # the file with its ID numbers is gone


def test_a_large_roster_with_errors_comes_back_with_every_problem(client, roles, school, groups, large, monkeypatch,  # noqa: F811
                                                                  django_capture_on_commit_callbacks):
    client.force_login(roles.school_admin)
    url = reverse("org:roster_import", args=[school.pk])
    upload = SimpleUploadedFile("r.csv", two_rows(research="语文教研组"), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "preview", "file": upload})
    run_worker(monkeypatch)
    job = Job.objects.get(kind="org.roster_preview")
    page = client.get(job.return_url).content.decode()
    assert 'id="roster-errors"' in page and "语文教研组" in page and 'id="roster-confirm"' not in page
    assert not default_storage.listdir("roster_uploads")[1]
    # Another school's admin sees neither the job nor its report.
    client.force_login(roles.other_admin)
    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 404
