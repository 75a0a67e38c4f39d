"""Attendance endpoints: sign-in by token or code, my attendance, the session
sheet and manual marking for admins, reflections submit and review."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from yanxiu.core.params import Id
from yanxiu.org.models import Person
from yanxiu.training.models import Session

from . import selectors, services, tokens
from .models import Method, Reflection
from .views import client_ip, device_of

router = Router(tags=["attendance"])


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _session(session_id: Id) -> Session:
    return get_object_or_404(Session.objects.select_related("project", "project__owner_school"), pk=session_id)


class SigninIn(Schema):
    session_id: Id
    token: str = Field("", max_length=200)
    code: str = Field("", max_length=12)


class AttendanceOut(Schema):
    session_id: int
    person_id: int
    status: str
    status_label: str
    signed_in_at: dt.datetime | None
    signed_out_at: dt.datetime | None
    is_late: bool
    left_early: bool
    device_flagged: bool


class SigninOut(Schema):
    changed: bool
    message: str
    attendance: AttendanceOut


class MyRow(Schema):
    session_id: int
    title: str
    starts_at: dt.datetime | None
    status: str
    signed_in_at: dt.datetime | None
    signed_out_at: dt.datetime | None
    reflection_status: str | None


class SheetRowOut(Schema):
    person_id: int
    name: str
    school: str
    groups: str
    phone: str
    status: str
    signed_in_at: dt.datetime | None
    signed_out_at: dt.datetime | None
    device_flagged: bool
    address_flagged: bool


class MarkIn(Schema):
    person_id: Id
    status: str
    reason: str


class ReflectionIn(Schema):
    notes: str = ""
    body: str


class ReflectionOut(Schema):
    id: int
    session_id: int
    person_id: int
    status: str
    revision: int
    review_comment: str
    similar_count: int


class ReviewIn(Schema):
    accept: bool
    comment: str = ""


def _reflection_out(r: Reflection) -> dict:
    return {"id": r.pk, "session_id": r.session_id, "person_id": r.person_id, "status": r.status, "revision": r.revision,
            "review_comment": r.review_comment, "similar_count": r.similarity_flags.count()}


@router.post("/signin", response={200: SigninOut, 400: dict})
def signin(request, payload: SigninIn):
    """Sign in or out with the QR token (its purpose is in the token) or the 6-digit code."""
    session = _session(payload.session_id)
    device, _unused = device_of(request)
    ip = client_ip(request)
    agent = request.META.get("HTTP_USER_AGENT", "")
    try:
        if payload.token:
            purpose = tokens.purpose_of_token(session.pk, payload.token)
            if purpose is None:
                raise ValidationError(_("二维码已过期或无效，请重新扫码。"))
            result = services.attendance_scan(actor=request.auth, session=session, purpose=purpose, method=Method.QR,
                                              device=device, ip=ip, agent=agent)
        elif payload.code:
            result = services.attendance_sign_by_code(actor=request.auth, session=session, code=payload.code, device=device, ip=ip,
                                                      agent=agent)
        else:
            raise ValidationError(_("请提供二维码令牌或 6 位数字码。"))
    except ValidationError as exc:
        return Status(400, {"detail": _errors(exc)})
    a = result.attendance
    return Status(200, {"changed": result.created, "message": result.message, "attendance": {**_att(a)}})


def _att(a) -> dict:
    return {"session_id": a.session_id, "person_id": a.person_id, "status": a.status, "status_label": a.status_label,
            "signed_in_at": a.signed_in_at, "signed_out_at": a.signed_out_at, "is_late": a.is_late,
            "left_early": a.left_early, "device_flagged": a.device_flagged}


@router.get("/my", response=list[MyRow])
def my(request):
    return [
        {"session_id": r["session"].pk, "title": r["session"].title, "starts_at": r["session"].starts_at, "status": r["status"],
         "signed_in_at": r["attendance"].signed_in_at if r["attendance"] else None,
         "signed_out_at": r["attendance"].signed_out_at if r["attendance"] else None,
         "reflection_status": r["reflection"].status if r["reflection"] else None}
        for r in selectors.my_attendance(request.auth)
    ]


@router.get("/sessions/{session_id}/attendance", response=list[SheetRowOut])
def session_attendance(request, session_id: Id):
    session = _session(session_id)
    if not request.auth.has_perm("attendance.manage_session", session):
        raise HttpError(403, _("您没有权限查看本次活动的考勤。"))
    return [
        {"person_id": r.person_id, "name": r.name, "school": r.school, "groups": r.groups, "phone": r.phone, "status": r.status,
         "signed_in_at": r.attendance.signed_in_at if r.attendance else None,
         "signed_out_at": r.attendance.signed_out_at if r.attendance else None,
         "device_flagged": r.flagged, "address_flagged": r.address_flagged}
        for r in selectors.attendance_sheet(user=request.auth, session=session)
    ]


@router.post("/sessions/{session_id}/mark", response={200: AttendanceOut, 400: dict, 403: dict})
def mark(request, session_id: Id, payload: MarkIn):
    session = _session(session_id)
    person = get_object_or_404(Person, pk=payload.person_id)
    try:
        a = services.attendance_mark(actor=request.auth, session=session, person=person, status=payload.status, reason=payload.reason)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except ValidationError as exc:
        return Status(400, {"detail": _errors(exc)})
    return Status(200, _att(a))


@router.post("/sessions/{session_id}/reflection", response={200: ReflectionOut, 400: dict})
def reflection_submit(request, session_id: Id, payload: ReflectionIn):
    session = _session(session_id)
    try:
        r = services.reflection_submit(actor=request.auth, session=session, notes=payload.notes, body=payload.body)
    except ValidationError as exc:
        return Status(400, {"detail": _errors(exc)})
    return Status(200, _reflection_out(r))


@router.get("/sessions/{session_id}/reflections", response=list[ReflectionOut])
def reflection_list(request, session_id: Id):
    session = _session(session_id)
    if not request.auth.has_perm("attendance.review_reflections", session):
        raise HttpError(403, _("您没有权限审阅本次活动的反思。"))
    return [_reflection_out(r) for r in selectors.reflections_for_review(user=request.auth, session=session)]


@router.post("/reflections/{reflection_id}/review", response={200: ReflectionOut, 400: dict, 403: dict})
def reflection_review(request, reflection_id: Id, payload: ReviewIn):
    reflection = get_object_or_404(Reflection.objects.select_related("session", "session__project"), pk=reflection_id)
    try:
        r = services.reflection_review(actor=request.auth, reflection=reflection, accept=payload.accept, comment=payload.comment)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except ValidationError as exc:
        return Status(400, {"detail": _errors(exc)})
    return Status(200, _reflection_out(r))
