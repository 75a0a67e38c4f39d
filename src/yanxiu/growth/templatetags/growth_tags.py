"""Growth on other apps' pages: the tier and titles on the person page, the
link to the tier list on the employment form (org shows growth through these
tags, never by importing it)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from yanxiu.org.selectors import current_employment

from .. import access, calendar
from ..choices import HonourStatus
from ..models import HonourTitle, TierAssignment

register = template.Library()


def _user(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _school_year(school, today) -> int:
    """The school's year by its calendar; without a school, by the months alone, as the growth file pages count it."""
    return calendar.school_year_of(school, today) if school is not None else calendar.nominal_school_year(today)


def _file_url(person_id: int, year: int) -> str:
    try:
        return reverse("growth:file", args=[person_id, year])
    except NoReverseMatch:  # the growth file page is not wired in this build
        return ""


@register.inclusion_tag("growth/setup/_summary.html", takes_context=True)
def growth_summary(context, person):
    """``{% growth_summary person %}``: the tier in force this school year, its source,
    active titles with their level and a link to the growth file, for whoever may read it."""
    user = _user(context)
    if person is None or user is None or access.viewer_relation(user, person) is None:
        return {"visible": False}
    today = timezone.localdate()
    employment = current_employment(person)
    school = employment.school if employment is not None else None
    year = _school_year(school, today)
    assignment = (access.limit_to_viewer(TierAssignment.objects.filter(person=person, school_year=year), user, person)
                  .order_by("-id").first())
    titles = access.limit_to_viewer(HonourTitle.objects.filter(person=person, status=HonourStatus.ACTIVE), user, person)
    manage = school is not None and access.can_manage(user, school)
    history = f"{reverse('growth:tier_history', args=[person.pk])}?{urlencode({'school': school.pk})}" if manage else ""
    return {
        "visible": True, "assignment": assignment, "year": year, "year_end": year + 1, "today": today,
        "titles": list(titles.order_by("-year", "-id")[:20]), "file_url": _file_url(person.pk, year), "history_url": history,
    }


@register.inclusion_tag("growth/setup/_tiers_link.html", takes_context=True)
def growth_tiers_link(context, school):
    """``{% growth_tiers_link school %}``: where a school's tiers are set (with their history), for its managers."""
    user = _user(context)
    if school is None or user is None or not access.can_manage(user, school):
        return {"url": ""}
    return {"url": f"{reverse('growth:tiers')}?{urlencode({'school': school.pk})}"}
