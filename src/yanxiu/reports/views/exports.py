"""The exports pages of the reports app: upper-level participant lists and the annual inspection pack.

- ``reports:upper_lists``: the upper-level projects (国培/省培/市培) with their
  quotas and each quota's state (可导出 / N 行待修正 / 未提交);
- ``reports:quota_participants`` (+ ``_export``): one quota's list, the rows to fix
  with the reason per field, the xlsx once every row is valid;
- ``reports:project_participants`` (+ ``_export``): every school's list of one
  project (region staff);
- ``reports:inspection`` (+ ``_start``): what the inspection pack of a school and
  year will hold, and the button that builds it as a background job.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yanxiu.core import downloads, jobs, params, xlsx
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.credits.selectors import current_school_year
from yanxiu.org.scopes import require, scope_of
from yanxiu.training.models import TrainingLevel

from .. import inspection, participants, selectors
from ..services import exports as services

PAGE_DENIED = gettext_lazy("您没有权限访问此页面。")
#: Above this many schools the inspection page's school picker is a search, not a dropdown.
MAX_SCHOOL_CHOICES = 300


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _year_choices(current: int) -> list[tuple[str, str]]:
    return [(str(y), f"{y}-{y + 1}") for y in range(current + 1, current - 4, -1)]


# --- The upper-level projects and their quotas ------------------------------------------------


class UpperFilterForm(forms.Form):
    year = forms.ChoiceField(label=gettext_lazy("学年"), required=False)
    level = forms.ChoiceField(label=gettext_lazy("培训级别"), required=False)

    def __init__(self, *args, current: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(current)
        self.fields["level"].choices = [("", _("全部级别"))] + [(v, TrainingLevel(v).label) for v in participants.UPPER_LEVELS]
        self.fields["year"].initial = str(current)
        for f in self.fields.values():
            f.widget.attrs.update({"class": "form-select", "aria-label": str(f.label)})


class UpperListView(ScopedListView):
    """Quotas of the upper-level projects a user oversees, with the state of each list."""

    template_name = "reports/exports/upper_lists.html"
    page_title = gettext_lazy("上级培训名单上报")
    empty_message = gettext_lazy("本学年没有国培、省培或市培项目的名额。")
    filters = UpperFilterForm
    search_fields = ["project__title", "school__name"]
    search_placeholder = gettext_lazy("项目或学校")
    export_filename = gettext_lazy("上级培训名单状态")
    export_fallback = "upper-lists"

    def check_permission(self):
        require(participants.can_read_lists(self.request.user), PAGE_DENIED)

    def get_columns(self):
        project_pages = participants.can_read_project_lists(self.request.user)
        return [
            Column("project", gettext_lazy("培训项目"), value="quota.project.title",
                   link=(lambda r: reverse("reports:project_participants", args=[r.quota.project_id])) if project_pages else None),
            Column("level", gettext_lazy("级别"), value="quota.project.get_level_display"),
            Column("session", gettext_lazy("培训活动"), value=lambda r: r.quota.session.title if r.quota.session_id else _("整个项目")),
            Column("school", gettext_lazy("学校"), value="quota.school.name", sortable=True,
                   link=lambda r: reverse("reports:quota_participants", args=[r.quota.pk])),
            Column("places", gettext_lazy("名额"), value="quota.places"),
            Column("named", gettext_lazy("已报"), value="named"),
            Column("deadline", gettext_lazy("截止"), value=lambda r: r.quota.deadline.date() if r.quota.deadline else ""),
            Column("state", gettext_lazy("状态"), value="label", template="reports/exports/_state.html", export_value=lambda r: r.label),
        ]

    def get_queryset(self):
        return participants.quotas_visible_to(self.request.user)

    def get_filter_form_kwargs(self):
        return {"current": current_school_year()}

    def build_filter_form(self):
        return UpperFilterForm(self.request.GET or None, **self.get_filter_form_kwargs())

    def get_rows(self):
        qs = self.get_queryset()
        self.filter_form = self.build_filter_form()
        year, level = current_school_year(), ""
        if self.filter_form.is_bound and self.filter_form.is_valid():
            year = int(self.filter_form.cleaned_data["year"] or year)
            level = self.filter_form.cleaned_data["level"]
        self.year = year
        qs = qs.filter(project__school_year=inspection.year_label(year))
        if level:
            qs = qs.filter(project__level=level)
        self.search_text = self.get_search_text()
        qs = self.search_queryset(qs, self.search_text).order_by("project__title", "project_id", "session_id", "school__code", "pk")
        return self.sort_queryset(participants.quota_states(qs))

    def get_context_data(self, **kwargs):
        return {**kwargs, "year": self.year}


# --- One list ---------------------------------------------------------------------------------


def _list_page(request, participant_list, *, heading: str, export_url: str, back: tuple[str, str] | None,
               context: dict | None = None):
    return render(request, "reports/exports/participants.html", {
        "page_title": heading, "list": participant_list, "columns": participants.column_labels(),
        "rows": [(row, row.values(full=False)) for row in participant_list.rows],
        "can_full": participants.may_export_full(request.user, participant_list), "export_url": export_url,
        "back": back, **(context or {}),
    })


def _export(request, participant_list, target, page_url: str):
    full = request.POST.get("full") == "1"
    try:
        result = services.participants_export(actor=request.user, participant_list=participant_list, target=target,
                                              full=full, ip=_client_ip(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(page_url)
    return downloads.download(result.content, content_type=xlsx.CONTENT_TYPE, name=result.name, fallback=result.fallback)


def _quota(request, pk: int):
    require(participants.can_read_lists(request.user), PAGE_DENIED)
    return get_object_or_404(participants.quotas_visible_to(request.user), pk=pk)


@login_required
def quota_participants(request, pk: int):
    quota = _quota(request, pk)
    plist = participants.quota_list(quota)
    state = participants.quota_states([quota])[0]
    return _list_page(request, plist, heading=_("参训名单 · %(title)s") % {"title": plist.title},
                      export_url=reverse("reports:quota_participants_export", args=[quota.pk]),
                      back=(_("上级培训名单上报"), reverse("reports:upper_lists") + f"?year={quota.project.school_year[:4]}"),
                      context={"quota": quota, "state": state})


@login_required
@require_POST
def quota_participants_export(request, pk: int):
    quota = _quota(request, pk)
    return _export(request, participants.quota_list(quota), quota, reverse("reports:quota_participants", args=[quota.pk]))


def _project(request, pk: int):
    require(participants.can_read_project_lists(request.user), PAGE_DENIED)
    project = get_object_or_404(participants.projects_visible_to(request.user), pk=pk)
    quotas = participants.quotas_visible_to(request.user).filter(project=project).order_by("school__code", "session_id", "pk")
    return project, list(quotas)


@login_required
def project_participants(request, pk: int):
    project, quotas = _project(request, pk)
    plist = participants.project_list(project, quotas)
    return _list_page(request, plist, heading=_("参训名单 · %(title)s") % {"title": project.title},
                      export_url=reverse("reports:project_participants_export", args=[project.pk]),
                      back=(_("上级培训名单上报"), reverse("reports:upper_lists") + f"?year={project.school_year[:4]}"),
                      context={"project": project, "states": participants.quota_states(quotas)})


@login_required
@require_POST
def project_participants_export(request, pk: int):
    project, quotas = _project(request, pk)
    return _export(request, participants.project_list(project, quotas), project,
                   reverse("reports:project_participants", args=[project.pk]))


# --- The inspection pack ------------------------------------------------------------------------


def _pack_school(request, source):
    """The school the page works on: ``?school=`` among those the user oversees (404 otherwise), else the first."""
    schools = selectors.overseen_schools(request.user)
    require(schools.exists(), PAGE_DENIED)
    wanted = params.id_param(source, "school")
    if wanted:
        school = get_object_or_404(schools.select_related("county"), pk=wanted)
    else:
        s = scope_of(request.user)
        first = schools.filter(pk__in=s.admin_schools) if s.admin_schools else schools
        school = first.select_related("county").order_by("code").first()
    require(inspection.can_build_pack(request.user, school), PAGE_DENIED)
    return schools, school


def pack_preview(user, school, year: int) -> list[tuple[str, str]]:
    """What each folder of the pack will hold, in words, for the page."""
    from yanxiu.archive.selectors import library_materials

    f = inspection.folders()
    plan = inspection.school_plan(school, year)
    sessions = inspection.year_sessions(school, year).count()
    return [
        (f["plan"], (_("年度计划：%(title)s") % {"title": plan}) if plan else _("未制订年度计划")),
        ("", _("活动安排：%(n)d 次") % {"n": sessions}),
        (f["notices"], _("%(n)d 份") % {"n": len(inspection.school_notices(school, year))}),
        (f["sheets"], _("已开展活动 %(n)d 次") % {"n": inspection.held_sessions(school, year).count()}),
        (f["register"], _("学时记录 %(n)d 条") % {"n": inspection.register_entries(user, school, year).count()}),
        (f["postings"], _("%(n)d 次公示") % {"n": inspection.school_postings(user, school, year).count()}),
        (f["materials"], _("%(n)d 份资料") % {"n": library_materials(user=user, school=school, year=year).count()}),
        (f["growth"], _("在职教师 %(n)d 人") % {"n": len(inspection.growth_people(user, school))}),
        (f["summary"], _("校本培训工作总结（docx 与 pdf）")),
    ]


@login_required
def inspection_page(request):
    schools, school = _pack_school(request, request.GET)
    current = current_school_year(school.county)
    year = params.year_param(request.GET, "year", default=current)
    many = schools.count() > MAX_SCHOOL_CHOICES
    query = params.text_param(request.GET, "q", max_length=40)
    if many:
        choices = list(schools.filter(Q(name__icontains=query) | Q(code__startswith=query)).order_by("code")[:20]) if query else []
    else:
        choices = list(schools.order_by("code"))
    recent = jobs.jobs_of(request.user).filter(kind="reports.inspection_pack").order_by("-created_at", "-pk")[:5]
    return render(request, "reports/exports/inspection.html", {
        "page_title": _("年检材料"), "school": school, "year": year, "years": [int(y) for y, _label in _year_choices(current)],
        "schools": choices, "many_schools": many, "query": query, "preview": pack_preview(request.user, school, year),
        "recent": recent, "file_max_mb": inspection.MATERIAL_FILE_MAX // (1024 * 1024),
    })


@login_required
@require_POST
def inspection_start(request):
    _schools, school = _pack_school(request, request.POST)
    year = params.year_param(request.POST, "year", default=current_school_year(school.county))
    try:
        job = services.inspection_pack_start(actor=request.user, school=school, year=year)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(reverse("reports:inspection") + f"?school={school.pk}")
    return redirect(job)


urlpatterns = [
    path("reports/upper/", UpperListView.as_view(), name="upper_lists"),
    path("reports/upper/quotas/<int:pk>/", quota_participants, name="quota_participants"),
    path("reports/upper/quotas/<int:pk>/export/", quota_participants_export, name="quota_participants_export"),
    path("reports/upper/projects/<int:pk>/", project_participants, name="project_participants"),
    path("reports/upper/projects/<int:pk>/export/", project_participants_export, name="project_participants_export"),
    path("reports/inspection/", inspection_page, name="inspection"),
    path("reports/inspection/start/", inspection_start, name="inspection_start"),
]
