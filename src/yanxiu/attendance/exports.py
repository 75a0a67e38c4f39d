"""The session's sign-in sheet (签到表) as an Excel workbook."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from yanxiu.core import downloads, xlsx
from yanxiu.training.models import Session

from .selectors import SheetRow


def _time(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S}" if value else ""


def sheet_workbook(session: Session, rows: list[SheetRow]) -> bytes:
    wb = xlsx.workbook()
    ws = wb.active
    ws.title = _("签到表")
    start = f"{timezone.localtime(session.starts_at):%Y-%m-%d %H:%M}" if session.starts_at else ""
    xlsx.append(ws, [f"{session.title}　{start}　{session.place}"])
    ws["A1"].font = Font(bold=True, size=13)
    headers = [_("序号"), _("姓名"), _("学校"), _("教研组"), _("签到时间"), _("签退时间"), _("考勤状态"), _("设备存疑"), _("手机（隐去中间四位）"), _("备注")]
    xlsx.append(ws, headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for index, row in enumerate(rows, start=1):
        a = row.attendance
        xlsx.append(ws, [
            index,
            row.name,
            row.school,
            row.groups,
            _time(a.signed_in_at) if a else "",
            _time(a.signed_out_at) if a else "",
            row.status,
            _("是") if row.flagged else "",
            row.phone,
            (a.manual_reason if a and a.manual_reason else ""),
        ])
    for col, width in enumerate([6, 10, 24, 14, 20, 20, 12, 10, 16, 30], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A3"
    return xlsx.to_bytes(wb)


def sheet_filename(session: Session) -> str:
    """签到表-<session title>-<date>.xlsx"""
    day = f"{timezone.localtime(session.starts_at):%Y-%m-%d}" if session.starts_at else ""
    return downloads.filename(_("签到表"), session.title, day, ext="xlsx")


def absence_workbook_response(absences, *, start, end):
    """The unexcused-absence list (缺训名单) for a notice, as an xlsx download; phones are not included."""
    wb = xlsx.workbook(write_only=True)
    ws = wb.create_sheet(_("缺训名单"))
    xlsx.append(ws, [_("缺训名单 %(start)s 至 %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}])
    xlsx.append(ws, [_("序号"), _("姓名"), _("学校"), _("培训活动"), _("活动时间"), _("地点")])
    for index, enrollment in enumerate(absences.iterator(chunk_size=2000), start=1):
        session = enrollment.session
        xlsx.append(ws, [index, enrollment.person.name, enrollment.school.name if enrollment.school else "", session.title,
                   f"{timezone.localtime(session.starts_at):%Y-%m-%d %H:%M}", session.place])
    return downloads.download(xlsx.to_bytes(wb), content_type=xlsx.CONTENT_TYPE,
                              name=downloads.filename(_("缺训名单"), f"{start:%Y%m%d}", f"{end:%Y%m%d}", ext="xlsx"),
                              fallback=f"absences-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
