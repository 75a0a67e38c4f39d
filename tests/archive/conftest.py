"""Archive fixtures: sessions (the attendance app's factory), real files, uploads kept in a temporary folder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests.attendance.conftest import Sessions

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def chinese():
    """Messages are asserted in Chinese whatever language an earlier test left active."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sessions(county, school):
    return Sessions(county, school)


def photo(name: str = "合影.jpg", fmt: str = "JPEG") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


def pdf(name: str = "讲稿.pdf", text: str = "评课专题讲稿") -> SimpleUploadedFile:
    from weasyprint import HTML

    return SimpleUploadedFile(name, HTML(string=f"<p>{text}</p>").write_pdf())


def xlsx(name: str = "活动记录.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["活动记录", "评课专题"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def xls(name: str = "旧版记录.xls") -> SimpleUploadedFile:
    """An .xls written by LibreOffice (an OLE compound file)."""
    return SimpleUploadedFile(name, (DATA / "results" / "results.xls").read_bytes())


def mp4(name: str = "课堂实录.mp4") -> SimpleUploadedFile:
    """The start of an MP4 as phones write it: an ftyp box, then media data."""
    return SimpleUploadedFile(name, b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08mdat")


@pytest.fixture
def session(sessions, roles, group):
    """A published session of the school, under way: the teacher enrolled, the group member presenting, the leader's group."""
    return sessions.make(enroll=[roles.teacher], presenter=roles.member.person, group=group)


@pytest.fixture
def add(roles):
    """``add(session, file, kind=..., title=..., actor=...)``: file a material through the service."""
    from yanxiu.archive import services

    def factory(session, file, *, kind="slides", title="", actor=None):
        return services.material_add(actor=actor or roles.school_admin, session=session, title=title, kind=kind, file=file)

    return factory
