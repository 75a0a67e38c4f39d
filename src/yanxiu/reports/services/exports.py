"""Writes of the upper-level exports: the participant list handed to the province, the inspection pack job.

Each call checks who may do it (``org.scopes.require``), writes one audit row
(``Event.REPORT_PARTICIPANTS_EXPORT`` / ``Event.REPORT_INSPECTION_PACK``), and,
for a list with full ID numbers and phones, one ``PersonalDataAccess`` row per
school named on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import audit, downloads, jobs, xlsx
from yanxiu.core.events import Event
from yanxiu.org import scopes
from yanxiu.org.services import log_personal_data_access

from .. import inspection, participants

DENIED = gettext_lazy("您没有权限执行此操作。")


@dataclass
class ExportFile:
    content: bytes
    name: str
    fallback: str
    rows: int


def participants_workbook(participant_list: participants.ParticipantList, *, full: bool) -> bytes:
    """The list as the province's template: one header row, one row per person, every value text."""
    wb = xlsx.workbook(write_only=True)
    ws = wb.create_sheet(_("参训名单"))
    xlsx.append(ws, [_("序号"), *participants.column_labels()])
    for index, row in enumerate(participant_list.rows, start=1):
        xlsx.append(ws, [index, *row.values(full=full)])
    return xlsx.to_bytes(wb)


@transaction.atomic
def participants_export(*, actor, participant_list: participants.ParticipantList, target, full: bool,
                        ip: str | None = None) -> ExportFile:
    """The list as xlsx, when every row is valid; full numbers only for a role allowed them, logged.

    ``target`` is the quota or the project the list was built from (through the
    scoped selectors of :mod:`yanxiu.reports.participants`).
    """
    quotas = participant_list.quotas
    visible = set(participants.quotas_visible_to(actor).filter(pk__in=[q.pk for q in quotas]).values_list("pk", flat=True))
    scopes.require(bool(quotas) and visible == {q.pk for q in quotas}, DENIED)
    if full:
        scopes.require(participants.may_export_full(actor, participant_list), _("您没有权限导出完整的身份证号和手机号。"))
    if not participant_list.exportable:
        raise ValidationError(participant_list.blockers)
    content = participants_workbook(participant_list, full=full)
    if full:
        per_school: dict[int, int] = {}
        for row in participant_list.rows:
            per_school[row.quota.school_id] = per_school.get(row.quota.school_id, 0) + 1
        schools = {q.school_id: q.school for q in quotas}
        for school_id, count in per_school.items():
            log_personal_data_access(actor=actor, action="export", school=schools[school_id], count=count, ip=ip)
    single = len({q.school_id for q in quotas}) == 1
    first = quotas[0]
    audit.record(actor=actor, event=Event.REPORT_PARTICIPANTS_EXPORT, target=target,
                 school=first.school if single else None, county=first.project.region_id,
                 rows=len(participant_list.rows), full=full, quotas=len(quotas), warnings=len(participant_list.warnings))
    school_part = first.school.name if single else ""
    name = downloads.filename(_("参训名单"), participant_list.title, school_part, ext="xlsx")
    return ExportFile(content=content, name=name, fallback=f"participants-{target.pk}.xlsx", rows=len(participant_list.rows))


@transaction.atomic
def inspection_pack_start(*, actor, school, year: int):
    """Start the job that builds the school's inspection pack (年检材料) of ``year``; returns the job."""
    from ..tasks import inspection_pack

    scopes.require(inspection.can_build_pack(actor, school), DENIED)
    inspection.check_year(year)
    audit.record(actor=actor, event=Event.REPORT_INSPECTION_PACK, target=school, school=school, county=school.county_id,
                 school_year=year)
    return jobs.start(user=actor, kind="reports.inspection_pack", task=inspection_pack,
                      label=_("年检材料：%(school)s %(year)s") % {"school": school.name, "year": f"{year}-{year + 1}"},
                      return_url=reverse("reports:inspection") + f"?school={school.pk}&year={year}",
                      school_id=school.pk, year=year)
