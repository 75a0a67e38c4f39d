"""Pages of questionnaires: the list, creating, the builder, preview, publishing, answering, results, export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yanxiu.core import downloads, jobs, params, xlsx
from yanxiu.core.crud import ServiceActionView, ServiceFormView, apply_validation_error
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.org import scopes
from yanxiu.org.models import Region
from yanxiu.training import access as training_access

from . import exports, tasks
from . import questionnaires as logic
from .forms import QuestionForm, QuestionnaireCreateForm, QuestionnaireSettingsForm
from .models import Purpose, Question, Questionnaire
from .services import questionnaires as services

PAGE_DENIED = gettext_lazy("您没有权限访问此页面。")


def _managed(request, pk) -> Questionnaire:
    """A questionnaire the user may see (else 404) and manage (else 403)."""
    q = get_object_or_404(logic.questionnaires_visible_to(request.user), pk=pk)
    if not logic.can_manage(request.user, q):
        raise PermissionDenied(_("您没有权限管理该问卷。"))
    return q


def _readable(request, pk) -> Questionnaire:
    q = get_object_or_404(logic.questionnaires_visible_to(request.user), pk=pk)
    if not logic.can_read_results(request.user, q):
        raise PermissionDenied(_("您没有权限查看该问卷的结果。"))
    return q


def _owner_choice(request):
    """(school, county) a new questionnaire is for: a school admin's school (?school=), else region staff's county."""
    s = scopes.scope_of(request.user)
    wanted = request.GET.get("school") or request.POST.get("school")
    if s.admin_schools or (s.superuser and wanted):
        school = scopes.admin_school(request.user, wanted)
        if school is not None:
            return school, None
    county_id = params.parse_id(request.GET.get("county") or request.POST.get("county"))
    counties = Region.objects.filter(level="county")
    if not s.superuser:
        counties = counties.filter(pk__in=s.region_counties)
    county = counties.filter(pk=county_id).first() if county_id else counties.order_by("code").first()
    if county is not None:
        return None, county
    raise PermissionDenied(_("您没有可以发起问卷的学校或区县。"))


# --- List ------------------------------------------------------------------------------


class QuestionnaireListView(ScopedListView):
    """The questionnaires of the user's schools, counties and sessions."""

    template_name = "needs/q/list.html"
    page_title = gettext_lazy("问卷")
    empty_message = gettext_lazy("还没有问卷。")
    search_fields = ["title", "school__name", "county__name"]
    columns = [
        Column("title", gettext_lazy("问卷"), link=lambda q: reverse("needs:questionnaire", args=[q.pk])),
        Column("purpose", gettext_lazy("用途"), value="get_purpose_display"),
        Column("owner", gettext_lazy("发起单位"), value="owner_name"),
        Column("closes_on", gettext_lazy("截止日期"), value=lambda q: q.closes_on.strftime("%Y-%m-%d"), sortable="closes_on"),
        Column("status", gettext_lazy("状态"), value="state_label"),
        Column("answered", gettext_lazy("已填写"), classes="text-end", sortable=True),
    ]

    def check_permission(self):
        s = scopes.scope_of(self.request.user)
        scopes.require(bool(s.superuser or s.admin_schools or s.region_counties or s.led_groups), PAGE_DENIED)

    def get_queryset(self):
        return logic.questionnaires_visible_to(self.request.user).order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        s = scopes.scope_of(self.request.user)
        from .selectors import surveys_visible_to

        return {**kwargs, "can_create": bool(s.superuser or s.admin_schools or s.region_counties),
                "has_legacy": surveys_visible_to(self.request.user).exists()}


# --- Creating ----------------------------------------------------------------------------


class QuestionnaireCreateView(ServiceFormView):
    form_class = QuestionnaireCreateForm
    page_title = gettext_lazy("新建问卷")
    submit_label = gettext_lazy("下一步：编辑题目")

    def get_object(self):
        self.school, self.county = _owner_choice(self.request)
        return None

    def get_initial(self):
        purpose = self.request.GET.get("purpose")
        return {"purpose": purpose if purpose in (Purpose.NEEDS, Purpose.OTHER) else Purpose.NEEDS}

    def get_context_data(self, **kwargs):
        kwargs["page_title"] = _("新建问卷：%(owner)s") % {"owner": (self.school or self.county).name}
        return kwargs

    def perform(self, form):
        return services.questionnaire_create(actor=self.request.user, purpose=form.cleaned_data["purpose"],
                                             title=form.cleaned_data["title"], school=self.school, county=self.county)

    def get_success_url(self, result):
        return reverse("needs:questionnaire", args=[result.pk])

    def get_back_url(self):
        return reverse("needs:list")


@login_required
@require_POST
def session_evaluation_create(request, session_id):
    """The session page's button: the session's evaluation questionnaire from the default (or the existing one)."""
    session = get_object_or_404(training_access.sessions_visible_to(request.user), pk=session_id)
    if not training_access.can_manage_session(request.user, session):
        raise PermissionDenied(_("您没有权限为该活动设计评价问卷。"))
    existing = logic.session_questionnaire(session)
    if existing is not None:
        return redirect("needs:questionnaire", existing.pk)
    try:
        q = services.questionnaire_create(actor=request.user, purpose=Purpose.EVALUATION, session=session)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("training:session_detail", session.pk)
    return redirect("needs:questionnaire", q.pk)


# --- Builder ------------------------------------------------------------------------------


def _builder_context(request, q, **extra):
    return {"q": q, "questions": logic.questions_of(q), "problems": services.publish_problems(q),
            "question_form": extra.pop("question_form", None) or QuestionForm(initial={"kind": "single", "required": True}),
            "page_title": q.title, **extra}


@login_required
def questionnaire_detail(request, pk):
    """A draft: the builder (for its managers); else the results."""
    q = get_object_or_404(logic.questionnaires_visible_to(request.user), pk=pk)
    if q.is_draft and logic.can_manage(request.user, q):
        return render(request, "needs/q/builder.html", _builder_context(request, q))
    if not logic.can_read_results(request.user, q):
        raise PermissionDenied(_("您没有权限查看该问卷的结果。"))
    if q.is_draft:
        return render(request, "needs/q/preview.html", _preview_context(q, back=reverse("needs:list")))
    return results(request, q)


def _questions_partial(request, q):
    return render(request, "needs/q/_questions.html", _builder_context(request, q))


class QuestionnaireSettingsView(ServiceFormView):
    form_class = QuestionnaireSettingsForm
    page_title = gettext_lazy("问卷设置")
    submit_label = gettext_lazy("保存")

    def get_object(self):
        q = _managed(self.request, self.kwargs["pk"])
        if not q.is_draft:
            raise PermissionDenied(_("问卷已发布，设置不能再修改。"))
        return q

    def get_form_kwargs(self):
        return {"questionnaire": self.object}

    def get_initial(self):
        return QuestionnaireSettingsForm.initial_for(self.object)

    def perform(self, form):
        data = dict(form.cleaned_data)
        data.setdefault("audience", self.object.audience)
        data.setdefault("groups", [])
        return services.questionnaire_update(actor=self.request.user, questionnaire=self.object, **data)

    def get_success_url(self, result):
        return reverse("needs:questionnaire", args=[result.pk])

    def get_back_url(self):
        return reverse("needs:questionnaire", args=[self.object.pk])


def _question_of(q, question_pk) -> Question:
    return get_object_or_404(q.questions.all(), pk=question_pk)


@login_required
def question_add(request, pk):
    q = _managed(request, pk)
    if request.method != "POST":
        return redirect("needs:questionnaire", q.pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_save(actor=request.user, questionnaire=q, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已添加题目。"))
            return redirect(reverse("needs:questionnaire", args=[q.pk]) + "#questions")
    return render(request, "needs/q/builder.html", _builder_context(request, q, question_form=form), status=400)


class QuestionEditView(ServiceFormView):
    form_class = QuestionForm
    template_name = "needs/q/question_form.html"
    page_title = gettext_lazy("修改题目")

    def get_object(self):
        self.questionnaire = _managed(self.request, self.kwargs["pk"])
        return _question_of(self.questionnaire, self.kwargs["question_pk"])

    def get_initial(self):
        return QuestionForm.initial_for(self.object)

    def perform(self, form):
        return services.question_save(actor=self.request.user, questionnaire=self.questionnaire, question=self.object,
                                      **form.cleaned_data)

    def get_success_url(self, result):
        return reverse("needs:questionnaire", args=[self.questionnaire.pk]) + "#questions"

    def get_back_url(self):
        return reverse("needs:questionnaire", args=[self.questionnaire.pk])


def _question_action(request, pk, question_pk, call):
    q = _managed(request, pk)
    question = _question_of(q, question_pk)
    try:
        call(q, question)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    if request.headers.get("HX-Request"):
        return _questions_partial(request, q)
    return redirect(reverse("needs:questionnaire", args=[q.pk]) + "#questions")


@login_required
@require_POST
def question_delete(request, pk, question_pk):
    return _question_action(request, pk, question_pk,
                            lambda q, question: services.question_delete(actor=request.user, question=question))


@login_required
@require_POST
def question_move(request, pk, question_pk):
    direction = request.POST.get("direction", "")
    return _question_action(request, pk, question_pk,
                            lambda q, question: services.question_move(actor=request.user, question=question, direction=direction))


def _preview_context(q, *, back, **extra):
    questions = logic.questions_of(q)
    _attach(questions, {}, {})
    return {"q": q, "questions": questions, "preview": True, "back_url": back, "is_open": True, "page_title": q.title, **extra}


@login_required
def questionnaire_preview(request, pk):
    """The questionnaire exactly as a respondent sees it, without a working submit button."""
    q = get_object_or_404(logic.questionnaires_visible_to(request.user), pk=pk)
    if not logic.can_read_results(request.user, q):
        raise PermissionDenied(_("您没有权限查看该问卷。"))
    return render(request, "needs/q/preview.html", _preview_context(q, back=reverse("needs:questionnaire", args=[q.pk])))


class _QuestionnaireAction(ServiceActionView):
    def get_object(self):
        return get_object_or_404(logic.questionnaires_visible_to(self.request.user), pk=self.kwargs["pk"])

    def check_permission(self):
        if not logic.can_manage(self.request.user, self.object):
            raise PermissionDenied(_("您没有权限管理该问卷。"))

    def get_back_url(self):
        return reverse("needs:questionnaire", args=[self.object.pk])


class PublishView(_QuestionnaireAction):
    success_message = gettext_lazy("问卷已发布，填写对象可以在“我的培训”中填写。")

    def perform(self):
        return services.questionnaire_publish(actor=self.request.user, questionnaire=self.object)


class CloseView(_QuestionnaireAction):
    success_message = gettext_lazy("问卷已结束。")

    def perform(self):
        return services.questionnaire_close(actor=self.request.user, questionnaire=self.object)


class RemindView(_QuestionnaireAction):
    def perform(self):
        return services.questionnaire_remind(actor=self.request.user, questionnaire=self.object)

    def get_success_message(self, result):
        return _("已提醒 %(n)s 位尚未填写的教师。") % {"n": len(result)}


# --- Results ----------------------------------------------------------------------------


#: Names of those who have not answered shown on the results page (the count is always the full one).
MISSING_SHOWN = 1000


def results(request, q):
    can_manage = logic.can_manage(request.user, q)
    rows = logic.results(q)
    rates = logic.response_rates(q)
    missing = list(logic.not_answered(q).values_list("name", flat=True)[:MISSING_SHOWN]) if can_manage else []
    view = request.GET.get("view")
    # The count comes from the rates (everyone asked who has not answered), not from the names shown.
    context = {"q": q, "results": rows, "rates": rates, "missing": missing, "can_manage": can_manage,
               "missing_count": rates.total.asked - rates.total.answered, "texts_shown": logic.TEXTS_SHOWN,
               "responses": q.responses.count(), "table_view": view == "table", "page_title": q.title}
    return render(request, "needs/q/results.html", context)


@login_required
def questionnaire_export(request, pk):
    q = _readable(request, pk)
    if q.is_draft:
        raise Http404(_("草稿问卷没有答卷。"))
    if q.responses.count() > jobs.inline_rows():
        job = jobs.start(user=request.user, kind="needs.questionnaire_export", task=tasks.questionnaire_export,
                         label=_("导出问卷答卷：%(title)s") % {"title": q.title},
                         return_url=reverse("needs:questionnaire", args=[q.pk]), questionnaire_id=q.pk)
        return redirect(job)
    return downloads.download(exports.workbook_bytes(q), name=exports.filename(q), content_type=xlsx.CONTENT_TYPE,
                              fallback=f"questionnaire-{q.pk}.xlsx")


# --- Answering ----------------------------------------------------------------------------


def _respondent_questionnaire(request, pk) -> Questionnaire:
    person_id = scopes.scope_of(request.user).person_id
    return get_object_or_404(logic.questionnaires_for_person(person_id), pk=pk)


def _attach(questions, values: dict, errors: dict) -> None:
    """Each question carries the value the form shows and its error (templates cannot look up by id)."""
    for question in questions:
        value = values.get(question.pk)
        question.value = (value or []) if question.kind == "multiple" else ("" if value is None else str(value))
        question.error = " ".join(errors.get(f"q{question.pk}", []))


@login_required
def answer(request, pk):
    """A teacher answers (or changes their answer); a closed questionnaire shows why it cannot be answered."""
    q = _respondent_questionnaire(request, pk)
    person_id = scopes.scope_of(request.user).person_id
    questions = logic.questions_of(q)
    errors: dict = {}
    status = 200
    if request.method == "POST":
        raw = {f"q{question.pk}": request.POST.getlist(f"q{question.pk}") for question in questions}
        try:
            services.questionnaire_respond(actor=request.user, questionnaire=q, answers=raw)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            values = {question.pk: raw[f"q{question.pk}"] if question.kind == "multiple" else next(iter(raw[f"q{question.pk}"]), "")
                      for question in questions}
            status = 400
        else:
            messages.success(request, _("已提交，谢谢！问卷截止前可以修改。"))
            return redirect("needs:mine")
    else:
        values = logic.own_answers(q, person_id)
    answered = logic.own_response(q, person_id) is not None
    _attach(questions, values, errors)
    context = {"q": q, "questions": questions, "values": values, "errors": errors, "preview": False,
               "general_errors": errors.get("__all__", []), "answered": answered, "is_open": q.is_open(),
               "back_url": reverse("needs:mine"), "page_title": q.title}
    return render(request, "needs/q/answer.html", context, status=status)


@login_required
def my_questionnaires(request):
    """The teacher's questionnaires: open ones to answer or change, and the closed ones they were asked."""
    person_id = scopes.scope_of(request.user).person_id
    scopes.require(person_id is not None, _("您的账号未关联教师档案。"))
    open_rows = logic.open_questionnaires_for(person_id)
    open_ids = {q.pk for q in open_rows}
    past = [q for q in logic.questionnaires_for_person(person_id).order_by("-closes_on", "-pk")[:50] if q.pk not in open_ids]
    return render(request, "needs/q/mine.html", {"open": open_rows, "past": past, "page_title": _("我的问卷")})
