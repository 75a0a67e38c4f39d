"""Routine pages: collective lesson preparation 集体备课 (see routine/urls.py).

- ``routine:preps``: the school's groups × the weeks of a term, each week met / missing (red) /
  in progress under the weekly 2-hour rule; ``?export=xlsx`` writes the grid;
- ``routine:prep_group``: one group's preparations; ``routine:prep_add`` / ``routine:prep_edit``:
  record or correct one (the group's leader or the school's admin);
- ``routine:prep_detail``: one preparation with its attendance and the 二次备课 the reader may see;
  ``routine:prep_plan``: its plan file;
- ``routine:second_prep``: the member's own 二次备课; ``routine:my_preps``: 我的二次备课.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import downloads, params, uploads, xlsx
from yanxiu.core.crud import ServiceFormView
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.growth import calendar
from yanxiu.growth.views.progress import school_choices  # the bounded picker of a reader of several schools
from yanxiu.org import scopes
from yanxiu.org.models import Group, Person, School

from .. import prep_selectors as selectors
from ..prep_forms import PrepForm, SecondPrepForm
from ..services import preps as service

STATUS_LABELS = selectors.STATUS_LABELS


# --- Which school, term and objects ------------------------------------------------------


def _default_school(user) -> School | None:
    s = scopes.scope_of(user)
    if s.admin_schools:
        return scopes.admin_school(user)
    if s.superuser or s.region_counties:
        return scopes.schools_visible_to(user).order_by("code").first()
    return School.objects.filter(groups__pk__in=s.led_groups).order_by("code").first()


def grid_school(user, wanted) -> School:
    """The school whose grid ``user`` reads: ``?school=`` when they may read it, else their own."""
    wanted_id = params.parse_id(wanted) if wanted not in (None, "") else None
    if wanted not in (None, "") and wanted_id is None:
        raise params.BadParameter(_("参数 school 须是学校编号。"))
    if wanted_id is not None:
        school = scopes.schools_visible_to(user).filter(pk=wanted_id).first()
        if school is None:
            raise Http404(_("找不到该学校，或您无权查看。"))
    else:
        school = _default_school(user)
    if school is None or not selectors.can_read_grid(user, school):
        raise PermissionDenied(_("只有学校管理员、教研组长和区县教育局可以查看集体备课统计。"))
    return school


def term_of_request(request, school) -> tuple[int, int]:
    """``?year=`` (a school year's first year) and ``?term=`` (1 or 2), by default the term today falls in."""
    current = calendar.term_of(school, timezone.localdate())
    year = params.year_param(request.GET, "year", default=current.school_year)
    raw = params.text_param(request.GET, "term", max_length=4)
    if raw and raw not in ("1", "2"):
        raise params.BadParameter(_("参数 term 只能是 1（第一学期）或 2（第二学期）。"))
    return year, int(raw) if raw else current.number


def visible_group(user, pk: int) -> Group:
    group = selectors.groups_visible_to(user).select_related("school__county", "leader").filter(pk=pk).first()
    if group is None:
        raise Http404(_("没有找到该教研组，或您无权查看。"))
    return group


def visible_prep(user, pk: int):
    prep = selectors.visible_prep(user, pk)
    if prep is None:
        raise Http404(_("没有找到该集体备课，或您无权查看。"))
    return prep


# --- The weekly grid -----------------------------------------------------------------------


def _grid_context(request) -> dict:
    user, today = request.user, timezone.localdate()
    school = grid_school(user, request.GET.get("school"))
    year, term = term_of_request(request, school)
    groups = selectors.grid_groups(user, school).select_related("leader", "school").order_by("kind", "name", "pk")
    span, weeks, rows = selectors.weekly_grid(school, year, term, groups, today=today)
    top = calendar.term_of(school, today).school_year + 1
    low, _high = params.year_bounds()
    return {
        "school": school, "schools": school_choices(user), "year": year, "term": term, "span": span, "weeks": weeks, "rows": rows,
        "years": [y for y in range(top, max(low, top - 10) - 1, -1)], "rule": selectors.WEEKLY_MINUTES, "today": today,
        "labels": STATUS_LABELS, "can_record": {r.group.pk for r in rows if selectors.can_record(user, r.group)},
        "page_title": _("%(school)s · 集体备课") % {"school": school.name},
    }


def _grid_xlsx(context: dict):
    wb = xlsx.workbook()
    ws = wb.active
    ws.title = str(_("集体备课周统计"))[:31]
    weeks = context["weeks"]
    xlsx.append(ws, [str(_("教研组/备课组")), *[_("第%(n)s周（%(start)s）") % {"n": w.number, "start": w.start.strftime("%m-%d")} for w in weeks],
                     str(_("达标周数")), str(_("未达标周数"))])
    for row in context["rows"]:
        cells = [f"{c.label} {c.minutes}" if c.minutes or c.status != selectors.FUTURE else "" for c in row.cells]
        xlsx.append(ws, [row.group.name, *cells, row.met, row.missing])
    xlsx.append(ws, [str(_("每周集体备课合计不少于 %(n)s 分钟（2 小时）为达标；单元格为状态和分钟数。") % {"n": context["rule"]})])
    name = downloads.filename(_("集体备课周统计"), context["school"].name, context["span"].label, ext="xlsx")
    return downloads.download(xlsx.to_bytes(wb), name=name, content_type=xlsx.CONTENT_TYPE, fallback="collective-preps.xlsx")


@login_required
def prep_grid(request):
    context = _grid_context(request)
    if request.GET.get("export") == "xlsx":
        return _grid_xlsx(context)
    return render(request, "routine/preps/grid.html", context)


# --- One group's preparations --------------------------------------------------------------


class GroupPrepListView(ScopedListView):
    template_name = "routine/preps/group.html"
    paginate_by = 50
    export_filename = gettext_lazy("集体备课记录")
    export_fallback = "collective-preps"
    search_fields = ["lesson", "subject", "grade_name"]
    search_placeholder = gettext_lazy("课题、学科或年级")
    empty_message = gettext_lazy("本组还没有登记集体备课。")

    def check_permission(self):
        self.group = visible_group(self.request.user, self.kwargs["group_id"])

    def get_queryset(self):
        return selectors.group_preps(self.group)

    def get_columns(self):
        return [
            Column("date", _("日期"), sortable=True, link=lambda p: reverse("routine:prep_detail", args=[p.pk])),
            Column("lesson", _("课题/单元")),
            Column("subject", _("学科"), classes="hide-sm"),
            Column("grade_name", _("年级"), classes="hide-sm"),
            Column("lead", _("主备人"), value="lead.name"),
            Column("minutes", _("时长（分钟）"), sortable=True),
            Column("present_count", _("出席人数"), classes="hide-sm"),
            Column("second_count", _("二次备课"), classes="hide-sm"),
        ]

    def get_context_data(self, **kwargs):
        kwargs.update(group=self.group, page_title=_("%(group)s · 集体备课") % {"group": self.group.name},
                      can_record=selectors.can_record(self.request.user, self.group),
                      grid_link=selectors.can_read_grid(self.request.user, self.group.school))
        return kwargs


# --- Recording -------------------------------------------------------------------------------


class _PrepFormView(ServiceFormView):
    form_class = PrepForm
    template_name = "routine/preps/form.html"

    def check(self):
        super().check()
        scopes.require(selectors.can_record(self.request.user, self.group), _("只有本组组长或学校管理员可以登记集体备课。"))

    def members(self):
        return list(selectors.current_members(self.group))

    def get_form_kwargs(self):
        return {"members": self.members()}

    def get_success_url(self, result):
        return reverse("routine:prep_detail", args=[result.pk])

    def get_back_url(self):
        return reverse("routine:prep_group", args=[self.group.pk])

    def get_context_data(self, **kwargs):
        kwargs.update(group=self.group, rule=selectors.WEEKLY_MINUTES)
        return kwargs


class PrepAddView(_PrepFormView):
    page_title = gettext_lazy("登记集体备课")
    submit_label = gettext_lazy("登记")
    success_message = gettext_lazy("集体备课已登记。")

    def get_object(self):
        self.group = visible_group(self.request.user, self.kwargs["group_id"])
        return self.group

    def get_initial(self):
        return {"date": timezone.localdate(), "minutes": selectors.WEEKLY_MINUTES, "subject": self.group.subject}

    def perform(self, form):
        return service.prep_record(actor=self.request.user, group=self.group, **form.service_kwargs())


class PrepEditView(_PrepFormView):
    page_title = gettext_lazy("修改集体备课")
    submit_label = gettext_lazy("保存")
    success_message = gettext_lazy("集体备课已修改。")

    def get_object(self):
        prep = visible_prep(self.request.user, self.kwargs["pk"])
        self.group = prep.group
        return prep

    def members(self):
        return selectors.attendance_people(self.object, self.group)

    def get_form_kwargs(self):
        return {"members": self.members(), "editing": True}

    def get_initial(self):
        prep = self.object
        initial = {name: getattr(prep, name) for name in ("date", "minutes", "subject", "grade_name", "lesson", "discussion")}
        initial["lead"] = prep.lead_id
        for row in prep.attendance.all():
            initial[f"present_{row.person_id}"] = row.present
            initial[f"note_{row.person_id}"] = row.note
        return initial

    def perform(self, form):
        return service.prep_update(actor=self.request.user, prep=self.object, **form.service_kwargs())


# --- One preparation ------------------------------------------------------------------------------


@login_required
def prep_detail(request, pk: int):
    prep = visible_prep(request.user, pk)
    today = timezone.localdate()
    me = scopes.scope_of(request.user).person_id
    seconds = list(selectors.second_preps_visible_to(request.user, prep, today=today).order_by("person__name", "pk"))
    person = Person.objects.filter(pk=me).first() if me else None
    week_over = selectors.week_is_over(prep.date, today)
    context = {
        "page_title": _("集体备课 · %(lesson)s") % {"lesson": prep.lesson}, "prep": prep,
        "attendance": list(prep.attendance.select_related("person").order_by("-present", "person__name")),
        "seconds": seconds, "mine": next((s for s in seconds if s.person_id == me), None),
        "can_record": selectors.can_record(request.user, prep.group),
        "can_write": selectors.may_write_second_prep(person, prep) and not week_over,
        "sees_all": selectors.can_read_all(request.user, prep.group) or week_over,
        "week_end": selectors.week_of(prep.date)[1], "week_over": week_over,
    }
    return render(request, "routine/preps/detail.html", context)


@login_required
def prep_plan(request, pk: int):
    prep = visible_prep(request.user, pk)
    if not prep.plan_file:
        raise Http404(_("本次集体备课没有上传教案。"))
    return uploads.material_response(prep.plan_file, download_name=f"{_('教案')}-{prep.lesson}", fallback=f"prep-plan-{prep.pk}")


class SecondPrepView(ServiceFormView):
    form_class = SecondPrepForm
    template_name = "routine/preps/second.html"
    submit_label = gettext_lazy("保存")
    success_message = gettext_lazy("二次备课已保存。")

    def get_object(self):
        return visible_prep(self.request.user, self.kwargs["pk"])

    def check(self):
        super().check()
        self.person = getattr(self.request.user, "person", None)
        scopes.require(selectors.may_write_second_prep(self.person, self.object), _("只有本组组员可以填写本次集体备课的二次备课。"))
        self.mine = self.object.second_preps.filter(person=self.person).first()

    def get_initial(self):
        return {"text": self.mine.text} if self.mine else {}

    def get_context_data(self, **kwargs):
        prep = self.object
        kwargs.update(prep=prep, page_title=_("二次备课 · %(lesson)s") % {"lesson": prep.lesson},
                      week_end=selectors.week_of(prep.date)[1], week_over=selectors.week_is_over(prep.date, timezone.localdate()))
        return kwargs

    def perform(self, form):
        return service.second_prep_save(actor=self.request.user, prep=self.object, text=form.cleaned_data["text"])

    def get_success_url(self, result):
        return reverse("routine:prep_detail", args=[self.object.pk])

    def get_back_url(self):
        return reverse("routine:prep_detail", args=[self.object.pk])


@login_required
def my_preps(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied(_("只有教师本人可以查看自己的二次备课。"))
    today = timezone.localdate()
    preps = selectors.my_preps(person)
    for prep in preps:
        prep.open = not selectors.week_is_over(prep.date, today)
    context = {"page_title": _("我的二次备课"), "preps": preps,
               "groups": list(selectors.my_groups(person))}
    return render(request, "routine/preps/mine.html", context)


urls = [
    path("preps/", prep_grid, name="preps"),
    path("preps/mine/", my_preps, name="my_preps"),
    path("preps/group/<int:group_id>/", GroupPrepListView.as_view(), name="prep_group"),
    path("preps/group/<int:group_id>/add/", PrepAddView.as_view(), name="prep_add"),
    path("preps/<int:pk>/", prep_detail, name="prep_detail"),
    path("preps/<int:pk>/edit/", PrepEditView.as_view(), name="prep_edit"),
    path("preps/<int:pk>/plan/", prep_plan, name="prep_plan"),
    path("preps/<int:pk>/second/", SecondPrepView.as_view(), name="second_prep"),
]
