"""Background tasks of the credits app (django-tasks, run by ``yanxiu db_worker``)."""

from __future__ import annotations

from django_tasks import task

from yanxiu.core import daily, jobs

from . import ledger


@task()
def write_ledger_head() -> str:
    """Daily: write the ledger's signed head beside the backups; queues the next run."""
    path = ledger.write_head()
    daily.queue_next(write_ledger_head)
    return str(path)


@task()
def finalize_due_postings() -> int:
    """Daily: make final every public posting whose period ended with no open objection."""
    from .services import posting_finalize_due

    done = posting_finalize_due(actor=None)
    daily.queue_next(finalize_due_postings)
    return len(done)


def write_head_after_backup(sender, *, event: str, **kwargs) -> str:
    """Receiver of ``core.signals.backup_written``: every backup and restore writes a signed head."""
    from django.db import DatabaseError
    from django.utils.translation import gettext as _

    try:
        head = ledger.write_head()
    except (DatabaseError, OSError) as exc:
        raise RuntimeError(_("台账链头签名未能写入：%(error)s") % {"error": exc}) from exc
    return _("台账链头签名：%(path)s") % {"path": head}


# --- Jobs started from pages (core/jobs.py) ---------------------------------------


def certificate_pdf(cert, request=None) -> bytes:
    """The certificate as a PDF, with the QR code of its public verification page."""
    from django.urls import reverse

    from yanxiu.core import public_url

    from .pdf import qr_svg, render_pdf

    url = public_url.absolute_url(reverse("credits:verify", args=[cert.code]), request)
    return render_pdf("credits/pdf/certificate.html", {"cert": cert, "qr": qr_svg(url), "verify_url": url})


def write_certificates_zip(target, certificates, *, request=None, job_id: int | None = None) -> int:
    """Write one PDF per certificate into the zip ``target``; reports progress to ``job_id``; returns the count."""
    import zipfile

    from yanxiu.core import downloads, jobs

    certificates = list(certificates)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, cert in enumerate(certificates, start=1):
            archive.writestr(downloads.filename(cert.person.name, cert.title[:30], cert.code, ext="pdf"), certificate_pdf(cert, request))
            if job_id is not None:
                jobs.progress(job_id, n, len(certificates))
    return len(certificates)


@jobs.job_task
def school_certificates_zip(job, *, school_id: int, year: int) -> int:
    """The certificates of a school's year as one zip of PDFs, for a user who may see that school's credits."""
    from django.utils.translation import gettext as _

    from yanxiu.core import downloads
    from yanxiu.org.models import School

    from . import selectors
    from .models import Certificate

    school = School.objects.get(pk=school_id)
    if not selectors.can_view_school_credits(job.owner, school):
        raise jobs.JobError(_("您没有权限访问此页面。"))
    certificates = Certificate.objects.filter(school=school, school_year=year).select_related("person").order_by("pk")
    jobs.progress(job.pk, 0, certificates.count())
    path = jobs.output_path(job, "zip")
    with path.open("wb") as target:
        count = write_certificates_zip(target, certificates, job_id=job.pk)
    jobs.finish(job.pk, path, downloads.filename(_("培训证书"), school.name, f"{year}-{year + 1}", ext="zip"),
                message=_("共 %(n)d 份证书。") % {"n": count})
    return count


#: Errors kept on a result-list job for the page.
MAX_IMPORT_ERRORS = 1000


@jobs.job_task
def results_import(job, *, input_name: str, file_name: str, school_year: int, dry_run: bool) -> bool:
    """An organiser's result list checked (and, unless ``dry_run``, written) for the job's owner."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from .importer import import_results
    from .selectors import can_import_results

    data = jobs.read_input(input_name)  # the copy in the job folder is removed as soon as it is read
    if not can_import_results(job.owner):
        raise jobs.JobError(_("您没有权限访问此页面。"))
    jobs.progress(job.pk, 0, 0, _("正在读取并检查文件……") if dry_run else _("正在检查并登记……"))
    result = import_results(actor=job.owner, name=file_name, data=data, school_year=school_year, dry_run=dry_run)
    summary = {"ok": result.ok, "rows": result.rows, "credited": result.credited, "failed_results": result.failed_results,
               "error_count": len(result.errors), "errors": [e.as_json() for e in result.errors[:MAX_IMPORT_ERRORS]],
               "dry_run": dry_run}
    if not result.ok:
        message = _("发现 %(n)d 处问题，未登记任何记录。") % {"n": len(result.errors)}
    elif dry_run:
        message = _("检查通过：共 %(rows)d 行。") % {"rows": result.rows}
    else:
        message = _("已导入 %(n)d 条合格记录。") % {"n": result.credited}
    jobs.finish(job.pk, None, message=message, result=summary, return_url=reverse("credits:import") + f"?job={job.pk}")
    return result.ok


def start_results_import(*, user, upload, school_year: int, dry_run: bool):
    """Copy the uploaded result list into the job folder and check or import it in a job."""
    from pathlib import PurePath

    from django.utils.translation import gettext as _

    path = jobs.save_input(upload, PurePath(upload.name).suffix.lstrip("."))
    label = _("检查上级培训结果：%(name)s") if dry_run else _("导入上级培训结果：%(name)s")
    return jobs.start(user=user, kind="credits.results_import", task=results_import, label=label % {"name": PurePath(upload.name).name},
                      input_name=path.name, file_name=upload.name, school_year=school_year, dry_run=dry_run)


def results_import_of(user, raw_job_id) -> tuple:
    """(the result, dry run?) of the user's finished result-list job named by ``?job=``, else (None, False)."""
    from yanxiu.core import params

    from .importer import ImportResult, RowError

    job_id = params.parse_id(raw_job_id)
    job = jobs.jobs_of(user).filter(pk=job_id, kind="credits.results_import", status="done").first() if job_id else None
    data = job.result if job is not None else None
    if not data or data.get("rows") is None:
        return None, False
    result = ImportResult(rows=data["rows"], credited=data.get("credited", 0), failed_results=data.get("failed_results", 0),
                          errors=[RowError(e["row"], e["column"], e["message"]) for e in data.get("errors", [])])
    return result, bool(data.get("dry_run"))


def _project_participants(project):
    from .models import CreditEntry, SourceType

    sessions = [str(pk) for pk in project.sessions.values_list("pk", flat=True)]
    return CreditEntry.objects.active().filter(source_type=SourceType.SESSION, source_id__in=sessions).values("person_id").distinct()


def project_is_large(project) -> bool:
    """More participants with credited hours than a page should render certificates for."""
    return _project_participants(project).count() > jobs.inline_files()


@jobs.job_task
def project_certificates(job, *, project_id: int, next_url: str) -> int:
    """Issue the certificates of a school project (as the page does) and hand them back as one zip of PDFs."""
    from django.utils.translation import gettext as _

    from yanxiu.core import downloads
    from yanxiu.training.models import Project

    from .services import certificates_for_session_project

    project = Project.objects.select_related("owner_school", "region").get(pk=project_id)
    jobs.progress(job.pk, 0, 0, _("正在颁发证书……"))
    certificates = certificates_for_session_project(actor=job.owner, project=project)
    path = jobs.output_path(job, "zip")
    with path.open("wb") as target:
        count = write_certificates_zip(target, certificates, job_id=job.pk)
    jobs.finish(job.pk, path, downloads.filename(_("培训证书"), project.title, ext="zip"), return_url=next_url,
                message=_("已为 %(n)d 人颁发“%(title)s”培训证书。") % {"n": count, "title": project.title})
    return count
