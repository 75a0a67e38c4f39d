"""Routine pages: teaching-routine checks (教学常规检查; see routine/urls.py).

The school's checks (``routine:checks``) with the form recording one
(``routine:check_add``) and its page with the findings, papers and feedback
buttons; the kinds of check the school plans (``routine:check_kinds``); the
term's counts against the plan, per kind and checker, with its export
(``routine:check_counts``); and the teacher's own findings
(``routine:my_checks``). Rows come from :mod:`yanxiu.routine.check_selectors`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from yanxiu.core import downloads, params, uploads, xlsx
from yanxiu.core.crud import ServiceActionView, ServiceFormView
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.growth import calendar
from yanxiu.org.selectors import own_person

from .. import check_selectors as sel
from ..check_forms import CheckForm, CheckKindForm, FeedbackForm, TermForm
from ..choices import Cadence
from ..services.checks import check_kind_save, check_kinds_ensure, check_record, finding_feedback

FEEDBACK_LABELS = {"on_time": gettext_lazy("按时反馈"), "late": gettext_lazy("反馈逾期"), "overdue": gettext_lazy("逾期未反馈"),
                   "pending": gettext_lazy("待反馈"), "": ""}
#: School years offered in the term picker, back from the current one.
YEARS_BACK = 10
MAX_SCHOOL_CHOICES = 500


def page_school(request):
    """The school a check page is about: ``?school=`` when the reader may read it (else 404), else their own."""
    wanted = request.GET.get("school")
    if wanted not in (None, ""):
        school_id = params.parse_id(wanted)
        if school_id is None:
            raise params.BadParameter(_("参数 school 须是学校编号。"))
        school = sel.readable_schools(request.user).select_related("county").filter(pk=school_id).first()
        if school is None:
            raise Http404(_("找不到该学校，或您无权查看。"))
    else:
        school = sel.default_school(request.user)
    if school is None or not sel.reader_of(request.user, school):
        raise PermissionDenied(_("您没有权限查看教学常规检查。"))
    return school


def _recording_school(request):
    school = page_school(request)
    if not sel.can_record(request.user, school):
        raise PermissionDenied(_("只有学校管理员和学校领导可以登记常规检查、设置检查项目。"))
    return school


def _with_school(url: str, school) -> str:
    return f"{url}?school={school.pk}"


def school_choices(user) -> list[tuple[int, str]]:
    return list(sel.readable_schools(user).order_by("code").values_list("pk", "name")[:MAX_SCHOOL_CHOICES])


# --- The school's checks --------------------------------------------------------------


class CheckListView(ScopedListView):
    template_name = "routine/checks/list.html"
    table_id = "check-table"
    empty_message = gettext_lazy("还没有登记常规检查。")
    search_fields = ["checker__name", "scope", "kind__name"]
    search_placeholder = gettext_lazy("检查人、项目或范围")
    export_filename = gettext_lazy("教学常规检查")
    export_fallback = "routine-checks"
    columns = [
        Column("date", gettext_lazy("检查日期"), sortable=True, link=lambda c: reverse("routine:check_detail", args=[c.pk])),
        Column("kind", gettext_lazy("检查项目"), value="kind.name", sortable="kind__position"),
        Column("checker", gettext_lazy("检查人"), value="checker.name", sortable="checker__name"),
        Column("scope", gettext_lazy("检查范围"), classes="hide-sm"),
        Column("finding_count", gettext_lazy("被检查教师"), classes="hide-sm"),
        Column("attachment_count", gettext_lazy("附件"), classes="hide-sm"),
    ]

    def check_permission(self):
        self.school = page_school(self.request)
        self.page_title = _("%(school)s · 教学常规检查") % {"school": self.school.name}

    def get_queryset(self):
        qs = sel.checks_for(self.request.user, self.school)
        kind = params.id_param(self.request.GET, "kind")
        return qs.filter(kind_id=kind) if kind else qs

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.update(school=self.school, can_record=sel.can_record(user, self.school), can_add=sel.may_add_check(user, self.school),
                      can_count=sel.can_read_school(user, self.school), schools=school_choices(user),
                      kinds=list(sel.kinds_of(self.school).values_list("pk", "name")), kind=params.id_param(self.request.GET, "kind"))
        return kwargs


check_list = CheckListView.as_view()


class CheckAddView(ServiceFormView):
    template_name = "routine/checks/form.html"
    page_title = gettext_lazy("登记常规检查")
    submit_label = gettext_lazy("保存检查")
    success_message = gettext_lazy("已登记检查。")

    def get_object(self):
        self.school = page_school(self.request)
        user = self.request.user
        if not sel.may_add_check(user, self.school):
            raise PermissionDenied(_("只有学校管理员、学校领导和教研组长可以登记常规检查。"))
        self.own = sel.records_as_checker(user, self.school)
        check_kinds_ensure(self.school, actor=user)
        return None

    def build_form(self, data=None, files=None):
        initial = {"date": timezone.localdate()}
        me = own_person(user=self.request.user)
        staff = checkers = sel.checkers(self.school)
        kinds = sel.kinds_of(self.school, active_only=True)
        if self.own:  # a group leader's own check of their members
            checkers = staff.filter(pk=me.pk)
            staff = staff.filter(pk__in=sel.led_member_ids(self.request.user, self.school) - {me.pk})
            kinds = kinds.filter(leaders_only=False)
        if me is not None and checkers.filter(pk=me.pk).exists():
            initial["checker"] = me.pk
        return CheckForm(data, files, kinds=kinds, staff=staff, checkers=checkers, initial=initial)

    def perform(self, form):
        return check_record(actor=self.request.user, school=self.school, findings=form.finding_rows(),
                            files=form.cleaned_data.get("attachments"), **form.check_fields())

    def get_success_url(self, result):
        return reverse("routine:check_detail", args=[result.pk])

    def get_back_url(self):
        return _with_school(reverse("routine:checks"), self.school)

    def get_context_data(self, **kwargs):
        kwargs.update(school=self.school)
        return kwargs


check_add = CheckAddView.as_view()


@login_required
@require_GET
def check_detail(request, pk: int):
    check = sel.check_for(request.user, pk)
    if check is None:
        raise Http404(_("找不到该检查记录，或您无权查看。"))
    today = timezone.localdate()
    findings = list(sel.findings_shown(request.user, check))
    may_feedback = sel.can_give_feedback_on(request.user, check)
    states = [sel.feedback_state(f, today=today) for f in findings]
    rows = [{"finding": f, "state": state, "label": FEEDBACK_LABELS[state]} for f, state in zip(findings, states)]
    context = {
        "check": check, "rows": rows, "deadline": sel.feedback_deadline(check), "may_feedback": may_feedback, "today": today,
        "attachments": list(check.attachments.all()) if sel.sees_attachments(request.user, check) else [],
        "page_title": _("%(kind)s · %(day)s") % {"kind": check.kind.name, "day": check.date.isoformat()},
        "back_url": _with_school(reverse("routine:checks"), check.school),
    }
    return render(request, "routine/checks/detail.html", context)


@login_required
@require_GET
def check_attachment(request, pk: int):
    item = sel.attachment_for(request.user, pk)
    if item is None:
        raise Http404(_("找不到该附件，或您无权查看。"))
    check = item.routine_check
    return uploads.evidence_response(item.file, download_name=f"{_('常规检查附件')}-{check.date.isoformat()}", fallback="check-attachment")


class FindingFeedbackView(ServiceActionView):
    success_message = gettext_lazy("已登记反馈。")

    def get_object(self):
        finding = sel.finding_for(self.request.user, self.kwargs["pk"])
        if finding is None:
            raise Http404(_("找不到该检查结果，或您无权查看。"))
        return finding

    def check_permission(self):
        if not sel.can_give_feedback(self.request.user, self.object):
            raise PermissionDenied(_("只有检查人和学校领导可以登记反馈。"))

    def perform(self):
        form = FeedbackForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(_("反馈日期须为日期（如 2025-09-01）。"))
        return finding_feedback(actor=self.request.user, finding=self.object, day=form.cleaned_data.get("day"))

    def get_back_url(self):
        return reverse("routine:check_detail", args=[self.object.routine_check_id])


finding_feedback_view = FindingFeedbackView.as_view()


# --- Kinds ------------------------------------------------------------------------------


@login_required
@require_GET
def check_kinds(request):
    school = _recording_school(request)
    check_kinds_ensure(school, actor=request.user)
    context = {"school": school, "kinds": list(sel.kinds_of(school).order_by("position", "id")),
               "page_title": _("%(school)s · 常规检查项目") % {"school": school.name},
               "back_url": _with_school(reverse("routine:checks"), school)}
    return render(request, "routine/checks/kinds.html", context)


class _KindFormView(ServiceFormView):
    form_class = CheckKindForm
    template_name = "includes/form_page.html"
    success_message = gettext_lazy("已保存检查项目。")

    def perform(self, form):
        data = form.cleaned_data
        return check_kind_save(actor=self.request.user, school=self.school, kind=self.object, name=data["name"], cadence=data["cadence"],
                               per_period=data["per_period"], feedback_days=data.get("feedback_days"),
                               leaders_only=data.get("leaders_only", False), is_active=data.get("is_active", False),
                               position=data.get("position"))

    def get_success_url(self, result):
        return _with_school(reverse("routine:check_kinds"), self.school)

    def get_back_url(self):
        return self.get_success_url(None)


class CheckKindAddView(_KindFormView):
    page_title = gettext_lazy("添加检查项目")

    def get_object(self):
        self.school = _recording_school(self.request)
        return None

    def get_initial(self):
        return {"cadence": Cadence.MONTHLY, "per_period": 1, "is_active": True}


class CheckKindEditView(_KindFormView):
    page_title = gettext_lazy("修改检查项目")

    def get_object(self):
        kind = sel.kind_for(self.request.user, self.kwargs["pk"])
        if kind is None:
            raise Http404(_("找不到该检查项目，或您无权修改。"))
        self.school = kind.school
        return kind

    def get_initial(self):
        k = self.object
        return {"name": k.name, "cadence": k.cadence, "per_period": k.per_period, "feedback_days": k.feedback_days,
                "leaders_only": k.leaders_only, "is_active": k.is_active, "position": k.position}


check_kind_add = CheckKindAddView.as_view()
check_kind_edit = CheckKindEditView.as_view()


# --- Counts of a term ---------------------------------------------------------------------


def _term_choice(request, school):
    """(year, term, form) from ``?year=&term=``; a hostile year is a 400 (core.params), a junk term too."""
    current = calendar.term_of(school, timezone.localdate())
    year = params.year_param(request.GET, "year", default=current.school_year)
    raw_term = params.text_param(request.GET, "term", max_length=4) or str(current.number)
    if raw_term not in ("1", "2"):
        raise params.BadParameter(_("参数 term 只能是 1 或 2。"))
    top = max(current.school_year + 1, year)
    years = [y for y in range(top, min(top - YEARS_BACK - 2, year - 1), -1) if calendar.MIN_YEAR <= y <= calendar.MAX_YEAR]
    return year, int(raw_term), TermForm({"year": year, "term": raw_term}, years=years)


COUNT_HEADERS = (gettext_lazy("检查项目"), gettext_lazy("检查人"), gettext_lazy("周期"), gettext_lazy("计划次数"),
                 gettext_lazy("截至今日应完成"), gettext_lazy("已完成"), gettext_lazy("进度"), gettext_lazy("按时反馈"),
                 gettext_lazy("反馈逾期"), gettext_lazy("逾期未反馈"), gettext_lazy("待反馈"))


def _count_line(kind_row: dict, row: dict, checker: str) -> list:
    feedback = row.get("feedback")
    planned = row.get("planned")
    behind = row.get("behind")
    state = "" if planned is None else (_("落后") if behind else _("正常"))
    cadence = _("%(cadence)s %(n)s 次") % {"cadence": kind_row["cadence_label"], "n": kind_row["per_period"]}
    return [kind_row["kind"], checker, cadence, "" if planned is None else planned, "" if planned is None else row["due"], row["done"],
            state, *(["", "", "", ""] if feedback is None else [feedback[k] for k in ("on_time", "late", "overdue", "pending")])]


def _export_counts(school, span, counts):
    wb = xlsx.workbook(write_only=True)
    ws = wb.create_sheet(str(_("常规检查统计")))
    xlsx.append(ws, [span.label])
    xlsx.append(ws, [str(h) for h in COUNT_HEADERS])
    for kind_row in counts:
        xlsx.append(ws, _count_line(kind_row, kind_row, _("全校")))
        for row in kind_row["checkers"]:
            xlsx.append(ws, _count_line(kind_row, row, row["checker"]))
    name = downloads.filename(_("常规检查统计"), school.name, f"{span.school_year}-{span.number}", ext="xlsx")
    return downloads.download(xlsx.to_bytes(wb), name=name, content_type=xlsx.CONTENT_TYPE,
                              fallback=f"routine-check-counts-{span.school_year}-{span.number}.xlsx")


@login_required
@require_GET
def check_counts(request):
    school = page_school(request)
    if not sel.can_read_school(request.user, school):
        raise PermissionDenied(_("您没有权限查看本校的常规检查统计。"))
    year, term, form = _term_choice(request, school)
    span = calendar.term(school, year, term)
    counts = sel.term_counts(school, year, term)
    if request.GET.get("export") == "xlsx":
        return _export_counts(school, span, counts)
    context = {"school": school, "counts": counts, "span": span, "form": form, "schools": school_choices(request.user),
               "page_title": _("%(school)s · 常规检查统计") % {"school": school.name}, "year": year, "term": term,
               "back_url": _with_school(reverse("routine:checks"), school)}
    return render(request, "routine/checks/counts.html", context)


# --- The teacher's own findings ----------------------------------------------------------------


class MyChecksView(ScopedListView):
    """我的常规检查: the teacher's own findings, never another teacher's."""

    page_title = gettext_lazy("我的常规检查")
    empty_message = gettext_lazy("还没有您的常规检查结果。")
    table_id = "my-checks"
    paginate_by = 30
    export_filename = gettext_lazy("我的常规检查")
    export_fallback = "my-routine-checks"
    search_fields = ["routine_check__kind__name", "comment", "class_name"]
    search_placeholder = gettext_lazy("检查项目、班级或意见")
    columns = [
        Column("date", gettext_lazy("检查日期"), value="routine_check.date", sortable="routine_check__date"),
        Column("kind", gettext_lazy("检查项目"), value="routine_check.kind.name"),
        Column("checker", gettext_lazy("检查人"), value="routine_check.checker.name", classes="hide-sm"),
        Column("class_name", gettext_lazy("班级"), classes="hide-sm"),
        Column("grade", gettext_lazy("等级"), value="get_grade_display", sortable="grade"),
        Column("comment", gettext_lazy("意见")),
        Column("feedback", gettext_lazy("反馈"), value=lambda f: f.feedback_on.isoformat() if f.feedback_on else str(FEEDBACK_LABELS[sel.feedback_state(f)]),
               classes="hide-sm"),
    ]

    def check_permission(self):
        self.person = own_person(user=self.request.user)
        if self.person is None:
            raise Http404(_("当前账号没有关联教师档案。"))

    def get_queryset(self):
        return sel.own_findings(self.person)


my_checks = MyChecksView.as_view()

urls = [
    path("checks/", check_list, name="checks"),
    path("checks/add/", check_add, name="check_add"),
    path("checks/<int:pk>/", check_detail, name="check_detail"),
    path("checks/attachments/<int:pk>/", check_attachment, name="check_attachment"),
    path("checks/findings/<int:pk>/feedback/", finding_feedback_view, name="finding_feedback"),
    path("checks/kinds/", check_kinds, name="check_kinds"),
    path("checks/kinds/add/", check_kind_add, name="check_kind_add"),
    path("checks/kinds/<int:pk>/edit/", check_kind_edit, name="check_kind_edit"),
    path("checks/counts/", check_counts, name="check_counts"),
    path("checks/mine/", my_checks, name="my_checks"),
]
