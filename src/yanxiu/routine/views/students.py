"""Routine pages: 学困生档案 (the list, opening files from a final exam, a file with
its score history, plan and notes) and 任课 (the school's classes × subjects and
who teaches each) — see routine/urls.py.

Student names are shown as the selectors allow (``name_shown``) and never put
in an address: files are addressed by id."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import params
from yanxiu.core.crud import ServiceFormView
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.growth import calendar
from yanxiu.org import scopes

from .. import student_selectors as selectors
from ..services import students as services
from ..student_forms import FileFilter, NoteForm, OpenFilesForm, PlanForm, TeachingForm

PAGE_DENIED = gettext_lazy("您没有权限访问此页面。")


def _file(request, pk):
    return get_object_or_404(selectors.files_visible_to(request.user), pk=pk)


def _class_of(file) -> str:
    return selectors.class_label(file.grade, file.class_no)


def _year_label(year: int) -> str:
    return f"{year}—{year + 1}"


# --- The list ----------------------------------------------------------------------------


class StudentFileListView(ScopedListView):
    """The files the reader sees: their classes' (teacher), their group's classes (leader), all the school's (admin)."""

    template_name = "routine/students/list.html"
    page_title = gettext_lazy("学困生档案")
    empty_message = gettext_lazy("没有学困生档案。")
    filters = FileFilter
    export_filename = gettext_lazy("学困生档案")
    export_fallback = "student-files"
    columns = [
        Column("school", gettext_lazy("学校"), value="school.name", classes="hide-sm"),
        Column("school_year", gettext_lazy("学年"), value=lambda f: _year_label(f.school_year), sortable="school_year",
               classes="hide-sm"),
        Column("class", gettext_lazy("班级"), value=_class_of, sortable="grade"),
        Column("student", gettext_lazy("学生"), value=selectors.shown_name,
               link=lambda f: reverse("routine:student_file", args=[f.pk])),
        Column("subjects", gettext_lazy("未达标学科"), value=lambda f: "、".join(f.subjects)),
        Column("opened_from", gettext_lazy("依据考试"), value="opened_from.name", classes="hide-sm"),
        Column("notes", gettext_lazy("辅导记录"), value="note_count", classes="text-end hide-sm"),
    ]

    def check_permission(self):
        scopes.require(selectors.can_read_files(self.request.user), PAGE_DENIED)

    def get_queryset(self):
        return selectors.file_list(self.request.user)

    def filter_queryset(self, qs, data):
        return selectors.filter_files(qs, **data)

    def get_context_data(self, **kwargs):
        school = scopes.admin_school(self.request.user)
        return {**kwargs, "can_open": selectors.can_manage_teaching(self.request.user, school)}


class OpenFilesView(ServiceFormView):
    """The school's admin opens the files of a final exam's students under pass."""

    form_class = OpenFilesForm
    template_name = "routine/students/open.html"
    page_title = gettext_lazy("从期末质量监测建立学困生档案")
    submit_label = gettext_lazy("建立档案")

    def get_object(self):
        self.school = scopes.admin_school(self.request.user, self.request.GET.get("school"))
        scopes.require(selectors.can_manage_teaching(self.request.user, self.school), _("只有学校管理员可以建立学困生档案。"))
        return None

    def get_form_kwargs(self):
        return {"exams": selectors.final_exams(self.school)}

    def get_context_data(self, **kwargs):
        return {**kwargs, "school": self.school}

    def perform(self, form):
        result = services.student_files_open(actor=self.request.user, exam=form.cleaned_data["exam"])
        messages.success(self.request, _("新建档案 %(opened)s 份，补充未达标学科 %(updated)s 份，已有档案未变 %(unchanged)s 份。")
                         % result)
        return result

    def get_success_url(self, result):
        return reverse("routine:student_files")

    def get_back_url(self):
        return reverse("routine:student_files")


# --- One file -----------------------------------------------------------------------------


@login_required
def student_file(request, pk):
    """The file: the student's scores over the school year's exams (table and line), the plan and the notes."""
    file = _file(request, pk)
    history = selectors.score_history(file)
    context = {
        "file": file, "name": selectors.shown_name(file), "class_label": _class_of(file),
        "year_label": _year_label(file.school_year), "history": history, "chart": history.chart(),
        "notes": selectors.notes_of(file),
        "can_edit": selectors.can_edit_file(request.user, file), "can_note": selectors.can_add_note(request.user, file),
    }
    context["page_title"] = _("学困生档案：%(name)s") % {"name": context["name"]}
    return render(request, "routine/students/detail.html", context)


class _FileFormView(ServiceFormView):
    """A form about one file the user can see; ``allowed()`` says whether this user may use it."""

    template_name = "routine/students/form.html"

    def get_object(self):
        return _file(self.request, self.kwargs["pk"])

    def allowed(self, file) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def check(self):
        super().check()
        if not self.allowed(self.object):
            raise PermissionDenied(PAGE_DENIED)

    def get_context_data(self, **kwargs):
        return {**kwargs, "file": self.object, "name": selectors.shown_name(self.object), "class_label": _class_of(self.object)}

    def get_success_url(self, result):
        return reverse("routine:student_file", args=[self.object.pk])

    def get_back_url(self):
        return reverse("routine:student_file", args=[self.object.pk])


class PlanView(_FileFormView):
    form_class = PlanForm
    page_title = gettext_lazy("辅导计划")
    submit_label = gettext_lazy("保存辅导计划")
    success_message = gettext_lazy("辅导计划已保存。")

    def allowed(self, file):
        return selectors.can_edit_file(self.request.user, file)

    def get_initial(self):
        return {"support_plan": self.object.support_plan}

    def perform(self, form):
        return services.student_file_plan(actor=self.request.user, file=self.object, **form.cleaned_data)


class NoteAddView(_FileFormView):
    form_class = NoteForm
    page_title = gettext_lazy("记录辅导")
    submit_label = gettext_lazy("保存辅导记录")
    success_message = gettext_lazy("辅导记录已保存。")

    def allowed(self, file):
        return selectors.can_add_note(self.request.user, file)

    def get_initial(self):
        return {"date": timezone.localdate()}

    def perform(self, form):
        return services.student_note_add(actor=self.request.user, file=self.object, **form.cleaned_data)


# --- 任课 -----------------------------------------------------------------------------------


def _teaching_school(request):
    school = scopes.admin_school(request.user, request.GET.get("school"))
    scopes.require(selectors.can_manage_teaching(request.user, school), _("只有学校管理员可以设置任课。"))
    return school


def _year(request, school) -> int:
    return params.year_param(request.GET, "year", default=calendar.school_year_of(school, timezone.localdate()))


@login_required
def teaching(request):
    """The school's classes × subjects of a school year with who teaches each, and the way to set one."""
    school = _teaching_school(request)
    year = _year(request, school)
    grid = selectors.teaching_grid(school, year)
    low, high = params.year_bounds()
    context = {"school": school, "year": year, "year_label": _year_label(year), "grid": grid, "page_title": _("任课安排"),
               "prev_year": year - 1 if year > low else None, "next_year": year + 1 if year < high else None}
    return render(request, "routine/students/teaching.html", context)


def _bounded_int(request, name: str, low: int, high: int):
    raw = params.text_param(request.GET, name, max_length=6)
    return int(raw) if raw.isascii() and raw.isdigit() and low <= int(raw) <= high else None


class TeachingSetView(ServiceFormView):
    form_class = TeachingForm
    page_title = gettext_lazy("设置任课")
    submit_label = gettext_lazy("保存")
    success_message = gettext_lazy("任课已保存。")

    def get_object(self):
        self.school = _teaching_school(self.request)
        return None

    def get_form_kwargs(self):
        return {"school": self.school}

    def get_initial(self):
        year = _year(self.request, self.school)
        initial = {"school_year": year, "grade": _bounded_int(self.request, "grade", 1, 12),
                   "class_no": _bounded_int(self.request, "class_no", 1, 99),
                   "subject": params.text_param(self.request.GET, "subject", max_length=services.SUBJECT_MAX)}
        current = selectors.assignment_of(self.school, year, initial["grade"], initial["class_no"], initial["subject"])
        if current is not None:
            initial["person"] = current.person_id
        return initial

    def perform(self, form):
        self.year = form.cleaned_data["school_year"]
        return services.teaching_set(actor=self.request.user, school=self.school, **form.cleaned_data)

    def _teaching_url(self, year) -> str:
        return f"{reverse('routine:teaching')}?year={year}&school={self.school.pk}"

    def get_success_url(self, result):
        return self._teaching_url(self.year)

    def get_back_url(self):
        return self._teaching_url(_year(self.request, self.school))


urls: list = [
    path("students/", StudentFileListView.as_view(), name="student_files"),
    path("students/open/", OpenFilesView.as_view(), name="student_files_open"),
    path("students/<int:pk>/", student_file, name="student_file"),
    path("students/<int:pk>/plan/", PlanView.as_view(), name="student_file_plan"),
    path("students/<int:pk>/notes/new/", NoteAddView.as_view(), name="student_note_add"),
    path("teaching/", teaching, name="teaching"),
    path("teaching/set/", TeachingSetView.as_view(), name="teaching_set"),
]
