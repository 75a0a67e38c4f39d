"""Pages of session materials and the school's yearly resource library.

The materials card itself sits on the session page (training), rendered by
the ``session_materials`` template tag; its upload form and delete buttons
post here and come back to the session page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import jobs, uploads
from yanxiu.core.crud import ServiceActionView, ServiceFormView
from yanxiu.core.lists import ScopedListView
from yanxiu.org import scopes
from yanxiu.org.models import School
from yanxiu.training.models import Session

from . import exports, selectors, services, tasks
from .forms import LibraryFilterForm, MaterialForm
from .models import Material


def _session(request, session_id: int) -> Session:
    return get_object_or_404(selectors.sessions_visible_to(request.user), pk=session_id)


def _material(request, material_id: int) -> Material:
    return get_object_or_404(selectors.materials_visible_to(request.user), pk=material_id)


def _back_to_session(session_id: int) -> str:
    return reverse("training:session_detail", args=[session_id]) + "#materials"


class MaterialAddView(ServiceFormView):
    form_class = MaterialForm
    permission = "archive.manage_materials"
    submit_label = gettext_lazy("上传")
    success_message = gettext_lazy("资料已上传。")

    def get_object(self):
        return _session(self.request, self.kwargs["session_id"])

    def get_context_data(self, **kwargs):
        kwargs["page_title"] = _("上传活动资料 · %(title)s") % {"title": self.object.title}
        return kwargs

    def perform(self, form):
        data = form.cleaned_data
        return services.material_add(actor=self.request.user, session=self.object, title=data["title"], kind=data["kind"],
                                     file=data["file"])

    def get_success_url(self, result):
        return _back_to_session(self.object.pk)

    def get_back_url(self):
        return _back_to_session(self.object.pk)


class MaterialDeleteView(ServiceActionView):
    """The delete button of a material on the session's card; back to the card."""

    def get_object(self):
        return _material(self.request, self.kwargs["material_id"])

    def check_permission(self):
        scopes.require(self.request.user.has_perm("archive.manage_materials", self.object.session), _("您没有权限删除这份资料。"))

    def perform(self):
        return services.material_remove(actor=self.request.user, material=self.object)

    def get_success_message(self, result):
        return _("已删除资料“%(title)s”。") % {"title": self.object.title}

    def get_back_url(self):
        return _back_to_session(self.object.session_id)


material_delete = MaterialDeleteView.as_view()


@login_required
def material_file(request, material_id: int):
    material = _material(request, material_id)
    scopes.require(request.user.has_perm("archive.view_materials", material.session), _("您没有权限查看这份资料。"))
    return uploads.material_response(material.file, download_name=exports.safe_name(material.title, f"material-{material.pk}"),
                                     range_header=request.headers.get("Range", ""), fallback=f"material-{material.pk}")


# --- The school's resource library ------------------------------------------------------


def _library_school(request, school_id: int) -> School:
    school = get_object_or_404(selectors.schools_visible_to(request.user), pk=school_id)
    scopes.require(request.user.has_perm("archive.view_library", school), _("您没有权限查看该校的资源库。"))
    return school


def _library_filter(request, school) -> tuple[LibraryFilterForm, int, str, str]:
    """The filter form and the chosen school year, kind and grouping (defaults: this year, all kinds, by month)."""
    years = selectors.library_years(school)
    form = LibraryFilterForm(request.GET or None, years=years)
    year, kind, group = form.values(selectors.current_school_year())
    if year not in years:  # a year asked for by address: offer it in the list too
        form.fields["year"].widget.choices = [(y, f"{y}-{y + 1}") for y in sorted([*years, year], reverse=True)]
    return form, year, kind, group


class SchoolLibraryView(ScopedListView):
    """The school's sessions of one school year with their materials, page by page, grouped
    by month or by project; the zip beside it packs the whole year."""

    template_name = "archive/school.html"
    table_template = "archive/_library_table.html"
    table_id = "library-table"
    empty_message = gettext_lazy("该学年没有可归档的培训活动。")

    def check_permission(self):
        self.school = _library_school(self.request, self.kwargs["school_id"])
        self.form, self.year, self.kind, self.group = _library_filter(self.request, self.school)

    def get_queryset(self):
        return selectors.library_session_rows(user=self.request.user, school=self.school, year=self.year, kind=self.kind,
                                              group_by=self.group)

    def get_context_data(self, **kwargs):
        user, school = self.request.user, self.school
        kwargs.update(
            school=school, form=self.form, year=self.year, year_label=selectors.school_year_label(self.year), kind=self.kind,
            group_by=self.group, totals=selectors.library_totals(user=user, school=school, year=self.year),
            groups=selectors.library_groups(user=user, sessions=kwargs["page_obj"].object_list, kind=self.kind, group_by=self.group),
            page_title=_("%(school)s · 校本研修资源库") % {"school": school.name},
        )
        return kwargs


school_library = SchoolLibraryView.as_view()


@login_required
def school_library_zip(request, school_id: int):
    school = _library_school(request, school_id)
    _form, year, kind, _group = _library_filter(request, school)
    if tasks.library_is_large(user=request.user, school=school, year=year, kind=kind):  # zipped in the background
        job = jobs.start(user=request.user, kind="archive.library_zip", task=tasks.school_library_zip,
                         label=_("资源库打包：%(school)s %(year)s") % {"school": school.name, "year": selectors.school_year_label(year)},
                         school_id=school.pk, year=year, material_kind=kind)
        return redirect(job)
    return exports.library_zip_response(user=request.user, school=school, year=year, kind=kind)
