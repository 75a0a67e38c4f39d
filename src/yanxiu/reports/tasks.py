"""Background jobs of the reports app (``core/jobs.py``, run by ``yanxiu db_worker``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from yanxiu.core import downloads, jobs


def pack_name(school, year: int) -> str:
    return downloads.filename(_("年检材料"), school.name, f"{year}-{year + 1}", ext="zip")


@jobs.job_task
def inspection_pack(job, *, school_id: int, year: int) -> int:
    """The inspection pack (年检材料) of a school's year as one zip, as the job's owner may read it."""
    from yanxiu.org.models import School

    from . import inspection

    school = School.objects.select_related("county").filter(pk=school_id).first()
    if school is None or not inspection.can_build_pack(job.owner, school):
        raise jobs.JobError(_("您没有权限生成该校的年检材料。"))
    total = inspection.pack_steps(job.owner, school, year)
    jobs.progress(job.pk, 0, total, _("正在生成年检材料……"))
    path = jobs.output_path(job, "zip")
    with path.open("wb") as target:
        result = inspection.write_pack(target, user=job.owner, school=school, year=year,
                                       progress=lambda done: jobs.progress(job.pk, min(done, total), total))
    jobs.finish(job.pk, path, pack_name(school, year),
                message=_("共 %(n)d 个文件。") % {"n": len(result.files)})
    return len(result.files)
