"""Growth pages: mentor pairs (师徒结对) — the list, the pair's page, its forms
and buttons, and the agreement PDF signed at the ceremony (see growth/urls.py)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import downloads
from yanxiu.core.crud import ServiceActionView, ServiceFormView
from yanxiu.core.events import Event
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.credits.pdf import render_pdf
from yanxiu.org import scopes
from yanxiu.org.forms import BootstrapMixin

from .. import calendar
from .. import mentor_selectors as selectors
from ..choices import MentorStatus
from ..mentor_forms import ActivityForm, AssessForm, CancelForm, PairForm, SummaryForm
from ..selectors import last_event_detail
from ..services import mentors as services

PAGE_DENIED = gettext_lazy("您没有权限访问此页面。")


def _pair(request, pk):
    return get_object_or_404(selectors.pairs_visible_to(request.user), pk=pk)


# --- The list -------------------------------------------------------------------


class PairFilter(BootstrapMixin, forms.Form):
    school_year = forms.IntegerField(label=gettext_lazy("学年"), min_value=1950, max_value=2100, required=False,
                                     widget=forms.NumberInput(attrs={"placeholder": gettext_lazy("学年，如 2025")}))
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False,
                               choices=[("", gettext_lazy("全部状态")), *MentorStatus.choices])


class PairListView(ScopedListView):
    """The school's pairs (admin, region staff) or the teacher's own pairs, as either side."""

    template_name = "growth/mentors/list.html"
    page_title = gettext_lazy("师徒结对")
    empty_message = gettext_lazy("还没有师徒结对。")
    filters = PairFilter
    search_fields = ["mentor__name", "apprentice__name", "subject", "school__name"]
    search_placeholder = gettext_lazy("姓名、学科或学校")
    export_filename = gettext_lazy("师徒结对")
    export_fallback = "mentor-pairs"
    columns = [
        Column("school", gettext_lazy("学校"), value="school.name", classes="hide-sm"),
        Column("mentor", gettext_lazy("师傅"), value="mentor.name", sortable="mentor__name",
               link=lambda p: reverse("growth:mentor_detail", args=[p.pk])),
        Column("apprentice", gettext_lazy("徒弟"), value="apprentice.name", sortable="apprentice__name",
               link=lambda p: reverse("growth:mentor_detail", args=[p.pk])),
        Column("subject", gettext_lazy("学科"), classes="hide-sm"),
        Column("period", gettext_lazy("结对期间"), value=services.period_label, sortable="school_year"),
        Column("activities", gettext_lazy("活动（已确认/全部）"), value=lambda p: f"{p.confirmed_count}/{p.activity_count}",
               classes="text-end"),
        Column("status", gettext_lazy("状态"), value="get_status_display", sortable="status"),
        Column("result", gettext_lazy("考核结果"), value="get_result_display", classes="hide-sm"),
    ]

    def check_permission(self):
        s = scopes.scope_of(self.request.user)
        scopes.require(bool(s.superuser or s.person_id or s.admin_schools or s.region_counties), PAGE_DENIED)

    def get_queryset(self):
        return selectors.pair_list(self.request.user)

    def build_filter_form(self):
        """An admin opens the list on the current school year of their school."""
        if any(name in self.request.GET for name in PairFilter.base_fields):
            return PairFilter(data=self.request.GET)
        school = scopes.admin_school(self.request.user)
        if school is None:
            return PairFilter()
        return PairFilter(data={"school_year": calendar.school_year_of(school, timezone.localdate()), "status": ""})

    def get_context_data(self, **kwargs):
        school = scopes.admin_school(self.request.user)
        return {**kwargs, "can_create": services.can_run(self.request.user, school)}


# --- Setting a pair up and ending it ----------------------------------------------


class PairCreateView(ServiceFormView):
    form_class = PairForm
    page_title = gettext_lazy("新建师徒结对")
    submit_label = gettext_lazy("建立结对")
    success_message = gettext_lazy("结对已建立，可下载协议书在结对仪式上签字。")

    def get_object(self):
        self.school = scopes.admin_school(self.request.user, self.request.GET.get("school"))
        scopes.require(services.can_run(self.request.user, self.school), _("只有学校管理员可以建立师徒结对。"))
        return None

    def get_form_kwargs(self):
        return {"school": self.school}

    def get_initial(self):
        return {"school_year": calendar.school_year_of(self.school, timezone.localdate())}

    def perform(self, form):
        return services.pair_create(actor=self.request.user, school=self.school, **form.cleaned_data)

    def get_success_url(self, result):
        return reverse("growth:mentor_detail", args=[result.pk])

    def get_back_url(self):
        return reverse("growth:mentor_list")


class _PairFormView(ServiceFormView):
    """A form about one pair the user can see; ``allowed()`` says whether this user may use it."""

    template_name = "growth/mentors/form.html"

    def get_object(self):
        return _pair(self.request, self.kwargs["pk"])

    def allowed(self, pair) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def check(self):
        super().check()
        if not self.allowed(self.object):
            raise PermissionDenied(PAGE_DENIED)
        if self.object.status != MentorStatus.ACTIVE:
            raise PermissionDenied(_("该结对%(s)s，不能再修改。") % {"s": self.object.get_status_display()})

    def get_context_data(self, **kwargs):
        return {**kwargs, "pair": self.object, "period": services.period_label(self.object),
                "page_title": f"{self.page_title}：{self.object}"}

    def get_success_url(self, result):
        return reverse("growth:mentor_detail", args=[self.object.pk])

    def get_back_url(self):
        return reverse("growth:mentor_detail", args=[self.object.pk])


def _is_side(request, pair) -> bool:
    return bool(pair.side_of(scopes.scope_of(request.user).person_id))


class PairCancelView(_PairFormView):
    form_class = CancelForm
    page_title = gettext_lazy("解除结对")
    submit_label = gettext_lazy("解除结对")
    success_message = gettext_lazy("结对已解除。")

    def allowed(self, pair):
        return services.can_run(self.request.user, pair.school)

    def perform(self, form):
        return services.pair_cancel(actor=self.request.user, pair=self.object, reason=form.cleaned_data["reason"])


# --- What the two sides do ------------------------------------------------------


class ActivityAddView(_PairFormView):
    form_class = ActivityForm
    page_title = gettext_lazy("记录结对活动")
    submit_label = gettext_lazy("保存活动")
    success_message = gettext_lazy("活动已记录，请结对的另一方确认。")

    def allowed(self, pair):
        return _is_side(self.request, pair)

    def get_initial(self):
        return {"date": timezone.localdate()}

    def perform(self, form):
        return services.activity_log(actor=self.request.user, pair=self.object, **form.cleaned_data)


class ActivityConfirmView(ServiceActionView):
    success_message = gettext_lazy("已确认该活动。")

    def get_object(self):
        return get_object_or_404(selectors.activities_visible_to(self.request.user), pk=self.kwargs["pk"])

    def check_permission(self):
        if not _is_side(self.request, self.object.pair):
            raise PermissionDenied(_("只有结对的另一方可以确认活动。"))

    def perform(self):
        return services.activity_confirm(actor=self.request.user, activity=self.object)

    def get_back_url(self):
        return reverse("growth:mentor_detail", args=[self.object.pair_id])


class SummaryView(_PairFormView):
    form_class = SummaryForm
    page_title = gettext_lazy("结对总结")
    submit_label = gettext_lazy("提交总结")
    success_message = gettext_lazy("总结已提交，学校考核前仍可修改。")

    def allowed(self, pair):
        return _is_side(self.request, pair)

    def get_initial(self):
        person_id = scopes.scope_of(self.request.user).person_id
        mine = self.object.summaries.filter(author_id=person_id).first()
        return {"text": mine.text} if mine else {}

    def perform(self, form):
        return services.summary_submit(actor=self.request.user, pair=self.object, text=form.cleaned_data["text"])


class AssessView(_PairFormView):
    form_class = AssessForm
    page_title = gettext_lazy("考核师徒结对")
    submit_label = gettext_lazy("提交考核")

    def allowed(self, pair):
        return services.can_run(self.request.user, pair.school)

    def get_context_data(self, **kwargs):
        by_author = {s.author_id: s for s in self.object.summaries.all()}
        summaries = [{"label": _("%(side)s %(name)s 的总结") % {"side": side, "name": person.name}, "text": by_author[person.pk].text}
                     for side, person in ((_("师傅"), self.object.mentor), (_("徒弟"), self.object.apprentice))
                     if person.pk in by_author]
        return {**super().get_context_data(**kwargs), "summaries": summaries}

    def perform(self, form):
        from django.contrib import messages

        pair, why = services.pair_assess(actor=self.request.user, pair=self.object, **form.cleaned_data)
        if why:
            messages.warning(self.request, _("考核已保存。未计学时：%(why)s") % {"why": why})
        else:
            messages.success(self.request, _("考核已保存。"))
        return pair


# --- The pair's page and its agreement ------------------------------------------


def _detail_context(request, pair) -> dict:
    person_id = scopes.scope_of(request.user).person_id
    side = pair.side_of(person_id)
    active = pair.status == MentorStatus.ACTIVE
    activities = list(pair.activities.select_related("logged_by").order_by("-date", "-pk"))
    for activity in activities:
        activity.can_confirm = bool(side) and active and not activity.confirmed and activity.logged_by_id != person_id
    summaries = {s.author_id: s for s in pair.summaries.all()}
    admin = services.can_run(request.user, pair.school)
    start, end = services.period_of(pair)
    return {
        "pair": pair, "page_title": _("师徒结对：%(pair)s") % {"pair": pair}, "period": services.period_label(pair),
        "start": start, "end": end, "side": side, "active": active, "activities": activities, "is_admin": admin,
        "mentor_summary": summaries.get(pair.mentor_id), "apprentice_summary": summaries.get(pair.apprentice_id),
        "can_assess": admin and active and len(summaries) == 2,
        "entries": selectors.credit_entries(pair) if pair.status == MentorStatus.ASSESSED else [],
        "no_credit": last_event_detail(pair, Event.GROWTH_MENTOR_ASSESS).get("no_credit", "")
        if pair.status == MentorStatus.ASSESSED else "",
        "cancel_reason": last_event_detail(pair, Event.GROWTH_MENTOR_PAIR_CANCEL).get("reason", "")
        if pair.status == MentorStatus.CANCELLED else "",
    }


@login_required
def pair_detail(request, pk):
    pair = _pair(request, pk)
    return render(request, "growth/mentors/detail.html", _detail_context(request, pair))


@login_required
def agreement_pdf(request, pk):
    """师徒结对协议书: both names, the goals and duties, and lines to sign at the ceremony."""
    pair = _pair(request, pk)
    context = {"pair": pair, "period": services.period_label(pair), "printed": timezone.localdate()}
    pdf = render_pdf("growth/mentors/agreement_pdf.html", context)
    name = downloads.filename(_("师徒结对协议书"), pair.mentor.name, pair.apprentice.name, str(pair.school_year), ext="pdf")
    return downloads.download(pdf, content_type="application/pdf", name=name, fallback=f"mentor-agreement-{pair.pk}.pdf")


urls: list = [
    path("mentors/", PairListView.as_view(), name="mentor_list"),
    path("mentors/new/", PairCreateView.as_view(), name="mentor_create"),
    path("mentors/<int:pk>/", pair_detail, name="mentor_detail"),
    path("mentors/<int:pk>/agreement.pdf", agreement_pdf, name="mentor_agreement"),
    path("mentors/<int:pk>/activities/new/", ActivityAddView.as_view(), name="mentor_activity_add"),
    path("mentors/activities/<int:pk>/confirm/", ActivityConfirmView.as_view(), name="mentor_activity_confirm"),
    path("mentors/<int:pk>/summary/", SummaryView.as_view(), name="mentor_summary"),
    path("mentors/<int:pk>/assess/", AssessView.as_view(), name="mentor_assess"),
    path("mentors/<int:pk>/cancel/", PairCancelView.as_view(), name="mentor_cancel"),
]
