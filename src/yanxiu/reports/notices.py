"""Notices (通报) of a county: who may issue and read them, the rows each kind names, the document.

Two kinds of rows, both built from the data when a notice is previewed and
frozen into :class:`~yanxiu.reports.models.OfficialNotice` when it is issued:

- **absence and leave** (缺训与请假通报) of a training (one session or a whole
  project, the bureau's or a school's) or of a calendar month: the unexcused
  absences of :func:`yanxiu.reports.measures.absences` and the leave requests
  for those sessions (all statuses), read in two queries (a third names the
  current school of people enrolled without one). A row says who, school,
  session, date, the reason (approved leave: its type and reason; pending or
  rejected leave: 请假未获批准; no leave: 无故缺训) and whether it was approved.
  Only teachers of the county are named; never an ID number or a phone.
- **commendation / criticism** (表彰 / 通报批评) of schools and groups the
  officer picks, each with its reason; :func:`school_figures` and
  :func:`group_figures` give the counts to choose from (compliance rate over
  ``compliance_rows``, absences, sessions held: :mod:`yanxiu.reports.measures`).

The scope is what the officer picked: ``{"session": id}``, ``{"project": id}``,
``{"month": "2026-10"}`` or ``{"schools": [ids], "groups": [ids], "reasons":
{"school:ID" | "group:ID": text}, "reason": text for all}``; an issued notice's
scope also keeps the nonce of the preview it was issued from (``issue_token``),
so the same preview is never issued twice.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import params
from yanxiu.credits.compliance import compliance_rows
from yanxiu.org import scopes
from yanxiu.org.models import Employment, Group, Region, School
from yanxiu.training.models import Decision, LeaveRequest, LeaveType, Project, Session

from . import measures
from .documents import Document, Paragraph, Table
from .models import DocumentSettings, OfficialNotice

Kind = OfficialNotice.Kind
ADDRESSEE = "各中小学、各学校："
#: A reason written for one commended or criticised unit.
REASON_MAX = 300
TITLE_MAX = 120
BODY_MAX = 5000
#: Units one notice may name.
UNITS_MAX = 200
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


# --- Who ---------------------------------------------------------------------------


def issuing_counties(user) -> QuerySet[Region]:
    """Counties whose notices and document settings the user handles: bureau and centre staff of the county."""
    s = scopes.scope_of(user)
    counties = Region.objects.filter(level="county").order_by("code")
    return counties if s.superuser else counties.filter(pk__in=s.region_counties)


def can_issue(user, region) -> bool:
    s = scopes.scope_of(user)
    return region is not None and (s.superuser or region.pk in s.region_counties)


def can_read_notices(user) -> bool:
    s = scopes.scope_of(user)
    return bool(s.superuser or s.region_counties or s.admin_schools)


def notices_visible_to(user) -> QuerySet[OfficialNotice]:
    """Region staff: their counties' notices; a school admin: the notices that name their school; nobody else."""
    s = scopes.scope_of(user)
    qs = OfficialNotice.objects.select_related("region")
    if s.superuser:
        return qs
    q = Q(region_id__in=s.region_counties)
    if s.admin_schools:
        counties = School.objects.filter(pk__in=s.admin_schools).values_list("county_id", flat=True)
        # A county issues a few notices a month: the rows are read, not queried as JSON (SQLite and PostgreSQL alike).
        named = [pk for pk, rows in OfficialNotice.objects.filter(region_id__in=list(counties)).values_list("pk", "rows")
                 if names_school(rows, s.admin_schools)]
        q |= Q(pk__in=named)
    return qs.filter(q)


def names_school(rows, school_ids) -> bool:
    return any(isinstance(r, dict) and r.get("school_id") in school_ids for r in rows or ())


# --- One issue per preview ----------------------------------------------------------

#: The key of ``OfficialNotice.scope`` holding the one-time token of the preview it was issued from.
ISSUE_TOKEN_KEY = "issue_token"
_ISSUE_SALT = "yanxiu.reports.notice_issue"


def new_issue_token(user, region) -> str:
    """A signed one-time token for a preview form: it names the officer and the county, and a random nonce."""
    return signing.dumps({"u": user.pk, "r": region.pk, "n": secrets.token_urlsafe(12)}, salt=_ISSUE_SALT)


def issue_nonce(token, user, region) -> str | None:
    """The nonce of ``token`` when it was signed here for this officer and county; ``None`` otherwise."""
    try:
        data = signing.loads(str(token or "")[:500], salt=_ISSUE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.pk or data.get("r") != region.pk:
        return None
    nonce = data.get("n")
    return nonce if isinstance(nonce, str) and nonce else None


def notice_issued_with(region, nonce: str) -> OfficialNotice | None:
    """The notice of ``region`` already issued from the preview whose token had ``nonce``."""
    return OfficialNotice.objects.filter(region=region, **{f"scope__{ISSUE_TOKEN_KEY}": nonce}).first()


def settings_of(region) -> DocumentSettings | None:
    return DocumentSettings.objects.filter(region=region).first()


def doc_number(prefix: str, year: int, seq: int | str) -> str:
    """溆教通〔2026〕12号."""
    return f"{prefix}〔{year}〕{seq}号"


def placeholder_number(prefix: str, year: int) -> str:
    return doc_number(prefix, year, "X")


# --- Scope -------------------------------------------------------------------------


def parse_month(text) -> tuple[int, int]:
    """``"2026-10"`` as (2026, 10); ValidationError with a Chinese message otherwise."""
    match = _MONTH.match(str(text or "").strip()[:10])
    if not match:
        raise ValidationError(_("月份须写成 年-月，如 2026-10。"))
    year, month = int(match.group(1)), int(match.group(2))
    try:
        params.check_year(year, name=_("月份"))
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if not 1 <= month <= 12:
        raise ValidationError(_("月份须在 1 至 12 之间（%(m)s）。") % {"m": text})
    return year, month


def month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, _calendar.monthrange(year, month)[1])


def _region_q(region, prefix: str = "") -> Q:
    return Q(**{f"{prefix}project__region": region}) | Q(**{f"{prefix}project__owner_school__county": region})


def region_projects(region) -> QuerySet[Project]:
    """Projects run in the county: the bureau's and its schools'."""
    return Project.objects.filter(Q(region=region) | Q(owner_school__county=region)).select_related("owner_school")


def region_schools(region) -> QuerySet[School]:
    return School.objects.filter(county=region, is_active=True).order_by("code")


def region_groups(region) -> QuerySet[Group]:
    return Group.objects.filter(school__county=region, school__is_active=True).select_related("school")


def region_sessions(region) -> QuerySet[Session]:
    """Published sessions of the county's projects."""
    return Session.objects.filter(_region_q(region), status=Session.Status.PUBLISHED)


def scope_sessions(region, scope: dict) -> tuple[QuerySet[Session], str]:
    """The sessions an absence notice covers and how the notice names them; ValidationError for a bad scope."""
    if not isinstance(scope, dict):
        raise ValidationError(_("请选择通报范围。"))
    if scope.get("session") not in (None, ""):
        pk = params.parse_id(scope["session"])
        session = region_sessions(region).filter(pk=pk).select_related("project").first() if pk else None
        if session is None:
            raise ValidationError({"session": _("培训活动不存在，或不是本县的培训。")})
        return Session.objects.filter(pk=session.pk), _("“%(title)s”培训") % {"title": session.title}
    if scope.get("project") not in (None, ""):
        pk = params.parse_id(scope["project"])
        project = region_projects(region).filter(pk=pk).first() if pk else None
        if project is None:
            raise ValidationError({"project": _("培训项目不存在，或不是本县的项目。")})
        return region_sessions(region).filter(project=project), _("“%(title)s”项目培训") % {"title": project.title}
    if scope.get("month") not in (None, ""):
        try:
            year, month = parse_month(scope["month"])
        except ValidationError as exc:
            raise ValidationError({"month": exc.messages}) from None
        start, end = month_span(year, month)
        return measures.sessions_in(start, end).filter(_region_q(region)), _("%(y)s年%(m)s月培训") % {"y": year, "m": month}
    raise ValidationError(_("请选择一次培训活动、一个培训项目或一个月份。"))


# --- Absence and leave rows --------------------------------------------------------


def _in_region(region, *, school_field: str = "school") -> Q:
    teachers = Employment.objects.current().filter(school__county=region).values("person_id")
    return Q(**{f"{school_field}__county": region}) | Q(**{f"{school_field}__isnull": True, "person_id__in": teachers})


def _local_date(value) -> str:
    return timezone.localtime(value).date().isoformat() if value else ""


def absence_rows(region, scope: dict, *, now: dt.datetime | None = None) -> list[dict]:
    """Who missed the sessions of ``scope`` or was on leave, of the county's teachers, in the order a notice lists them."""
    now = now or timezone.now()
    sessions, _label = scope_sessions(region, scope)
    ended = sessions.filter(ends_at__lt=now)
    absent = list(measures.absences(ended, now=now).filter(_in_region(region)))
    leaves = (LeaveRequest.objects.filter(session__in=ended).filter(_in_region(region))
              .select_related("person", "session", "school").order_by("created_at", "pk"))
    latest: dict[tuple[int, int], LeaveRequest] = {}
    for leave in leaves:
        key = (leave.session_id, leave.person_id)
        # An approved request stands; otherwise the latest one says why.
        if key not in latest or latest[key].status != Decision.APPROVED:
            latest[key] = leave
    absent_keys = {(e.session_id, e.person_id) for e in absent}
    without_school = {e.person_id for e in absent if e.school_id is None}
    without_school |= {lv.person_id for lv in latest.values() if lv.school_id is None}
    current = {}
    if without_school:
        current = dict(Employment.objects.current().filter(person_id__in=without_school, school__county=region)
                       .values_list("person_id", "school_id"))
        names = dict(School.objects.filter(pk__in=set(current.values())).values_list("pk", "name"))
        current = {person: (school, names.get(school, "")) for person, school in current.items()}

    def school_of(obj) -> tuple[int | None, str]:
        if obj.school_id is not None:
            return obj.school_id, obj.school.name
        return current.get(obj.person_id, (None, ""))

    rows = []
    for e in absent:
        leave = latest.get((e.session_id, e.person_id))
        if leave is not None:
            kind = LeaveType(leave.leave_type).label if leave.leave_type in LeaveType.values else leave.leave_type
            reason = _("请假未获批准（%(type)s）") % {"type": kind}
        else:
            reason = _("无故缺训")
        school_id, school_name = school_of(e)
        rows.append({"name": e.person.name, "school": school_name, "school_id": school_id, "session": e.session.title,
                     "session_id": e.session_id, "date": _local_date(e.session.starts_at), "reason": reason,
                     "approved": False})
    for (session_id, person_id), leave in latest.items():
        if leave.status != Decision.APPROVED or (session_id, person_id) in absent_keys:
            continue
        type_label = LeaveType(leave.leave_type).label if leave.leave_type in LeaveType.values else leave.leave_type
        school_id, school_name = school_of(leave)
        reason = f"{type_label}：{leave.reason.strip()}" if leave.reason.strip() else str(type_label)
        rows.append({"name": leave.person.name, "school": school_name, "school_id": school_id,
                     "session": leave.session.title, "session_id": session_id, "date": _local_date(leave.session.starts_at),
                     "reason": reason[:REASON_MAX], "approved": True})
    rows.sort(key=lambda r: (r["date"], r["session_id"], r["school"], r["approved"], r["name"]))
    return rows


# --- Commendation / criticism rows -------------------------------------------------


def _ids(values, name: str) -> list[int]:
    if values in (None, ""):
        return []
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) > UNITS_MAX:
        raise ValidationError({name: _("一次最多通报 %(n)s 个单位。") % {"n": UNITS_MAX}})
    ids = []
    for value in values:
        pk = params.parse_id(value)
        if pk is None:
            raise ValidationError({name: _("编号“%(v)s”无效。") % {"v": str(value)[:20]}})
        if pk not in ids:
            ids.append(pk)
    return ids


def unit_rows(region, scope: dict, *, require_reason: bool = True) -> list[dict]:
    """The schools and groups of ``scope``, in the county, each with its reason (its own, else the one for all);
    ``require_reason=False`` for a preview, before the reasons are written."""
    if not isinstance(scope, dict):
        raise ValidationError(_("请选择学校或教研组。"))
    school_ids, group_ids = _ids(scope.get("schools"), "schools"), _ids(scope.get("groups"), "groups")
    if not school_ids and not group_ids:
        raise ValidationError(_("请至少选择一所学校或一个教研组。"))
    schools = {s.pk: s for s in School.objects.filter(county=region, pk__in=school_ids)}
    groups = {g.pk: g for g in Group.objects.filter(school__county=region, pk__in=group_ids).select_related("school")}
    if len(schools) != len(school_ids):
        raise ValidationError({"schools": _("所选学校不存在，或不是本县的学校。")})
    if len(groups) != len(group_ids):
        raise ValidationError({"groups": _("所选教研组不存在，或不是本县学校的教研组。")})
    reasons = scope.get("reasons") if isinstance(scope.get("reasons"), dict) else {}
    common = str(scope.get("reason") or "").replace("\x00", "").strip()
    rows, problems = [], []
    units = [("school", pk, schools[pk].name, schools[pk]) for pk in school_ids]
    units += [("group", pk, groups[pk].name, groups[pk].school) for pk in group_ids]
    for number, (kind, pk, name, school) in enumerate(units, start=1):
        reason = str(reasons.get(f"{kind}:{pk}") or "").replace("\x00", "").strip() or common
        if not reason and require_reason:
            problems.append(_("第 %(n)s 行（%(name)s）：请填写事由。") % {"n": number, "name": name})
        elif len(reason) > REASON_MAX:
            problems.append(_("第 %(n)s 行（%(name)s）：事由不能超过 %(max)s 字。") % {"n": number, "name": name, "max": REASON_MAX})
        rows.append({"unit": name, "unit_kind": kind, "school": school.name, "school_id": school.pk,
                     "group_id": pk if kind == "group" else None, "reason": reason})
    if problems:
        raise ValidationError({"reason": problems})
    return rows


def rows_for(region, kind: str, scope: dict, *, now: dt.datetime | None = None) -> list[dict]:
    if kind == Kind.ABSENCE:
        return absence_rows(region, scope, now=now)
    if kind in (Kind.COMMENDATION, Kind.CRITICISM):
        return unit_rows(region, scope)
    raise ValidationError({"kind": _("请选择通报类型。")})


# --- Figures to choose units from --------------------------------------------------


@dataclass
class UnitFigures:
    pk: int
    name: str
    school: str
    teachers: int
    met: int
    rate_text: str
    sessions_held: int
    absences: int


def _rates(rows) -> tuple[int, int, str]:
    return len(rows), sum(1 for r in rows if r.status == "met"), measures.percent(measures.compliance_rate(rows))


def school_figures(region, year: int, *, now: dt.datetime | None = None) -> tuple[list[UnitFigures], list[UnitFigures]]:
    """Per school and per group of the county, school year ``year``: teachers with a compliance line, how many met it
    so far and the rate, sessions held and unexcused absences (of its teachers / at its sessions)."""
    start, end = measures.year_span(region, year)
    schools = list(School.objects.filter(county=region, is_active=True).order_by("code"))
    by_school, by_person = defaultdict(list), {}
    for row in compliance_rows(Employment.objects.filter(school__county=region), year, now=now):
        by_school[row.school_id].append(row)
        by_person[row.person_id] = row
    held = measures.held_sessions(schools, start, end, now=now)
    held_by_school = dict(held.order_by().values("project__owner_school_id").annotate(n=Count("pk"))
                          .values_list("project__owner_school_id", "n"))
    held_by_group = dict(held.filter(group__isnull=False).order_by().values("group_id").annotate(n=Count("pk"))
                         .values_list("group_id", "n"))
    year_sessions = measures.sessions_in(start, end).filter(_region_q(region))
    absences = measures.absences(year_sessions, now=now).order_by()
    absent_by_school = dict(absences.values("school_id").annotate(n=Count("pk")).values_list("school_id", "n"))
    absent_by_group = dict(absences.filter(session__group__isnull=False).values("session__group_id")
                           .annotate(n=Count("pk")).values_list("session__group_id", "n"))
    school_rows = []
    for school in schools:
        teachers, met, rate = _rates(by_school.get(school.pk, []))
        school_rows.append(UnitFigures(school.pk, school.name, school.name, teachers, met, rate,
                                       held_by_school.get(school.pk, 0), absent_by_school.get(school.pk, 0)))
    members = defaultdict(list)
    for person_id, group_id in (Employment.objects.current().filter(school__county=region, groups__isnull=False)
                                .values_list("person_id", "groups")):
        if person_id in by_person:
            members[group_id].append(by_person[person_id])
    names = {s.pk: s.name for s in schools}
    group_rows = []
    for group in Group.objects.filter(school__in=schools).order_by("school__code", "kind", "name"):
        teachers, met, rate = _rates(members.get(group.pk, []))
        group_rows.append(UnitFigures(group.pk, group.name, names.get(group.school_id, ""), teachers, met, rate,
                                      held_by_group.get(group.pk, 0), absent_by_group.get(group.pk, 0)))
    return school_rows, group_rows


# --- Drafts and the document -------------------------------------------------------


def draft_title(region, kind: str, scope: dict) -> str:
    if kind == Kind.ABSENCE:
        _sessions, label = scope_sessions(region, scope)
        return _("关于%(scope)s缺训与请假情况的通报") % {"scope": label}
    if kind == Kind.COMMENDATION:
        return _("关于表彰校本培训工作先进单位的通报")
    return _("关于对校本培训工作落实不力单位的通报批评")


def draft_body(region, kind: str, scope: dict, rows: list[dict], issuing_body: str) -> str:
    if kind == Kind.ABSENCE:
        _sessions, label = scope_sessions(region, scope)
        absent = sum(1 for r in rows if not r["approved"])
        leave = sum(1 for r in rows if r["approved"])
        unexcused = sum(1 for r in rows if not r["approved"] and r["reason"] == _("无故缺训"))
        schools = len({r["school_id"] for r in rows if not r["approved"]})
        return "\n".join([
            _("为严肃培训纪律，确保培训实效，现将%(scope)s的缺训与请假情况通报如下：") % {"scope": label},
            _("经核查考勤，缺训 %(absent)s 人次（其中无故缺训 %(unexcused)s 人次、请假未获批准 %(rejected)s 人次），涉及 %(schools)s 所学校；"
              "经批准请假 %(leave)s 人次。具体名单见下表。")
            % {"absent": absent, "unexcused": unexcused, "rejected": absent - unexcused, "schools": schools, "leave": leave},
            _("请各学校认真核实，督促缺训教师补齐学习任务；对无故缺训的教师，按有关规定处理，缺训期间不予登记学分。"
              "今后各校要严格执行请假审批制度，确保参训教师按时参训。"),
        ])
    units = "、".join(r["unit"] for r in rows[:5]) + (_("等") if len(rows) > 5 else "")
    if kind == Kind.COMMENDATION:
        return "\n".join([
            _("一年来，全县各学校认真落实校本培训工作要求，涌现出一批成绩突出的先进单位。为表彰先进、树立典型，"
              "经研究，决定对%(units)s予以通报表彰（名单及事由见下表）。") % {"units": units},
            _("希望受表彰的单位珍惜荣誉，再接再厉；各学校要以先进为榜样，扎实推进校本研修，促进教师专业成长。"),
        ])
    return "\n".join([
        _("经检查，%(units)s在校本培训工作中存在组织不力、落实不到位等问题（具体情况见下表），现予以通报批评。")
        % {"units": units},
        _("请相关单位认真反思，限期整改，并将整改情况书面报送%(body)s。各学校要引以为戒，切实抓好校本培训各项工作。")
        % {"body": issuing_body},
    ])


def table_of(kind: str, rows: list[dict]) -> Table:
    if kind == Kind.ABSENCE:
        return Table(
            [_("序号"), _("姓名"), _("学校"), _("培训活动"), _("日期"), _("情况与原因"), _("是否批准")],
            [[i, r.get("name", ""), r.get("school", ""), r.get("session", ""), r.get("date", ""), r.get("reason", ""),
              _("是") if r.get("approved") else _("否")] for i, r in enumerate(rows, start=1)],
        )
    kind_labels = {"school": _("学校"), "group": _("教研组")}
    return Table(
        [_("序号"), _("单位"), _("类别"), _("所在学校"), _("事由")],
        [[i, r.get("unit", ""), kind_labels.get(r.get("unit_kind"), ""), r.get("school", ""), r.get("reason", "")]
         for i, r in enumerate(rows, start=1)],
    )


def document(*, kind: str, issuing_body: str, number: str, title: str, body: str, date: dt.date | None,
             rows: list[dict]) -> Document:
    paragraphs = [Paragraph(line.strip()) for line in (body or "").splitlines() if line.strip()]
    return Document(title=title, blocks=[*paragraphs, table_of(kind, rows)], issuing_body=issuing_body,
                    doc_number=number, addressee=ADDRESSEE, signature=issuing_body, date=date)


def notice_document(notice: OfficialNotice) -> Document:
    """The issued notice as it was frozen: nothing is read but the notice's own fields."""
    return document(kind=notice.kind, issuing_body=notice.issuing_body, number=notice.doc_number, title=notice.title,
                    body=notice.body, date=notice.date, rows=notice.rows)
