"""Reads of materials and of a school's yearly library, already scoped to the acting user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.attendance import access as attendance_access
from yanxiu.org import scopes
from yanxiu.training import access as training_access
from yanxiu.training.models import Session, school_year_of

from . import access
from .models import Material, MaterialKind


def materials_for(*, user, session: Session) -> QuerySet[Material]:
    """The session's materials, or none when the user may not see them."""
    if not access.can_view_materials(user, session):
        return Material.objects.none()
    return Material.objects.filter(session=session).select_related("uploaded_by").order_by("uploaded_at", "pk")


# --- The school's yearly library ----------------------------------------------------


def school_year_label(start_year: int) -> str:
    """2026 -> "2026-2027", the form projects carry (the school year starts on 1 September)."""
    return f"{start_year}-{start_year + 1}"


def current_school_year() -> int:
    return int(school_year_of(timezone.localdate())[:4])


def library_years(school) -> list[int]:
    """School years (their first calendar year) in which the school has sessions, newest first, with the current one."""
    labels = Session.objects.filter(project__owner_school=school).values_list("project__school_year", flat=True).distinct()
    years = {int(label[:4]) for label in labels if label[:4].isdigit()}
    years.add(current_school_year())
    return sorted(years, reverse=True)


def library_materials(*, user, school, year: int, kind: str = "") -> QuerySet[Material]:
    """Every material of the school's sessions in one school year (none unless the user may see the library)."""
    if not access.can_view_library(user, school):
        return Material.objects.none()
    qs = Material.objects.filter(session__project__owner_school=school, session__project__school_year=school_year_label(year))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("session", "session__project", "uploaded_by").order_by(
        "session__starts_at", "session_id", "uploaded_at", "pk"
    )


def library_sessions(*, user, school, year: int) -> QuerySet[Session]:
    """The sessions filed for the year: published ones, and any other that has materials."""
    if not access.can_view_library(user, school):
        return Session.objects.none()
    return (
        Session.objects.filter(project__owner_school=school, project__school_year=school_year_label(year))
        .filter(Q(status=Session.Status.PUBLISHED) | Q(materials__isnull=False))
        .distinct()
        .select_related("project", "project__owner_school")
        .order_by("starts_at", "pk")
    )


@dataclass
class LibrarySession:
    session: Session
    materials: list[Material] = field(default_factory=list)
    can_export: bool = False  # may download the sign-in sheet, once the session has begun


@dataclass
class LibraryGroup:
    label: str
    sessions: list[LibrarySession] = field(default_factory=list)

    @property
    def material_count(self) -> int:
        return sum(len(s.materials) for s in self.sessions)


def _month_of(session: Session) -> tuple[tuple, str]:
    if session.starts_at is None:
        return (1, 0, 0), _("未定时间")
    local = timezone.localtime(session.starts_at)
    return (0, local.year, local.month), _("%(year)s年%(month)s月") % {"year": local.year, "month": local.month}


def _project_of(session: Session) -> tuple[tuple, str]:
    return (session.project.title, session.project_id), session.project.title


def school_library(*, user, school, year: int, kind: str = "", group_by: str = "month") -> list[LibraryGroup]:
    """The year's sessions with their materials, grouped by month (default) or by project.

    With a kind filter only the sessions that have materials of that kind are listed.
    """
    return library_groups(user=user, sessions=library_session_rows(user=user, school=school, year=year, kind=kind, group_by=group_by),
                          kind=kind, group_by=group_by)


def library_session_rows(*, user, school, year: int, kind: str = "", group_by: str = "month") -> QuerySet[Session]:
    """The sessions filed for the year (with materials of ``kind`` when one is asked) in the
    order the library groups them, by month or by project: what its pages cut."""
    ids = library_sessions(user=user, school=school, year=year)
    if kind:
        ids = ids.filter(materials__kind=kind)
    rows = Session.objects.filter(pk__in=ids.order_by().values("pk")).select_related("project", "project__owner_school")
    start = F("starts_at").asc(nulls_last=True)
    if group_by == "project":
        return rows.order_by("project__title", "project_id", start, "pk")
    return rows.order_by(start, "pk")


def library_groups(*, user, sessions, kind: str = "", group_by: str = "month") -> list[LibraryGroup]:
    """The given sessions of the library (a page of :func:`library_session_rows`) with their
    materials (of ``kind`` only, when asked), grouped by month or by project."""
    sessions = list(sessions)
    materials: dict[int, list[Material]] = {}
    qs = Material.objects.filter(session_id__in=[s.pk for s in sessions])
    if kind:
        qs = qs.filter(kind=kind)
    for m in qs.select_related("uploaded_by").order_by("session__starts_at", "session_id", "uploaded_at", "pk"):
        materials.setdefault(m.session_id, []).append(m)
    keyer = _project_of if group_by == "project" else _month_of
    groups: dict[tuple, LibraryGroup] = {}
    started = {s.pk for s in sessions_started(sessions)}
    for session in sessions:
        key, label = keyer(session)
        can_export = session.pk in started and attendance_access.can_manage_attendance(user, session)
        row = LibrarySession(session, materials.get(session.pk, []), can_export)
        groups.setdefault(key, LibraryGroup(label)).sessions.append(row)
    return [groups[key] for key in sorted(groups)]


def library_totals(*, user, school, year: int) -> dict:
    """Counts per kind and the total size of the year's materials, for the filter."""
    qs = library_materials(user=user, school=school, year=year).order_by()
    per_kind = dict(qs.values_list("kind").annotate(n=Count("pk")))
    return {
        "kinds": [(value, label, per_kind.get(value, 0)) for value, label in MaterialKind.choices],
        "count": sum(per_kind.values()),
        "size": qs.aggregate(total=Sum("size"))["total"] or 0,
    }


def session_date(session: Session) -> str:
    return f"{timezone.localtime(session.starts_at):%Y-%m-%d}" if session.starts_at else _("未定日期")


def sessions_started(sessions, now: dt.datetime | None = None) -> list[Session]:
    now = now or timezone.now()
    return [s for s in sessions if s.status == Session.Status.PUBLISHED and s.starts_at is not None and s.starts_at <= now]


# --- Objects of the archive pages, scoped to the user --------------------------------
# An id the user may not see is a 404 whatever their role; a record they may see but
# not act on is refused (403) by the ``archive.*`` permission asked afterwards.


def sessions_visible_to(user) -> QuerySet[Session]:
    """Sessions the user may see (their materials need ``archive.view_materials`` besides)."""
    return training_access.sessions_visible_to(user).select_related("project", "project__owner_school")


def materials_visible_to(user) -> QuerySet[Material]:
    """Materials of the sessions the user may see."""
    return Material.objects.filter(session__in=sessions_visible_to(user).values("pk")).select_related(
        "session", "session__project", "session__project__owner_school"
    )


def schools_visible_to(user):
    """Schools the user may see (their library needs ``archive.view_library`` besides)."""
    return scopes.schools_visible_to(user).select_related("county")
