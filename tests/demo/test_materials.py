"""The demo's resource library has real files, filed through the archive service."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from yanxiu.archive.models import Material, MaterialKind
from yanxiu.core.models import AuditEvent
from yanxiu.demo import materials


def test_the_generated_files_are_what_they_say():
    pdf = PdfReader(io.BytesIO(materials.slides_pdf("同课异构：分数的意义", "李老师", "2026-10-14", ["课标要求", "课堂观察"])))
    assert len(pdf.pages) == 3 and "分数的意义" in pdf.pages[0].extract_text()
    image = Image.open(io.BytesIO(materials.photo_png("同课异构：分数的意义", "2026-10-14", 1)))
    assert image.format == "PNG" and image.size == (960, 540)
    docx = zipfile.ZipFile(io.BytesIO(materials.record_docx("活动记录", ["时间：2026-10-14"])))
    assert "[Content_Types].xml" in docx.namelist() and "时间：2026-10-14" in docx.read("word/document.xml").decode()


@pytest.mark.sqlite_only  # the demo is served on SQLite; the PostgreSQL pass builds the small county
@pytest.mark.django_db
def test_seed_demo_files_materials_with_the_latest_sessions(client):
    out = io.StringIO()
    call_command("seed_demo", teachers=120, stdout=out)
    assert "资源库" in out.getvalue()
    filed = Material.objects.select_related("session__project__owner_school")
    assert filed.count() == 3 * materials.SESSIONS
    assert {m.kind for m in filed} == {MaterialKind.SLIDES, MaterialKind.PHOTO, MaterialKind.RECORD}
    assert len({m.session.project.owner_school.name for m in filed}) == 1
    assert AuditEvent.objects.filter(action="material.add").count() == filed.count()
    slides = filed.filter(kind=MaterialKind.SLIDES).first()
    assert slides.file.read()[:5] == b"%PDF-" and slides.size > 1000

    assert client.login(username="school", password="yanxiu123")
    school = slides.session.project.owner_school
    html = client.get(reverse("archive:school", args=[school.pk])).content.decode()
    assert slides.title in html


@pytest.mark.sqlite_only  # the demo is served on SQLite; the PostgreSQL pass builds the small county
@pytest.mark.django_db
def test_seed_demo_keeps_talking_during_a_long_step(monkeypatch):
    import time

    from yanxiu.demo import activity
    from yanxiu.demo.management.commands.seed_demo import Command

    real = activity.seed_activity

    def slow(**kwargs):
        time.sleep(2.5)  # a long silent step
        return real(**kwargs)

    monkeypatch.setattr(activity, "seed_activity", slow)
    monkeypatch.setattr(Command, "HEARTBEAT", 1)
    out = io.StringIO()
    call_command("seed_demo", teachers=60, stdout=out)
    text = out.getvalue()
    assert "仍在生成" in text and text.index("仍在生成") < text.index("研修活动：")
