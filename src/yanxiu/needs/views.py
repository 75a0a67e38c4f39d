from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yanxiu.org import scopes
from yanxiu.core import params
from yanxiu.core.crud import ServiceFormView, run_service
from yanxiu.org.models import Region, School
from yanxiu.training.models import school_year_of

from . import selectors, services
from .forms import ResponseForm, SurveyForm
from .models import NeedsResponse, NeedsSurvey


def _deny_unless(allowed) -> None:
    if not allowed:
        raise PermissionDenied(_("您没有权限访问此页面。"))


def _admin_school(request) -> School | None:
    """The school a school admin works on (?school= when they run several)."""
    return scopes.admin_school(request.user, request.GET.get("school") or request.POST.get("school"))


@login_required
def survey_list(request):
    s = scopes.scope_of(request.user)
    _deny_unless(s.superuser or s.admin_schools or s.region_counties)
    context = {
        "surveys": selectors.surveys_visible_to(request.user).order_by("-created_at", "-pk")[:200],
        "school": _admin_school(request),
        "counties": Region.objects.filter(pk__in=s.region_counties).order_by("code"),
        "page_title": _("培训需求调研"),
    }
    return render(request, "needs/list.html", context)


class SurveyCreateView(ServiceFormView):
    form_class = SurveyForm
    permission = "training.manage_school_training"
    page_title = gettext_lazy("发起培训需求调研")
    submit_label = gettext_lazy("发布调研")
    success_message = gettext_lazy("调研已发布，本校教师可在“我的培训”中填写。")

    def get_object(self):
        self.school = _admin_school(self.request)
        if self.school is None:
            raise PermissionDenied(_("您没有可管理的学校。"))
        return None

    def permission_object(self):
        return self.school

    def get_form_kwargs(self):
        return {"school": self.school}

    def get_initial(self):
        return SurveyForm.initial_for(self.school)

    def perform(self, form):
        return services.survey_create(actor=self.request.user, school=self.school, **form.cleaned_data)

    def get_success_url(self, result):
        return reverse("needs:detail", args=[result.pk])

    def get_back_url(self):
        return reverse("needs:list")


@login_required
def survey_detail(request, pk):
    survey = get_object_or_404(selectors.surveys_visible_to(request.user), pk=pk)
    can_manage = scopes.can_manage_school(request.user, survey.school)
    result = selectors.results(survey, with_missing=can_manage)
    context = {"survey": survey, "result": result, "chart": result.chart(), "can_manage": can_manage, "page_title": survey.title}
    return render(request, "needs/detail.html", context)


@login_required
@require_POST
def survey_close(request, pk):
    survey = get_object_or_404(selectors.surveys_visible_to(request.user), pk=pk)
    run_service(request, lambda: services.survey_close(actor=request.user, survey=survey), success=_("调研已结束。"))
    return redirect("needs:detail", pk=survey.pk)


class RespondView(ServiceFormView):
    form_class = ResponseForm
    template_name = "needs/respond.html"
    page_title = gettext_lazy("培训需求调研")
    submit_label = gettext_lazy("提交")
    success_message = gettext_lazy("已提交，谢谢！调研截止前可以修改。")

    def get_object(self):
        person_id = scopes.scope_of(self.request.user).person_id
        open_ids = [s.pk for s in selectors.open_surveys_for(person_id)]
        survey = get_object_or_404(NeedsSurvey.objects.select_related("school"), pk=self.kwargs["pk"])
        if survey.pk not in open_ids:
            raise PermissionDenied(_("该调研已截止，或您不是该校在职教师。"))
        self.existing = NeedsResponse.objects.filter(survey=survey, person_id=person_id).first()
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
    _deny_unless(s.superuser or county_id in s.region_counties)
    county = get_object_or_404(Region, pk=county_id)
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
