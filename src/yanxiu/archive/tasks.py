"""Background jobs of the archive app (core/jobs.py, run by ``yanxiu db_worker``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from yanxiu.core import downloads, jobs

from . import access, exports, selectors

#: A library whose files add up to more than this is zipped by a job, whatever their number.
INLINE_BYTES = 200 * 1024 * 1024


def library_zip_name(school, year: int, kind: str = "") -> str:
    name = _("%(school)s %(year)s学年资源库") % {"school": school.name, "year": selectors.school_year_label(year)}
    if kind:
        from .models import MaterialKind

        name += f"（{MaterialKind(kind).label}）"
    return downloads.filename(name, ext="zip")


def library_is_large(*, user, school, year: int, kind: str = "") -> bool:
    """Too many files or too many bytes to zip while the page waits."""
    from django.db.models import Count, Sum

    totals = selectors.library_materials(user=user, school=school, year=year, kind=kind).order_by().aggregate(
        n=Count("pk"), size=Sum("size"))
    return (totals["n"] or 0) > jobs.inline_files() or (totals["size"] or 0) > INLINE_BYTES


@jobs.job_task
def school_library_zip(job, *, school_id: int, year: int, material_kind: str = "") -> dict:
    """The school's yearly library as one zip, with what the job's owner may see in it."""
    from yanxiu.org.models import School

    kind = material_kind
    school = School.objects.get(pk=school_id)
    if not access.can_view_library(job.owner, school):
        raise jobs.JobError(_("您没有权限查看该校的资源库。"))
    total = selectors.library_materials(user=job.owner, school=school, year=year, kind=kind).count()
    jobs.progress(job.pk, 0, total)
    path = jobs.output_path(job, "zip")
    with path.open("wb") as target:
        counts = exports.write_library_zip(target, user=job.owner, school=school, year=year, kind=kind,
                                           progress=lambda done: jobs.progress(job.pk, done, total))
    message = _("共 %(materials)d 份资料、%(sheets)d 份签到表。") % {"materials": counts["materials"], "sheets": counts["sheets"]}
    if counts["missing"]:
        message += _("%(n)d 份资料的文件已不在服务器上，清单见压缩包。") % {"n": len(counts["missing"])}
    jobs.finish(job.pk, path, library_zip_name(school, year, kind), message=message)
    return {"materials": counts["materials"], "sheets": counts["sheets"], "missing": len(counts["missing"])}
