"""Growth pages: records (see growth/urls.py).

The teacher's growth home (progress this term and their records), filing a
record (by the teacher, or by their school's admin for them), the record page
with its attachments, correcting a returned record, the school's review list
with its accept and return buttons, and the observations of one's lessons
(评我的课). Every record is fetched through :mod:`yanxiu.growth.selectors`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import floatformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import params, uploads
from yanxiu.core.crud import ServiceActionView, ServiceFormView
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.org import scopes
from yanxiu.org.selectors import current_school, current_staff, own_person

from .. import access, calendar, selectors
from ..choices import RecordKind, ReviewStatus
from ..forms import KIND_FIELDS, FileForForm, MyRecordFilter, RecordForm, ReviewFilter
from ..progress import person_progress
from ..services.records import CREDITED_KINDS, RECORD_FIELDS, record_resubmit, record_review, record_submit

STATUS_TEMPLATE = "growth/records/_status.html"


def _my_person(request):
    person = own_person(user=request.user)
    if person is None:
        raise Http404(_("当前账号没有关联教师档案。"))
    return person


def _detail_link(record) -> str:
    return reverse("growth:record_detail", args=[record.pk])


def _kind_param(request) -> str:
    kind = params.text_param(request.GET, "kind", max_length=20)
    if kind and kind not in RecordKind.values:
        raise params.BadParameter(_("参数 kind 不是已知的记录类型。"))
    return kind


# --- The teacher's growth home --------------------------------------------------


class MyGrowthView(ScopedListView):
    """我的成长: progress this term against the template, and the teacher's records."""

    template_name = "growth/records/my.html"
    page_title = gettext_lazy("我的成长记录")
    empty_message = gettext_lazy("还没有成长记录。")
    filters = MyRecordFilter
    search_fields = ["title"]
    search_placeholder = gettext_lazy("搜索名称")
    paginate_by = 20
    export_filename = gettext_lazy("我的成长记录")
    export_fallback = "growth-records"
    table_id = "my-records"
    columns = [
        Column("date", gettext_lazy("日期"), sortable=True),
        Column("kind", gettext_lazy("类型"), value="get_kind_display"),
        Column("title", gettext_lazy("名称"), link=_detail_link),
        Column("status", gettext_lazy("状态"), template=STATUS_TEMPLATE, export_value=lambda r: r.get_status_display()),
        Column("attachment_count", gettext_lazy("附件"), classes="hide-sm"),
    ]

    def check_permission(self):
        self.person = _my_person(self.request)
        self.school = current_school(self.person)

    def get_queryset(self):
        return selectors.own_records(self.person)

    def filter_queryset(self, qs, data):
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("year"):
            start, end = calendar.year_span(self.school, data["year"])  # the default calendar without a school
            qs = qs.filter(date__gte=start, date__lte=end)
        return qs

    def get_context_data(self, **kwargs):
        progress, term = None, None
        if self.school is not None:
            term = calendar.term_of(self.school, timezone.localdate())
            progress = person_progress(self.person, year=term.school_year, term=term.number)
        kwargs.update(person=self.person, school=self.school, term=term, progress=progress, kinds=RecordKind.choices,
                      observed_count=selectors.observations_of(self.person).count())
        return kwargs


my = MyGrowthView.as_view()


class ObservedMeView(ScopedListView):
    """评我的课: observations other teachers made of the teacher's lessons, with their critique."""

    page_title = gettext_lazy("评我的课")
    empty_message = gettext_lazy("还没有老师登记听您的课。")
    search_fields = ["title", "person__name"]
    table_id = "observed-me"
    columns = [
        Column("date", gettext_lazy("日期"), sortable=True),
        Column("observer", gettext_lazy("听课教师"), value="person.name"),
        Column("class_name", gettext_lazy("班级"), classes="hide-sm"),
        Column("subject", gettext_lazy("学科"), classes="hide-sm"),
        Column("title", gettext_lazy("课题"), link=_detail_link),
    ]

    def check_permission(self):
        self.person = _my_person(self.request)

    def get_queryset(self):
        return selectors.observations_of(self.person)


observed_me = ObservedMeView.as_view()


# --- Filing and correcting ------------------------------------------------------


class _RecordFormView(ServiceFormView):
    template_name = "growth/records/form.html"

    def observable(self):
        school = current_school(self.person)
        if school is None:
            return None
        return current_staff(school).exclude(pk=self.person.pk)  # whose lessons an observation may name

    def build_form(self, data=None, files=None):
        current = list(self.object.attachments.all()) if self.object is not None else []
        return RecordForm(data=data, files=files, initial=self.get_initial(), kind=self.kind, observable=self.observable(),
                          attachments=current)

    def get_context_data(self, **kwargs):
        kwargs.update(person=self.person, kind=self.kind, kind_label=RecordKind(self.kind).label, record=self.object)
        return kwargs

    def get_success_url(self, result):
        return _detail_link(result)


class RecordAddView(_RecordFormView):
    """File a record of one kind: by the teacher, or by the school admin for a teacher of their school (``?person=``)."""

    submit_label = gettext_lazy("提交审核")
    success_message = gettext_lazy("已提交，等待学校审核。")

    def get_object(self):
        person_id = params.id_param(self.request.GET, "person")
        if person_id is not None:
            self.person = get_object_or_404(selectors.reviewable_people(self.request.user), pk=person_id)
        else:
            self.person = _my_person(self.request)
        self.kind = _kind_param(self.request)
        if not self.kind and self.request.method == "POST":
            raise params.BadParameter(_("请选择记录类型。"))
        return None

    def get(self, request, *args, **kwargs):
        self.check()
        if not self.kind:
            return render(request, "growth/records/choose_kind.html",
                          {"page_title": _("填报成长记录"), "kinds": RecordKind.choices, "person": self.person,
                           "for_other": self.person.pk != getattr(own_person(user=request.user), "pk", None)})
        return self.render_form(self.build_form())

    def get_context_data(self, **kwargs):
        kwargs = super().get_context_data(**kwargs)
        kwargs["page_title"] = _("填报%(kind)s") % {"kind": RecordKind(self.kind).label}
        return kwargs

    def perform(self, form):
        return record_submit(actor=self.request.user, person=self.person, files=form.cleaned_data.get("attachments"),
                             kind=self.kind, **form.record_fields())


record_add = RecordAddView.as_view()


class RecordEditView(_RecordFormView):
    """The teacher corrects a returned record and sends it back for review."""

    submit_label = gettext_lazy("修改后重新提交")
    success_message = gettext_lazy("已重新提交，等待学校审核。")

    def get_object(self):
        me = _my_person(self.request)
        record = get_object_or_404(selectors.records_visible_to(self.request.user).filter(person=me), pk=self.kwargs["pk"])
        if record.status != ReviewStatus.RETURNED:
            raise PermissionDenied(_("只有被退回的记录可以修改后重新提交。"))
        self.person, self.kind = me, record.kind
        return record

    def get_initial(self):
        names = KIND_FIELDS.get(self.kind, ())
        return {name: getattr(self.object, name) for name in RECORD_FIELDS if name in names or name in ("title", "date", "content")}

    def get_context_data(self, **kwargs):
        kwargs = super().get_context_data(**kwargs)
        kwargs["page_title"] = _("修改%(kind)s") % {"kind": RecordKind(self.kind).label}
        return kwargs

    def get_back_url(self):
        return _detail_link(self.object)

    def perform(self, form):
        return record_resubmit(actor=self.request.user, record=self.object, files=form.cleaned_data.get("attachments"),
                               remove=form.cleaned_data.get("remove"), **form.record_fields())


record_edit = RecordEditView.as_view()


# --- Reading -------------------------------------------------------------------


def _credit_note(record) -> str:
    if record.status != ReviewStatus.ACCEPTED or record.kind not in CREDITED_KINDS:
        return ""
    if record.credit_entry_id:
        return _("已计 %(h)s 学时") % {"h": floatformat(record.credit_entry.hours, -1)}
    why = selectors.credit_refusal(record)
    return _("未计学时：%(why)s") % {"why": why} if why else _("未计学时")


@login_required
def record_detail(request, pk):
    record = get_object_or_404(selectors.records_visible_to(request.user).select_related("credit_entry", "reviewed_by"), pk=pk)
    relation = access.viewer_relation(request.user, record.person)
    # Only the observed teacher of an observation reaches a record without a relation to its owner.
    as_observed = relation is None
    reviewer = not as_observed and access.can_review(request.user, record.person)
    context = {
        "page_title": str(record), "record": record, "attachments": list(record.attachments.all()),
        "as_observed": as_observed, "read_only": relation == access.PAST and not reviewer,
        "can_review": reviewer and record.status == ReviewStatus.SUBMITTED,
        "can_edit": relation == access.SELF and record.status == ReviewStatus.RETURNED,
        "credit_note": "" if as_observed else _credit_note(record),
        "shown": KIND_FIELDS.get(record.kind, ()),
        "back_url": _back_from_detail(relation, reviewer),
    }
    return render(request, "growth/records/detail.html", context)


def _back_from_detail(relation, reviewer) -> str:
    """The list the reader reached the record from: 评我的课, their own records, or the review list."""
    if relation is None:
        return reverse("growth:observed_me")
    if relation == access.SELF:
        return reverse("growth:my")
    return reverse("growth:review_list") if reviewer else ""


@login_required
def attachment(request, pk):
    item = get_object_or_404(selectors.attachments_visible_to(request.user), pk=pk)
    record = item.record
    me = scopes.scope_of(request.user).person_id
    scopes.require(access.can_view(request.user, record.person) or (me is not None and record.observed_id == me))
    return uploads.evidence_response(item.file, download_name=f"{_('成长记录附件')}-{record.title}",
                                     fallback=f"growth-attachment-{item.pk}")


# --- Review --------------------------------------------------------------------


class ReviewListView(ScopedListView):
    """Records waiting for the school's review, with accept and return buttons."""

    template_name = "growth/records/review_list.html"
    page_title = gettext_lazy("成长记录审核")
    empty_message = gettext_lazy("没有待审核的成长记录。")
    filters = ReviewFilter
    search_fields = ["person__name", "title"]
    search_placeholder = gettext_lazy("教师姓名或名称")
    export_filename = gettext_lazy("待审核成长记录")
    export_fallback = "growth-review"
    table_id = "review-table"
    columns = [
        Column("date", gettext_lazy("日期"), sortable=True),
        Column("person", gettext_lazy("教师"), value="person.name", sortable="person__name"),
        Column("school", gettext_lazy("学校"), value="school.name", classes="hide-sm"),
        Column("kind", gettext_lazy("类型"), value="get_kind_display", sortable="kind"),
        Column("title", gettext_lazy("名称"), link=_detail_link),
        Column("attachment_count", gettext_lazy("附件"), classes="hide-sm"),
        Column("actions", gettext_lazy("审核"), value=lambda r: "", template="growth/records/_review_buttons.html", export=False),
    ]

    def check_permission(self):
        if not scopes.schools_managed_by(self.request.user).exists():
            raise PermissionDenied(_("只有学校管理员可以审核成长记录。"))

    def get_filter_form_kwargs(self):
        return {"groups": selectors.review_groups(self.request.user)}

    def get_queryset(self):
        return selectors.records_to_review(self.request.user)

    def filter_queryset(self, qs, data):
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("group"):
            qs = selectors.of_group(qs, data["group"])
        if data.get("date_from"):
            qs = qs.filter(date__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(date__lte=data["date_to"])
        return qs

    def get_context_data(self, **kwargs):
        kwargs["file_for_form"] = FileForForm(people=selectors.reviewable_people(self.request.user).order_by("name"))
        return kwargs


review_list = ReviewListView.as_view()


class RecordReviewView(ServiceActionView):
    """Accept a record (credited where the policy counts it) or return it with a reason."""

    def get_object(self):
        return get_object_or_404(selectors.records_visible_to(self.request.user), pk=self.kwargs["pk"])

    def check_permission(self):
        scopes.require(access.can_review(self.request.user, self.object.person), _("只有教师所在学校的管理员可以审核。"))

    def perform(self):
        decision = self.request.POST.get("decision", "")
        if decision not in ("accept", "return"):
            raise ValidationError(_("请选择“通过”或“退回”。"))
        reason = self.request.POST.get("reason", "")[:1000]
        return record_review(actor=self.request.user, record=self.object, accept=decision == "accept", reason=reason)

    def get_success_message(self, result):
        record, why = result
        if record.status == ReviewStatus.RETURNED:
            return _("已退回：%(title)s。") % {"title": record.title}
        if record.credit_entry_id:
            return _("已通过：%(title)s，已计 %(h)s 学时。") % {"title": record.title, "h": floatformat(record.credit_entry.hours, -1)}
        if why:
            return _("已通过：%(title)s，未计学时：%(why)s") % {"title": record.title, "why": why}
        return _("已通过：%(title)s（该类记录不计学时）。") % {"title": record.title}

    def get_back_url(self):
        return reverse("growth:review_list")


record_review_view = RecordReviewView.as_view()


urls = [
    path("", my, name="my"),
    path("observed/", observed_me, name="observed_me"),
    path("records/add/", record_add, name="record_add"),
    path("records/<int:pk>/", record_detail, name="record_detail"),
    path("records/<int:pk>/edit/", record_edit, name="record_edit"),
    path("records/<int:pk>/review/", record_review_view, name="record_review"),
    path("attachments/<int:pk>/", attachment, name="attachment"),
    path("review/", review_list, name="review_list"),
]
