"""What the reports app adds to lower apps' pages (training shows the upper-level participant list links)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from yanxiu.reports import participants

register = template.Library()


@register.simple_tag(takes_context=True)
def participant_links(context, quota) -> dict[str, str]:
    """The participant-list pages of a quota the reader may open ("" where none)."""
    return participants.list_links(context["request"].user, quota)


@register.simple_tag(takes_context=True)
def project_participants_url(context, project) -> str:
    """The whole project's participant list, for region staff of an upper-level bureau project; else ""."""
    if participants.projects_visible_to(context["request"].user).filter(pk=project.pk).exists():
        return reverse("reports:project_participants", args=[project.pk])
    return ""
