"""The materials card of the session page: what it needs, worked out for the viewing user."""

from django import template

from yanxiu.core import uploads

from .. import access, selectors
from ..forms import MaterialForm

register = template.Library()


@register.simple_tag(takes_context=True)
def session_materials(context, session):
    """``{% session_materials session as m %}``: whether the user may see and file materials, and the list."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return {"visible": False}
    can_manage = access.can_manage_materials(user, session)
    if not (can_manage or access.can_view_materials(user, session)):
        return {"visible": False}
    return {
        "visible": True,
        "can_manage": can_manage,
        "can_upload": can_manage and session.status != session.Status.CANCELLED,
        "materials": list(selectors.materials_for(user=user, session=session)),
        "form": MaterialForm(auto_id="material_%s") if can_manage else None,
        "video_mb": uploads.max_material_bytes("mp4") // (1024 * 1024),
        "other_mb": uploads.max_material_bytes("pdf") // (1024 * 1024),
    }
