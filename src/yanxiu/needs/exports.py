"""The xlsx of a questionnaire's answers: one row per answer sheet, named only when it is not anonymous."""

from __future__ import annotations

from django.utils.translation import gettext as _

from yanxiu.core import downloads, xlsx

from . import questionnaires as logic
from .models import Questionnaire


def filename(q: Questionnaire) -> str:
    return downloads.filename(_("问卷答卷"), q.title, ext="xlsx")


def workbook_bytes(q: Questionnaire, progress=None) -> bytes:
    header, rows = logic.export_rows(q)
    wb = xlsx.workbook(write_only=True)
    ws = wb.create_sheet(title=_("答卷"))
    xlsx.append(ws, header)
    for i, row in enumerate(rows, start=1):
        xlsx.append(ws, row)
        if progress is not None and i % 200 == 0:
            progress(i, len(rows))
    summary = wb.create_sheet(title=_("统计"))
    xlsx.append(summary, [_("题目"), _("选项/分数"), _("人数")])
    for result in logic.results(q):
        if result.tallies:
            for t in result.tallies:
                xlsx.append(summary, [result.question.text, t.label, t.count])
        else:
            xlsx.append(summary, [result.question.text, _("文字回答"), len(result.texts)])
    return xlsx.to_bytes(wb)
