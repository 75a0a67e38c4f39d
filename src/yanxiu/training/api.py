"""Training endpoints: the catalogue, projects, sessions (scoped to the user),
enrolment, leave and evaluations. Writes go through the same services as the
pages; errors come back as 400/403/404 with a Chinese ``detail``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import wraps

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import paginate

from yanxiu.org import scopes
from yanxiu.core.pagination import Page
from yanxiu.core.params import ID_MAX, Id

from . import access, selectors, services
from .models import Enrollment, Project, Session, TrainingKind, TrainingLevel

router = Router(tags=["training"])


def _service_errors(func):
    """Translate service exceptions into HTTP errors with a Chinese detail."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            raise HttpError(400, "；".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise HttpError(403, str(exc) or _("您没有权限执行此操作。")) from exc
        except ObjectDoesNotExist as exc:
            raise HttpError(404, _("未找到。")) from exc

    return wrapper


def _session(request, session_id: Id) -> Session:
    session = selectors.session_list(user=request.auth).filter(pk=session_id).first()
    if session is None:
        raise HttpError(404, _("未找到该培训活动，或您无权查看。"))
    return session


# --- Schemas ------------------------------------------------------------------


class Choice(Schema):
    value: str
    label: str


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    compulsory: bool
    mandated: bool
    region_id: int | None


class CatalogueOut(Schema):
    levels: list[Choice]
    kinds: list[Choice]
    categories: list[CategoryOut]


class ProjectOut(Schema):
    id: int
    title: str
    owner_school_id: int | None
    owner_school: str | None = Field(None, alias="owner_school.name")
    region_id: int
    level: str
    kind: str
    category_id: int | None
    school_year: str
    status: str
    requires_approval: bool
    review_comment: str


class ProjectIn(Schema):
    title: str
    kind: str = TrainingKind.SCHOOL_BASED
    level: str = TrainingLevel.SCHOOL
    category_id: Id | None = None
    school_year: str = ""
    description: str = ""
    owner_school_id: Id | None = None


class ReviewIn(Schema):
    approve: bool
    comment: str = ""


class SessionOut(Schema):
    id: int
    project_id: int
    title: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    place: str
    presenter: str = Field(alias="presenter_display")
    content: str
    requirements: str
    theme: str
    group_id: int | None
    hours: Decimal
    status: str
    invite_scope: str


class SessionDetailOut(SessionOut):
    missing: list[str]
    enrolled: int
    my_enrollment: str | None


class SessionIn(Schema):
    title: str
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    place: str = ""
    presenter_name: str = ""
    content: str = ""
    requirements: str = ""
    theme: str = ""
    invite_scope: str = Session.InviteScope.WHOLE_SCHOOL


class EnrollmentOut(Schema):
    id: int
    session_id: int
    person_id: int
    name: str = Field(alias="person.name")
    source: str
    status: str


class InviteIn(Schema):
    scope: str
    group_id: Id | None = None
    person_ids: list[Id] = Field(default=[], max_length=5000)


class CountOut(Schema):
    count: int


class LeaveOut(Schema):
    id: int
    session_id: int
    session: str = Field(alias="session.title")
    person_id: int
    name: str = Field(alias="person.name")
    leave_type: str
    reason: str
    status: str
    needs_bureau: bool
    school_decision: str
    bureau_decision: str
    has_attachment: bool = False
    created_at: dt.datetime

    @staticmethod
    def resolve_has_attachment(obj) -> bool:
        return bool(obj.attachment)


class LeaveIn(Schema):
    session_id: int
    leave_type: str
    reason: str


class DecisionIn(Schema):
    approve: bool
    comment: str = ""


class EvaluationIn(Schema):
    content_score: int
    presenter_score: int
    organisation_score: int
    comment: str = ""


class EvaluationSummaryOut(Schema):
    count: int
    expected: int
    content: Decimal | None
    presenter: Decimal | None
    organisation: Decimal | None
    overall: Decimal | None


class PresenterSummaryOut(Schema):
    name: str
    person_id: int | None
    sessions: int
    count: int
    presenter: Decimal | None
    content: Decimal | None


# --- Catalogue ----------------------------------------------------------------


@router.get("/catalogue", response=CatalogueOut)
def catalogue(request):
    return {
        "levels": [{"value": v, "label": str(l)} for v, l in TrainingLevel.choices],
        "kinds": [{"value": v, "label": str(l)} for v, l in TrainingKind.choices],
        "categories": list(selectors.categories_visible_to(request.auth).filter(is_active=True)),
    }


# --- Projects -----------------------------------------------------------------


@router.get("/projects", response=list[ProjectOut])
@paginate(Page)
def list_projects(request, school_year: str = "", status: str = ""):
    return selectors.project_list(user=request.auth, school_year=school_year[:9], status=status[:12])


@router.post("/projects", response={201: ProjectOut})
@_service_errors
def create_project(request, payload: ProjectIn):
    from yanxiu.org.models import School

    from .models import ContentCategory

    fields = {"title": payload.title, "kind": payload.kind, "school_year": payload.school_year,
              "description": payload.description, "level": payload.level}
    if payload.category_id is not None:
        fields["category"] = ContentCategory.objects.get(pk=payload.category_id)
    s = scopes.scope_of(request.auth)
    if payload.owner_school_id is not None:
        school = scopes.schools_visible_to(request.auth).get(pk=payload.owner_school_id)
        return Status(201, services.project_create(actor=request.auth, owner_school=school, **fields))
    if s.admin_schools and not s.bureau_counties:
        school = School.objects.get(pk=sorted(s.admin_schools)[0])
        return Status(201, services.project_create(actor=request.auth, owner_school=school, **fields))
    from yanxiu.org.models import Region

    region = Region.objects.filter(pk__in=s.bureau_counties, level="county").order_by("code").first()
    return Status(201, services.project_create(actor=request.auth, region=region, **fields))


def _project(request, project_id: Id) -> Project:
    project = access.projects_visible_to(request.auth).filter(pk=project_id).first()
    if project is None:
        raise HttpError(404, _("未找到该项目，或您无权查看。"))
    return project


@router.get("/projects/{project_id}", response=ProjectOut)
def get_project(request, project_id: Id):
    return _project(request, project_id)


@router.post("/projects/{project_id}/submit", response=ProjectOut)
@_service_errors
def submit_project(request, project_id: Id):
    return services.project_submit(actor=request.auth, project=_project(request, project_id))


@router.post("/projects/{project_id}/review", response=ProjectOut)
@_service_errors
def review_project(request, project_id: Id, payload: ReviewIn):
    project = _project(request, project_id)
    if payload.approve:
        return services.project_approve(actor=request.auth, project=project, comment=payload.comment)
    return services.project_return(actor=request.auth, project=project, comment=payload.comment)


@router.post("/projects/{project_id}/sessions", response={201: SessionOut})
@_service_errors
def create_session(request, project_id: Id, payload: SessionIn):
    project = _project(request, project_id)
    return Status(201, services.session_create(actor=request.auth, project=project, **payload.dict()))


# --- Sessions -----------------------------------------------------------------


@router.get("/sessions", response=list[SessionOut])
@paginate(Page)
def list_sessions(request, project_id: int | None = Query(None, ge=1, le=ID_MAX), status: str = "", upcoming: bool = False, mine: bool = False):
    if mine:
        person_id = scopes.scope_of(request.auth).person_id
        if person_id is None:
            return Session.objects.none()
        return selectors.my_sessions(person_id=person_id, include_past=not upcoming)
    project = _project(request, project_id) if project_id else None
    return selectors.session_list(user=request.auth, project=project, status=status[:12], upcoming=upcoming)


@router.get("/sessions/{session_id}", response=SessionDetailOut)
def get_session(request, session_id: Id):
    session = _session(request, session_id)
    person_id = scopes.scope_of(request.auth).person_id
    mine = Enrollment.objects.filter(session=session, person_id=person_id).values_list("status", flat=True).first()
    session.missing = [str(m) for m in services.missing_fixed_items(session)]
    session.enrolled = Enrollment.objects.filter(session=session, status=Enrollment.Status.ENROLLED).count()
    session.my_enrollment = mine
    return session


@router.post("/sessions/{session_id}/publish", response=SessionOut)
@_service_errors
def publish_session(request, session_id: Id):
    return services.session_publish(actor=request.auth, session=_session(request, session_id))


@router.get("/sessions/{session_id}/enrollments", response=list[EnrollmentOut])
@paginate(Page)
def list_enrollments(request, session_id: int = Path(..., ge=1, le=ID_MAX)):
    session = _session(request, session_id)
    s = scopes.scope_of(request.auth)
    if not (access.can_manage_session(request.auth, session) or s.region_counties):
        return Enrollment.objects.filter(session=session, person_id=s.person_id).select_related("person")
    return selectors.session_participants(session=session)


@router.post("/sessions/{session_id}/invite", response=CountOut)
@_service_errors
def invite(request, session_id: Id, payload: InviteIn):
    from yanxiu.org.models import Group

    session = _session(request, session_id)
    group = Group.objects.filter(pk=payload.group_id).first() if payload.group_id else None
    count = services.session_invite(actor=request.auth, session=session, scope=payload.scope, group=group,
                                    people=payload.person_ids)
    return {"count": count}


@router.post("/sessions/{session_id}/enroll", response={201: EnrollmentOut})
@_service_errors
def enroll(request, session_id: Id):
    return Status(201, services.session_self_enroll(actor=request.auth, session=_session(request, session_id)))


@router.post("/sessions/{session_id}/evaluation", response={201: EvaluationSummaryOut})
@_service_errors
def evaluate(request, session_id: Id, payload: EvaluationIn):
    session = _session(request, session_id)
    services.evaluation_submit(actor=request.auth, session=session, **payload.dict())
    return Status(201, selectors.evaluation_summary(session=session))


@router.get("/sessions/{session_id}/evaluation", response=EvaluationSummaryOut)
def evaluation_summary(request, session_id: Id):
    session = _session(request, session_id)
    s = scopes.scope_of(request.auth)
    if not (access.can_manage_session(request.auth, session) or s.region_counties or s.superuser):
        raise HttpError(403, _("只有活动管理者可以查看评价汇总。"))
    return selectors.evaluation_summary(session=session)


@router.get("/evaluations/presenters", response=list[PresenterSummaryOut])
def presenter_summary(request):
    s = scopes.scope_of(request.auth)
    if not (s.superuser or s.admin_schools or s.region_counties):
        raise HttpError(403, _("您没有权限查看评价汇总。"))
    return selectors.evaluation_by_presenter(user=request.auth)


# --- Leave --------------------------------------------------------------------


@router.get("/leave", response=list[LeaveOut])
@paginate(Page)
def list_leave(request, awaiting: bool = False):
    if awaiting:
        return selectors.leave_awaiting(user=request.auth)
    return selectors.leave_list(user=request.auth).order_by("-created_at", "-pk")


@router.post("/leave", response={201: LeaveOut})
@_service_errors
def create_leave(request, payload: LeaveIn):
    """Official or personal leave (公假、事假). Sick leave (病假) needs a note: use ``/leave/with-attachment``."""
    session = _session(request, payload.session_id)
    leave = services.leave_request_create(actor=request.auth, session=session, leave_type=payload.leave_type,
                                          reason=payload.reason)
    return Status(201, leave)


@router.post("/leave/with-attachment", response={201: LeaveOut})
@_service_errors
def create_leave_with_attachment(request, payload: Form[LeaveIn], attachment: File[UploadedFile]):
    """Any leave with its note (multipart form): a JPG, PNG, WebP photo or a PDF of at most 10 MB."""
    session = _session(request, payload.session_id)
    leave = services.leave_request_create(actor=request.auth, session=session, leave_type=payload.leave_type,
                                          reason=payload.reason, attachment=attachment)
    return Status(201, leave)


@router.post("/leave/{leave_id}/decide", response=LeaveOut)
@_service_errors
def decide_leave(request, leave_id: Id, payload: DecisionIn):
    leave = selectors.leave_list(user=request.auth).filter(pk=leave_id).first()
    if leave is None:
        raise HttpError(404, _("未找到该请假申请，或您无权查看。"))
    return services.leave_decide(actor=request.auth, leave=leave, approve=payload.approve, comment=payload.comment)


