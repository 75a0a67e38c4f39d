"""Archive endpoints: the materials of a session, for those who may see them."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from yanxiu.core.pagination import Page
from yanxiu.core.params import ID_MAX
from yanxiu.training.models import Session

from . import access, selectors

router = Router(tags=["archive"])


class MaterialOut(Schema):
    id: int
    session_id: int
    title: str
    kind: str
    kind_label: str
    extension: str
    size: int
    uploaded_by: str
    uploaded_at: dt.datetime
    url: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_uploaded_by(obj) -> str:
        return obj.uploader_name

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("archive:material_file", args=[obj.pk])


@router.get("/sessions/{session_id}/materials", response=list[MaterialOut])
@paginate(Page)
def session_materials(request, session_id: int = Path(..., ge=1, le=ID_MAX)):
    """The session's materials (讲稿/课件, photos, video, records) with the address to download each."""
    session = get_object_or_404(Session.objects.select_related("project", "project__owner_school"), pk=session_id)
    if not access.can_view_materials(request.auth, session):
        raise HttpError(403, _("您没有权限查看本次活动的资料。"))
    return selectors.materials_for(user=request.auth, session=session)
