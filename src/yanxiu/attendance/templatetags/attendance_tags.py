"""Template tags through which pages of lower apps show attendance links.

The training app's session page loads ``attendance_tags`` instead of importing
the attendance app: attendance stands on training, never the other way round.
"""

from django import template

from yanxiu.org import scopes

from .. import access
from ..models import Reflection
from ..services import is_on_leave

register = template.Library()


@register.simple_tag(takes_context=True)
def attendance_links(context, session, enrollment=None):
    """Which attendance pages of ``session`` the reader may open, and for an
    enrolled teacher their reflection and whether they may submit one now."""
    user = context["request"].user
    links = access.links_for(user, session) if session.status != "draft" else {}
    if enrollment is not None and enrollment.status == "enrolled":
        person_id = scopes.scope_of(user).person_id
        reflection = Reflection.objects.filter(session=session, person_id=person_id).first()
        links["my_reflection"] = reflection
        links["submit_reflection"] = access.reflection_refusal(
            session, enrolled=True, on_leave=is_on_leave(session=session, person_id=person_id),
            accepted=reflection is not None and reflection.status == Reflection.Status.ACCEPTED,
        ) is None
    return links
