"""Growth endpoints: the records a user may see (and a teacher filing one), progress
against the task lists, and mentor pairs with their activities.

Scoped like the pages, through the same selectors (:mod:`yanxiu.growth.selectors`,
:mod:`yanxiu.growth.mentor_selectors`) and :mod:`yanxiu.growth.access`: a teacher
sees their own file (and the observations of their lessons), a group leader their
group's current members, the school's admin and the region staff over it the
school's teachers; a school a teacher has left keeps the records made there. An id
the user may not see is a 404; a list the user may not read at all is a 403. ID
numbers are never in the output.
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from yanxiu.core.pagination import Page
from yanxiu.core.params import ID_MAX
from yanxiu.org import scopes
from yanxiu.org.models import Employment, Group, Person
from yanxiu.org.selectors import current_school

from . import access, calendar
from .choices import RecordKind, ReviewStatus
from .mentor_selectors import pair_list, pairs_visible_to
from .models import GrowthRecord, MentorActivity, SchoolTerm
from .progress import PersonProgress, person_progress, school_progress
from .selectors import records_visible_to
from .services.records import record_submit

router = Router(tags=["growth"])

YEAR_MIN, YEAR_MAX = calendar.MIN_YEAR, calendar.MAX_YEAR
TEXT_MAX = 20_000  # content and critique: long notes, not a book


# --- Scoped reads -------------------------------------------------------------


def _year_bounds(year: int) -> Q:
    """Records dated in school year ``year`` of the school they were made at.

    A school year runs from its first term's start to the day before the next
    year's first term (holidays belong to the term just ended, as in
    :func:`yanxiu.growth.calendar.term_of`); schools without their own dates
    follow the default calendar."""
    starts = {(school_id, y): start for school_id, y, start in
              SchoolTerm.objects.filter(number=1, school_year__in=[year, year + 1]).values_list("school_id", "school_year", "start")}
    default_start = calendar.default_term(year, 1).start
    default_next = calendar.default_term(year + 1, 1).start if year < YEAR_MAX else dt.date(year + 1, 9, 1)
    custom = {school_id for school_id, _y in starts}
    q = ~Q(school_id__in=custom) & Q(date__gte=default_start, date__lt=default_next)
    for school_id in custom:
        first = starts.get((school_id, year), default_start)
        following = starts.get((school_id, year + 1), default_next)
        q |= Q(school_id=school_id, date__gte=first, date__lt=following)
    return q


def _choice(value: str | None, allowed, name: str) -> str | None:
    if value in (None, ""):
        return None
    if value not in allowed:
        raise HttpError(422, _("参数 %(name)s 的取值“%(value)s”无效。") % {"name": name, "value": value[:20]})
    return value


# --- Schemas ------------------------------------------------------------------


class RecordOut(Schema):
    """One record; the teacher by name and id only (never the ID number)."""

    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    school_id: int
    school: str = Field(alias="school.name")
    kind: str
    kind_label: str
    date: dt.date
    title: str
    class_name: str
    subject: str
    observed_id: int | None
    observed_name: str
    critique: str
    level: str
    venue: str
    rank: str
    role: str
    topic_status: str
    student_award: bool
    content: str
    status: str
    status_label: str
    review_reason: str
    reviewed_at: dt.datetime | None
    credited: bool
    source: str
    created_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_observed_name(obj) -> str:
        return obj.observed.name if obj.observed_id else obj.observed_name

    @staticmethod
    def resolve_credited(obj) -> bool:
        return obj.credit_entry_id is not None


def _field(name: str):
    return GrowthRecord._meta.get_field(name)


def _text(name: str, max_length: int | None = None):
    """A text field of the record, at most its model's length, without NUL; a
    Chinese message naming the field otherwise."""
    limit = max_length or _field(name).max_length

    def check(value: Any) -> str:
        label = str(_field(name).verbose_name)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise PydanticCustomError("text", _("%(label)s须为文字。") % {"label": label})
        if "\x00" in value:
            raise PydanticCustomError("text", _("%(label)s含有不允许的字符。") % {"label": label})
        if len(value) > limit:
            raise PydanticCustomError("text", _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": limit})
        return value

    return Annotated[str, BeforeValidator(check), Field(max_length=limit)]


def _record_date(value: Any) -> Any:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str) and len(value) <= 32:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PydanticCustomError("date", _("%(label)s须为日期，如 2025-09-01。") % {"label": str(_field("date").verbose_name)})


def _person_id(label):
    def check(value: Any) -> Any:
        if value is None:
            return None
        text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if not text.isdigit() or len(text) > 20 or not 1 <= int(text) <= ID_MAX:
            raise PydanticCustomError("id", _("%(label)s须为 1 至 %(max)s 之间的编号。") % {"label": str(label), "max": ID_MAX})
        return int(text)

    return Annotated[int | None, BeforeValidator(check), Field(json_schema_extra={"minimum": 1, "maximum": ID_MAX})]


def _flag(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    raise PydanticCustomError("flag", _("%(label)s须为 true 或 false。") % {"label": str(_field("student_award").verbose_name)})


def _require_in_schema(schema: dict) -> None:
    schema["required"] = ["kind", "date", "title"]
    schema["properties"]["kind"]["enum"] = list(RecordKind.values)


TeacherId = _person_id(gettext_lazy("教师"))
ObservedId = _person_id(gettext_lazy("授课教师"))
RecordDate = Annotated[dt.date | None, BeforeValidator(_record_date)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Kind, Title, ClassName, Subject, ObservedName = (_text(n) for n in ("kind", "title", "class_name", "subject", "observed_name"))
Level, Venue, Rank, Role, TopicState = (_text(n) for n in ("level", "venue", "rank", "role", "topic_status"))
Critique, Content = _text("critique", TEXT_MAX), _text("content", TEXT_MAX)


class RecordIn(Schema):
    """A record filed by the teacher (or by the school's admin for ``person_id``).
    Which fields a kind needs: 听课 the subject and the teacher observed, lessons the
    level, articles where and the level, topics level, role and status, awards the
    competition, level and rank. Attachments are added on the record's page."""

    model_config = ConfigDict(json_schema_extra=_require_in_schema)

    person_id: TeacherId = None
    kind: Kind = ""
    date: RecordDate = None
    title: Title = ""
    class_name: ClassName = ""
    subject: Subject = ""
    observed_id: ObservedId = None
    observed_name: ObservedName = ""
    critique: Critique = ""
    level: Level = ""
    venue: Venue = ""
    rank: Rank = ""
    role: Role = ""
    topic_status: TopicState = ""
    student_award: Flag = False
    content: Content = ""


class FieldError(Schema):
    loc: list[str]
    msg: str
    type: str = "validation"


class ErrorsOut(Schema):
    detail: list[FieldError]


class ItemOut(Schema):
    kind: str
    kind_label: str
    label: str
    target: int
    done: int
    expected: int
    behind: bool
    span: str


class ProgressOut(Schema):
    """One teacher's progress in a term: done / target per item of their task list."""

    person_id: int
    name: str
    school_id: int
    tier: str
    tier_label: str
    template: str
    school_year: int
    term: int
    behind: bool
    items: list[ItemOut]


class PairOut(Schema):
    id: int
    school_id: int
    school: str = Field(alias="school.name")
    mentor_id: int
    mentor_name: str = Field(alias="mentor.name")
    apprentice_id: int
    apprentice_name: str = Field(alias="apprentice.name")
    school_year: int
    term: int | None
    subject: str
    goals: str
    ceremony_date: dt.date | None
    status: str
    status_label: str
    result: str
    activities: int = Field(alias="activity_count")
    confirmed: int = Field(alias="confirmed_count")

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class ActivityOut(Schema):
    id: int
    pair_id: int
    kind: str
    kind_label: str
    date: dt.date
    content: str
    logged_by_id: int
    logged_by_name: str = Field(alias="logged_by.name")
    confirmed: bool
    confirmed_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


# --- Records ------------------------------------------------------------------


@router.get("/records", response=list[RecordOut])
@paginate(Page)
def list_records(request, person: int | None = Query(None, ge=1, le=ID_MAX), kind: str | None = Query(None, max_length=20),
                 status: str | None = Query(None, max_length=10), year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX)):
    """Records the user may see, newest first; ``year`` is a school year (2025 = 2025—2026)."""
    records = records_visible_to(request.auth)
    if person is not None:
        records = records.filter(person_id=person)
    if kind := _choice(kind, RecordKind.values, "kind"):
        records = records.filter(kind=kind)
    if status := _choice(status, ReviewStatus.values, "status"):
        records = records.filter(status=status)
    if year is not None:
        records = records.filter(_year_bounds(year))
    return records.order_by("-date", "-id")


def _errors(exc: ValidationError) -> list[dict]:
    """Service errors as field errors, each message naming its field."""
    out = []
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
    api_names = {"observed": "observed_id", "person": "person_id"}
    for name, messages in items:
        label = ""
        if name and name != "__all__":
            try:
                label = str(_field(name).verbose_name)
            except FieldDoesNotExist:  # a name that is not a model field (attachments)
                label = ""
        for message in messages:
            text = message if not label or label in message else f"{label}：{message}"
            loc = ["body", "payload"] + ([api_names.get(name, name)] if name and name != "__all__" else [])
            out.append({"loc": loc, "msg": text, "type": "validation"})
    return out


def _observed(payload: RecordIn, person) -> dict:
    """The colleague observed, by id: someone working now at the teacher's school."""
    if payload.observed_id is None:
        return {}
    school = current_school(person)
    colleague = Person.objects.filter(
        pk=payload.observed_id, employments__in=Employment.objects.current().filter(school=school)).first() if school else None
    if colleague is None:
        raise ValidationError({"observed": _("授课教师须为本校在职教师。")})
    return {"observed": colleague, "observed_name": payload.observed_name or colleague.name}


@router.post("/records", response={201: RecordOut, 422: ErrorsOut})
def submit_record(request, payload: RecordIn):
    """File a record (no attachments here). 422 lists each bad field with a Chinese message."""
    own_id = scopes.scope_of(request.auth).person_id
    person_id = payload.person_id or own_id
    if person_id is None:
        raise HttpError(403, _("只有教师本人（或其学校管理员）可以填报成长记录。"))
    person = Person.objects.filter(pk=person_id).first() if person_id == own_id else (
        scopes.people_visible_to(request.auth).filter(pk=person_id).first())
    if person is None:
        raise HttpError(404, _("未找到该教师，或您无权查看。"))
    fields = payload.dict(exclude={"person_id", "observed_id"})
    try:
        fields.update(_observed(payload, person))
        record = record_submit(actor=request.auth, person=person, **fields)
    except ValidationError as exc:
        return Status(422, {"detail": _errors(exc)})
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("您没有权限执行此操作。")) from exc
    except ObjectDoesNotExist as exc:
        raise HttpError(404, _("未找到。")) from exc
    return Status(201, GrowthRecord.objects.select_related("person", "school", "observed").get(pk=record.pk))


# --- Progress -----------------------------------------------------------------


def _progress_out(row: PersonProgress, *, year: int, term: int) -> dict:
    return {
        "person_id": row.employment.person_id, "name": row.person.name, "school_id": row.employment.school_id,
        "tier": row.tier or "", "tier_label": row.tier_label, "template": row.template.name if row.template else "",
        "school_year": year, "term": term, "behind": row.behind,
        "items": [{"kind": i.kind, "kind_label": i.kind_label, "label": i.label,
                   "target": i.target, "done": i.done, "expected": i.expected, "behind": i.behind, "span": i.span}
                  for i in row.items],
    }


def _year_and_term(school, year: int | None, term: int | None) -> tuple[int, int]:
    """The term asked for; by default the school's current one (term 1 of another year)."""
    now = calendar.term_of(school, timezone.localdate())
    year = now.school_year if year is None else year
    if term is None:
        term = now.number if year == now.school_year else 1
    return year, term


def _progress_school(user, school_id: int | None):
    s = scopes.scope_of(user)
    if school_id is None:
        if s.admin_schools:
            return scopes.admin_school(user)
        group = Group.objects.filter(pk__in=s.led_groups).select_related("school").order_by("school__code", "pk").first()
        if group is not None:
            return group.school
        if s.region_counties or s.superuser:
            raise HttpError(422, _("请用参数 school 指定学校。"))
        raise HttpError(403, _("您没有权限查看学校的成长进度。"))
    school = scopes.schools_visible_to(user).filter(pk=school_id).first()
    if school is None:
        raise HttpError(404, _("未找到该学校，或您无权查看。"))
    return school


@router.get("/progress", response=list[ProgressOut])
@paginate(Page)
def school_progress_rows(request, school: int | None = Query(None, ge=1, le=ID_MAX), year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX),
                         term: int | None = Query(None, ge=1, le=2), group: int | None = Query(None, ge=1, le=ID_MAX)):
    """Progress of a school's teachers (the admin and region staff) or of the groups a
    leader leads (only those); ``group`` narrows to one group. Default: the current term."""
    the_school = _progress_school(request.auth, school)
    groups = access.groups_for_progress(request.auth, the_school)
    whole = access.can_read_school_progress(request.auth, the_school)
    if not whole and not groups.exists():
        raise HttpError(403, _("您没有权限查看该校的成长进度。"))
    employments = Employment.objects.current().filter(school=the_school)
    if group is not None:
        if not groups.filter(pk=group).exists():
            raise HttpError(404, _("未找到该教研组，或您无权查看。"))
        employments = employments.filter(pk__in=Employment.objects.filter(groups=group).values("pk"))
    elif not whole:
        employments = employments.filter(pk__in=Employment.objects.filter(groups__in=groups).values("pk"))
    year, term = _year_and_term(the_school, year, term)
    rows = school_progress(the_school, year=year, term=term, employments=employments)
    return [_progress_out(r, year=year, term=term) for r in rows]


@router.get("/progress/me", response=ProgressOut)
def my_progress(request, year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX), term: int | None = Query(None, ge=1, le=2)):
    """The teacher's own progress against their task list; default the current term."""
    person_id = scopes.scope_of(request.auth).person_id
    person = Person.objects.filter(pk=person_id).first() if person_id else None
    school = current_school(person) if person else None
    if school is None:
        raise HttpError(404, _("您当前没有在职学校，没有成长任务。"))
    year, term = _year_and_term(school, year, term)
    row = person_progress(person, year=year, term=term)
    if row is None:
        raise HttpError(404, _("您当前没有在职学校，没有成长任务。"))
    return _progress_out(row, year=year, term=term)


# --- Mentor pairs ---------------------------------------------------------------


@router.get("/mentor-pairs", response=list[PairOut])
@paginate(Page)
def list_pairs(request, year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX), school: int | None = Query(None, ge=1, le=ID_MAX)):
    """Mentor pairs (师徒结对) the user is a side of, or of the schools and counties they oversee."""
    pairs = pair_list(request.auth)
    if year is not None:
        pairs = pairs.filter(school_year=year)
    if school is not None:
        pairs = pairs.filter(school_id=school)
    return pairs


@router.get("/mentor-pairs/{pair_id}/activities", response=list[ActivityOut])
@paginate(Page)
def pair_activities(request, pair_id: int = Path(..., ge=1, le=ID_MAX)):
    """The pair's activities, newest first, each logged by one side and confirmed (or not yet) by the other."""
    pair = pairs_visible_to(request.auth).filter(pk=pair_id).first()
    if pair is None:
        raise HttpError(404, _("未找到该师徒结对，或您无权查看。"))
    return MentorActivity.objects.filter(pair=pair).select_related("logged_by").order_by("-date", "-id")
