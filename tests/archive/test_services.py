"""Filing and removing session materials: who may, what is checked, what is written."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from yanxiu.archive import access, services
from yanxiu.archive.models import Material
from yanxiu.core.models import AuditEvent

from .conftest import mp4, pdf, photo, xlsx

pytestmark = pytest.mark.django_db


def stored_files(media) -> list[Path]:
    return [p for p in Path(media).rglob("*") if p.is_file()] if Path(media).exists() else []


@pytest.mark.parametrize("role", ["school_admin", "bureau", "leader", "member"])
def test_managers_the_presenter_and_the_group_leader_file_materials(roles, session, add, role):
    material = add(session, pdf(), actor=getattr(roles, role), title="评课讲稿")
    assert material.session == session and material.title == "评课讲稿" and material.kind == "slides"
    assert material.uploaded_by == getattr(roles, role) and material.size > 0 and material.original_name == "讲稿.pdf"
    assert material.file.name.startswith(f"archive/{session.pk}/") and material.file.name.endswith(".pdf")
    assert "讲稿" not in material.file.name  # stored under a random name
    event = AuditEvent.objects.get(action="material.add")
    assert event.target_id == str(material.pk) and event.detail["session"] == session.pk and event.detail["title"] == "评课讲稿"


@pytest.mark.parametrize("role", ["teacher", "centre", "other_admin", "far_bureau", "presenter", "other_teacher"])
def test_everyone_else_may_not_file(roles, session, add, media, role):
    with pytest.raises(PermissionDenied):
        add(session, pdf(), actor=getattr(roles, role))
    assert not Material.objects.exists() and not AuditEvent.objects.filter(action="material.add").exists()
    assert stored_files(media) == []


def test_a_leader_of_another_group_may_not_file(roles, sessions, add, school, people):
    from yanxiu.org.models import Group

    other = Group.objects.create(school=school, name="数学组", kind="research", subject="数学")
    session = sessions.make(group=other)
    with pytest.raises(PermissionDenied):
        add(session, pdf(), actor=roles.leader)


def test_who_may_see(roles, session, people, school):
    from yanxiu.training.models import Enrollment

    allowed = {"school_admin", "bureau", "centre", "leader", "member", "teacher"}
    for role in ("school_admin", "bureau", "centre", "leader", "member", "teacher", "other_admin", "far_bureau",
                 "other_teacher", "presenter"):
        assert access.can_view_materials(getattr(roles, role), session) is (role in allowed), role
    Enrollment.objects.filter(session=session, person=roles.teacher.person).update(status="withdrawn")
    assert not access.can_view_materials(roles.teacher, session)


def test_a_bureau_session_is_seen_by_region_staff_and_its_participants(roles, sessions, county):
    session = sessions.make(school=None, enroll=[roles.other_teacher])
    for role, allowed in [("bureau", True), ("centre", True), ("other_teacher", True), ("far_bureau", False),
                          ("school_admin", False), ("teacher", False)]:
        assert access.can_view_materials(getattr(roles, role), session) is allowed, role
    # Bureau training is run by the region's staff: both file its materials.
    assert access.can_manage_materials(roles.bureau, session) and access.can_manage_materials(roles.centre, session)
    assert not access.can_manage_materials(roles.other_teacher, session)


def test_the_title_defaults_to_the_file_name(session, add):
    assert add(session, xlsx("第三周活动记录.xlsx"), kind="record").title == "第三周活动记录"


def test_photos_and_videos_must_be_what_their_kind_says(session, add, media):
    with pytest.raises(ValidationError) as exc:
        add(session, pdf("合影.pdf"), kind="photo")
    assert exc.value.message_dict["file"] == ["资料类型为“照片”时，文件须为JPG、PNG、WebP 图片；“合影.pdf”不是。"]
    with pytest.raises(ValidationError, match="MP4、MOV 视频"):
        add(session, photo("实录.jpg"), kind="video")
    assert add(session, mp4(), kind="video").kind == "video"
    assert add(session, photo(), kind="photo").kind == "photo"


def test_bad_input_names_the_field_and_writes_nothing(session, add, media):
    page = SimpleUploadedFile("讲稿.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError) as exc:
        add(session, page)
    assert exc.value.message_dict["file"] == ["资料文件“讲稿.pdf”的内容不是有效的PDF文件，请重新选择。"]
    with pytest.raises(ValidationError) as exc:
        add(session, pdf(), kind="poster")
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        add(session, pdf(), title="长" * 121)
    assert "title" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        add(session, None)
    assert exc.value.message_dict["file"] == ["请选择要上传的文件。"]
    assert not Material.objects.exists() and not AuditEvent.objects.filter(action="material.add").exists()
    assert stored_files(media) == []


def test_a_cancelled_session_takes_no_materials(sessions, add):
    session = sessions.make(status="cancelled")
    with pytest.raises(ValidationError, match="已取消"):
        add(session, pdf())


def test_a_failed_audit_row_removes_the_stored_file(session, add, media, monkeypatch):
    from yanxiu.core import audit

    def broken(**kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        add(session, pdf())
    assert stored_files(media) == []


def test_removing_deletes_the_row_and_after_commit_the_file(roles, session, add, media, django_capture_on_commit_callbacks):
    material = add(session, pdf())
    path = Path(material.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.material_remove(actor=roles.member, material=material)
    assert not Material.objects.exists() and not path.exists()
    event = AuditEvent.objects.get(action="material.remove")
    assert event.target_id == str(material.pk) and event.detail["title"] == material.title


def test_only_those_who_may_file_may_remove(roles, session, add):
    material = add(session, pdf())
    for role in ("teacher", "centre", "other_admin"):
        with pytest.raises(PermissionDenied):
            services.material_remove(actor=getattr(roles, role), material=material)
    assert Material.objects.filter(pk=material.pk).exists()
    assert not AuditEvent.objects.filter(action="material.remove").exists()
