"""Every change to session materials goes through these functions; each
checks permission and content, saves and writes its audit row in one
transaction. Nothing is stored when a check fails; a stored file whose audit
row cannot be written is removed again, and a removed row's file is deleted
only once the removal has committed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yanxiu.core import audit, uploads
from yanxiu.core.events import Event
from yanxiu.org import scopes
from yanxiu.training.models import Session

from . import access
from .models import Material, MaterialKind

#: What a photo or a video material must be.
KIND_EXTENSIONS = {
    MaterialKind.PHOTO: uploads.IMAGE_EXTENSIONS,
    MaterialKind.VIDEO: uploads.VIDEO_EXTENSIONS,
}


def _title_from(name: str) -> str:
    short = (name or "").rsplit("/", 1)[-1]
    return short.rsplit(".", 1)[0].strip() if "." in short else short.strip()


def _check_kind(kind: str, file) -> None:
    if kind not in MaterialKind.values:
        raise ValidationError({"kind": _("资料类型“%(kind)s”无效，请从列表中选择。") % {"kind": kind}})
    allowed = KIND_EXTENSIONS.get(kind)
    extension = uploads.extension_of(getattr(file, "name", "") or "")
    if allowed is not None and extension not in allowed:
        label = MaterialKind(kind).label
        wanted = _("JPG、PNG、WebP 图片") if kind == MaterialKind.PHOTO else _("MP4、MOV 视频")
        raise ValidationError({"file": _("资料类型为“%(kind)s”时，文件须为%(wanted)s；“%(name)s”不是。")
                               % {"kind": label, "wanted": wanted, "name": (file.name or "").rsplit("/", 1)[-1]}})


@transaction.atomic
def material_add(*, actor, session: Session, title: str, kind: str, file) -> Material:
    """File one material with a session; the title defaults to the file's name."""
    scopes.require(access.can_manage_materials(actor, session))
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("该活动已取消，不能上传资料。"))
    if not file:
        raise ValidationError({"file": _("请选择要上传的文件。")})
    uploads.check_material(file, field="file", label=_("资料文件"))
    _check_kind(kind, file)
    original = (file.name or "").rsplit("/", 1)[-1][-200:]
    title = (title or "").strip() or _title_from(original)[:120]
    material = Material(session=session, title=title, kind=kind, file=file, original_name=original, size=file.size or 0,
                        uploaded_by=actor if getattr(actor, "pk", None) else None)
    # The file was checked above; its stored name is made by upload_to, whatever the original's length.
    material.full_clean(exclude=["file"])
    try:
        material.save()
        audit.record(actor=actor, event=Event.MATERIAL_ADD, target=material, school=session.project.owner_school_id,
                     county=session.project.region_id, session=session.pk, title=material.title,
                     kind=material.kind, file=material.file.name, size=material.size)
    except Exception:
        if getattr(material.file, "_committed", False) and material.file.name:
            material.file.storage.delete(material.file.name)
        raise
    return material


@transaction.atomic
def material_remove(*, actor, material: Material) -> None:
    """Remove a material: its row now, its stored file once the removal has committed."""
    material = Material.objects.select_related("session__project__owner_school").get(pk=material.pk)
    scopes.require(access.can_manage_materials(actor, material.session))
    audit.record(actor=actor, event=Event.MATERIAL_REMOVE, target=material, school=material.session.project.owner_school,
                 county=material.session.project.region_id, session=material.session_id, title=material.title,
                 kind=material.kind, file=material.file.name, size=material.size)
    stored, storage = material.file.name, material.file.storage
    material.delete()
    if stored:
        # robust: the removal has committed; a storage error is logged, not shown as a failed removal.
        transaction.on_commit(lambda: storage.delete(stored), robust=True)
