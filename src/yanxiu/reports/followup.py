"""返校"三个一": teachers back from 国培, 省培 or 市培 share what they learned at school.

Inspections find schools that "只管派出去，不管学没学": teachers come back from
upper-level training and the school organises no follow-up, so what they
learned reaches nobody else (seed 003). This register lists, for the schools a
user oversees and one school year, everyone who completed such a training —
from an imported result list, a verified certificate or attendance at an
upper-level session — and the first session they presented at their school
afterwards (a report, a demonstration lesson, a cascade training), or that
none has been arranged yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from yanxiu.attendance.models import Attendance
from yanxiu.credits.models import CertificateClaim, CreditEntry, SourceType
from yanxiu.org.models import Employment
from yanxiu.training.models import Session, TrainingLevel

UPPER_LEVELS = (TrainingLevel.NATIONAL, TrainingLevel.PROVINCIAL, TrainingLevel.CITY)


@dataclass
class Followup:
    person_id: int
    name: str
    school_id: int
    school: str
    training: str
    level: str
    ended: dt.date
    source: str
    shared_in: Session | None = None

    @property
    def level_label(self) -> str:
        return str(TrainingLevel(self.level).label)


def _from_credits(schools, year: int) -> list[Followup]:
    entries = list(
        CreditEntry.objects.filter(
            school__in=schools, school_year=year, source_type__in=[SourceType.IMPORT, SourceType.CERTIFICATE],
            reversed_by__isnull=True,
        ).select_related("person", "school")
    )
    claims = {c.entry_id: c for c in CertificateClaim.objects.filter(entry__in=[e.pk for e in entries])}
    rows = []
    for e in entries:
        if e.source_type == SourceType.IMPORT:
            level, ended = e.evidence.get("level", ""), e.evidence.get("end", "")
        else:
            claim = claims.get(e.pk)
            level, ended = (claim.level, claim.end_date.isoformat()) if claim else ("", "")
        if level not in UPPER_LEVELS or not ended:
            continue
        rows.append(Followup(e.person_id, e.person.name, e.school_id, e.school.name, e.title, level,
                             dt.date.fromisoformat(ended), str(e.get_source_type_display())))
    return rows


def _from_attendance(schools, start: dt.date, end: dt.date) -> list[Followup]:
    attended = list(
        Attendance.objects.filter(
            status=Attendance.Status.PRESENT, session__project__level__in=UPPER_LEVELS,
            session__starts_at__date__gte=start, session__starts_at__date__lte=end,
        ).select_related("person", "session__project")
    )
    employed = {
        e.person_id: e.school
        for e in Employment.objects.current().filter(person_id__in=[a.person_id for a in attended], school__in=schools)
        .select_related("school")
    }
    rows = []
    for a in attended:
        school = employed.get(a.person_id)
        if school is None:
            continue
        session = a.session
        title = session.project.title if session.title == session.project.title else f"{session.project.title}·{session.title}"
        rows.append(Followup(a.person_id, a.person.name, school.pk, school.name, title, session.project.level,
                             timezone.localtime(session.ends_at).date(), str(Session._meta.verbose_name)))
    return rows


def followups(schools, year: int) -> list[Followup]:
    """Upper-level trainings completed in school year ``year`` (from 1 September) and their follow-up at school."""
    start, end = dt.date(year, 9, 1), dt.date(year + 1, 8, 31)
    seen, rows = set(), []
    for row in sorted(_from_credits(schools, year) + _from_attendance(schools, start, end), key=lambda r: (r.ended, r.name)):
        if (row.person_id, row.training) not in seen:
            seen.add((row.person_id, row.training))
            rows.append(row)
    presented: dict[int, list[Session]] = {}
    for session in (
        Session.objects.filter(presenter_id__in={r.person_id for r in rows}, project__owner_school__in=schools,
                               status=Session.Status.PUBLISHED)
        .select_related("project").order_by("starts_at")
    ):
        presented.setdefault(session.presenter_id, []).append(session)
    for row in rows:
        row.shared_in = next(
            (s for s in presented.get(row.person_id, []) if s.project.owner_school_id == row.school_id
             and timezone.localtime(s.starts_at).date() >= row.ended),
            None,
        )
    return rows
