"""The growth record as a PDF, and a school's records of a year as one zip (a background job)."""

from __future__ import annotations

import zipfile

from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import downloads, jobs

from . import access
from .record_file import RecordFile, record_file


def file_pdf(f: RecordFile) -> bytes:
    """One teacher's year on A4, with the bundled font: the page's content and visibility."""
    from yanxiu.credits.pdf import render_pdf

    return render_pdf("growth/years/pdf.html", {"f": f, "printed_on": timezone.localdate()})


def file_pdf_name(f: RecordFile) -> str:
    return downloads.filename(_("成长记录袋"), f.person.name, f"{f.school_year}-{f.school_year + 1}", ext="pdf")


def zip_name(school, year: int) -> str:
    return downloads.filename(_("成长记录袋"), school.name, f"{year}-{year + 1}", ext="zip")


def write_files_zip(target, *, user, people, year: int, progress=None) -> int:
    """One PDF per person (as ``user`` may read it) into the zip ``target``; returns how many were written."""
    written = 0
    seen: set[str] = set()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, person in enumerate(people, start=1):
            f = record_file(user, person, year)
            if f is not None:
                name = file_pdf_name(f)
                if name in seen:  # two teachers of one name
                    name = downloads.filename(_("成长记录袋"), person.name, str(person.pk), f"{year}-{year + 1}", ext="pdf")
                seen.add(name)
                archive.writestr(name, file_pdf(f))
                written += 1
            if progress is not None:
                progress(n)
    return written


@jobs.job_task
def school_files_zip(job, *, school_id: int, year: int) -> int:
    """The growth records of the school's current teachers for ``year``, one PDF each, as one zip."""
    from yanxiu.org.models import School

    from .record_file import school_files

    school = School.objects.filter(pk=school_id).first()
    if school is None or not access.can_manage(job.owner, school):
        raise jobs.JobError(_("您没有权限下载该校的成长记录袋。"))
    people = [e.person for e in school_files(job.owner, school, year)]
    total = len(people)
    jobs.progress(job.pk, 0, total)
    path = jobs.output_path(job, "zip")
    with path.open("wb") as target:
        count = write_files_zip(target, user=job.owner, people=people, year=year,
                                progress=lambda done: jobs.progress(job.pk, done, total))
    jobs.finish(job.pk, path, zip_name(school, year), message=_("共 %(n)d 份成长记录袋。") % {"n": count})
    return count
