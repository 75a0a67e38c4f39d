"""The dashboards pages of the reports app: the bureau's, a school's, a teacher's own, and the at-risk list.

Each chart has its table under it (readable without JS) and ``?export=<table>``
answers that table as an xlsx.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import downloads, params, xlsx
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.credits.selectors import current_school_year
from yanxiu.org import scopes
from yanxiu.org.models import Cluster, Employment, Group, School

from .. import dashboard as home_cards
from .. import dashboards
from ..at_risk import at_risk_teachers
from ..figures import school_figures, value_text

DENIED = gettext_lazy("您没有权限查看此看板。")
#: A chart draws at most this many bars; its table lists every line.
CHART_MAX = 60


# --- Who sees which schools ---------------------------------------------------------------


def bureau_schools(user):
    """Schools of the region staff's counties (every school for a superuser)."""
    s = scopes.scope_of(user)
    if s.superuser:
        return School.objects.all()
    return School.objects.filter(county_id__in=s.region_counties)


def school_choices(user):
    """Schools whose dashboard the user may open: administered, in their region, or holding a group they lead."""
    s = scopes.scope_of(user)
    if s.superuser:
        return School.objects.all()
    q = Q(pk__in=s.admin_schools) | Q(county_id__in=s.region_counties)
    if s.led_groups:
        q |= Q(pk__in=Group.objects.filter(pk__in=s.led_groups).values("school_id"))
    return School.objects.filter(q)


def _year(request, county=None) -> int:
    return params.year_param(request.GET) or current_school_year(county)


def _years(year: int) -> range:
    return range(year - 4, year + 2)


def _export(request, tables, *, title: str, year: int):
    """``?export=<key>`` of one of ``tables`` as an xlsx, or None to render the page."""
    key = params.text_param(request.GET, "export", max_length=40)
    table = next((t for t in tables if t.key == key), None) if key else None
    if table is None:
        return None
    wb = xlsx.workbook(write_only=True)
    ws = wb.create_sheet(table.title[:31])
    xlsx.append(ws, table.headers)
    for row in table.rows:
        xlsx.append(ws, row)
    name = downloads.filename(table.title, title, f"{year}-{year + 1}", ext="xlsx")
    return downloads.download(xlsx.to_bytes(wb), content_type=xlsx.CONTENT_TYPE, name=name, fallback=f"dashboard-{table.key}-{year}.xlsx")


def _for_page(tables):
    """Tables as the page shows them: charts capped at ``CHART_MAX`` bars."""
    for table in tables:
        if table.chart and len(table.chart["categories"]) > CHART_MAX:
            table.chart = {**table.chart, "categories": table.chart["categories"][:CHART_MAX],
                           "series": [{**s, "data": s["data"][:CHART_MAX]} for s in table.chart["series"]]}
            table.chart_note = _("图中显示前 %(n)d 项，表格列出全部。") % {"n": CHART_MAX}
    return tables


# --- The bureau ---------------------------------------------------------------------------


@login_required
def bureau(request):
    s = scopes.scope_of(request.user)
    scopes.require(s.superuser or bool(s.region_counties), DENIED)
    schools = bureau_schools(request.user)
    year = _year(request)
    clusters = Cluster.objects.filter(county__in=schools.values("county_id")).order_by("county_id", "name")
    cluster_id = params.id_param(request.GET, "cluster")
    cluster = clusters.filter(pk=cluster_id).first() if cluster_id else None  # another county's 片区 is ignored
    school_id = params.id_param(request.GET, "school")
    school = None
    if school_id:
        school = schools.filter(pk=school_id).first()
        if school is None:
            raise Http404(_("没有找到该学校，或您无权查看。"))
    shown = schools
    if cluster is not None:
        shown = shown.filter(cluster=cluster)
    if school is not None:
        shown = shown.filter(pk=school.pk)
    dash = dashboards.bureau_dashboard(shown, year, user=request.user)
    tables = dashboards.bureau_tables(dash)
    response = _export(request, tables, title=_("区域研修看板"), year=year)
    if response is not None:
        return response
    tables[-1].rows = tables[-1].rows[: dashboards.AT_RISK_SHOWN]
    return render(request, "reports/dashboards/bureau.html", {
        "page_title": _("区域研修看板"), "dash": dash, "year": year, "years": _years(year), "tables": _for_page(tables),
        "clusters": clusters, "cluster": cluster, "schools": schools.order_by("code"), "school": school,
        "at_risk_total": len(dash.at_risk), "at_risk_shown": dashboards.AT_RISK_SHOWN,
    })


# --- A school -----------------------------------------------------------------------------


@login_required
def school(request):
    s = scopes.scope_of(request.user)
    scopes.require(s.superuser or bool(s.admin_schools or s.region_counties or s.led_groups), DENIED)
    choices = school_choices(request.user)
    wanted = params.id_param(request.GET, "school")
    if wanted:
        chosen = choices.filter(pk=wanted).select_related("county").first()
        if chosen is None:
            raise Http404(_("没有找到该学校，或您无权查看。"))
    elif s.admin_schools:
        chosen = scopes.admin_school(request.user)
    elif s.led_groups:
        chosen = School.objects.filter(groups__pk__in=s.led_groups).order_by("code").first()
    else:  # region staff pick a school on their dashboard
        return redirect("reports:dashboard_bureau")
    if chosen is None:
        raise Http404(_("没有找到该学校，或您无权查看。"))
    full = s.superuser or chosen.pk in s.admin_schools or chosen.county_id in s.region_counties
    employments, group_ids = None, None
    if not full:  # a group leader: their groups' teachers only
        group_ids = list(Group.objects.filter(pk__in=s.led_groups, school=chosen).values_list("pk", flat=True))
        employments = Employment.objects.filter(school=chosen, groups__pk__in=group_ids).distinct()
    year = _year(request, chosen.county)
    dash = dashboards.school_dashboard(chosen, year, employments=employments, group_ids=group_ids)
    tables = dashboards.school_tables(dash)
    response = _export(request, tables, title=chosen.name, year=year)
    if response is not None:
        return response
    figures = _figures(chosen, year) if full else []
    return render(request, "reports/dashboards/school.html", {
        "page_title": _("%(school)s 研修看板") % {"school": chosen.name}, "dash": dash, "year": year, "years": _years(year),
        "tables": _for_page(tables), "school": chosen, "full": full,
        "schools": choices.order_by("code") if (s.superuser or len(s.admin_schools) > 1 or s.region_counties) else [],
        "figures": figures, "is_region": s.superuser or chosen.county_id in s.region_counties,
    })


def _figures(school, year):
    """The counts the year-end summary quotes (``reports.figures``), worded as the summary's appendix words them."""
    return [{"key": f.key, "label": f.label, "value": value_text(f.key, f.value), "source": f.source}
            for f in school_figures(school, year)]


# --- A teacher ----------------------------------------------------------------------------


@login_required
def mine(request):
    s = scopes.scope_of(request.user)
    scopes.require(s.person_id is not None, DENIED)
    employment = Employment.objects.current().filter(person_id=s.person_id).select_related("school__county", "person").first()
    if employment is None:
        raise Http404(_("您目前没有任职学校。"))
    year = _year(request, employment.school.county)
    data = dashboards.teacher_dashboard(employment.person, year)
    from yanxiu.policy.models import CreditKind
    from yanxiu.training.models import TrainingLevel

    need = data.row.spec.kind_min if data.row is not None else {}
    kinds = [(label, data.kind_hours[k], need.get(k)) for k, label in CreditKind.choices]
    levels = [(label, data.level_hours[k]) for k, label in TrainingLevel.choices]
    chart = {"categories": [_("本学年学时")], "series": [
        {"name": str(label), "data": [dashboards._num(v)], "color": dashboards.KIND_COLOURS[k]}
        for (k, label), (_l, v, _n) in zip(CreditKind.choices, kinds)]}
    current = year == current_school_year(employment.school.county)
    return render(request, "reports/dashboards/mine.html", {
        "page_title": _("我的研修"), "data": data, "row": data.row, "projection": data.projection, "year": year,
        "years": _years(year), "kinds": kinds, "levels": levels, "chart": chart, "school": employment.school,
        "growth": home_cards.growth_mine(s) if current else None,
    })


# --- The at-risk list ---------------------------------------------------------------------


class AtRiskListView(ScopedListView):
    """Teachers who will miss the year's minimum at their present pace: the list to send to schools."""

    template_name = "reports/dashboards/at_risk.html"
    page_title = gettext_lazy("按目前进度预计不达标的教师")
    empty_message = gettext_lazy("按当前进度，没有教师有未达标风险。")
    export_filename = gettext_lazy("按目前进度预计不达标的教师")
    export_fallback = "at-risk"
    max_export_rows = 1_000_000
    columns = [
        Column("school", gettext_lazy("学校"), value="school_name"),
        Column("name", gettext_lazy("姓名")),
        Column("id", gettext_lazy("身份证号"), value="masked_id", classes="masked"),
        Column("total", gettext_lazy("已获学时"), value=lambda p: dashboards._num(p.total), classes="text-end"),
        Column("scheduled", gettext_lazy("已报名待开展"), value=lambda p: dashboards._num(p.scheduled), classes="text-end"),
        Column("projected", gettext_lazy("按当前进度预计"), value=lambda p: dashboards._num(p.projected), classes="text-end"),
        Column("minimum", gettext_lazy("学年要求"), value=lambda p: dashboards._num(p.minimum), classes="text-end"),
        Column("to_go", gettext_lazy("还差"), value=lambda p: dashboards._num(p.to_go), classes="text-end"),
    ]

    def check_permission(self):
        s = scopes.scope_of(self.request.user)
        scopes.require(s.superuser or bool(s.region_counties or s.admin_schools), DENIED)
        self.scope = s
        schools = School.objects.all() if s.superuser else School.objects.filter(
            Q(county_id__in=s.region_counties) | Q(pk__in=s.admin_schools))
        self.all_schools = schools
        self.year = params.year_param(self.request.GET) or current_school_year()
        school_id = params.id_param(self.request.GET, "school")
        self.school = None
        if school_id:
            self.school = schools.filter(pk=school_id).first()
            if self.school is None:
                raise Http404(_("没有找到该学校，或您无权查看。"))
        self.clusters = Cluster.objects.filter(county__in=schools.values("county_id")).order_by("county_id", "name")
        cluster_id = params.id_param(self.request.GET, "cluster")
        self.cluster = self.clusters.filter(pk=cluster_id).first() if cluster_id else None

    def get_queryset(self):
        from yanxiu.credits.compliance import compliance_rows

        schools = self.all_schools
        if self.cluster is not None:
            schools = schools.filter(cluster=self.cluster)
        if self.school is not None:
            schools = schools.filter(pk=self.school.pk)
        rows = compliance_rows(Employment.objects.filter(school__in=schools), self.year)
        return at_risk_teachers(rows)

    def get_export_filename(self):
        return downloads.filename(_("按目前进度预计不达标的教师"), self.school.name if self.school else "", f"{self.year}-{self.year + 1}",
                                  ext="xlsx")

    def get_context_data(self, **kwargs):
        kwargs.update(year=self.year, years=_years(self.year), schools=self.all_schools.order_by("code"), school=self.school,
                      clusters=self.clusters, cluster=self.cluster,
                      today=timezone.localdate())
        return kwargs


urlpatterns = [
    path("reports/dashboards/bureau/", bureau, name="dashboard_bureau"),
    path("reports/dashboards/school/", school, name="dashboard_school"),
    path("reports/dashboards/mine/", mine, name="dashboard_mine"),
    path("reports/dashboards/at-risk/", AtRiskListView.as_view(), name="at_risk"),
]
