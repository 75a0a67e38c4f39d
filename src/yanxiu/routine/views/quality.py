"""Routine pages: 质量监测 results, 六项达标, 进步最快奖, and the school's lines and targets (see routine/urls.py).

- ``routine:quality``: one exam of a school, a table per grade (class ×
  subject: counted, absent, exempt, average, excellent and pass rates, each
  measure green when it meets the grade's target and red when not, and the
  class's 六项达标 count), compared with another exam (进步最快奖), exported as
  xlsx. The school's admin, the region staff over it and its leaders see every
  class; a teacher the classes they teach (任课). No student name is shown.
- ``routine:quality_settings``: the lines and the two 六项达标 subjects, the
  targets per grade, the seed's preset by a button; for whoever manages the school.

The numbers are computed by :mod:`yanxiu.routine.quality`; writes go through
:mod:`yanxiu.routine.services.quality`.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import downloads, params
from yanxiu.core.crud import ServiceActionView, ServiceFormView
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.org import scopes

from .. import quality_selectors as selectors
from ..quality import (MEASURES, Targets, exam_results, grade_label, lines_of, measure_label, most_improved,
                       shown_average, shown_rate, six_items)
from ..quality_forms import HUNDRED, ExamPickForm, QualitySettingsForm, QualityTargetForm
from ..services.quality import (quality_first_use, quality_preset_apply, quality_settings_set, quality_target_delete,
                                quality_target_set)

MAX_SCHOOL_CHOICES = 500
MAX_EXAM_CHOICES = 200
READ_DENIED = gettext_lazy("您没有权限查看质量监测结果。")
MANAGE_DENIED = gettext_lazy("只有本校管理员可以设置质量监测标准。")


# --- Which school --------------------------------------------------------------------------


def _wanted_school(request):
    raw = request.GET.get("school") or request.POST.get("school")
    if raw in (None, ""):
        return None
    wanted = params.parse_id(raw)
    if wanted is None:
        raise params.BadParameter(_("参数 school 须是学校编号。"))
    return wanted


def reading_school(request):
    """The school whose results the user reads: ``?school=`` among those they may read (else 404), or their own."""
    wanted = _wanted_school(request)
    schools = selectors.quality_schools(request.user)
    if wanted is not None:
        school = schools.filter(pk=wanted).first()
        if school is None:
            raise Http404(_("找不到该学校，或您无权查看。"))
        return school
    school = scopes.admin_school(request.user) or schools.order_by("code").first()
    scopes.require(school is not None, str(READ_DENIED))
    return school


def managed_school(request):
    """The school whose lines and targets the user sets: ``?school=`` they manage, or their own."""
    wanted = _wanted_school(request)
    if wanted is not None:
        school = scopes.schools_visible_to(request.user).filter(pk=wanted).first()
        if school is None:
            raise Http404(_("找不到该学校，或您无权查看。"))
    else:
        school = scopes.admin_school(request.user) or scopes.schools_managed_by(request.user).order_by("code").first()
    scopes.require(selectors.can_manage_quality(request.user, school), str(MANAGE_DENIED))
    return school


def school_choices(user) -> list[tuple[int, str]]:
    s = scopes.scope_of(user)
    if not (s.superuser or s.region_counties or len(s.admin_schools) > 1):
        return []
    return list(selectors.quality_schools(user).order_by("code").values_list("pk", "name")[:MAX_SCHOOL_CHOICES])


def settings_url(school) -> str:
    return f"{reverse('routine:quality_settings')}?{urlencode({'school': school.pk})}"


# --- The results ---------------------------------------------------------------------------


def _met_text(row, measure: str) -> str:
    if row.target is None:
        return _("未设目标")
    return _("达标") if row.met[measure] else _("未达标")


def result_columns() -> list[Column]:
    columns = [
        Column("grade", _("年级"), value=lambda r: grade_label(r.grade)),
        Column("class", _("班级"), value="label"),
        Column("subject", _("学科")),
        Column("counted", _("参考人数")),
        Column("absent", _("缺考")),
        Column("exempt", _("免考")),
        Column("average", _("平均分"), value=lambda r: shown_average(r.average)),
        Column("excellent_rate", _("优秀率"), value=lambda r: shown_rate(r.excellent_rate)),
        Column("pass_rate", _("及格率"), value=lambda r: shown_rate(r.pass_rate)),
    ]
    columns += [Column(f"met_{m}", _("%(measure)s达标") % {"measure": measure_label(m)}, value=lambda r, m=m: _met_text(r, m))
                for m in MEASURES]
    columns.append(Column("six", _("六项达标"), value=lambda r: r.six.met if r.six else ""))
    return columns


def _shown(measure: str, value) -> str:
    return shown_average(value) if measure == "average" else shown_rate(value)


class QualityView(ScopedListView):
    """One exam's measures per class and subject, grouped by grade; xlsx export of the same rows."""

    template_name = "routine/quality/results.html"
    table_template = "routine/quality/_table.html"
    table_id = "quality-table"
    paginate_by = 500
    export_filename = gettext_lazy("质量监测")
    export_fallback = "quality"
    empty_message = gettext_lazy("没有可统计的成绩。")

    def check_permission(self):
        user = self.request.user
        self.school = reading_school(self.request)
        quality_first_use(school=self.school)
        exams = list(selectors.exams_for(user, self.school).order_by("-date", "-id")[:MAX_EXAM_CHOICES])
        data = {k: self.request.GET[k] for k in ("exam", "compare") if k in self.request.GET}
        self.form = ExamPickForm(data or {"exam": exams[0].pk if exams else ""}, exams=exams)
        cleaned = self.form.cleaned_data if self.form.is_valid() else {}
        by_id = {e.pk: e for e in exams}
        self.exam = by_id.get(cleaned.get("exam")) or (exams[0] if exams else None)
        compare = by_id.get(cleaned.get("compare"))
        self.compare = compare if compare is not None and compare != self.exam else None
        self.exams = exams

    def build_filter_form(self):
        return None  # the exam picker is read in check_permission

    def get_queryset(self):
        self.improved, self.lines = [], lines_of(self.school)
        if self.exam is None:
            return []
        targets = Targets.of(self.school)
        classes = selectors.visible_classes(self.request.user, self.exam)
        rows = exam_results(self.exam, classes=classes, lines=self.lines, targets=targets)
        six = six_items(rows, self.lines)
        for row in rows:
            row.six = six.get((row.grade, row.class_no))
        if self.compare is not None:
            before = exam_results(self.compare, classes=classes, lines=self.lines, targets=targets)
            self.improved = most_improved(rows, before)
        return rows

    def get_columns(self):
        return result_columns()

    def get_export_filename(self):
        return downloads.filename(_("质量监测"), self.school.name, self.exam.name if self.exam else "", ext="xlsx")

    def get_context_data(self, **kwargs):
        improved = [{"grade": grade_label(i.grade), "subject": i.subject, "measure": measure_label(i.measure),
                     "classes": [{"class": c["class"], "before": _shown(i.measure, c["before"]), "after": _shown(i.measure, c["after"])}
                                 for c in i.classes]} for i in self.improved]
        kwargs.update(
            school=self.school, schools=school_choices(self.request.user), form=self.form, exam=self.exam,
            compare=self.compare, improved=improved, six_subjects=self.lines.six_subjects,
            six_total=len(self.lines.six_subjects) * len(MEASURES),
            every_class=selectors.reads_every_class(self.request.user, self.school),
            settings_url=settings_url(self.school) if selectors.can_manage_quality(self.request.user, self.school) else "",
            page_title=_("%(school)s · 质量监测") % {"school": self.school.name},
        )
        return kwargs


# --- The settings and targets ------------------------------------------------------------------


def _percent(value) -> Decimal:
    """A stored fraction as the percentage the forms take: ``0.900`` → ``90.0``."""
    return (Decimal(value) * HUNDRED).quantize(Decimal("0.1"))


def target_rows(school) -> list[dict]:
    return [{"target": t, "grade": grade_label(t.grade), "subject": t.subject or _("所有学科"),
             "average": shown_average(t.average), "excellent_rate": shown_rate(t.excellent_rate),
             "pass_rate": shown_rate(t.pass_rate)} for t in selectors.school_targets(school)]


class SchoolMixin:
    def check(self):
        self.school = managed_school(self.request)
        super().check()

    def get_back_url(self):
        return settings_url(self.school)

    def get_success_url(self, result):
        return settings_url(self.school)


class QualitySettingsView(SchoolMixin, ServiceFormView):
    """The lines, the two 六项达标 subjects and the list of targets."""

    form_class = QualitySettingsForm
    template_name = "routine/quality/settings.html"
    page_title = gettext_lazy("质量监测标准")
    submit_label = gettext_lazy("保存设置")
    success_message = gettext_lazy("质量监测标准已保存。")

    def check(self):
        super().check()
        quality_first_use(school=self.school)

    def get_initial(self):
        lines = lines_of(self.school)
        return {"excellent_percent": _percent(lines.excellent_ratio), "pass_percent": _percent(lines.pass_ratio),
                "subject_1": lines.six_subjects[0], "subject_2": lines.six_subjects[1] if len(lines.six_subjects) > 1 else ""}

    def perform(self, form):
        data = form.cleaned_data
        return quality_settings_set(actor=self.request.user, school=self.school,
                                    excellent_ratio=data["excellent_percent"] / HUNDRED, pass_ratio=data["pass_percent"] / HUNDRED,
                                    six_subjects=[data["subject_1"], data["subject_2"]])

    def get_context_data(self, **kwargs):
        kwargs.update(school=self.school, targets=target_rows(self.school), school_param=self.school.pk,
                      results_url=f"{reverse('routine:quality')}?{urlencode({'school': self.school.pk})}")
        return kwargs


class QualityTargetView(SchoolMixin, ServiceFormView):
    """Add a grade's target (for a subject or every subject), or edit one."""

    form_class = QualityTargetForm
    template_name = "routine/quality/target_form.html"
    submit_label = gettext_lazy("保存目标")
    success_message = gettext_lazy("质量目标已保存。")

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(selectors.school_targets(self.school), pk=pk) if pk else None

    def get_form_kwargs(self):
        return {"grade_labels": grade_label}

    def get_initial(self):
        t = self.object
        if t is None:
            return {"grade": 1}
        return {"grade": t.grade, "subject": t.subject, "average": t.average,
                "excellent_percent": _percent(t.excellent_rate), "pass_percent": _percent(t.pass_rate)}

    def perform(self, form):
        data = form.cleaned_data
        return quality_target_set(actor=self.request.user, school=self.school, grade=data["grade"], subject=data["subject"],
                                  average=data["average"], excellent_rate=data["excellent_percent"] / HUNDRED,
                                  pass_rate=data["pass_percent"] / HUNDRED, target=self.object)

    def get_context_data(self, **kwargs):
        kwargs.update(school=self.school, page_title=_("修改质量目标") if self.object else _("添加质量目标"))
        return kwargs


class QualityTargetDeleteView(ServiceActionView):
    success_message = gettext_lazy("质量目标已删除。")

    def get_object(self):
        self.school = managed_school(self.request)
        return get_object_or_404(selectors.school_targets(self.school), pk=self.kwargs["pk"])

    def get_back_url(self):
        return settings_url(self.school)

    def perform(self):
        quality_target_delete(actor=self.request.user, target=self.object)


class QualityPresetView(ServiceActionView):
    """The seed's targets for grades 1–5 (一、二年级 85% / 100% / 92；三至五年级 80% / 95% / 90)."""

    success_message = gettext_lazy("已按预设设置一至五年级的质量目标。")

    def get_object(self):
        self.school = managed_school(self.request)
        return self.school

    def get_back_url(self):
        return settings_url(self.school)

    def perform(self):
        return quality_preset_apply(actor=self.request.user, school=self.school)


urls = [
    path("quality/", QualityView.as_view(), name="quality"),
    path("quality/settings/", QualitySettingsView.as_view(), name="quality_settings"),
    path("quality/targets/add/", QualityTargetView.as_view(), name="quality_target_add"),
    path("quality/targets/<int:pk>/edit/", QualityTargetView.as_view(), name="quality_target_edit"),
    path("quality/targets/<int:pk>/delete/", QualityTargetDeleteView.as_view(), name="quality_target_delete"),
    path("quality/preset/", QualityPresetView.as_view(), name="quality_preset"),
]
