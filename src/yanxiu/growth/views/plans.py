"""Growth pages: the personal development plan and term goals (see growth/urls.py).

- ``growth:plan``: the teacher's own page (plan in force, its history, term goals, forms);
- ``growth:plan_write`` / ``growth:goal_write`` / ``growth:goal_outcome``: the teacher's forms;
- ``growth:plan_reviews``: the school admin's queue of plans and goals waiting;
- ``growth:plan_review`` / ``growth:goal_review``: accept or return (with a reason);
- ``growth:plan_detail``: one plan, for whoever may read the teacher's file (``growth.access``).
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

from yanxiu.core import params
from yanxiu.core.crud import ServiceActionView, ServiceFormView
from yanxiu.org import scopes
from yanxiu.org.selectors import current_school

from .. import access, calendar
from ..choices import ReviewStatus
from ..models import DevelopmentPlan, TermGoal
from ..plan_forms import GoalForm, OutcomeForm, PlanForm, ReviewForm
from .. import plan_selectors
from ..services import plans as service

#: Rows of each kind the review queue shows at once (the oldest first).
QUEUE_LIMIT = 200


def _own_person(user):
    person = getattr(user, "person", None)
    if person is None:
        raise PermissionDenied(_("只有教师本人可以填写个人发展规划和学期目标。"))
    return person


def _this_year(person) -> int:
    """The school year today falls in, by the calendar of the person's school (the default one without a school)."""
    return calendar.school_year_of(current_school(person), timezone.localdate())


def _visible_plan(user, pk: int) -> DevelopmentPlan:
    """The plan ``pk`` when ``user`` may read it (the teacher, their school, group leader, old school for plans made there)."""
    plan = DevelopmentPlan.objects.select_related("person").filter(pk=pk).first()
    if plan is not None:
        plan = plan_selectors.plans_visible_to(user, plan.person).select_related("person", "school", "reviewed_by").filter(pk=pk).first()
    if plan is None:
        raise Http404(_("没有找到该发展规划，或您无权查看。"))
    return plan


def _visible_goal(user, pk: int) -> TermGoal:
    goal = TermGoal.objects.select_related("person").filter(pk=pk).first()
    if goal is not None:
        goal = plan_selectors.goals_visible_to(user, goal.person).select_related("person", "school").filter(pk=pk).first()
    if goal is None:
        raise Http404(_("没有找到该学期目标，或您无权查看。"))
    return goal


# --- The teacher's page ---------------------------------------------------------------------


def _in_force(person, year: int) -> DevelopmentPlan | None:
    """The accepted plan covering ``year``, else the newest accepted one (a plan that has run out, or starts later)."""
    return plan_selectors.plan_in_force(person, year) or plan_selectors.plan_in_force(person)


def _plan_initial(plans: list[DevelopmentPlan], this_year: int) -> dict:
    """The form starts from the plan being revised, else from the plan in force for the next span."""
    pending = next((p for p in plans if p.status != ReviewStatus.ACCEPTED), None)
    if pending is not None:
        return {f: getattr(pending, f) for f in ("start_year", "end_year", "self_analysis", "goals", "measures")}
    in_force = next((p for p in plans if p.status == ReviewStatus.ACCEPTED), None)
    start = max(this_year, in_force.start_year + 1) if in_force else this_year
    return {"start_year": start, "end_year": start + service.PLAN_MAX_SPAN - 1}


@login_required
def plan_page(request):
    person = _own_person(request.user)
    school = current_school(person)
    this_year = calendar.school_year_of(school, timezone.localdate())
    plans = list(DevelopmentPlan.objects.filter(person=person).select_related("school").order_by("-start_year", "-id"))
    goals = list(TermGoal.objects.filter(person=person).select_related("school").order_by("-school_year", "-term"))
    in_force = _in_force(person, this_year)
    pending = next((p for p in plans if p.status != ReviewStatus.ACCEPTED), None)
    current = calendar.term_of(school, timezone.localdate())
    goal_initial = {"school_year": current.school_year, "term": current.number}
    context = {
        "page_title": _("我的发展规划"), "person": person, "school": school, "this_year": this_year,
        "in_force": in_force, "pending": pending, "plans": plans, "goals": goals, "current_term": current,
        "plan_form": PlanForm(this_year=this_year, initial=_plan_initial(plans, this_year)),
        "goal_form": GoalForm(this_year=this_year, initial=goal_initial),
        "current_goal": next((g for g in goals if (g.school_year, g.term) == (current.school_year, current.number)), None),
    }
    return render(request, "growth/plans/plan.html", context)


class _OwnFormView(ServiceFormView):
    """A form the teacher fills for themself; back to their plan page."""

    template_name = "growth/plans/form.html"

    def check(self):
        self.person = _own_person(self.request.user)
        self.this_year = _this_year(self.person)
        super().check()

    def get_form_kwargs(self):
        return {"this_year": self.this_year}

    def get_success_url(self, result):
        return reverse("growth:plan")

    def get_back_url(self):
        return reverse("growth:plan")


class PlanWriteView(_OwnFormView):
    form_class = PlanForm
    page_title = gettext_lazy("填写个人发展规划")
    submit_label = gettext_lazy("提交审核")
    success_message = gettext_lazy("发展规划已提交，等待学校审核。")

    def get_initial(self):
        plans = list(DevelopmentPlan.objects.filter(person=self.person).order_by("-start_year", "-id"))
        return _plan_initial(plans, self.this_year)

    def perform(self, form):
        return service.plan_submit(actor=self.request.user, person=self.person, **form.cleaned_data)


class GoalWriteView(_OwnFormView):
    form_class = GoalForm
    page_title = gettext_lazy("填写学期目标")
    submit_label = gettext_lazy("提交审核")
    success_message = gettext_lazy("学期目标已提交，等待学校审核。")

    def get_initial(self):
        year = params.year_param(self.request.GET, "year")
        term = {"1": 1, "2": 2}.get(self.request.GET.get("term", ""))
        if year is None or term is None:
            return {"school_year": self.this_year}
        goal = TermGoal.objects.filter(person=self.person, school_year=year, term=term).first()
        initial = {"school_year": year, "term": term}
        if goal is not None:
            initial.update(goal=goal.goal, outcome=goal.outcome)
        return initial

    def perform(self, form):
        return service.goal_submit(actor=self.request.user, person=self.person, **form.cleaned_data)


class GoalOutcomeView(_OwnFormView):
    form_class = OutcomeForm
    submit_label = gettext_lazy("保存")
    success_message = gettext_lazy("完成情况已保存。")

    def get_object(self):
        goal = TermGoal.objects.filter(person=self.person, pk=self.kwargs["pk"]).first()
        if goal is None:
            raise Http404(_("没有找到该学期目标。"))
        return goal

    def get_form_kwargs(self):
        return {}

    def get_initial(self):
        return {"outcome": self.object.outcome}

    def get_context_data(self, **kwargs):
        kwargs["page_title"] = _("填写完成情况 · %(term)s") % {"term": _term_label(self.object)}
        kwargs["goal"] = self.object
        return kwargs

    def perform(self, form):
        return service.goal_outcome(actor=self.request.user, goal=self.object, outcome=form.cleaned_data["outcome"])


def _term_label(goal: TermGoal) -> str:
    return calendar.default_term(goal.school_year, goal.term).label


# --- Reviews ----------------------------------------------------------------------------------


def _review_school(request):
    school = scopes.admin_school(request.user, request.GET.get("school"))
    scopes.require(school is not None and access.can_manage(request.user, school), _("只有学校管理员可以审核发展规划和学期目标。"))
    return school


@login_required
def plan_reviews(request):
    school = _review_school(request)
    plans, goals = plan_selectors.waiting_for_review(school)
    context = {
        "page_title": _("%(school)s · 发展规划与学期目标审核") % {"school": school.name}, "school": school,
        "plans": list(plans[:QUEUE_LIMIT]), "plan_count": plans.count(),
        "goals": list(goals[:QUEUE_LIMIT]), "goal_count": goals.count(), "limit": QUEUE_LIMIT,
        "review_form": ReviewForm(),
    }
    return render(request, "growth/plans/reviews.html", context)


class _ReviewView(ServiceActionView):
    """Accept or return with the reason typed beside the button; back to the queue (or a safe ``next``)."""

    def check_permission(self):
        scopes.require(access.can_review(self.request.user, self.object.person), _("只有教师所在学校的管理员可以审核。"))

    def review_data(self) -> tuple[bool, str]:
        form = ReviewForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(_("请选择“通过”或“退回”；审核意见不能超过 300 字。"))
        return bool(form.cleaned_data["accept"]), form.cleaned_data["reason"]

    def get_back_url(self):
        return reverse("growth:plan_reviews")


class PlanReviewView(_ReviewView):
    def get_object(self):
        return _visible_plan(self.request.user, self.kwargs["pk"])

    def perform(self):
        accept, reason = self.review_data()
        return service.plan_review(actor=self.request.user, plan=self.object, accept=accept, reason=reason)

    def get_success_message(self, result):
        done = _("已通过") if result.status == ReviewStatus.ACCEPTED else _("已退回")
        return _("%(name)s 的发展规划%(done)s。") % {"name": result.person.name, "done": done}


class GoalReviewView(_ReviewView):
    def get_object(self):
        return _visible_goal(self.request.user, self.kwargs["pk"])

    def perform(self):
        accept, reason = self.review_data()
        return service.goal_review(actor=self.request.user, goal=self.object, accept=accept, reason=reason)

    def get_success_message(self, result):
        done = _("已通过") if result.status == ReviewStatus.ACCEPTED else _("已退回")
        return _("%(name)s 的学期目标%(done)s。") % {"name": result.person.name, "done": done}


# --- One plan ---------------------------------------------------------------------------------


@login_required
def plan_detail(request, pk: int):
    plan = _visible_plan(request.user, pk)
    person = plan.person
    goals = plan_selectors.goals_visible_to(request.user, person).filter(school_year__gte=plan.start_year, school_year__lte=plan.end_year)
    relation = access.viewer_relation(request.user, person)
    context = {
        "page_title": _("%(name)s 的个人发展规划（%(start)s—%(end)s）") % {"name": person.name, "start": plan.start_year,
                                                                  "end": plan.end_year + 1},
        "plan": plan, "person": person, "goals": list(goals.select_related("school").order_by("school_year", "term")),
        "is_self": relation == access.SELF,
        "can_review": plan.status == ReviewStatus.SUBMITTED and access.can_review(request.user, person),
        "in_force": _in_force(person, _this_year(person)) == plan,
        "reviews_link": scopes.admin_school(request.user) is not None and access.can_review(request.user, person),
    }
    return render(request, "growth/plans/detail.html", context)


urls = [
    path("plan/", plan_page, name="plan"),
    path("plan/write/", PlanWriteView.as_view(), name="plan_write"),
    path("plan/goal/", GoalWriteView.as_view(), name="goal_write"),
    path("plan/goal/<int:pk>/outcome/", GoalOutcomeView.as_view(), name="goal_outcome"),
    path("plan/goal/<int:pk>/review/", GoalReviewView.as_view(), name="goal_review"),
    path("plan/reviews/", plan_reviews, name="plan_reviews"),
    path("plan/<int:pk>/", plan_detail, name="plan_detail"),
    path("plan/<int:pk>/review/", PlanReviewView.as_view(), name="plan_review"),
]
