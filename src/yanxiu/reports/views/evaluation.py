"""The evaluation pages of the reports app: the bureau's sheet of a county's schools (评估细则), ranked,
one school's line with how each item is measured, the review form and the county's points per item."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from yanxiu.core import downloads, params
from yanxiu.core.crud import ServiceFormView
from yanxiu.core.lists import MAX_PAGE_SIZE, Column, ScopedListView
from yanxiu.credits.selectors import current_school_year
from yanxiu.org import scopes
from yanxiu.org.forms import BootstrapMixin
from yanxiu.org.models import Cluster

from .. import evaluation
from ..models import EvaluationWeights
from ..selectors import overseen_schools
from ..services import evaluation as services

#: School years the pickers offer before the current one.
YEARS_BACK = 5
PAGE_DENIED = gettext_lazy("您没有权限访问此页面。")


def _years(current: int) -> list[int]:
    low, _high = params.year_bounds()
    return [y for y in range(current, current - YEARS_BACK - 1, -1) if y >= low]


def _year_label(year: int) -> str:
    return _("%(y)s—%(n)s 学年") % {"y": year, "n": year + 1}


def _line_url(school, year: int) -> str:
    return reverse("reports:evaluation_school", args=[school.pk]) + f"?year={year}"


# --- The sheet ---------------------------------------------------------------------------


class SheetFilter(BootstrapMixin, forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("学年"), coerce=int, required=False, empty_value=None)
    county = forms.TypedChoiceField(label=gettext_lazy("区县"), coerce=int, required=False, empty_value=None)
    cluster = forms.TypedChoiceField(label=gettext_lazy("片区"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, years, counties, clusters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, _year_label(y)) for y in years]
        if len(counties) > 1:
            self.fields["county"].choices = [(c.pk, c.name) for c in counties]
        else:
            del self.fields["county"]
        self.fields["cluster"].choices = [("", _("全部片区")), *((c.pk, c.name) for c in clusters)]


def _item_column(item: evaluation.Item, weights: evaluation.Weights) -> list[Column]:
    key = item.key
    label = _("%(label)s（%(n)s 分）") % {"label": item.label, "n": weights.points[key]}
    return [
        Column(f"item_{key}", label, value=lambda line, k=key: line.item(k), template="reports/evaluation/_item_cell.html",
               export=False, classes="text-end"),
        Column(f"value_{key}", _("%(label)s：测量值") % {"label": item.label}, show=False,
               value=lambda line, k=key: line.item(k).value if line.item(k) else ""),
        Column(f"points_{key}", _("%(label)s：得分") % {"label": item.label}, show=False,
               value=lambda line, k=key: float(line.item(k).points) if line.item(k) else ""),
    ]


class EvaluationSheetView(ScopedListView):
    """Region staff: their county's schools ranked by final score; a school admin: their own school's line."""

    template_name = "reports/evaluation/sheet.html"
    page_title = gettext_lazy("学校校本培训评估表")
    empty_message = gettext_lazy("没有可评估的学校。")
    filters = SheetFilter
    export_filename = gettext_lazy("学校评估表")
    export_fallback = "school-evaluation"
    paginate_by = MAX_PAGE_SIZE

    def check_permission(self):
        s = scopes.scope_of(self.request.user)
        scopes.require(bool(s.superuser or s.region_counties or s.admin_schools), PAGE_DENIED)

    def get(self, request, *args, **kwargs):
        s = scopes.scope_of(request.user)
        if not (s.superuser or s.region_counties) and s.admin_schools:
            school = scopes.admin_school(request.user, request.GET.get("school"))
            return render_line(request, school)
        return super().get(request, *args, **kwargs)

    def _resolve(self):
        if hasattr(self, "county"):
            return
        self.counties = list(evaluation.sheet_counties(self.request.user))
        wanted = params.parse_id(self.request.GET.get("county"))
        self.county = next((c for c in self.counties if c.pk == wanted), self.counties[0] if self.counties else None)
        self.current = current_school_year(self.county)
        self.clusters = list(Cluster.objects.filter(county=self.county).order_by("name")) if self.county else []
        self.weights = evaluation.weights_for(self.county) if self.county else evaluation.Weights.default()

    def get_filter_form_kwargs(self):
        self._resolve()
        return {"years": _years(self.current), "counties": self.counties, "clusters": self.clusters,
                "initial": {"year": self.current}}

    def get_rows(self):
        self._resolve()
        self.filter_form = self.build_filter_form()
        data = {}
        if self.filter_form.is_bound:
            self.filter_form.is_valid()
            data = self.filter_form.cleaned_data
        self.year = data.get("year") or self.current
        self.cluster = next((c for c in self.clusters if c.pk == data.get("cluster")), None)
        self.search_text = ""
        lines = evaluation.county_sheet(self.county, self.year) if self.county else []
        if self.cluster is not None:
            lines = [line for line in lines if line.school.cluster_id == self.cluster.pk]
        self.lines = lines
        return lines

    def get_columns(self):
        self._resolve()
        columns = [
            Column("rank", _("全县排名"), classes="text-end"),
            Column("code", _("学校标识码"), value="school.code", show=False),
            Column("school", _("学校"), value="school_name", link=lambda line: _line_url(line.school, line.year),
                   classes="text-nowrap"),
            Column("cluster", _("片区"), value=lambda line: line.cluster_name or "—", export_value=lambda line: line.cluster_name,
                   classes="hide-sm text-nowrap"),
        ]
        for item in evaluation.ITEMS:
            columns += _item_column(item, self.weights)
        columns += [
            Column("measured", _("计算得分"), value=lambda line: line.measured, export_value=lambda line: float(line.measured),
                   classes="text-end"),
            Column("adjustment", _("调整分"), value=lambda line: line.adjustment,
                   export_value=lambda line: float(line.adjustment), classes="text-end"),
            Column("final", _("最终得分"), value=lambda line: line.final, export_value=lambda line: float(line.final),
                   classes="text-end fw-bold"),
            Column("status", _("评估"), value=lambda line: line.review, template="reports/evaluation/_review_cell.html",
                   classes="text-nowrap",
                   export_value=lambda line: _("已评估") if line.reviewed else _("未评估")),
            Column("comment", _("评估意见"), show=False, value=lambda line: line.review.comment if line.review else ""),
        ]
        return columns

    def get_export_filename(self) -> str:
        self._resolve()
        return downloads.filename(str(self.export_filename), self.county.name if self.county else "",
                                  f"{self.year}-{self.year + 1}", self.cluster.name if self.cluster else "", ext="xlsx")

    def get_context_data(self, **kwargs):
        return {**kwargs, "county": self.county, "year": self.year, "year_label": _year_label(self.year),
                "cluster": self.cluster, "weights": self.weights, "in_progress": self.year == self.current,
                "weight_rows": [(item, self.weights.points[item.key]) for item in evaluation.ITEMS],
                "can_set_weights": self.county is not None and evaluation.can_set_weights(self.request.user, self.county),
                "reviewed": sum(1 for line in self.lines if line.reviewed), "adjustment_bounds": (
                    evaluation.ADJUSTMENT_MIN, evaluation.ADJUSTMENT_MAX)}


# --- One school's line -------------------------------------------------------------------


def render_line(request, school, status: int = 200):
    """A school's line: each item with how it is measured, the review, the items measured now."""
    if school is None:
        raise PermissionDenied(PAGE_DENIED)
    current = current_school_year(school.county)
    year = params.year_param(request.GET, default=current)
    line = evaluation.line_in_county(school, year)
    may_review = evaluation.can_review(request.user, school)
    s = scopes.scope_of(request.user)
    rows = []
    shown = {i.key: i for i in line.shown_items}
    for item in evaluation.ITEMS:
        now = next(i for i in line.items if i.key == item.key)
        rows.append({"item": item, "shown": shown.get(item.key), "now": now})
    return render(request, "reports/evaluation/school.html", {
        "page_title": _("%(school)s：%(year)s校本培训评估") % {"school": school.name, "year": _year_label(year)},
        "school": school, "year": year, "years": _years(current), "line": line, "rows": rows,
        "may_review": may_review and year <= current, "in_progress": year == current,
        "sheet_url": reverse("reports:evaluation_sheet") + f"?year={year}" + (
            f"&county={school.county_id}" if len(s.region_counties) > 1 else "") if (s.superuser or s.region_counties) else "",
        "school_param": school.pk if len(s.admin_schools) > 1 and not s.region_counties else None,
    }, status=status)


@login_required
def evaluation_school(request, pk):
    s = scopes.scope_of(request.user)
    scopes.require(bool(s.superuser or s.region_counties or s.admin_schools), PAGE_DENIED)
    school = get_object_or_404(overseen_schools(request.user).select_related("cluster", "county"), pk=pk)
    return render_line(request, school)


# --- The review --------------------------------------------------------------------------


class ReviewForm(BootstrapMixin, forms.Form):
    adjustment = forms.DecimalField(
        label=gettext_lazy("调整分"), required=False, max_digits=5, decimal_places=2,
        min_value=evaluation.ADJUSTMENT_MIN, max_value=evaluation.ADJUSTMENT_MAX,
        help_text=gettext_lazy("在计算得分上加减的分数，%(lo)s 到 %(hi)s 分；不调整填 0。") % {
            "lo": evaluation.ADJUSTMENT_MIN, "hi": evaluation.ADJUSTMENT_MAX})
    comment = forms.CharField(label=gettext_lazy("评估意见"), required=False, max_length=services.COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 4}))


class ReviewView(ServiceFormView):
    form_class = ReviewForm
    template_name = "reports/evaluation/review.html"
    submit_label = gettext_lazy("保存评估")
    success_message = gettext_lazy("已保存评估。")

    def get_object(self):
        s = scopes.scope_of(self.request.user)
        scopes.require(s.superuser or bool(s.region_counties), _("只有教育局或研训中心人员可以评估学校。"))
        school = get_object_or_404(overseen_schools(self.request.user).select_related("cluster", "county"), pk=self.kwargs["pk"])
        scopes.require(evaluation.can_review(self.request.user, school), _("只有主管该校的教育局或研训中心人员可以评估学校。"))
        current = current_school_year(school.county)
        self.year = params.year_param(self.request.GET, default=current)
        if self.year > current:
            raise params.BadParameter(_("参数 year 的学年不能晚于当前学年（%(y)s）。") % {"y": current})
        self.line = evaluation.line_in_county(school, self.year)
        self.page_title = _("评估 %(school)s（%(year)s）") % {"school": school.name, "year": _year_label(self.year)}
        return school

    def get_initial(self):
        review = self.line.review
        return {"adjustment": review.adjustment if review else 0, "comment": review.comment if review else ""}

    def perform(self, form):
        data = form.cleaned_data
        return services.score_review(actor=self.request.user, school=self.object, year=self.year,
                                     adjustment=data["adjustment"], comment=data["comment"])

    def get_success_url(self, result):
        return _line_url(self.object, self.year)

    def get_back_url(self):
        return _line_url(self.object, self.year)

    def get_context_data(self, **kwargs):
        return {**kwargs, "line": self.line, "items": self.line.items, "year": self.year}


# --- The county's points per item -----------------------------------------------------------


def _weights_clean(self):
    data = forms.Form.clean(self)
    values = [data.get(item.key) for item in evaluation.ITEMS]
    if all(isinstance(v, int) for v in values) and sum(values) != 100:
        raise forms.ValidationError(_("各项分值之和须为 100 分（现为 %(n)s 分）。") % {"n": sum(values)})
    return data


#: The county's points of each item (one field per item, in the order of the sheet) and the two targets.
WeightsForm = type("WeightsForm", (BootstrapMixin, forms.Form), {
    **{item.key: forms.IntegerField(label=format_lazy("{}（{}）", item.label, gettext_lazy("分")), min_value=0,
                                    max_value=100, help_text=item.how) for item in evaluation.ITEMS},
    "sessions_target": forms.IntegerField(label=gettext_lazy("全年研修活动目标（次）"), min_value=1, max_value=200),
    "postings_target": forms.IntegerField(label=gettext_lazy("全年学时公示目标（次）"), min_value=1, max_value=24),
    "clean": _weights_clean,
    "__module__": __name__,
})


class WeightsView(ServiceFormView):
    form_class = WeightsForm
    template_name = "reports/evaluation/weights.html"
    submit_label = gettext_lazy("保存分值")
    success_message = gettext_lazy("已保存评估细则分值。")

    def get_object(self):
        s = scopes.scope_of(self.request.user)
        scopes.require(s.superuser or bool(s.bureau_counties), _("只有教育局可以设置评估细则分值。"))
        county = get_object_or_404(evaluation.weight_counties(self.request.user), pk=self.kwargs["county_id"])
        self.page_title = _("%(county)s学校评估细则分值") % {"county": county.name}
        return county

    def get_initial(self):
        weights = evaluation.weights_for(self.object)
        return {**weights.points, "sessions_target": weights.sessions_target, "postings_target": weights.postings_target}

    def perform(self, form):
        data = form.cleaned_data
        return services.weights_set(actor=self.request.user, county=self.object,
                                    points={key: data[key] for key in EvaluationWeights.ITEM_FIELDS},
                                    sessions_target=data["sessions_target"], postings_target=data["postings_target"])

    def get_success_url(self, result):
        return reverse("reports:evaluation_sheet") + f"?county={self.object.pk}"

    def get_back_url(self):
        return self.get_success_url(None)


urlpatterns: list = [
    path("reports/evaluation/", EvaluationSheetView.as_view(), name="evaluation_sheet"),
    path("reports/evaluation/schools/<int:pk>/", evaluation_school, name="evaluation_school"),
    path("reports/evaluation/schools/<int:pk>/review/", ReviewView.as_view(), name="evaluation_review"),
    path("reports/evaluation/weights/<int:county_id>/", WeightsView.as_view(), name="evaluation_weights"),
]
