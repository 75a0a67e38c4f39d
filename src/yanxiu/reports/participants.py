"""The participant list (上报名单) of national, provincial and city programmes.

A bureau project above the county (国培/省培/市培) gives places to schools
(:class:`~yanxiu.training.models.Quota`); each school names people on its quota
(:class:`~yanxiu.training.models.Nomination`) and the bureau hands the list to
the provincial training centre in its template: 姓名, 性别, 身份证号, 学段, 学科,
学历, 职称, 学校, 手机, 岗位 (seed 003 §二.1: lists reach the province late and
with blanks, so here they are checked before they can leave).

Each row is the person and their current employment. A row is refused, with the
reason per field, when:

- the ID number is wrong (``org.services.validate_person_fields``: length,
  check digit, birth date, region code), or the gender or birth date on file
  contradicts it;
- the phone is missing or not 11 digits starting with 1;
- 学段, 学科, 学历, 职称 or 岗位 is empty or not one of the known values
  (职称 "未评" is a real answer: a teacher not yet graded; only an empty or
  unknown title is refused);
- the person is no longer employed at the quota's school (left, or moved);
- in a project's list, the same person is named on two quotas.

A quota's list may be exported only once the school has submitted it and every
row is valid. Fewer names than places is allowed, with a warning (the places
left are lost, not wrong). A project's list holds the submitted quotas; those
not yet submitted are named in a warning and left out.

Who reads them (:func:`quotas_visible_to`): the school admin their own
school's quotas, region staff (bureau and training centre) every quota of a
project of their county.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.org import idnumber, scopes
from yanxiu.org.choices import Education, Position, Stage, Title
from yanxiu.org.models import Employment, Person, mask_id_number, mask_phone
from yanxiu.org.services import validate_person_fields
from yanxiu.training.models import Nomination, Project, Quota, TrainingLevel

#: Levels whose lists go to an upper-level training centre.
UPPER_LEVELS = (TrainingLevel.NATIONAL, TrainingLevel.PROVINCIAL, TrainingLevel.CITY)

#: The columns of the list, in the order of the provincial template: (key, label).
COLUMNS = (
    ("name", gettext_lazy("姓名")),
    ("gender", gettext_lazy("性别")),
    ("id_number", gettext_lazy("身份证号")),
    ("stage", gettext_lazy("学段")),
    ("subject", gettext_lazy("学科")),
    ("education", gettext_lazy("学历")),
    ("title", gettext_lazy("职称")),
    ("school", gettext_lazy("学校")),
    ("phone", gettext_lazy("手机")),
    ("position", gettext_lazy("岗位")),
)


def column_labels() -> list[str]:
    return [str(label) for _key, label in COLUMNS]


# --- Who sees which quota -------------------------------------------------------------


def quotas_visible_to(user) -> QuerySet[Quota]:
    """Quotas of upper-level bureau projects the user may read the list of."""
    s = scopes.scope_of(user)
    qs = Quota.objects.filter(project__owner_school__isnull=True, project__level__in=UPPER_LEVELS)
    if not s.superuser:
        if not (s.region_counties or s.admin_schools):
            return Quota.objects.none()
        qs = qs.filter(Q(project__region_id__in=s.region_counties) | Q(school_id__in=s.admin_schools))
    return qs.select_related("project", "project__region", "session", "school", "school__county").annotate(
        named=Count("nominations", filter=Q(nominations__is_active=True), distinct=True)
    )


def projects_visible_to(user) -> QuerySet[Project]:
    """Upper-level bureau projects whose whole list (every school's quota) the user reads: region staff only."""
    s = scopes.scope_of(user)
    qs = Project.objects.filter(owner_school__isnull=True, level__in=UPPER_LEVELS)
    if s.superuser:
        return qs.select_related("region")
    if not s.region_counties:
        return Project.objects.none()
    return qs.filter(region_id__in=s.region_counties).select_related("region")


def can_read_lists(user) -> bool:
    s = scopes.scope_of(user)
    return bool(s.superuser or s.region_counties or s.admin_schools)


def can_read_project_lists(user) -> bool:
    s = scopes.scope_of(user)
    return bool(s.superuser or s.region_counties)


# --- Rows -------------------------------------------------------------------------------


@dataclass
class Problem:
    field: str  # a key of COLUMNS
    message: str

    @property
    def label(self) -> str:
        return str(dict(COLUMNS).get(self.field, self.field))


@dataclass
class ParticipantRow:
    number: int  # 1-based, as the page and the file number them
    quota: Quota
    person: Person
    employment: Employment | None  # the current one, wherever it is
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def employed_here(self) -> bool:
        return self.employment is not None and self.employment.school_id == self.quota.school_id

    def values(self, *, full: bool) -> list[str]:
        """The row in COLUMNS order; ID number and phone in full only when ``full``."""
        p, e = self.person, self.employment if self.employed_here else None
        return [
            p.name,
            p.get_gender_display() if p.gender else "",
            p.id_number if full else mask_id_number(p.id_number),
            _label(Stage, e.stage) if e else "",
            e.subject if e else "",
            _label(Education, e.education) if e else "",
            _label(Title, e.title) if e else "",
            self.quota.school.name,
            p.phone if full else mask_phone(p.phone),
            _label(Position, e.position) if e else "",
        ]


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _check_choice(problems: list[Problem], key: str, choices, value: str, *, missing: str, unknown: str) -> None:
    if not value:
        problems.append(Problem(key, missing))
    elif value not in choices.values:
        problems.append(Problem(key, unknown % {"value": value}))


def _id_number_reason(id_number: str) -> str:
    """Why ``id_number`` is refused, by the kind of error only.

    The messages of :func:`yanxiu.org.idnumber.parse` quote the number or its
    birth digits; a list page must never show them, so the reason is rebuilt
    from the error's code.
    """
    try:
        idnumber.parse(id_number)
    except ValidationError as exc:
        code = exc.code
    else:  # pragma: no cover - only called for a refused number
        code = None
    reasons = {
        "required": _("缺少身份证号。"),
        "numeric": _("身份证号被 Excel 存成了数字，末几位已丢失，请重新填写原始号码。"),
        "scientific": _("身份证号是科学计数法，末几位已丢失，请重新填写原始号码。"),
        "legacy": _("身份证号是 15 位旧号码，请改填 18 位号码。"),
        "length": _("身份证号应为 18 位。"),
        "format": _("身份证号只能由数字和末位的 X 组成。"),
        "checksum": _("身份证号校验位不正确。"),
        "birth_date": _("身份证号中的出生日期不正确。"),
        "place": _("身份证号前 6 位不是已知的行政区划代码。"),
    }
    return reasons.get(code, _("身份证号不正确。"))


def check_row(row: ParticipantRow) -> list[Problem]:
    """What is missing or wrong in ``row``, each with its field and a Chinese reason."""
    problems: list[Problem] = []
    p = row.person
    if not p.name.strip():
        problems.append(Problem("name", _("缺少姓名。")))
    _info, errors = validate_person_fields(id_number=p.id_number, gender=p.gender or None, birth_date=p.birth_date,
                                           phone=p.phone)
    if "id_number" in errors:
        problems.append(Problem("id_number", _id_number_reason(p.id_number)))
    if "gender" in errors:
        problems.append(Problem("gender", _("性别与身份证号不符。")))
    if "birth_date" in errors:
        problems.append(Problem("id_number", _("登记的出生日期与身份证号不符。")))
    if not p.gender:
        problems.append(Problem("gender", _("缺少性别。")))
    if not p.phone:
        problems.append(Problem("phone", _("缺少手机号。")))
    elif "phone" in errors:
        problems.append(Problem("phone", errors["phone"]))
    if row.employment is None:
        problems.append(Problem("school", _("已不在任何学校任职，不能上报。")))
        return problems
    if not row.employed_here:
        problems.append(Problem("school", _("已不在本校任职（已调离），请换人。")))
        return problems
    e = row.employment
    _check_choice(problems, "stage", Stage, e.stage, missing=_("缺少学段。"), unknown=_("学段“%(value)s”不是规定的选项。"))
    if not e.subject.strip():
        problems.append(Problem("subject", _("缺少任教学科。")))
    _check_choice(problems, "education", Education, e.education, missing=_("缺少最高学历。"),
                  unknown=_("学历“%(value)s”不是规定的选项。"))
    _check_choice(problems, "title", Title, e.title, missing=_("缺少职称（未评定的请选“未评”）。"),
                  unknown=_("职称“%(value)s”不是规定的选项。"))
    _check_choice(problems, "position", Position, e.position, missing=_("缺少岗位。"),
                  unknown=_("岗位“%(value)s”不是规定的选项。"))
    return problems


def participant_rows(quotas) -> list[ParticipantRow]:
    """The active names on ``quotas`` (in quota, then naming order), each checked; a fixed number of queries."""
    quotas = {q.pk: q for q in quotas}
    if not quotas:
        return []
    nominations = list(
        Nomination.objects.filter(quota_id__in=list(quotas), is_active=True).select_related("person").order_by("quota_id", "id")
    )
    person_ids = {n.person_id for n in nominations}
    current: dict[int, Employment] = {}
    ids = sorted(person_ids)
    for start in range(0, len(ids), 500):
        for employment in Employment.objects.current().filter(person_id__in=ids[start : start + 500]):
            current[employment.person_id] = employment
    order = {pk: index for index, pk in enumerate(quotas)}
    nominations.sort(key=lambda n: (order[n.quota_id], n.pk))
    rows: list[ParticipantRow] = []
    seen: dict[int, int] = {}
    for number, nomination in enumerate(nominations, start=1):
        row = ParticipantRow(number=number, quota=quotas[nomination.quota_id], person=nomination.person,
                             employment=current.get(nomination.person_id))
        row.problems = check_row(row)
        if nomination.person_id in seen:
            row.problems.append(Problem("name", _("与第 %(first)d 行是同一人，同一项目只能上报一次。") % {"first": seen[nomination.person_id]}))
        else:
            seen[nomination.person_id] = number
        rows.append(row)
    return rows


# --- A list and its state ----------------------------------------------------------------

READY, TO_FIX, NOT_SUBMITTED = "ready", "to_fix", "not_submitted"


@dataclass
class QuotaState:
    quota: Quota
    named: int
    to_fix: int

    @property
    def code(self) -> str:
        if not self.quota.is_submitted:
            return NOT_SUBMITTED
        return TO_FIX if self.to_fix else READY

    @property
    def label(self) -> str:
        if self.code == NOT_SUBMITTED:
            return _("未提交")
        if self.code == TO_FIX:
            return _("%(n)d 行待修正") % {"n": self.to_fix}
        return _("可导出")

    @property
    def short(self) -> int:
        """Places left unnamed."""
        return max(0, self.quota.places - self.named)


def quota_states(quotas) -> list[QuotaState]:
    """Each quota with how many names it has and how many of them must be fixed."""
    quotas = list(quotas)
    rows = participant_rows(quotas)
    named = Counter(r.quota.pk for r in rows)
    bad = Counter(r.quota.pk for r in rows if not r.ok)
    return [QuotaState(quota=q, named=named[q.pk], to_fix=bad[q.pk]) for q in quotas]


@dataclass
class ParticipantList:
    """What the page shows and the export writes: the rows, what blocks the export, what only warns."""

    title: str
    quotas: list[Quota]
    rows: list[ParticipantRow]
    blockers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_to_fix(self) -> list[ParticipantRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def exportable(self) -> bool:
        return not self.blockers

    @property
    def schools(self):
        return {q.school_id: q.school for q in self.quotas}.values()


def _quota_title(quota: Quota) -> str:
    return f"{quota.project.title} · {quota.session.title}" if quota.session_id else quota.project.title


def _short_warning(quota: Quota, named: int) -> str | None:
    if named >= quota.places:
        return None
    return _("%(school)s：名额 %(places)d 个，只报了 %(named)d 人；可以导出，空余名额不会上报。") % {
        "school": quota.school.name, "places": quota.places, "named": named}


def quota_list(quota: Quota) -> ParticipantList:
    """The list of one quota; blocked until submitted and while a row is wrong."""
    rows = participant_rows([quota])
    result = ParticipantList(title=_quota_title(quota), quotas=[quota], rows=rows)
    if not quota.is_submitted:
        result.blockers.append(_("学校尚未提交名单，提交后才能导出。"))
    if result.rows_to_fix:
        result.blockers.append(_("有 %(n)d 行信息不完整或有误，修正后才能导出。") % {"n": len(result.rows_to_fix)})
    if not rows:
        result.blockers.append(_("名单为空。"))
    warning = _short_warning(quota, len(rows))
    if warning and rows:
        result.warnings.append(warning)
    return result


def project_list(project: Project, quotas) -> ParticipantList:
    """The list of a project over ``quotas`` (already scoped): submitted quotas only, every row valid."""
    quotas = list(quotas)
    submitted = [q for q in quotas if q.is_submitted]
    rows = participant_rows(submitted)
    result = ParticipantList(title=project.title, quotas=submitted, rows=rows)
    pending = [q for q in quotas if not q.is_submitted]
    if pending:
        names = "、".join(sorted({q.school.name for q in pending}))
        result.warnings.append(_("以下学校尚未提交名单，未列入：%(schools)s。") % {"schools": names})
    named = Counter(r.quota.pk for r in rows)
    for q in submitted:
        warning = _short_warning(q, named[q.pk])
        if warning:
            result.warnings.append(warning)
    if result.rows_to_fix:
        result.blockers.append(_("有 %(n)d 行信息不完整或有误，修正后才能导出。") % {"n": len(result.rows_to_fix)})
    if not rows:
        result.blockers.append(_("还没有已提交的名单。"))
    return result


def may_export_full(user, participant_list: ParticipantList) -> bool:
    """Full ID numbers and phones: only when the user may export them for every school on the list."""
    schools = list(participant_list.schools)
    return bool(schools) and all(scopes.can_export_full_personal_data(user, s) for s in schools)


def list_links(user, quota) -> dict[str, str]:
    """The participant-list pages of ``quota`` the user may open ("" where none), for the training pages'
    links (a reports template tag, since training does not import reports)."""
    from django.urls import reverse

    links = {"quota": "", "project": ""}
    if quota.project.owner_school_id is not None or quota.project.level not in UPPER_LEVELS:
        return links
    if quotas_visible_to(user).filter(pk=quota.pk).exists():
        links["quota"] = reverse("reports:quota_participants", args=[quota.pk])
    if projects_visible_to(user).filter(pk=quota.project_id).exists():
        links["project"] = reverse("reports:project_participants", args=[quota.project_id])
    return links
