"""Routine pages: commendations (先进教研组, 先进个人, 通报批评) — the candidates of a school
year with their scores and basis, the record form, the list and one record (see routine/urls.py)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
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
from yanxiu.org.forms import BootstrapMixin
from yanxiu.org.models import Group, Person
from yanxiu.org.selectors import current_staff

from .. import commendation_selectors as selectors
from .. import prep_selectors
from ..choices import CommendationKind
from ..services import commendations as services

PAGE_DENIED = gettext_lazy("您没有权限访问此页面。")
#: School years a picker offers before the current one.
YEARS_BACK = 4


def _named(c) -> str:
    return (c.group or c.person).name if (c.group_id or c.person_id) else ""


def _admin_school(request):
    """The school the admin works on; 403 for anyone who may not record commendations."""
    school = scopes.admin_school(request.user, request.GET.get("school"))
    scopes.require(services.can_record(request.user, school), _("只有学校管理员可以评选表彰。"))
    return school


def _year(request, school) -> int:
    current = calendar.school_year_of(school, timezone.localdate())
    year = params.year_param(request.GET, "year", default=current)
    if year > current:
        raise params.BadParameter(_("参数 year 的学年不能晚于当前学年（%(y)s）。") % {"y": current})
    return year


# --- The list and one record ----------------------------------------------------------


class CommendationFilter(BootstrapMixin, forms.Form):
    school_year = forms.IntegerField(label=gettext_lazy("学年"), min_value=1950, max_value=2100, required=False,
                                     widget=forms.NumberInput(attrs={"placeholder": gettext_lazy("学年，如 2025")}))
    kind = forms.ChoiceField(label=gettext_lazy("类型"), required=False,
                             choices=[("", gettext_lazy("全部类型")), *CommendationKind.choices])


class CommendationListView(ScopedListView):
    """The commendations the reader sees: a school's (admin), the county's (region staff), one's own."""

    template_name = "routine/commendations/list.html"
    page_title = gettext_lazy("表彰与通报")
    empty_message = gettext_lazy("还没有登记表彰或通报。")
    filters = CommendationFilter
    search_fields = ["group__name", "person__name", "school__name", "reason"]
    search_placeholder = gettext_lazy("教研组、教师、学校或事由")
    export_filename = gettext_lazy("表彰与通报")
    export_fallback = "commendations"
    columns = [
        Column("school", gettext_lazy("学校"), value="school.name", classes="hide-sm"),
        Column("school_year", gettext_lazy("学年"), value=lambda c: f"{c.school_year}—{c.school_year + 1}", sortable="school_year"),
        Column("kind", gettext_lazy("类型"), value="get_kind_display", sortable="kind"),
        Column("named", gettext_lazy("教研组/教师"), value=_named,
               link=lambda c: reverse("routine:commendation_detail", args=[c.pk])),
        Column("score", gettext_lazy("评分"), sortable="score", classes="text-end"),
        Column("reason", gettext_lazy("事由"), value=lambda c: c.reason if len(c.reason) <= 60 else c.reason[:60] + "…",
               export_value=lambda c: c.reason, classes="hide-sm"),
        Column("created_at", gettext_lazy("登记时间"), value=lambda c: timezone.localtime(c.created_at).strftime("%Y-%m-%d"),
               sortable="created_at", classes="hide-sm"),
    ]

    def check_permission(self):
        s = scopes.scope_of(self.request.user)
        scopes.require(bool(s.superuser or s.person_id or s.admin_schools or s.region_counties or s.led_groups),
                       PAGE_DENIED)

    def get_queryset(self):
        return selectors.commendation_list(self.request.user)

    def get_context_data(self, **kwargs):
        school = scopes.admin_school(self.request.user)
        return {**kwargs, "can_record": services.can_record(self.request.user, school)}


@login_required
def commendation_detail(request, pk):
    commendation = get_object_or_404(selectors.commendations_visible_to(request.user), pk=pk)
    parts = commendation.basis.get("parts", []) if isinstance(commendation.basis, dict) else []
    return render(request, "routine/commendations/detail.html", {
        "c": commendation, "named": _named(commendation), "parts": [p for p in parts if isinstance(p, dict)],
        "page_title": _("%(kind)s：%(name)s") % {"kind": commendation.get_kind_display(), "name": _named(commendation)},
    })


# --- Candidates ------------------------------------------------------------------------


@login_required
def candidates(request):
    """The school's groups and teachers of a school year, ranked on the score sheets, with their basis."""
    school = _admin_school(request)
    year = _year(request, school)
    current = calendar.school_year_of(school, timezone.localdate())
    return render(request, "routine/commendations/candidates.html", {
        "page_title": _("先进评选：%(y)s—%(n)s 学年") % {"y": year, "n": year + 1}, "school": school, "year": year,
        "years": list(range(current, current - YEARS_BACK - 1, -1)),
        "groups": selectors.group_candidates(school, year), "teachers": selectors.teacher_candidates(school, year),
        "group_sheet": selectors.GROUP_SHEET, "teacher_sheet": selectors.TEACHER_SHEET,
        "weekly_minutes": prep_selectors.WEEKLY_MINUTES,
    })


# --- Recording -------------------------------------------------------------------------


class CommendationForm(BootstrapMixin, forms.Form):
    school_year = forms.IntegerField(label=gettext_lazy("学年"), min_value=1950, max_value=2100,
                                     help_text=gettext_lazy("学年的起始年份，如 2025 表示 2025—2026 学年"))
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=CommendationKind.choices)
    group = forms.ModelChoiceField(label=gettext_lazy("教研组/备课组"), queryset=Group.objects.none(), required=False,
                                   help_text=gettext_lazy("先进教研组或通报批评一个组时选择"))
    person = forms.ModelChoiceField(label=gettext_lazy("教师"), queryset=Person.objects.none(), required=False,
                                    help_text=gettext_lazy("先进个人或通报批评一名教师时选择"))
    score = forms.DecimalField(label=gettext_lazy("评分"), min_value=0, max_value=100, max_digits=5, decimal_places=2,
                               required=False, help_text=gettext_lazy("留空则按评分表计算"))
    reason = forms.CharField(label=gettext_lazy("事由"), max_length=services.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Group.objects.filter(school=school).order_by("kind", "name")
        self.fields["person"].queryset = current_staff(school).order_by("name", "pk")


class CommendationCreateView(ServiceFormView):
    form_class = CommendationForm
    page_title = gettext_lazy("登记表彰或通报")
    submit_label = gettext_lazy("登记")
    success_message = gettext_lazy("已登记。")

    def get_object(self):
        self.school = _admin_school(self.request)
        self.year = _year(self.request, self.school)
        return None

    def get_form_kwargs(self):
        return {"school": self.school}

    def get_initial(self):
        kind = self.request.GET.get("kind", "")
        initial = {"school_year": self.year, "kind": kind if kind in CommendationKind.values else ""}
        for name in ("group", "person"):
            pk = params.parse_id(self.request.GET.get(name))
            if pk:
                initial[name] = pk
        return initial

    def perform(self, form):
        data = form.cleaned_data
        group, person, year = data["group"], data["person"], data["school_year"]
        candidate = None
        if group is not None and person is None:
            candidate = selectors.group_candidate(self.school, year, group)
        elif person is not None and group is None:
            candidate = selectors.teacher_candidate(self.school, year, person)
        score = data["score"]
        if score is None and candidate is not None:
            score = candidate.score
        return services.commendation_record(
            actor=self.request.user, school=self.school, school_year=year, kind=data["kind"], group=group, person=person,
            score=score, basis=candidate.basis(year) if candidate else None, reason=data["reason"])

    def get_success_url(self, result):
        return reverse("routine:commendation_detail", args=[result.pk])

    def get_back_url(self):
        return reverse("routine:commendation_candidates") + f"?year={self.year}"


urls: list = [
    path("commendations/", CommendationListView.as_view(), name="commendation_list"),
    path("commendations/candidates/", candidates, name="commendation_candidates"),
    path("commendations/new/", CommendationCreateView.as_view(), name="commendation_create"),
    path("commendations/<int:pk>/", commendation_detail, name="commendation_detail"),
]
