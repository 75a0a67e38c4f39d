"""Background work of questionnaires: a large answer export."""

from __future__ import annotations

from django.utils.translation import gettext as _

from yanxiu.core import jobs

from . import exports
from . import questionnaires as logic
from .models import Questionnaire


@jobs.job_task
def questionnaire_export(job, *, questionnaire_id: int) -> int:
    q = Questionnaire.objects.select_related("school", "county", "session__project").filter(pk=questionnaire_id).first()
    if q is None or not logic.can_read_results(job.owner, q):
        raise jobs.JobError(_("您没有权限导出该问卷的答卷。"))
    total = q.responses.count()
    jobs.progress(job.pk, 0, total)
    content = exports.workbook_bytes(q, progress=lambda done, n: jobs.progress(job.pk, done, n))
    path = jobs.output_path(job, "xlsx")
    path.write_bytes(content)
    jobs.finish(job.pk, path, exports.filename(q), message=_("共 %(n)d 份答卷。") % {"n": total})
    return total
