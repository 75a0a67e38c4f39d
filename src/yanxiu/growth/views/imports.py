"""Growth pages: import of past records (see growth/urls.py).

Upload → preview (a dry run listing every problem by row and column) →
confirm (all or nothing), as the roster import page does; a file above
``YANXIU_IMPORT_INLINE_KB`` is checked and imported by background jobs.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import sheets
from yanxiu.core.pending_uploads import is_large_size
from yanxiu.org import scopes
from yanxiu.org.forms import BootstrapMixin

from .. import access
from .. import import_tasks as tasks
from ..choices import RecordKind
from ..importing import import_records, preview_records


class ImportUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("登记表文件"), help_text=gettext_lazy("支持 .xlsx、.xls、.ods、.csv（UTF-8 或 GBK）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        sheets.check_upload(upload)
        return upload


def _school(request):
    """The school the admin imports into (``?school=`` among theirs, else their first)."""
    school = scopes.admin_school(request.user, request.GET.get("school") or request.POST.get("school"))
    scopes.require(school is not None and access.can_manage(request.user, school), _("只有学校管理员可以导入成长记录。"))
    return school


@login_required
def import_page(request):
    school = _school(request)
    form, report = ImportUploadForm(), None
    if request.method == "POST" and request.POST.get("action") == "confirm":
        return _confirm(request, school)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if is_large_size(upload.size):  # checked by a background job; its report comes back to this page
                return redirect(tasks.start_preview(request, school, upload))
            data = upload.read()
            report = preview_records(school=school, file_name=upload.name, data=data, actor=request.user)
            if report.ok:
                tasks.PENDING.save(request, school, name=upload.name, content=data)
            else:
                tasks.PENDING.drop(request)
    elif "job" in request.GET:  # the report of a job started from this page
        report = tasks.report_of(request, school)
    return _render(request, school, form, report)


def _confirm(request, school):
    pending = tasks.PENDING.get(request, school)
    if pending is None:
        messages.error(request, _("上传的文件已失效，请重新上传。"))
        return redirect(tasks.page_url(school.pk))
    if tasks.PENDING.is_large(pending):  # a large file is imported by a background job
        return redirect(tasks.start_import(request, school, pending))
    report = import_records(actor=request.user, school=school, file_name=pending["name"], data=tasks.PENDING.read(pending))
    tasks.PENDING.drop(request)  # imported, or refused (the data changed since the preview): upload again
    if not report.ok:
        return _render(request, school, ImportUploadForm(), report)
    messages.success(request, _("导入成功：共 %(rows)d 行，导入 %(n)d 条成长记录（%(kinds)s）。") % {
        "rows": report.rows, "n": report.created, "kinds": report.kinds_text()})
    return redirect(tasks.page_url(school.pk))


def _render(request, school, form, report):
    return render(request, "growth/imports/import.html", {
        "school": school, "form": form, "report": report, "kinds_text": report.kinds_text() if report else "",
        "kinds": [label for _value, label in RecordKind.choices],
        "page_title": _("导入成长记录：%(school)s") % {"school": school.name},
    })


urls: list = [
    path("import/", import_page, name="import"),
]
