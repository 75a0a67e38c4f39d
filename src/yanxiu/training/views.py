"""Training pages. Thin: permissions via ``rules``/access, reads via selectors,
writes via services (create/edit screens through ServiceFormView)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yanxiu.org import scopes
from yanxiu.core import params, uploads
from yanxiu.core import downloads
from yanxiu.core.crud import ServiceFormView, run_service
from yanxiu.org.models import Region, School

from . import access, ics, selectors, services
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


@login_required
@require_POST
def calendar_reset(request):
    services.calendar_feed_reset(actor=request.user)
    messages.success(request, _("已生成新的订阅地址，旧地址已失效。"))
    return redirect("training:my")


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
        "summary": selectors.evaluation_summary(session=session) if (can_manage or s.region_counties) else None,
        "page_title": session.title,
    }
    if can_manage or s.region_counties:
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


@login_required
@require_POST
def session_publish(request, pk):
    session = _visible_session(request, pk)
    run_service(request, lambda: services.session_publish(actor=request.user, session=session), success=_("活动通知已发布。"))
    return redirect("training:session_detail", pk=pk)


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


@login_required
@require_POST
def session_enroll(request, pk):
    session = _visible_session(request, pk)
    run_service(request, lambda: services.session_self_enroll(actor=request.user, session=session), success=_("报名成功。"))
    return redirect("training:session_detail", pk=pk)


@login_required
@require_POST
def enrollment_withdraw(request, pk):
    enrollment = get_object_or_404(selectors.enrollments_visible_to(request.user), pk=pk)
    run_service(request, lambda: services.enrollment_withdraw(actor=request.user, enrollment=enrollment))
    return redirect("training:session_detail", pk=enrollment.session_id)


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


@login_required
def leave_list(request):
    s = scopes.scope_of(request.user)
    scopes.require(s.superuser or s.admin_schools or s.bureau_counties, _("您没有权限访问此页面。"))
    context = {
        "awaiting": selectors.leave_awaiting(user=request.user),
        "recent": selectors.leave_decided(user=request.user)[:50],
        "form": DecisionForm(),
        "page_title": _("请假审批"),
    }
    return render(request, "training/leave_list.html", context)


@login_required
@require_POST
def leave_decide(request, pk):
    leave = get_object_or_404(selectors.leave_list(user=request.user), pk=pk)
    approve = request.POST.get("decision") == "approve"
    run_service(request, lambda: services.leave_decide(actor=request.user, leave=leave, approve=approve, comment=request.POST.get("comment", "")), success=_("已批准。") if approve else _("已驳回。"))
    return redirect("training:leave_list")


@login_required
@require_POST
def leave_cancel(request, pk):
    leave = get_object_or_404(selectors.my_leave_requests(user=request.user), pk=pk)
    run_service(request, lambda: services.leave_cancel(actor=request.user, leave=leave))
    return redirect("training:my")


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


@login_required
def evaluations(request):
    s = scopes.scope_of(request.user)
    # A group leader reads the evaluations of the sessions they run.
    scopes.require(s.superuser or s.admin_schools or s.region_counties or s.led_groups, _("您没有权限访问此页面。"))
    context = {
        "by_session": selectors.evaluation_by_session(user=request.user)[:200],
        "by_presenter": selectors.evaluation_by_presenter(user=request.user),
        "page_title": _("培训评价汇总"),
    }
    return render(request, "training/evaluations.html", context)


# --- Projects ------------------------------------------------------------------------


@login_required
def project_list(request):
    s = scopes.scope_of(request.user)
    # Group leaders see their school's projects, to add their group's sessions.
    scopes.require(s.superuser or s.admin_schools or s.region_counties or s.led_groups, _("您没有权限访问此页面。"))
    year = params.school_year_param(request.GET, default="")
    qs = selectors.project_list(user=request.user, school_year=year, status=request.GET.get("status", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "statuses": Project.Status.choices,
        "school": _admin_school(request),
        "bureau_region": _bureau_region(request),
        "page_title": _("培训项目"),
    }
    return render(request, "training/project_list.html", context)


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


@login_required
@require_POST
def project_submit(request, pk):
    project = get_object_or_404(access.projects_visible_to(request.user), pk=pk)
    run_service(request, lambda: services.project_submit(actor=request.user, project=project), success=_("已提交研训中心审核。"))
    return redirect("training:project_detail", pk=pk)


class ProjectReviewView(ServiceFormView):
    form_class = ReviewForm
    template_name = "training/project_review.html"
    permission = "training.review_project"
    page_title = gettext_lazy("审核学校项目")
    submit_label = gettext_lazy("提交审核结论")

    def get_object(self):
        return get_object_or_404(access.projects_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        kwargs["sessions"] = self.object.sessions.all()
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


@login_required
def review_list(request):
    s = scopes.scope_of(request.user)
    scopes.require(s.superuser or s.centre_counties, _("您没有权限访问此页面。"))
    recent = selectors.projects_reviewed_by(request.user)[:30]
    return render(request, "training/review_list.html", {
        "projects": selectors.projects_awaiting_review(user=request.user), "recent": recent, "page_title": _("项目审核"),
    })


# --- Plans and schedule --------------------------------------------------------------


@login_required
def plan_list(request):
    s = scopes.scope_of(request.user)
    # Group leaders read their school's plan, to fit their group's sessions into it.
    scopes.require(s.superuser or s.admin_schools or s.region_counties or s.led_groups, _("您没有权限访问此页面。"))
    plans = selectors.plans_visible_to(request.user).order_by("-school_year", "school__code")
    return render(request, "training/plan_list.html", {
        "plans": plans, "school": _admin_school(request), "page_title": _("年度研修计划"),
    })


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


@login_required
def catalogue(request):
    region = selectors.catalogue_region(request.user)
    context = {
        "levels": TrainingLevel.choices,
        "kinds": TrainingKind.choices,
        "categories": selectors.categories_visible_to(request.user).order_by("region_id", "sort_order", "code"),
        "region": region,
        "can_edit": region is not None and access.can_manage_categories(request.user, region),
        "page_title": _("培训目录"),
    }
    return render(request, "training/catalogue.html", context)


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


@login_required
def quota_list(request):
    s = scopes.scope_of(request.user)
    scopes.require(s.superuser or s.admin_schools or s.bureau_counties, _("您没有权限访问此页面。"))
    qs = selectors.quotas_visible_to(request.user).order_by("-deadline", "school__code")
    return render(request, "training/quota_list.html", {
        "quotas": qs[:300], "now": timezone.now(), "is_bureau": s.is_bureau, "page_title": _("培训名额"),
    })


@login_required
def quota_missed(request):
    s = scopes.scope_of(request.user)
    scopes.require(s.superuser or s.bureau_counties, _("您没有权限访问此页面。"))
    return render(request, "training/quota_missed.html", {
        "quotas": selectors.quotas_missed_deadline(user=request.user), "page_title": _("逾期未报名学校"),
    })


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


@login_required
@require_POST
def quota_submit(request, pk):
    quota = _visible_quota(request, pk)
    run_service(request, lambda: services.quota_submit(actor=request.user, quota=quota), success=_("名单已提交教育局。"))
    return redirect("training:quota_detail", pk=pk)


@login_required
@require_POST
def quota_unname(request, pk):
    nomination = get_object_or_404(selectors.nominations_visible_to(request.user), pk=pk)
    run_service(request, lambda: services.quota_unname(actor=request.user, nomination=nomination))
    return redirect("training:quota_detail", pk=nomination.quota_id)


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


@login_required
def swap_list(request):
    s = scopes.scope_of(request.user)
    scopes.require(s.superuser or s.bureau_counties, _("您没有权限访问此页面。"))
    recent = selectors.swaps_decided_by(request.user)[:30]
    return render(request, "training/swap_list.html", {
        "swaps": selectors.swaps_awaiting(user=request.user), "recent": recent, "page_title": _("换人/退出审批"),
    })


@login_required
@require_POST
def swap_decide(request, pk):
    swap = get_object_or_404(selectors.swaps_awaiting(user=request.user), pk=pk)
    approve = request.POST.get("decision") == "approve"
    run_service(request, lambda: services.swap_request_decide(actor=request.user, swap=swap, approve=approve, comment=request.POST.get("comment", "")), success=_("已批准。") if approve else _("已驳回。"))
    return redirect("training:swap_list")
