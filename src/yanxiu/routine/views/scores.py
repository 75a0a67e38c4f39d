"""Routine pages: the exam score import (see routine/urls.py).

Upload with the exam's details → preview (a dry run listing every problem by
row and column, and per class the students and the cells of each subject; no
student names) → confirm (all or nothing), as the growth import page does; a
file above ``YANXIU_IMPORT_INLINE_KB`` is checked and imported by background jobs.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import sheets
from yanxiu.core.pending_uploads import is_large_size
from yanxiu.org import scopes
from yanxiu.org.forms import BootstrapMixin

from ..choices import ExamKind
from ..importing import MAX_EXAM_NAME, ExamInput, import_scores, preview_scores
from ..importing import columns as score_columns
from ..importing import tasks


class ScoreUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("成绩表文件"), help_text=gettext_lazy("支持 .xlsx、.xls、.ods、.csv（UTF-8 或 GBK）"))
    name = forms.CharField(label=gettext_lazy("考试名称"), max_length=MAX_EXAM_NAME,
                           help_text=gettext_lazy("本校唯一，如“2025年秋季期末质量监测”"))
    kind = forms.ChoiceField(label=gettext_lazy("考试类型"), required=False,
                             choices=[("", gettext_lazy("按考试名称判断（期末、期中、月考、单元）")), *ExamKind.choices])
    date = forms.DateField(label=gettext_lazy("考试日期"), widget=forms.DateInput(attrs={"type": "date"}),
                           help_text=gettext_lazy("据此确定学年和学期"))
    full_marks = forms.DecimalField(label=gettext_lazy("满分"), min_value=Decimal("1"), max_value=Decimal("1000"),
                                    max_digits=5, decimal_places=1, initial=Decimal("100"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        sheets.check_upload(upload)
        return upload

    def exam(self) -> ExamInput:
        data = self.cleaned_data
        return ExamInput(name=data["name"], date=data["date"], full_marks=data["full_marks"], kind=data["kind"] or None)


def _school(request):
    """The school the admin imports into (``?school=`` among theirs, else their first)."""
    school = scopes.admin_school(request.user, request.GET.get("school") or request.POST.get("school"))
    scopes.require(school is not None and scopes.can_manage_school(request.user, school), _("只有学校管理员可以导入考试成绩。"))
    return school


@login_required
def import_page(request):
    school = _school(request)
    form, report = ScoreUploadForm(initial={"date": timezone.localdate()}), None
    if request.method == "POST" and request.POST.get("action") == "confirm":
        return _confirm(request, school)
    if request.method == "POST":
        form = ScoreUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload, exam = form.cleaned_data["file"], form.exam()
            if is_large_size(upload.size):  # checked by a background job; its report comes back to this page
                return redirect(tasks.start_preview(request, school, upload, exam))
            data = upload.read()
            report = preview_scores(school=school, file_name=upload.name, data=data, exam=exam, actor=request.user)
            if report.ok:
                tasks.PENDING.save(request, school, name=upload.name, content=data, exam=tasks.exam_json(exam))
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
    report = import_scores(actor=request.user, school=school, file_name=pending["name"], data=tasks.PENDING.read(pending),
                           exam=tasks.exam_from(pending["exam"]))
    tasks.PENDING.drop(request)  # imported, or refused (the data changed since the preview): upload again
    if not report.ok:
        return _render(request, school, ScoreUploadForm(initial={"date": timezone.localdate()}), report)
    messages.success(request, _("导入成功：“%(exam)s”共 %(rows)d 名学生、%(classes)d 个班，导入 %(n)d 条成绩（%(subjects)s）。") % {
        "exam": pending["exam"]["name"], "rows": report.rows, "classes": len(report.classes), "n": report.scores,
        "subjects": "、".join(report.subjects)})
    return redirect(tasks.page_url(school.pk))


def _render(request, school, form, report):
    classes = [{"summary": c, "cells": c.cells(report.subjects)} for c in report.classes] if report else []
    pending = tasks.PENDING.get(request, school) if report and report.ok and report.dry_run else None
    return render(request, "routine/scores/import.html", {
        "school": school, "form": form, "report": report, "classes": classes,
        "exam": pending["exam"] if pending else None,
        "subjects": score_columns.SUBJECTS,
        "page_title": _("导入考试成绩：%(school)s") % {"school": school.name},
    })


urls: list = [
    path("scores/import/", import_page, name="scores_import"),
]
