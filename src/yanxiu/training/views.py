"""Training pages. Thin: permissions via ``rules``/access; every object and row
through a selector scoped to the user (an id the user may not see is a 404);
writes via services. Lists are ``ScopedListView`` (paged, searchable,
exportable), buttons ``ServiceActionView``, create/edit screens ``ServiceFormView``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.org import scopes
from yanxiu.core import params, uploads
from yanxiu.core import downloads
from yanxiu.core.crud import BulkActionView, ServiceActionView, ServiceFormView
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.org.models import Region, School

from . import access, ics, selectors, services
from .filters import ProjectFilterForm
from .forms import (
    CancelForm,
    CategoryForm,
    DecisionForm,
    EvaluationForm,
    InviteForm,
    LeaveForm,
    NameForm,
    PlanForm,
    ProjectForm,
    QuotaForm,
    RecurringForm,
    ReviewForm,
    SessionForm,
    SwapForm,
)
from .models import (
    Enrollment,
    Project,
    Quota,
    Session,
    TrainingKind,
    TrainingLevel,
    school_year_of,
)


def _admin_school(request) -> School | None:
    """The school a school admin works on (?school= when they run several)."""
    return scopes.admin_school(request.user, request.GET.get("school") or request.POST.get("school"))


def _bureau_region(request) -> Region | None:
    return selectors.bureau_region(request.user)


# --- Teacher: 我的培训 -------------------------------------------------------------


@login_required
def my_trainings(request):
    from yanxiu.core.public_url import absolute_url

    s = scopes.scope_of(request.user)
    if s.person_id is None:
        messages.info(request, _("您的账号没有关联教师档案。"))
        return redirect("reports:home")
    now = timezone.now()
    sessions = list(selectors.my_sessions(person_id=s.person_id))
    upcoming = [x for x in sessions if x.ends_at is None or x.ends_at >= now]
    past = [x for x in sessions if x.ends_at is not None and x.ends_at < now][::-1]
    leaves = selectors.my_leave_requests(user=request.user)[:20]
    leave_by_session = {}
    for leave in leaves:
        leave_by_session.setdefault(leave.session_id, leave)
    notices = selectors.change_notices(sessions=upcoming, now=now)
    for x in sessions:
        x.my_leave = leave_by_session.get(x.pk)
        x.change_notice = notices.get(x.pk, "")
    feed = services.calendar_feed_for(selectors.own_person(request.user))
    context = {
        "upcoming": upcoming,
        "past": past[:30],
        "leaves": leaves,
        "open_sessions": selectors.open_school_sessions(person_id=s.person_id)[:10],
        # Pasted into a phone's calendar: the address phones reach (YANXIU_PUBLIC_URL).
        "feed_url": absolute_url(reverse("training:calendar_feed", args=[feed.token]), request),
        "now": now,
        "page_title": _("我的培训"),
    }
    return render(request, "training/my.html", context)


def calendar_feed(request, token: str):
    """The .ics feed; the secret token in the URL is the only credential."""
    feed = get_object_or_404(selectors.calendar_feeds(), token=token)
    sessions = selectors.my_sessions(person_id=feed.person_id)
    body = ics.build_calendar(sessions, name=f"{feed.person.name} · 培训日程", domain=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    downloads.attach(response, downloads.filename(_("培训日程"), ext="ics"), inline=True, fallback="yanxiu.ics")
    response["Cache-Control"] = "private, max-age=300"
    return response


class CalendarResetView(ServiceActionView):
    success_message = gettext_lazy("已生成新的订阅地址，旧地址已失效。")

    def perform(self):
        return services.calendar_feed_reset(actor=self.request.user)

    def get_back_url(self):
        return reverse("training:my")


calendar_reset = CalendarResetView.as_view()


# --- Sessions ------------------------------------------------------------------------


def _visible_session(request, pk) -> Session:
    return get_object_or_404(
        selectors.session_list(user=request.user).select_related("lead_speaker", "project__category"), pk=pk
    )


@login_required
def session_detail(request, pk):
    session = _visible_session(request, pk)
    s = scopes.scope_of(request.user)
    can_manage = access.can_manage_session(request.user, session)
    sees_participants = request.user.has_perm("training.view_participants", session)
    standing = selectors.my_standing(user=request.user, session=session)
    enrollment = standing.enrollment
    context = {
        "session": session,
        "project": session.project,
        "can_manage": can_manage,
        "change_notice": selectors.change_notice(session=session) if enrollment is not None and enrollment.status == Enrollment.Status.ENROLLED else None,
        "runs_sessions": s.presenter or bool(s.led_groups),
        "missing": services.missing_fixed_items(session),
        "enrollment": enrollment,
        "my_leave": standing.leave,
        "evaluated": standing.evaluated,
        "started": session.has_started(),
        "summary": selectors.evaluation_summary(session=session) if sees_participants else None,
        "page_title": session.title,
    }
    if sees_participants:
        context["participants"] = selectors.session_participants(session=session)
        context["leaves"] = selectors.session_leaves(session=session)
    return render(request, "training/session_detail.html", context)


def _groups_for_form(user, project):
    """The groups a session form offers: all of the school's to a manager, a leader's own otherwise."""
    if access.can_manage_project(user, project):
        return None
    return access.led_groups_of_school(user, project)


class SessionFormView(ServiceFormView):
    form_class = SessionForm
    template_name = "training/session_form.html"
    success_message = gettext_lazy("活动已保存。")

    def get_form_kwargs(self):
        kwargs = {"project": self.project, "groups": _groups_for_form(self.request.user, self.project)}
        if self.object is not None:
            kwargs["instance"] = self.object
        return kwargs

    def build_form(self, data=None, files=None):
        return self.form_class(data=data, files=files, **self.get_form_kwargs())

    def get_success_url(self, result):
        return reverse("training:session_detail", args=[result.pk])

    def get_context_data(self, **kwargs):
        kwargs["project"] = self.project
        return kwargs

    def _fields(self, form) -> dict:
        return {k: v for k, v in form.cleaned_data.items() if k in form.fields}


class AddToProjectMixin:
    """A page that adds to the project named in the URL; permission is checked on the project."""

    permission = "training.add_session"

    def get_object(self):
        self.project = get_object_or_404(access.projects_visible_to(self.request.user), pk=self.kwargs["project"])
        return None

    def permission_object(self):
        return self.project


class SessionCreateView(AddToProjectMixin, SessionFormView):
    page_title = gettext_lazy("新建培训活动")
    submit_label = gettext_lazy("保存草稿")

    def get_back_url(self):
        return reverse("training:project_detail", args=[self.project.pk])

    def perform(self, form):
        return services.session_create(actor=self.request.user, project=self.project, **self._fields(form))


class SessionEditView(SessionFormView):
    permission = "training.manage_session"
    page_title = gettext_lazy("编辑培训活动")

    def get_object(self):
        session = _visible_session(self.request, self.kwargs["pk"])
        self.project = session.project
        return session

    def get_back_url(self):
        return reverse("training:session_detail", args=[self.object.pk])

    def perform(self, form):
        return services.session_update(actor=self.request.user, session=self.object, **self._fields(form))


class RecurringView(AddToProjectMixin, ServiceFormView):
    form_class = RecurringForm
    page_title = gettext_lazy("按固定时段批量生成活动")
    submit_label = gettext_lazy("生成")

    def get_form_kwargs(self):
        return {"project": self.project, "groups": _groups_for_form(self.request.user, self.project)}

    def get_initial(self):
        return {"title": self.project.title, "weekday": 1, "start_time": dt.time(15, 10), "end_time": dt.time(16, 40)}

    def get_back_url(self):
        return reverse("training:project_detail", args=[self.project.pk])

    def perform(self, form):
        data = dict(form.cleaned_data)
        data = {k: v for k, v in data.items() if v not in (None, "") or k in {"weekday"}}
        created = services.sessions_create_recurring(actor=self.request.user, project=self.project, **data)
        messages.success(self.request, _("已生成 %(n)d 次活动（草稿）。") % {"n": len(created)})
        return self.project

    def get_success_url(self, result):
        return reverse("training:project_detail", args=[result.pk])


class SessionActionView(ServiceActionView):
    """A button on the session page; the session comes from what the user sees."""

    permission = "training.manage_session"

    def get_object(self):
        return _visible_session(self.request, self.kwargs["pk"])

    def get_back_url(self):
        return reverse("training:session_detail", args=[self.kwargs["pk"]])


class SessionPublishView(SessionActionView):
    success_message = gettext_lazy("活动通知已发布。")

    def perform(self):
        return services.session_publish(actor=self.request.user, session=self.object)


session_publish = SessionPublishView.as_view()


class SessionCancelView(ServiceFormView):
    form_class = CancelForm
    permission = "training.manage_session"
    page_title = gettext_lazy("取消活动")
    submit_label = gettext_lazy("确认取消")

    def get_object(self):
        return _visible_session(self.request, self.kwargs["pk"])

    def get_back_url(self):
        return reverse("training:session_detail", args=[self.object.pk])

    def perform(self, form):
        return services.session_cancel(actor=self.request.user, session=self.object, reason=form.cleaned_data["reason"])

    def get_success_url(self, result):
        return reverse("training:session_detail", args=[result.pk])


class SessionInviteView(ServiceFormView):
    form_class = InviteForm
    permission = "training.manage_session"
    page_title = gettext_lazy("邀请参训教师")
    submit_label = gettext_lazy("邀请")

    def get_object(self):
        return _visible_session(self.request, self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"session": self.object}

    def get_initial(self):
        return {"scope": self.object.invite_scope, "group": self.object.group_id}

    def get_back_url(self):
        return reverse("training:session_detail", args=[self.object.pk])

    def perform(self, form):
        count = services.session_invite(
            actor=self.request.user, session=self.object, scope=form.cleaned_data["scope"],
            group=form.cleaned_data.get("group"), people=form.cleaned_data.get("people") or [],
        )
        messages.success(self.request, _("已邀请 %(n)d 人。") % {"n": count})
        return self.object

    def get_success_url(self, result):
        return reverse("training:session_detail", args=[result.pk])


class SessionEnrollView(SessionActionView):
    # The service decides who may sign up (a teacher of the school, a published session).
    permission = ""
    success_message = gettext_lazy("报名成功。")

    def perform(self):
        return services.session_self_enroll(actor=self.request.user, session=self.object)


session_enroll = SessionEnrollView.as_view()


class EnrollmentWithdrawView(ServiceActionView):
    def get_object(self):
        return get_object_or_404(selectors.enrollments_visible_to(self.request.user), pk=self.kwargs["pk"])

    def check_permission(self):
        own = self.object.person_id == scopes.scope_of(self.request.user).person_id
        scopes.require(own or self.request.user.has_perm("training.manage_session", self.object.session))

    def perform(self):
        return services.enrollment_withdraw(actor=self.request.user, enrollment=self.object)

    def get_back_url(self):
        return reverse("training:session_detail", args=[self.object.session_id])


enrollment_withdraw = EnrollmentWithdrawView.as_view()


# --- Leave ---------------------------------------------------------------------------


class LeaveCreateView(ServiceFormView):
    form_class = LeaveForm
    page_title = gettext_lazy("请假申请")
    submit_label = gettext_lazy("提交申请")
    success_message = gettext_lazy("请假申请已提交，请等待审批。")

    def get_object(self):
        return _visible_session(self.request, self.kwargs["pk"])

    def get_back_url(self):
        return reverse("training:session_detail", args=[self.object.pk])

    def perform(self, form):
        return services.leave_request_create(
            actor=self.request.user, session=self.object, leave_type=form.cleaned_data["leave_type"],
            reason=form.cleaned_data["reason"], attachment=form.cleaned_data.get("attachment"),
        )

    def get_success_url(self, result):
        return reverse("training:my")


class LeaveListView(ScopedListView):
    """Requests waiting for the user's decision (paged, exportable), and the latest decided ones."""

    permission = "training.view_leave_list"
    template_name = "training/leave_list.html"
    table_template = "training/_leave_cards.html"
    page_title = gettext_lazy("请假审批")
    empty_message = gettext_lazy("没有待审批的请假。")
    search_fields = ("person__name", "session__title")
    search_placeholder = gettext_lazy("姓名或活动")
    export_filename = gettext_lazy("待审批请假")
    columns = (
        Column("person", gettext_lazy("姓名"), value="person.name"),
        Column("school", gettext_lazy("学校"), value="school.name"),
        Column("session", gettext_lazy("培训活动"), value="session.title"),
        Column("starts_at", gettext_lazy("活动时间"), value="session.starts_at"),
        Column("leave_type", gettext_lazy("类型"), value="get_leave_type_display"),
        Column("reason", gettext_lazy("理由")),
        Column("school_decision", gettext_lazy("学校意见"), value="get_school_decision_display"),
    )

    def get_queryset(self):
        return selectors.leave_awaiting(user=self.request.user)

    def get_context_data(self, **kwargs):
        kwargs.update(recent=selectors.leave_decided(user=self.request.user)[:50], form=DecisionForm())
        return kwargs


leave_list = LeaveListView.as_view()


class LeaveBulkDecideView(BulkActionView):
    """Approve or refuse the ticked leave requests with one comment (all or none)."""

    permission = "training.view_leave_list"

    def get_queryset(self):
        return selectors.leave_awaiting(user=self.request.user).select_related("person", "session")

    def perform(self):
        decision = self.request.POST.get("decision")
        if decision not in ("approve", "reject"):
            raise ValidationError(_("请点击“批准所选”或“驳回所选”。"))
        return services.leave_decide_many(actor=self.request.user, leaves=self.objects, approve=decision == "approve",
                                          comment=self.request.POST.get("comment", ""))

    def get_success_message(self, result):
        if self.request.POST.get("decision") == "approve":
            return _("已批准 %(n)d 条请假。") % {"n": len(result)}
        return _("已驳回 %(n)d 条请假。") % {"n": len(result)}

    def get_back_url(self):
        return reverse("training:leave_list")


leave_bulk_decide = LeaveBulkDecideView.as_view()


class LeaveDecideView(ServiceActionView):
    def get_object(self):
        return get_object_or_404(selectors.leave_list(user=self.request.user), pk=self.kwargs["pk"])

    def check_permission(self):
        user, leave = self.request.user, self.object
        allowed = access.can_decide_leave_as_school(user, leave) or access.can_decide_leave_as_bureau(user, leave)
        scopes.require(allowed, _("您没有权限审批该请假。"))

    @property
    def approve(self) -> bool:
        return self.request.POST.get("decision") == "approve"

    def perform(self):
        return services.leave_decide(actor=self.request.user, leave=self.object, approve=self.approve,
                                     comment=self.request.POST.get("comment", ""))

    def get_success_message(self, result):
        return _("已批准。") if self.approve else _("已驳回。")

    def get_back_url(self):
        return reverse("training:leave_list")


leave_decide = LeaveDecideView.as_view()


class LeaveCancelView(ServiceActionView):
    def get_object(self):
        return get_object_or_404(selectors.my_leave_requests(user=self.request.user), pk=self.kwargs["pk"])

    def perform(self):
        return services.leave_cancel(actor=self.request.user, leave=self.object)

    def get_back_url(self):
        return reverse("training:my")


leave_cancel = LeaveCancelView.as_view()


@login_required
def leave_attachment(request, pk):
    """Serve a sick note only to those who may see the request (never a public media URL)."""
    leave = get_object_or_404(selectors.leave_list(user=request.user), pk=pk)
    if not leave.attachment:
        raise PermissionDenied(_("没有证明材料。"))
    return uploads.evidence_response(leave.attachment, download_name=f"{_('请假证明')}-{leave.person.name}", fallback=f"leave-{leave.pk}")


# --- Evaluation ----------------------------------------------------------------------


class EvaluationView(ServiceFormView):
    form_class = EvaluationForm
    template_name = "training/evaluation_form.html"
    page_title = gettext_lazy("培训满意度评价")
    submit_label = gettext_lazy("提交评价")
    success_message = gettext_lazy("感谢您的评价。")

    def get_object(self):
        session = _visible_session(self.request, self.kwargs["pk"])
        if session.status != Session.Status.PUBLISHED or not session.has_started():
            raise PermissionDenied(_("活动开始后才能评价。"))
        return session

    def get_back_url(self):
        return reverse("training:my")

    def perform(self, form):
        return services.evaluation_submit(actor=self.request.user, session=self.object, **form.cleaned_data)

    def get_success_url(self, result):
        return reverse("training:my")


class EvaluationListView(ScopedListView):
    """Average scores per session (paged) and per presenter."""

    # A group leader reads the evaluations of the sessions they run.
    permission = "training.view_evaluations"
    template_name = "training/evaluations.html"
    table_template = "training/_evaluation_table.html"
    page_title = gettext_lazy("培训评价汇总")

    def get_queryset(self):
        return selectors.evaluation_by_session(user=self.request.user)

    def get_context_data(self, **kwargs):
        kwargs["by_presenter"] = selectors.evaluation_by_presenter(user=self.request.user)
        return kwargs


evaluations = EvaluationListView.as_view()


# --- Projects ------------------------------------------------------------------------


def _project_owner(project) -> str:
    return str(project.owner_school) if project.owner_school_id else _("教育局")


def _project_status(project) -> str:
    return project.get_status_display() if project.requires_approval else _("无需审核")


class ProjectListView(ScopedListView):
    # Group leaders see their school's projects, to add their group's sessions.
    permission = "training.view_projects"
    template_name = "training/project_list.html"
    table_template = "training/_project_table.html"
    page_title = gettext_lazy("培训项目")
    empty_message = gettext_lazy("没有项目。")
    filters = ProjectFilterForm
    search_fields = ("title",)
    search_placeholder = gettext_lazy("项目名称")
    export_filename = gettext_lazy("培训项目")
    columns = (
        Column("title", gettext_lazy("项目")),
        Column("owner", gettext_lazy("承办"), value=_project_owner),
        Column("level", gettext_lazy("级别"), value="get_level_display"),
        Column("kind", gettext_lazy("形式"), value="get_kind_display"),
        Column("school_year", gettext_lazy("学年")),
        Column("status", gettext_lazy("状态"), value=_project_status),
        Column("session_count", gettext_lazy("活动数")),
    )

    def get_queryset(self):
        return selectors.project_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        kwargs.update(school=_admin_school(self.request), bureau_region=_bureau_region(self.request))
        return kwargs


project_list = ProjectListView.as_view()


@login_required
def project_detail(request, pk):
    project = get_object_or_404(access.projects_visible_to(request.user).select_related("owner_school", "category", "plan"), pk=pk)
    s = scopes.scope_of(request.user)
    can_manage = access.can_manage_project(request.user, project)
    sessions = selectors.session_list(user=request.user, project=project)
    context = {
        "project": project,
        "sessions": sessions,
        "can_manage": can_manage,
        "can_add_session": access.can_add_session(request.user, project),
        "can_review": access.can_review_project(request.user, project) and project.status == Project.Status.SUBMITTED,
        "quotas": selectors.project_quotas(user=request.user, project=project) if project.is_bureau_level else None,
        "can_allocate": access.can_allocate_quota(request.user, project),
        "is_region": bool(s.region_counties) or s.superuser,
        "page_title": project.title,
    }
    return render(request, "training/project_detail.html", context)


class ProjectCreateView(ServiceFormView):
    form_class = ProjectForm
    page_title = gettext_lazy("新建培训项目")
    submit_label = gettext_lazy("保存")
    success_message = gettext_lazy("项目已保存。")

    def get_object(self):
        self.school = None
        self.region = None
        if self.request.GET.get("bureau"):
            self.region = _bureau_region(self.request)
        else:
            self.school = _admin_school(self.request)
            if self.school is None:
                self.region = _bureau_region(self.request)
        return None

    def check(self):
        super().check()
        if self.school is not None:
            scopes.require(scopes.can_manage_school(self.request.user, self.school), _("您没有权限访问此页面。"))
        else:
            scopes.require(access.can_create_bureau_project(self.request.user, self.region), _("您没有权限访问此页面。"))

    def get_form_kwargs(self):
        region = self.school.county if self.school else self.region
        return {"school": self.school, "region": region}

    def get_initial(self):
        return {"school_year": school_year_of(timezone.localdate()), "kind": TrainingKind.SCHOOL_BASED if self.school else TrainingKind.CENTRALISED,
                "level": TrainingLevel.COUNTY}

    def build_form(self, data=None, files=None):
        return self.form_class(data=data, files=files, initial=self.get_initial(), **self.get_form_kwargs())

    def perform(self, form):
        fields = {k: v for k, v in form.cleaned_data.items() if k in form.fields}
        if self.school is not None:
            return services.project_create(actor=self.request.user, owner_school=self.school, **fields)
        return services.project_create(actor=self.request.user, region=self.region, **fields)

    def get_success_url(self, result):
        return reverse("training:project_detail", args=[result.pk])

    def get_back_url(self):
        return reverse("training:project_list")


class ProjectEditView(ServiceFormView):
    form_class = ProjectForm
    permission = "training.manage_project"
    page_title = gettext_lazy("编辑培训项目")
    success_message = gettext_lazy("项目已保存。")

    def get_object(self):
        return get_object_or_404(access.projects_visible_to(self.request.user), pk=self.kwargs["pk"])

    def build_form(self, data=None, files=None):
        region = self.object.owner_school.county if self.object.owner_school_id else self.object.region
        return self.form_class(data=data, files=files, instance=self.object, school=self.object.owner_school, region=region)

    def perform(self, form):
        fields = {k: form.cleaned_data[k] for k in form.fields}
        # The form mutated self.object while validating.
        project = access.projects_visible_to(self.request.user).get(pk=self.object.pk)
        return services.project_update(actor=self.request.user, project=project, **fields)

    def get_success_url(self, result):
        return reverse("training:project_detail", args=[result.pk])

    def get_back_url(self):
        return reverse("training:project_detail", args=[self.object.pk])


class ProjectSubmitView(ServiceActionView):
    permission = "training.manage_project"
    success_message = gettext_lazy("已提交研训中心审核。")

    def get_object(self):
        return get_object_or_404(access.projects_visible_to(self.request.user), pk=self.kwargs["pk"])

    def perform(self):
        return services.project_submit(actor=self.request.user, project=self.object)

    def get_back_url(self):
        return reverse("training:project_detail", args=[self.object.pk])


project_submit = ProjectSubmitView.as_view()


class ProjectReviewView(ServiceFormView):
    form_class = ReviewForm
    template_name = "training/project_review.html"
    permission = "training.review_project"
    page_title = gettext_lazy("审核学校项目")
    submit_label = gettext_lazy("提交审核结论")

    def get_object(self):
        return get_object_or_404(access.projects_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        kwargs["sessions"] = selectors.session_list(user=self.request.user, project=self.object)
        return kwargs

    def perform(self, form):
        if form.cleaned_data["decision"] == "approve":
            return services.project_approve(actor=self.request.user, project=self.object, comment=form.cleaned_data["comment"])
        return services.project_return(actor=self.request.user, project=self.object, comment=form.cleaned_data["comment"])

    def get_success_url(self, result):
        messages.success(self.request, _("审核结论已保存：%(status)s。") % {"status": result.get_status_display()})
        return reverse("training:review_list")

    def get_back_url(self):
        return reverse("training:review_list")


class ReviewListView(ScopedListView):
    """School projects waiting for the training centre's review, and the user's latest reviews."""

    permission = "training.view_reviews"
    template_name = "training/review_list.html"
    table_template = "training/_review_table.html"
    page_title = gettext_lazy("项目审核")

    def get_queryset(self):
        return selectors.projects_awaiting_review(user=self.request.user)

    def get_context_data(self, **kwargs):
        kwargs["recent"] = selectors.projects_reviewed_by(self.request.user)[:30]
        return kwargs


review_list = ReviewListView.as_view()


# --- Plans and schedule --------------------------------------------------------------


class PlanListView(ScopedListView):
    # Group leaders read their school's plan, to fit their group's sessions into it.
    permission = "training.view_plans"
    template_name = "training/plan_list.html"
    table_template = "training/_plan_table.html"
    page_title = gettext_lazy("年度研修计划")
    search_fields = ("school__name", "title")
    search_placeholder = gettext_lazy("学校或标题")

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        kwargs["school"] = _admin_school(self.request)
        return kwargs


plan_list = PlanListView.as_view()


class PlanFormView(ServiceFormView):
    form_class = PlanForm
    page_title = gettext_lazy("年度研修计划")
    success_message = gettext_lazy("计划已保存。")
    permission = "training.manage_school_training"

    def get_object(self):
        if "pk" in self.kwargs:
            plan = get_object_or_404(selectors.plans_visible_to(self.request.user), pk=self.kwargs["pk"])
            self.school = plan.school
            return plan
        self.school = _admin_school(self.request)
        return None

    def permission_object(self):
        return self.school

    def get_initial(self):
        return {"school_year": school_year_of(timezone.localdate())}

    def build_form(self, data=None, files=None):
        return self.form_class(data=data, files=files, initial=self.get_initial(), instance=self.object)

    def perform(self, form):
        plan = selectors.plans_visible_to(self.request.user).get(pk=self.object.pk) if self.object else None
        return services.plan_save(actor=self.request.user, school=self.school, plan=plan, **form.cleaned_data)

    def get_success_url(self, result):
        return reverse("training:plan_detail", args=[result.pk])

    def get_back_url(self):
        return reverse("training:plan_list")


def _term_bounds(request, school_year: str) -> tuple[dt.date, dt.date]:
    """Default: the autumn term (Sep–Jan) or spring term (Feb–Jul) containing today, within the year."""
    chosen = params.date_range_params(request.GET)
    if chosen:
        return chosen
    first = int(school_year[:4])
    if request.GET.get("term") == "2":
        return dt.date(first + 1, 2, 1), dt.date(first + 1, 7, 31)
    return dt.date(first, 9, 1), dt.date(first + 1, 1, 31)


@login_required
def plan_detail(request, pk):
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    start, end = _term_bounds(request, plan.school_year)
    sessions = selectors.plan_sessions(user=request.user, plan=plan)
    projects = selectors.project_list(user=request.user, plan=plan)
    context = {
        "plan": plan,
        "projects": projects,
        "weeks": selectors.term_schedule(sessions=sessions, start=start, end=end),
        "start": start,
        "end": end,
        "term": request.GET.get("term", "1"),
        "can_manage": scopes.can_manage_school(request.user, plan.school),
        "page_title": str(plan),
    }
    return render(request, "training/plan_detail.html", context)


# --- Catalogue -----------------------------------------------------------------------


class CatalogueView(ScopedListView):
    """Levels and kinds of training, and the content categories of the user's region (paged, exportable)."""

    template_name = "training/catalogue.html"
    table_template = "training/_category_table.html"
    page_title = gettext_lazy("培训目录")
    search_fields = ("code", "name")
    search_placeholder = gettext_lazy("编码或名称")
    export_filename = gettext_lazy("培训目录")
    columns = (
        Column("code", gettext_lazy("编码")),
        Column("name", gettext_lazy("名称")),
        Column("compulsory", gettext_lazy("必修"), value=lambda c: _("是") if c.compulsory else _("否")),
        Column("mandate", gettext_lazy("性质"), value="mandate_label"),
        Column("region", gettext_lazy("区域"), value=lambda c: str(c.region) if c.region_id else _("全国")),
        Column("active", gettext_lazy("启用"), value=lambda c: _("是") if c.is_active else _("否")),
    )

    def get_queryset(self):
        return selectors.category_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        region = selectors.catalogue_region(self.request.user)
        kwargs.update(levels=TrainingLevel.choices, kinds=TrainingKind.choices, region=region,
                      can_edit=region is not None and access.can_manage_categories(self.request.user, region))
        return kwargs


catalogue = CatalogueView.as_view()


class CategoryFormView(ServiceFormView):
    form_class = CategoryForm
    permission = "training.manage_category"
    page_title = gettext_lazy("内容类别")
    success_message = gettext_lazy("内容类别已保存。")

    def get_object(self):
        if "pk" in self.kwargs:
            category = get_object_or_404(selectors.categories_visible_to(self.request.user), pk=self.kwargs["pk"])
            self.region = category.region
            return category
        self.region = selectors.catalogue_region(self.request.user)
        return None

    def permission_object(self):
        return self.region

    def build_form(self, data=None, files=None):
        return self.form_class(data=data, files=files, instance=self.object)

    def perform(self, form):
        category = selectors.categories_visible_to(self.request.user).get(pk=self.object.pk) if self.object else None
        return services.category_save(actor=self.request.user, category=category, region=self.region, **form.cleaned_data)

    def get_success_url(self, result):
        return reverse("training:catalogue")

    def get_back_url(self):
        return reverse("training:catalogue")


# --- Quotas --------------------------------------------------------------------------


QUOTA_COLUMNS = (
        Column("school", gettext_lazy("学校"), value="school.name"),
        Column("project", gettext_lazy("培训"), value="project.title"),
        Column("session", gettext_lazy("活动"), value="session.title"),
        Column("places", gettext_lazy("名额")),
        Column("named", gettext_lazy("已报")),
        Column("deadline", gettext_lazy("截止")),
        Column("submitted_at", gettext_lazy("提交时间")),
    )


class QuotaListView(ScopedListView):
    permission = "training.view_quotas"
    template_name = "training/quota_list.html"
    table_template = "training/_quota_table.html"
    page_title = gettext_lazy("培训名额")
    search_fields = ("school__name", "project__title")
    search_placeholder = gettext_lazy("学校或培训")
    export_filename = gettext_lazy("培训名额")
    columns = QUOTA_COLUMNS

    def get_queryset(self):
        return selectors.quota_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        kwargs.update(now=timezone.now(), is_bureau=scopes.scope_of(self.request.user).is_bureau)
        return kwargs


quota_list = QuotaListView.as_view()


class QuotaMissedView(ScopedListView):
    permission = "training.view_missed_quotas"
    template_name = "training/quota_missed.html"
    table_template = "training/_quota_missed_table.html"
    page_title = gettext_lazy("逾期未报名学校")
    search_fields = ("school__name", "project__title")
    search_placeholder = gettext_lazy("学校或培训")
    export_filename = gettext_lazy("逾期未报名学校")
    columns = QUOTA_COLUMNS[:6]

    def get_queryset(self):
        return selectors.quotas_missed_deadline(user=self.request.user)


quota_missed = QuotaMissedView.as_view()


class QuotaAllocateView(ServiceFormView):
    form_class = QuotaForm
    permission = "training.allocate_quota"
    page_title = gettext_lazy("分配名额")
    submit_label = gettext_lazy("分配")
    success_message = gettext_lazy("名额已分配。")

    def get_object(self):
        return get_object_or_404(access.projects_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"project": self.object, "schools": selectors.quota_target_schools(self.request.user)}

    def perform(self, form):
        return services.quota_allocate(actor=self.request.user, project=self.object, **form.cleaned_data)

    def get_success_url(self, result):
        return reverse("training:project_detail", args=[self.object.pk])

    def get_back_url(self):
        return reverse("training:project_detail", args=[self.object.pk])


def _visible_quota(request, pk) -> Quota:
    return get_object_or_404(selectors.quotas_visible_to(request.user), pk=pk)


@login_required
def quota_detail(request, pk):
    quota = _visible_quota(request, pk)
    can_name = access.can_name_on_quota(request.user, quota)
    form = NameForm(school=quota.school) if can_name else None
    if request.method == "POST":
        scopes.require(can_name, _("您没有权限访问此页面。"))
        form = NameForm(request.POST, school=quota.school)
        if form.is_valid():
            try:
                services.quota_name(actor=request.user, quota=quota, people=form.cleaned_data["people"])
            except ValidationError as exc:
                form.add_error(None, exc.messages[0] if exc.messages else str(exc))
            else:
                messages.success(request, _("已加入名单。"))
                return redirect("training:quota_detail", pk=pk)
    context = {
        "quota": quota,
        "nominations": selectors.quota_nominations(quota=quota),
        "swaps": selectors.quota_swaps(quota=quota),
        "form": form,
        "can_name": can_name,
        "past_deadline": timezone.now() > quota.deadline,
        "page_title": _("名额与参训名单"),
    }
    return render(request, "training/quota_detail.html", context, status=400 if request.method == "POST" else 200)


class QuotaActionView(ServiceActionView):
    permission = "training.name_on_quota"

    def permission_object(self):
        return self.quota

    def get_back_url(self):
        return reverse("training:quota_detail", args=[self.quota.pk])


class QuotaSubmitView(QuotaActionView):
    success_message = gettext_lazy("名单已提交教育局。")

    def get_object(self):
        self.quota = _visible_quota(self.request, self.kwargs["pk"])
        return self.quota

    def perform(self):
        return services.quota_submit(actor=self.request.user, quota=self.quota)


quota_submit = QuotaSubmitView.as_view()


class QuotaUnnameView(QuotaActionView):
    def get_object(self):
        nomination = get_object_or_404(selectors.nominations_visible_to(self.request.user), pk=self.kwargs["pk"])
        self.quota = nomination.quota
        return nomination

    def perform(self):
        return services.quota_unname(actor=self.request.user, nomination=self.object)


quota_unname = QuotaUnnameView.as_view()


class SwapCreateView(ServiceFormView):
    form_class = SwapForm
    permission = "training.name_on_quota"
    page_title = gettext_lazy("换人/退出申请")
    submit_label = gettext_lazy("提交教育局审批")
    success_message = gettext_lazy("申请已提交，等待教育局审批。")

    def get_object(self):
        return _visible_quota(self.request, self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"quota": self.object}

    def perform(self, form):
        return services.swap_request_create(actor=self.request.user, quota=self.object, **form.cleaned_data)

    def get_success_url(self, result):
        return reverse("training:quota_detail", args=[self.object.pk])

    def get_back_url(self):
        return reverse("training:quota_detail", args=[self.object.pk])


class SwapListView(ScopedListView):
    """Swap and withdrawal requests waiting for the bureau, and the user's latest decisions."""

    permission = "training.view_swaps"
    template_name = "training/swap_list.html"
    table_template = "training/_swap_cards.html"
    page_title = gettext_lazy("换人/退出审批")
    empty_message = gettext_lazy("没有待审批的申请。")

    def get_queryset(self):
        return selectors.swaps_awaiting(user=self.request.user)

    def get_context_data(self, **kwargs):
        kwargs["recent"] = selectors.swaps_decided_by(self.request.user)[:30]
        return kwargs


swap_list = SwapListView.as_view()


class SwapDecideView(ServiceActionView):
    def get_object(self):
        return get_object_or_404(selectors.swaps_awaiting(user=self.request.user), pk=self.kwargs["pk"])

    def check_permission(self):
        scopes.require(access.can_decide_swap(self.request.user, self.object), _("只有组织培训的教育局可以审批换人/退出。"))

    @property
    def approve(self) -> bool:
        return self.request.POST.get("decision") == "approve"

    def perform(self):
        return services.swap_request_decide(actor=self.request.user, swap=self.object, approve=self.approve,
                                            comment=self.request.POST.get("comment", ""))

    def get_success_message(self, result):
        return _("已批准。") if self.approve else _("已驳回。")

    def get_back_url(self):
        return reverse("training:swap_list")


swap_decide = SwapDecideView.as_view()