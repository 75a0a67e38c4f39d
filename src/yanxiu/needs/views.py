from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.org import scopes
from yanxiu.core import params
from yanxiu.core.crud import ServiceActionView, ServiceFormView
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.org.models import School
from yanxiu.training.models import school_year_of

from . import selectors, services
from .forms import ResponseForm


#: What a refused page says.
PAGE_DENIED = gettext_lazy("您没有权限访问此页面。")


def _admin_school(request) -> School | None:
    """The school a school admin works on (?school= when they run several)."""
    return scopes.admin_school(request.user, request.GET.get("school") or request.POST.get("school"))


class SurveyListView(ScopedListView):
    """The fixed needs surveys of earlier years of the user's schools (school admins) or counties (bureau and centre staff)."""

    template_name = "needs/list.html"
    page_title = gettext_lazy("以往需求调研")
    empty_message = gettext_lazy("还没有需求调研。")
    search_fields = ["title", "school__name"]
    columns = [
        Column("title", gettext_lazy("调研"), link=lambda s: reverse("needs:detail", args=[s.pk])),
        Column("school", gettext_lazy("学校"), value="school.name"),
        Column("school_year", gettext_lazy("学年"), sortable=True),
        Column("closes_on", gettext_lazy("截止日期"), value=lambda s: s.closes_on.strftime("%Y-%m-%d"), sortable="closes_on"),
        Column("status", gettext_lazy("状态"), value="status_label"),
        Column("response_count", gettext_lazy("已填写"), classes="text-end", sortable=True),
    ]

    def check_permission(self):
        s = scopes.scope_of(self.request.user)
        scopes.require(bool(s.superuser or s.admin_schools or s.region_counties), PAGE_DENIED)

    def get_queryset(self):
        return selectors.surveys_visible_to(self.request.user).order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        return {**kwargs,
                "counties": selectors.counties_visible_to(self.request.user).order_by("code")
                if scopes.scope_of(self.request.user).region_counties else []}


@login_required
def survey_detail(request, pk):
    survey = get_object_or_404(selectors.surveys_visible_to(request.user), pk=pk)
    can_manage = scopes.can_manage_school(request.user, survey.school)
    result = selectors.results(survey, with_missing=can_manage)
    context = {"survey": survey, "result": result, "chart": result.chart(), "can_manage": can_manage, "page_title": survey.title}
    return render(request, "needs/detail.html", context)


class SurveyCloseView(ServiceActionView):
    permission = "training.manage_school_training"
    success_message = gettext_lazy("调研已结束。")

    def get_object(self):
        return get_object_or_404(selectors.surveys_visible_to(self.request.user), pk=self.kwargs["pk"])

    def permission_object(self):
        return self.object.school

    def perform(self):
        return services.survey_close(actor=self.request.user, survey=self.object)

    def get_back_url(self):
        return reverse("needs:detail", args=[self.object.pk])


class RespondView(ServiceFormView):
    form_class = ResponseForm
    template_name = "needs/respond.html"
    page_title = gettext_lazy("培训需求调研")
    submit_label = gettext_lazy("提交")
    success_message = gettext_lazy("已提交，谢谢！调研截止前可以修改。")

    def get_object(self):
        person_id = scopes.scope_of(self.request.user).person_id
        open_ids = [s.pk for s in selectors.open_surveys_for(person_id)]
        survey = get_object_or_404(selectors.surveys_of_my_schools(person_id), pk=self.kwargs["pk"])
        if survey.pk not in open_ids:
            raise PermissionDenied(_("该调研已截止，或您不是该校在职教师。"))
        self.existing = selectors.response_of(survey, person_id)
        return survey

    def get_form_kwargs(self):
        return {"survey": self.object}

    def get_initial(self):
        if self.existing is None:
            return {}
        return {"categories": list(self.existing.categories.values_list("pk", flat=True)), "kinds": self.existing.kinds,
                "times": self.existing.times, "suggestion": self.existing.suggestion}

    def get_context_data(self, **kwargs):
        return {**kwargs, "survey": self.object, "existing": self.existing, "page_title": self.object.title}

    def perform(self, form):
        return services.survey_respond(actor=self.request.user, survey=self.object, **form.cleaned_data)

    def get_success_url(self, result):
        return reverse("training:my")

    def get_back_url(self):
        return reverse("training:my")


@login_required
def county_summary(request, county_id):
    s = scopes.scope_of(request.user)
    scopes.require(bool(s.superuser or county_id in s.region_counties), PAGE_DENIED)
    county = get_object_or_404(selectors.counties_visible_to(request.user), pk=county_id)
    year = params.school_year_param(request.GET) or school_year_of(timezone.localdate())
    rows, surveys, respondents = selectors.county_summary(county, year)
    chart = selectors.bar_chart(rows)
    first = int(year[:4]) if year[:4].isdigit() else timezone.localdate().year
    context = {
        "county": county, "year": year, "rows": rows, "surveys": surveys, "respondents": respondents, "chart": chart,
        "years": [f"{y}-{y + 1}" for y in range(first - 3, first + 2)],
        "page_title": _("%(county)s 培训需求汇总") % {"county": county.name},
    }
    return render(request, "needs/county.html", context)
