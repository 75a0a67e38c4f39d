"""Routine pages: competitions (教学比武 / 优质课 / 基本功大赛 / 课件评比) — the list, the
competition's page, its set-up forms, the judge's phone page, publication, and the
public result pages of a school (see routine/urls.py)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yanxiu.core import downloads, uploads, xlsx
from yanxiu.core.crud import ServiceActionView, ServiceFormView, apply_validation_error
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.org import scopes
from yanxiu.org.models import School

from .. import competition_selectors as selectors
from ..choices import CompetitionStatus
from ..competition_forms import CompetitionFilter, CompetitionForm, EntryForm, ItemsForm, JudgeForm, ScoreForm
from ..services import competitions as services

PAGE_DENIED = gettext_lazy("您没有权限访问此页面。")


def _competition(request, pk):
    return get_object_or_404(selectors.competitions_visible_to(request.user), pk=pk)


def _detail_url(competition) -> str:
    return reverse("routine:competition_detail", args=[competition.pk])


# --- The list ------------------------------------------------------------------------


class CompetitionListView(ScopedListView):
    """The school's competitions (admin, region staff), or those the user judges or entered."""

    template_name = "routine/competitions/list.html"
    page_title = gettext_lazy("教学竞赛")
    empty_message = gettext_lazy("还没有教学竞赛。")
    filters = CompetitionFilter
    search_fields = ["name", "school__name"]
    search_placeholder = gettext_lazy("竞赛名称或学校")
    export_filename = gettext_lazy("教学竞赛")
    export_fallback = "competitions"
    columns = [
        Column("date", gettext_lazy("比赛日期"), sortable=True),
        Column("name", gettext_lazy("名称"), sortable=True, link=lambda c: _detail_url(c)),
        Column("kind", gettext_lazy("类型"), value="get_kind_display", sortable="kind", classes="hide-sm"),
        Column("level", gettext_lazy("级别"), value="get_level_display", classes="hide-sm"),
        Column("school", gettext_lazy("学校"), value="school.name", classes="hide-sm"),
        Column("entries", gettext_lazy("参赛"), value="entry_count", classes="text-end"),
        Column("judges", gettext_lazy("评委"), value="judge_count", classes="text-end hide-sm"),
        Column("status", gettext_lazy("状态"), value="get_status_display", sortable="status"),
    ]

    def check_permission(self):
        s = scopes.scope_of(self.request.user)
        scopes.require(bool(s.superuser or s.person_id or s.admin_schools or s.region_counties), PAGE_DENIED)

    def get_queryset(self):
        return selectors.competition_list(self.request.user)

    def get_context_data(self, **kwargs):
        school = scopes.admin_school(self.request.user)
        return {**kwargs, "can_create": selectors.can_manage(self.request.user, school), "school": school}


# --- Setting up ----------------------------------------------------------------------


class CompetitionCreateView(ServiceFormView):
    form_class = CompetitionForm
    page_title = gettext_lazy("新建教学竞赛")
    submit_label = gettext_lazy("创建竞赛")
    success_message = gettext_lazy("竞赛已创建，请设置评分表、评委和参赛教师。")

    def get_object(self):
        self.school = scopes.admin_school(self.request.user, self.request.GET.get("school"))
        scopes.require(selectors.can_manage(self.request.user, self.school), _("只有学校管理员可以创建教学竞赛。"))
        return None

    def perform(self, form):
        return services.competition_create(actor=self.request.user, school=self.school, **form.cleaned_data)

    def get_success_url(self, result):
        return reverse("routine:competition_items", args=[result.pk])

    def get_back_url(self):
        return reverse("routine:competition_list")


class _SetupView(ServiceFormView):
    """A set-up form of one open competition, for its school's admin."""

    template_name = "routine/competitions/form.html"

    def get_object(self):
        return _competition(self.request, self.kwargs["pk"])

    def check(self):
        super().check()
        scopes.require(selectors.can_manage(self.request.user, self.object.school), PAGE_DENIED)
        if self.object.status != CompetitionStatus.OPEN:
            raise PermissionDenied(_("竞赛结果已公布，不能再修改。"))

    def get_form_kwargs(self):
        return {"competition": self.object}

    def get_context_data(self, **kwargs):
        return {**kwargs, "competition": self.object}

    def get_success_url(self, result):
        return _detail_url(self.object)

    def get_back_url(self):
        return _detail_url(self.object)


class ItemsView(_SetupView):
    form_class = ItemsForm
    template_name = "routine/competitions/items.html"
    page_title = gettext_lazy("评分表")
    submit_label = gettext_lazy("保存评分表")
    success_message = gettext_lazy("评分表已保存。")

    def get_form_kwargs(self):
        return {}

    def get_initial(self):
        initial = {}
        for n, item in enumerate(selectors.items_of(self.object)):
            initial.update({f"name_{n}": item.name, f"weight_{n}": item.weight, f"max_{n}": item.max_score})
        return initial

    def perform(self, form):
        return services.items_set(actor=self.request.user, competition=self.object, items=form.cleaned_data["items"])

    def get_context_data(self, **kwargs):
        scored = self.object.entries.filter(scores__isnull=False).exists()
        return {**super().get_context_data(**kwargs), "scored": scored}


class JudgeAddView(_SetupView):
    form_class = JudgeForm
    page_title = gettext_lazy("添加评委")
    submit_label = gettext_lazy("添加评委")
    success_message = gettext_lazy("评委已添加。")

    def perform(self, form):
        return services.judge_add(actor=self.request.user, competition=self.object, user=form.cleaned_data["user"])


class EntryAddView(_SetupView):
    form_class = EntryForm
    page_title = gettext_lazy("登记参赛教师")
    submit_label = gettext_lazy("登记参赛")
    success_message = gettext_lazy("参赛教师已登记。")

    def perform(self, form):
        data = form.cleaned_data
        return services.entry_add(actor=self.request.user, competition=self.object, person=data["person"],
                                  lesson=data["lesson"], materials=data.get("materials"))


class PublishView(ServiceActionView):
    def get_object(self):
        return _competition(self.request, self.kwargs["pk"])

    def check_permission(self):
        scopes.require(selectors.can_manage(self.request.user, self.object.school), _("只有本校管理员可以公布结果。"))

    def perform(self):
        competition, notes = services.competition_publish(actor=self.request.user, competition=self.object)
        for note in notes:
            messages.warning(self.request, note)
        return competition

    def get_success_message(self, result):
        return _("结果已公布，获奖已写入教师成长记录。")

    def get_back_url(self):
        return _detail_url(self.object)


class _RemoveView(ServiceActionView):
    """Take a judge or an entry off an open competition; back to its page."""

    def queryset(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def get_object(self):
        return get_object_or_404(self.queryset(), pk=self.kwargs["pk"])

    def check_permission(self):
        scopes.require(selectors.can_manage(self.request.user, self.object.competition.school), PAGE_DENIED)

    def get_back_url(self):
        return _detail_url(self.object.competition)


class JudgeRemoveView(_RemoveView):
    success_message = gettext_lazy("评委已移除。")

    def queryset(self):
        return selectors.judges_visible_to(self.request.user)

    def perform(self):
        return services.judge_remove(actor=self.request.user, judge=self.object)


class EntryRemoveView(_RemoveView):
    success_message = gettext_lazy("参赛教师已移除。")

    def queryset(self):
        return selectors.entries_visible_to(self.request.user)

    def perform(self):
        return services.entry_remove(actor=self.request.user, entry=self.object)


# --- The competition's page -------------------------------------------------------------


@login_required
def competition_detail(request, pk):
    competition = _competition(request, pk)
    user = request.user
    published = competition.status == CompetitionStatus.PUBLISHED
    oversee = selectors.can_read_all(user, competition)
    judge = selectors.judge_of(user, competition)
    person_id = scopes.scope_of(user).person_id
    context = {
        "competition": competition, "page_title": competition.name, "published": published, "oversee": oversee,
        "manage": selectors.can_manage(user, competition.school) and not published,
        "read_all": selectors.can_see_scores(user, competition), "judge": judge, "items": selectors.items_of(competition),
        "own_entries": list(competition.entries.filter(person_id=person_id)) if person_id else [],
        "results_url": reverse("routine:competition_results", args=[competition.pk]),
    }
    if oversee or judge:
        context["entries"] = list(competition.entries.select_related("person").order_by("pk"))
    if oversee:
        missing = selectors.missing_scores(competition)
        context["judges"] = selectors.judge_progress(competition, missing)
        context["missing"] = missing if not published else []
    if context["read_all"]:
        context["standings"] = selectors.standings(competition)
    if judge:
        own = selectors.own_scores(judge)
        context["judge_done"] = sum(1 for e in context["entries"] if len(own.get(e.pk, {})) >= len(context["items"]) > 0)
    if published:
        context["results"] = selectors.published_results(competition)
    return render(request, "routine/competitions/detail.html", context)


@login_required
def competition_export(request, pk):
    """The score sheet as xlsx: each judge's total per entry, the final score, rank and prize."""
    competition = _competition(request, pk)
    scopes.require(selectors.can_see_scores(request.user, competition),
                   _("只有本校管理员和上级工作人员可以导出评分汇总；评委在结果公布后才能看到全部评分。"))
    judges = selectors.judges_of(competition)
    wb = xlsx.workbook(write_only=True)
    ws = wb.create_sheet(str(_("评分汇总"))[:31])
    xlsx.append(ws, [_("名次"), _("参赛教师"), _("参赛课题/作品"), *[j.name for j in judges], _("最后得分"), _("奖项")])
    for row in selectors.standings(competition):
        totals = [float(row.totals[j.pk].quantize(Decimal("0.01"))) if j.pk in row.totals else "" for j in judges]
        xlsx.append(ws, [row.rank or "", row.entry.person.name, row.entry.lesson, *totals,
                         float(row.final) if row.final is not None else "", row.award_label])
    return downloads.download(xlsx.to_bytes(wb), content_type=xlsx.CONTENT_TYPE,
                              name=downloads.filename(_("评分汇总"), competition.name, ext="xlsx"),
                              fallback=f"competition-{competition.pk}.xlsx")


@login_required
def entry_materials(request, pk):
    entry = get_object_or_404(selectors.entries_visible_to(request.user), pk=pk)
    if not entry.materials:
        raise Http404(_("该参赛教师没有上传材料。"))
    return uploads.material_response(entry.materials, download_name=f"{entry.person.name}-{entry.lesson}",
                                     range_header=request.headers.get("Range", ""), fallback=f"entry-{entry.pk}")


# --- The judge's page --------------------------------------------------------------------


def _judging(request, pk):
    competition = _competition(request, pk)
    judge = selectors.judge_of(request.user, competition)
    scopes.require(judge is not None, _("您不是该竞赛的评委。"))
    return competition, judge


@login_required
def judge_start(request, pk):
    """The first entry the judge has not scored yet (or the first entry)."""
    competition, judge = _judging(request, pk)
    entries = list(competition.entries.order_by("pk").values_list("pk", flat=True))
    if not entries:
        messages.info(request, _("还没有参赛教师。"))
        return redirect(_detail_url(competition))
    own, count = selectors.own_scores(judge), competition.items.count()
    target = next((e for e in entries if len(own.get(e, {})) < count), entries[0])
    return redirect("routine:competition_score", pk=competition.pk, entry=target)


def _score_context(competition, judge, entry, form, entries):
    ids = [e.pk for e in entries]
    index = ids.index(entry.pk)
    own = selectors.own_scores(judge)
    items = selectors.items_of(competition)
    mine = own.get(entry.pk, {})
    return {
        "competition": competition, "judge": judge, "entry": entry, "form": form, "page_title": _("评分"),
        "position": index + 1, "count": len(ids), "open": competition.status == CompetitionStatus.OPEN,
        "previous": ids[index - 1] if index > 0 else None, "next": ids[index + 1] if index + 1 < len(ids) else None,
        "done": sum(1 for e in ids if items and len(own.get(e, {})) >= len(items)),
        "total": selectors.judge_total(mine, items) if items and len(mine) >= len(items) else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def score_entry(request, pk, entry):
    """One entry at a time on a phone: each item with its max, big inputs, previous and next."""
    competition, judge = _judging(request, pk)
    entries = list(competition.entries.select_related("person").order_by("pk"))
    current = next((e for e in entries if e.pk == entry), None)
    if current is None:
        raise Http404(_("没有找到该参赛教师。"))
    items = selectors.items_of(competition)
    mine = selectors.own_scores(judge).get(current.pk, {})
    form = ScoreForm(request.POST if request.method == "POST" else None, items=items,
                     initial={f"item_{i}": v for i, v in mine.items()})
    if request.method == "POST":
        if competition.status != CompetitionStatus.OPEN:
            messages.error(request, _("竞赛结果已公布，不能再修改评分。"))
            return redirect("routine:competition_score", pk=competition.pk, entry=current.pk)
        if form.is_valid():
            try:
                services.score_submit(actor=request.user, entry=current, values=form.values())
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("已保存 %(name)s 的评分。") % {"name": current.person.name})
                following = entries[entries.index(current) + 1:]
                target = following[0] if request.POST.get("go") == "next" and following else current
                return redirect("routine:competition_score", pk=competition.pk, entry=target.pk)
        return render(request, "routine/competitions/score.html",
                      _score_context(competition, judge, current, form, entries), status=400)
    return render(request, "routine/competitions/score.html", _score_context(competition, judge, current, form, entries))


# --- Public results ------------------------------------------------------------------------


def competition_results(request, pk):
    """The announced results of a published competition: no login, names, lessons, scores, ranks and prizes only."""
    competition = selectors.published_competition(pk)
    if competition is None:
        raise Http404(_("没有找到已公布的竞赛结果。"))
    return render(request, "routine/competitions/results.html", {
        "competition": competition, "results": selectors.published_results(competition),
        "page_title": _("%(name)s 结果公布") % {"name": competition.name},
    })


def school_results(request, school_id):
    """A school's published competitions: no login."""
    school = School.objects.filter(pk=school_id, is_active=True).first()
    if school is None:
        raise Http404(_("没有找到该学校。"))
    return render(request, "routine/competitions/school_results.html", {
        "school": school, "competitions": selectors.published_for_school(school),
        "page_title": _("%(school)s 教学竞赛结果") % {"school": school.name},
    })


urls = [
    path("competitions/", CompetitionListView.as_view(), name="competition_list"),
    path("competitions/new/", CompetitionCreateView.as_view(), name="competition_create"),
    path("competitions/<int:pk>/", competition_detail, name="competition_detail"),
    path("competitions/<int:pk>/items/", ItemsView.as_view(), name="competition_items"),
    path("competitions/<int:pk>/judges/add/", JudgeAddView.as_view(), name="competition_judge_add"),
    path("competitions/<int:pk>/entries/add/", EntryAddView.as_view(), name="competition_entry_add"),
    path("competitions/judges/<int:pk>/remove/", JudgeRemoveView.as_view(), name="competition_judge_remove"),
    path("competitions/entries/<int:pk>/remove/", EntryRemoveView.as_view(), name="competition_entry_remove"),
    path("competitions/<int:pk>/export/", competition_export, name="competition_export"),
    path("competitions/<int:pk>/publish/", PublishView.as_view(), name="competition_publish"),
    path("competitions/<int:pk>/score/", judge_start, name="competition_judge"),
    path("competitions/<int:pk>/score/<int:entry>/", score_entry, name="competition_score"),
    path("competitions/entries/<int:pk>/materials/", entry_materials, name="competition_entry_materials"),
    path("results/<int:pk>/", competition_results, name="competition_results"),
    path("results/school/<int:school_id>/", school_results, name="school_results"),
]
