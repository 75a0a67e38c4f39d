"""Pages of sign-in, the presenter's screen, the attendance sheet and reflections.

The scan flow: the QR code on the screen links to ``s/<session>/<token>/``.
That view checks the rotating token at once and, if valid, hands the phone a
*pass*: a value signed with :class:`~django.core.signing.TimestampSigner`
naming the session, the purpose and the phone's device cookie, valid for
:data:`PASS_MAX_AGE` seconds. The pass rides in the ``next`` URL through the
login page, so a teacher who has to log in first still signs in even though
the 15-second token has rotated meanwhile; a pass copied to another phone is
useless (different device cookie), and one older than two minutes is refused.

The other pages open sessions, reflections and people through selectors
scoped to the user (a foreign id is a 404, a seen but not permitted one a
403); their lists are ``ScopedListView`` pages.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yanxiu.org import scopes
from yanxiu.core import public_url
from yanxiu.core import downloads, params, xlsx
from yanxiu.core.crud import BulkActionView, ServiceFormView, apply_validation_error
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.training.models import Session

from . import access, exports, originality, selectors, services, tokens
from .forms import AbsenceFilterForm, CodeForm, MarkForm, ReflectionForm, ReviewForm, RuleForm
from .models import Method

DEVICE_COOKIE = "yx_device"
DEVICE_MAX_AGE = 365 * 24 * 3600
PASS_SALT = "yanxiu.attendance.views.pass"
PASS_MAX_AGE = 120


# --- Device cookie and pass -----------------------------------------------------


def device_of(request) -> tuple[str, bool]:
    """The phone's long-lived random id, and whether it must be (re)set on the response."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if 16 <= len(value) <= 40 and all(c.isalnum() or c in "-_" for c in value):
        return value, False
    return secrets.token_urlsafe(18), True


def _keep_device(response, device: str, new: bool):
    if new:
        response.set_cookie(
            DEVICE_COOKIE, device, max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def client_ip(request) -> str | None:
    if getattr(settings, "YANXIU_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def make_pass(session_id: int, purpose: str, device: str) -> str:
    return signing.TimestampSigner(salt=PASS_SALT).sign_object({"s": session_id, "p": purpose, "d": device})


def read_pass(value: str, session_id: int, device: str) -> str:
    """The purpose a pass was issued for; ValidationError when forged, expired or from another phone."""
    try:
        data = signing.TimestampSigner(salt=PASS_SALT).unsign_object(value or "", max_age=PASS_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("签到链接已超过 2 分钟，请重新扫描屏幕上的二维码。")) from None
    except signing.BadSignature:
        raise ValidationError(_("签到链接无效，请重新扫描屏幕上的二维码。")) from None
    if data.get("s") != session_id or data.get("p") not in tokens.PURPOSES:
        raise ValidationError(_("签到链接无效，请重新扫描屏幕上的二维码。"))
    if data.get("d") != device:
        raise ValidationError(_("签到链接只能在扫码的手机上使用，请用本机扫描屏幕上的二维码。"))
    return data["p"]


def _session(request, session_id: int) -> Session:
    """A session the user may reach (else 404); each page then asks its own permission (403)."""
    return get_object_or_404(
        selectors.sessions_visible_to(request.user).select_related("project", "project__owner_school"), pk=session_id
    )


def _phone_session(session_id: int) -> Session:
    # One row, no joins: a whole hall signs in within a minute.
    return get_object_or_404(selectors.phone_sessions(), pk=session_id)


def _purpose_label(purpose: str) -> str:
    return _("签退") if purpose == tokens.PURPOSE_OUT else _("签到")


# --- Teacher: scan, confirm, code ---------------------------------------------------


@require_http_methods(["GET"])
def scan(request, session_id: int, token: str | None = None):
    """Target of the QR code: check the rotating token now, then continue with a pass."""
    token = token or request.GET.get("t", "")
    session = _phone_session(session_id)
    device, new = device_of(request)
    purpose = tokens.purpose_of_token(session.pk, token)
    if purpose is None:
        # No session title here: without a valid code the address names a session the visitor may not know.
        response = render(
            request, "attendance/result.html",
            {"session": None, "ok": False, "page_title": _("二维码已过期"),
             "message": _("二维码已过期或无效（二维码每 %(period)s 秒更新一次）。请重新扫描屏幕上的二维码，或输入屏幕上的数字码。")
             % {"period": tokens.default_period()}},
            status=400,
        )
        return _keep_device(response, device, new)
    url = f"{reverse('attendance:confirm', args=[session.pk])}?p={make_pass(session.pk, purpose, device)}"
    return _keep_device(redirect(url), device, new)


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request, session_id: int):
    session = _phone_session(session_id)
    device, new = device_of(request)
    pass_value = request.POST.get("p") or request.GET.get("p", "")
    try:
        purpose = read_pass(pass_value, session.pk, device)
    except ValidationError as exc:
        response = render(request, "attendance/result.html",
                          {"session": None, "ok": False, "message": exc.messages[0], "page_title": _("签到失败")}, status=400)
        return _keep_device(response, device, new)
    if request.method == "GET":
        context = {"session": session, "purpose": purpose, "purpose_label": _purpose_label(purpose), "pass_value": pass_value,
                   "page_title": _purpose_label(purpose)}
        return _keep_device(render(request, "attendance/confirm.html", context), device, new)
    try:
        result = services.attendance_scan(actor=request.user, session=session, purpose=purpose, method=Method.QR,
                                          device=device, ip=client_ip(request), agent=request.META.get("HTTP_USER_AGENT", ""))
    except ValidationError as exc:
        context = {"session": session, "ok": False, "message": " ".join(exc.messages),
                   "page_title": _("%(action)s失败") % {"action": _purpose_label(purpose)}}
        return _keep_device(_result_response(request, context, status=400), device, new)
    context = {"session": session, "ok": True, "changed": result.created, "message": result.message,
               "attendance": result.attendance, "page_title": _purpose_label(purpose)}
    return _keep_device(_result_response(request, context), device, new)


def _result_response(request, context: dict, status: int = 200) -> HttpResponse:
    """The outcome of a sign-in: a fragment for the htmx button on the phone, else a full page."""
    if request.headers.get("HX-Request") == "true":
        # Rendered without the request: the fragment needs no menu or CSRF token,
        # which keeps the peak of a 2,000-teacher burst cheap.
        # Always 200: htmx swaps only successful responses, and a refusal is a message to show.
        return HttpResponse(render_to_string("attendance/_result.html", context))
    return render(request, "attendance/result.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def code_entry(request):
    """For phones whose camera fails: pick one of today's sessions and type the code on the screen."""
    sessions = list(selectors.todays_sessions_for(request.user))
    device, new = device_of(request)
    form = CodeForm(request.POST or None, sessions=sessions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            session = _phone_session(form.cleaned_data["session"])
            try:
                result = services.attendance_sign_by_code(
                    actor=request.user, session=session, code=form.cleaned_data["code"], device=device, ip=client_ip(request),
                    agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                context = {"session": session, "ok": True, "changed": result.created, "message": result.message,
                           "attendance": result.attendance, "page_title": _("签到")}
                return _keep_device(render(request, "attendance/result.html", context), device, new)
        status = 400
    context = {"form": form, "sessions": sessions, "page_title": _("输入数字码签到")}
    return _keep_device(render(request, "attendance/code_entry.html", context, status=status), device, new)


class MyAttendanceView(ScopedListView):
    """The teacher's sessions with attendance and reflection, newest first (paged)."""

    template_name = "attendance/my.html"
    table_template = "attendance/_my_table.html"
    page_title = gettext_lazy("我的考勤与反思")

    def get_queryset(self):
        return selectors.my_attendance(self.request.user)


my_attendance = MyAttendanceView.as_view()


# --- Presenter's screen -------------------------------------------------------------


def _screen_context(request, session: Session, purpose: str) -> dict:
    import segno

    issued = tokens.issue(session.pk, purpose)
    url = public_url.absolute_url(reverse("attendance:scan", args=[session.pk, issued.token]), request)
    qr = segno.make(url, error="m")
    return {
        "unreachable_url": public_url.is_loopback(url),
        "session": session,
        "purpose": purpose,
        "purpose_label": _purpose_label(purpose),
        "qr_svg": qr.svg_inline(scale=8, border=2, omitsize=True),
        "code": issued.code,
        "scan_url": url,
        "period": issued.period,
        # Fetch the next code just after this window ends, so what is on the
        # screen is never more than a second stale; the "every" trigger only
        # matters as a retry when a request fails.
        "refresh_in": round(issued.seconds_left + 0.3, 1),
        "signed_in": selectors.signed_in_count(session),
        "signed_out": selectors.signed_out_count(session),
        "enrolled": selectors.enrolled_count(session),
        "now": timezone.localtime(),
    }


def _screen_session(request, session_id: int) -> tuple[Session, str]:
    session = _session(request, session_id)
    if not request.user.has_perm("attendance.run_screen", session):
        raise PermissionDenied(_("只有本次活动的主讲人或管理员可以打开签到屏。"))
    purpose = request.GET.get("purpose", tokens.PURPOSE_IN)
    return session, purpose if purpose in tokens.PURPOSES else tokens.PURPOSE_IN


@login_required
def screen(request, session_id: int):
    session, purpose = _screen_session(request, session_id)
    context = _screen_context(request, session, purpose)
    context["page_title"] = _("%(title)s · %(action)s") % {"title": session.title, "action": context["purpose_label"]}
    return render(request, "attendance/screen.html", context)


@login_required
def screen_live(request, session_id: int):
    session, purpose = _screen_session(request, session_id)
    response = render(request, "attendance/_screen_live.html", _screen_context(request, session, purpose))
    response["Cache-Control"] = "no-store"
    return response


# --- Admin: sessions, sheet, marking, export ---------------------------------------


class SessionListView(ScopedListView):
    """The sessions whose sign-in the user runs, each with the links the user may open."""

    permission = "attendance.view_session_list"
    template_name = "attendance/session_list.html"
    table_template = "attendance/_session_table.html"
    page_title = gettext_lazy("考勤管理")
    search_fields = ("title", "place")
    search_placeholder = gettext_lazy("活动或地点")
    export_filename = gettext_lazy("培训活动")
    columns = (
        Column("title", gettext_lazy("活动")),
        Column("project", gettext_lazy("培训项目"), value="project.title"),
        Column("school", gettext_lazy("学校"), value="project.owner_school.name"),
        Column("starts_at", gettext_lazy("开始时间")),
        Column("ends_at", gettext_lazy("结束时间")),
        Column("place", gettext_lazy("地点")),
        Column("status", gettext_lazy("状态"), value="get_status_display"),
    )

    def check_permission(self):
        # Admins, group leaders and presenters have this page in their menu even before their first session.
        scopes.require(self.request.user.has_perm(self.permission), _("您没有可管理考勤的培训活动。"))

    def get_queryset(self):
        return selectors.run_session_list(self.request.user)

    def paginate(self, qs):
        page = super().paginate(qs)
        page.object_list = list(page.object_list)
        for session in page.object_list:
            session.links = access.links_for(self.request.user, session)
        return page


session_list = SessionListView.as_view()


@login_required
def sheet(request, session_id: int):
    session = _session(request, session_id)
    if not request.user.has_perm("attendance.view_sheet", session):
        raise PermissionDenied(_("您没有权限查看本次活动的考勤。"))
    rows = selectors.attendance_sheet(user=request.user, session=session)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    context = {
        "session": session,
        "rows": rows,
        "counts": sorted(counts.items()),
        "flags": selectors.device_flags(session),
        "address_flags": [row.name for row in rows if row.address_flagged],
        "rule": services.rule_for(session),
        "mark_choices": services.mark_choices(),
        "links": access.links_for(request.user, session),
        "page_title": _("考勤表 · %(title)s") % {"title": session.title},
    }
    return render(request, "attendance/sheet.html", context)


@login_required
def export(request, session_id: int):
    session = _session(request, session_id)
    if not request.user.has_perm("attendance.manage_session", session):
        raise PermissionDenied(_("您没有权限导出本次活动的考勤。"))
    rows = selectors.attendance_sheet(user=request.user, session=session)
    return downloads.download(exports.sheet_workbook(session, rows), content_type=xlsx.CONTENT_TYPE,
                              name=exports.sheet_filename(session), fallback=f"signin-{session.pk}.xlsx")


class MarkView(ServiceFormView):
    form_class = MarkForm
    permission = "attendance.manage_session"
    submit_label = gettext_lazy("登记")

    def get_object(self):
        session = _session(self.request, self.kwargs["session_id"])
        self.person = get_object_or_404(selectors.people_on_sheet(session=session), pk=self.kwargs["person_id"])
        return session

    def get_context_data(self, **kwargs):
        kwargs["page_title"] = _("登记考勤：%(name)s · %(title)s") % {"name": self.person.name, "title": self.object.title}
        return kwargs

    def perform(self, form):
        return services.attendance_mark(actor=self.request.user, session=self.object, person=self.person,
                                        status=form.cleaned_data["status"], reason=form.cleaned_data["reason"])

    def get_success_url(self, result):
        return reverse("attendance:sheet", args=[self.object.pk])

    def get_back_url(self):
        return reverse("attendance:sheet", args=[self.object.pk])

    success_message = gettext_lazy("考勤已登记。")


class BulkMarkView(BulkActionView):
    """The same attendance and reason for the ticked people of the sheet (all or none)."""

    def get_queryset(self):
        self.session = _session(self.request, self.kwargs["session_id"])
        return selectors.people_on_sheet(session=self.session)

    def check_permission(self):
        if not self.request.user.has_perm("attendance.manage_session", self.session):
            raise PermissionDenied(_("您没有权限登记本次活动的考勤。"))

    def perform(self):
        return services.attendance_mark_many(actor=self.request.user, session=self.session, people=self.objects,
                                             status=self.request.POST.get("status", ""), reason=self.request.POST.get("reason", ""))

    def get_success_message(self, result):
        return _("已为 %(n)d 人登记考勤。") % {"n": len(result)}

    def get_back_url(self):
        return reverse("attendance:sheet", args=[self.kwargs["session_id"]])


class RuleView(ServiceFormView):
    form_class = RuleForm
    permission = "attendance.manage_session"
    page_title = gettext_lazy("笔记与反思字数要求")
    success_message = gettext_lazy("已保存。")

    def get_object(self):
        return _session(self.request, self.kwargs["session_id"])

    def get_form_kwargs(self):
        return {"instance": services.rule_for(self.object)}

    def perform(self, form):
        return services.reflection_rule_set(actor=self.request.user, session=self.object,
                                            min_reflection_chars=form.cleaned_data["min_reflection_chars"],
                                            min_notes_chars=form.cleaned_data["min_notes_chars"])

    def get_success_url(self, result):
        return reverse("attendance:sheet", args=[self.object.pk])

    def get_back_url(self):
        return reverse("attendance:sheet", args=[self.object.pk])


# --- Notes and reflections -------------------------------------------------------------


class ReflectionSubmitView(ServiceFormView):
    form_class = ReflectionForm
    template_name = "attendance/reflection_form.html"
    submit_label = gettext_lazy("提交")
    success_message = gettext_lazy("笔记与反思已提交，等待审阅。")

    def get_object(self):
        self.session = _session(self.request, self.kwargs["session_id"])
        standing = selectors.my_reflection_standing(user=self.request.user, session=self.session)
        self.existing = standing.existing
        if not (standing.expected or self.existing or access.can_view_sheet(self.request.user, self.session)):
            # Not on this session: not even its title is shown.
            raise Http404(_("未找到该培训活动，或您无权查看。"))
        return self.session

    def get_initial(self):
        if self.existing:
            return {"notes": self.existing.notes, "body": self.existing.body}
        return {}

    def get_context_data(self, **kwargs):
        kwargs.update(session=self.session, existing=self.existing, rule=services.rule_for(self.session),
                      page_title=_("笔记与反思 · %(title)s") % {"title": self.session.title})
        return kwargs

    def perform(self, form):
        return services.reflection_submit(actor=self.request.user, session=self.session,
                                          notes=form.cleaned_data["notes"], body=form.cleaned_data["body"])

    def get_success_url(self, result):
        return reverse("attendance:my")

    def get_back_url(self):
        return reverse("attendance:my")


class ReflectionListView(ScopedListView):
    """The session's reflections to review (paged); a POST accepts the ticked ones at once."""

    http_method_names = ["get", "post", "head", "options"]
    template_name = "attendance/reflection_list.html"
    table_template = "attendance/_reflection_table.html"
    search_fields = ("person__name",)
    search_placeholder = gettext_lazy("姓名")
    error = ""

    def check_permission(self):
        self.session = _session(self.request, self.kwargs["session_id"])
        if not self.request.user.has_perm("attendance.review_reflections", self.session):
            raise PermissionDenied(_("您没有权限审阅本次活动的反思。"))

    def get_queryset(self):
        return selectors.reflections_for_review(user=self.request.user, session=self.session)

    def get_context_data(self, **kwargs):
        kwargs.update(session=self.session, error=self.error, links=access.links_for(self.request.user, self.session),
                      page_title=_("笔记与反思 · %(title)s") % {"title": self.session.title})
        return kwargs

    def post(self, request, *args, **kwargs):
        self.check_permission()
        try:
            ids = params.selected_ids(request.POST, max_items=services.BULK_REVIEW_MAX)
            accepted = services.reflections_accept(actor=request.user, reflection_ids=ids,
                                                   flags_seen=request.POST.get("flags_seen") == "1")
        except (ValidationError, PermissionDenied) as exc:
            self.error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            response = self.get(request, *args, **kwargs)
            response.status_code = 403 if isinstance(exc, PermissionDenied) else 400
            return response
        messages.success(request, _("已通过 %(n)s 份反思。") % {"n": len(accepted)})
        return redirect("attendance:reflections", self.session.pk)


reflection_list = ReflectionListView.as_view()


@login_required
@require_http_methods(["GET", "POST"])
def reflection_review(request, reflection_id: int):
    reflection = get_object_or_404(selectors.reflections_visible_to(request.user), pk=reflection_id)
    session = reflection.session
    if not request.user.has_perm("attendance.review_reflections", session):
        raise PermissionDenied(_("您没有权限审阅这份反思。"))
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reflection_review(actor=request.user, reflection=reflection,
                                       accept=form.cleaned_data["decision"] == "accept", comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("审阅结果已保存。"))
            return redirect("attendance:reflections", session.pk)
    matches = []
    for flag in reflection.similarity_flags.select_related("other", "other__person", "other__session"):
        cmp = originality.compare(reflection.plain_text, flag.other.plain_text)
        visible = access.can_see_author(request.user, flag.other.person_id)
        matches.append({
            "flag": flag,
            "percent": round(flag.containment * 100),
            "author": flag.other.person.name if visible else _("另一位教师"),
            "other_session": flag.other.session.title if visible else "",
            "mine_html": originality.highlight(reflection.plain_text, cmp.spans_new),
            "other_html": originality.highlight(flag.other.plain_text, cmp.spans_other),
        })
    context = {"reflection": reflection, "session": session, "form": form, "matches": matches,
               "page_title": _("审阅反思 · %(name)s") % {"name": reflection.person.name}}
    return render(request, "attendance/reflection_review.html", context, status=400 if request.method == "POST" else 200)


class AbsenceListView(ScopedListView):
    """Unexcused absences (缺训) for notices, with an xlsx download of every row in the range."""

    permission = "attendance.view_absences"
    template_name = "attendance/absences.html"
    table_template = "attendance/_absence_table.html"
    page_title = gettext_lazy("缺训名单")
    filters = AbsenceFilterForm
    search_fields = ("person__name", "session__title")
    search_placeholder = gettext_lazy("姓名或活动")
    export_filename = gettext_lazy("缺训名单")
    export_param = "format"

    def get_queryset(self):
        self.start, self.end = AbsenceFilterForm(self.request.GET or None).range()
        return selectors.absences_visible_to(self.request.user, start=self.start, end=self.end)

    def filter_queryset(self, qs, data):
        return qs  # the dates already went to the selector

    def export_response(self, rows_qs):
        count = rows_qs.count()
        if count > self.max_export_rows:
            return self.export_refused(count)
        return exports.absence_workbook_response(rows_qs, start=self.start, end=self.end)

    def get_context_data(self, **kwargs):
        kwargs.update(form=kwargs["filter_form"], start=self.start, end=self.end)
        return kwargs


absences = AbsenceListView.as_view()