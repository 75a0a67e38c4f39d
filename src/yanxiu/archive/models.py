"""The materials of a session and the school's yearly resource library (校本研修资源库).

A :class:`Material` is one file filed with a session: the presenter's slides
or script (讲稿/课件), photos, video, the activity record (活动记录). It is
written only by :mod:`yanxiu.archive.services`, after its content has been
checked by :func:`yanxiu.core.uploads.check_material`. The school's library
is a read over the materials of its sessions, one school year at a time
(:mod:`yanxiu.archive.selectors`).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yanxiu.core.uploads import INLINE_MATERIAL_EXTENSIONS, extension_of


class MaterialKind(models.TextChoices):
    SLIDES = "slides", _("讲稿/课件")
    PHOTO = "photo", _("照片")
    VIDEO = "video", _("视频")
    RECORD = "record", _("活动记录")
    OTHER = "other", _("其他")


def material_upload_to(instance, filename: str) -> str:
    extension = extension_of(filename)
    return f"archive/{instance.session_id}/{secrets.token_hex(8)}.{extension or 'bin'}"


class Material(models.Model):
    session = models.ForeignKey(
        "training.Session", verbose_name=_("培训活动"), on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(_("资料名称"), max_length=120)
    kind = models.CharField(_("资料类型"), max_length=10, choices=MaterialKind.choices, default=MaterialKind.OTHER)
    file = models.FileField(_("文件"), upload_to=material_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动资料")
        verbose_name_plural = _("活动资料")
        ordering = ["session_id", "uploaded_at", "id"]
        indexes = [models.Index(fields=["session", "kind"])]

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return extension_of(self.file.name) if self.file else ""

    @property
    def opens_inline(self) -> bool:
        """Shown in the browser (photos, PDF, video) rather than downloaded (Office files)."""
        return self.extension in INLINE_MATERIAL_EXTENSIONS

    @property
    def uploader_name(self) -> str:
        user = self.uploaded_by
        if user is None:
            return ""
        return getattr(user, "display_name", "") or user.get_username()

    @property
    def size_label(self) -> str:
        """1.2 MB, 340 KB: for lists."""
        if self.size >= 1024 * 1024:
            return f"{self.size / (1024 * 1024):.1f} MB"
        return f"{max(1, round(self.size / 1024))} KB"
