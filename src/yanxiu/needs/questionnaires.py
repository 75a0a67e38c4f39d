"""Reads of questionnaires: who may manage or read one, who is asked, who has answered, the tallies.

Anonymity (see models.py): results, exports and pages read answers from
``Response``/``Answer`` without the person, and who has answered from
``Respondent`` without the answers; for an anonymous questionnaire nothing
here joins the two. The response rate per school and group is computed from
``Respondent`` and the audience, never from the answers.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.attendance.models import Attendance
from yanxiu.org import scopes
from yanxiu.org.models import Employment, Group, Person, School
from yanxiu.training import access as training_access

from .models import Answer, Audience, Option, Question, QuestionKind, Questionnaire, Respondent, Response


# --- Who may do what ----------------------------------------------------------


def can_manage(user, questionnaire: Questionnaire) -> bool:
    """Build, publish, close, remind: the owner school's admins (and the bureau of its county), the county's
    bureau and centre for a county questionnaire, and whoever manages the session an evaluation belongs to."""
    s = scopes.scope_of(user)
    if s.superuser:
        return True
    if questionnaire.school_id is not None and scopes.can_manage_school(user, questionnaire.school):
        return True
    if questionnaire.county_id is not None and questionnaire.county_id in s.region_counties:
        return True
    return questionnaire.session_id is not None and training_access.can_manage_session(user, questionnaire.session)


def can_read_results(user, questionnaire: Questionnaire) -> bool:
    """Managers, and region staff of the owner's county (read-only)."""
    return can_manage(user, questionnaire) or questionnaire.owner_county_id in scopes.scope_of(user).region_counties


def can_create_for_school(user, school) -> bool:
    return scopes.can_manage_school(user, school)


def can_create_for_county(user, county) -> bool:
    s = scopes.scope_of(user)
    return s.superuser or county.pk in s.region_counties


def questionnaires_visible_to(user) -> QuerySet[Questionnaire]:
    """What a manager or reader lists: their schools', their counties' (and their schools'), their sessions'."""
    s = scopes.scope_of(user)
    qs = Questionnaire.objects.select_related("school", "county", "session__project").annotate(
        answered=Count("respondents", distinct=True))
    if s.superuser:
        return qs
    q = Q(school_id__in=s.admin_schools) | Q(school__county_id__in=s.region_counties) | Q(county_id__in=s.region_counties)
    if s.led_groups:
        q |= Q(session__group_id__in=s.led_groups)
    if s.bureau_counties:
        q |= Q(session__project__region_id__in=s.bureau_counties, session__project__owner_school__isnull=True)
    return qs.filter(q)


# --- Who is asked -------------------------------------------------------------


def audience_people(questionnaire: Questionnaire) -> QuerySet[Person]:
    """Everyone the questionnaire asks, as of now."""
    if questionnaire.audience == Audience.ATTENDED:
        if questionnaire.session_id is None:
            return Person.objects.none()
        present = Attendance.objects.filter(session_id=questionnaire.session_id, status=Attendance.Status.PRESENT)
        return Person.objects.filter(pk__in=present.values("person_id"))
    current = Employment.objects.current()
    if questionnaire.school_id is not None:
        current = current.filter(school_id=questionnaire.school_id)
    else:
        current = current.filter(school__county_id=questionnaire.county_id)
    if questionnaire.audience == Audience.GROUPS:
        current = current.filter(groups__in=questionnaire.groups.all())
    return Person.objects.filter(pk__in=current.values("person_id"))


def in_audience(person_id: int | None, questionnaire: Questionnaire) -> bool:
    return person_id is not None and audience_people(questionnaire).filter(pk=person_id).exists()


def _audience_filter_for(person_id: int) -> Q:
    """Published questionnaires whose audience holds the person (one query, no per-questionnaire check)."""
    current = Employment.objects.current().filter(person_id=person_id)
    schools = current.values("school_id")
    counties = School.objects.filter(pk__in=current.values("school_id")).values("county_id")
    groups = Group.objects.filter(members__in=current).values("pk")
    attended = Attendance.objects.filter(person_id=person_id, status=Attendance.Status.PRESENT).values("session_id")
    owner = Q(school_id__in=schools) | Q(county_id__in=counties)
    return (
        (owner & Q(audience=Audience.ALL))
        | (owner & Q(audience=Audience.GROUPS, groups__in=groups))
        | Q(audience=Audience.ATTENDED, session_id__in=attended)
    )


def questionnaires_for_person(person_id: int | None) -> QuerySet[Questionnaire]:
    """Every published or closed questionnaire that asks the person: what a teacher may open."""
    if person_id is None:
        return Questionnaire.objects.none()
    return (Questionnaire.objects.exclude(status=Questionnaire.Status.DRAFT).filter(_audience_filter_for(person_id))
            .distinct().select_related("school", "county", "session"))


def open_questionnaires_for(person_id: int | None) -> list[Questionnaire]:
    """The questionnaires a teacher may answer today, soonest closing first, each with ``answered`` set.

    The teacher's home page and to-do list call this (one query for the list, one for the answered marks)."""
    if person_id is None:
        return []
    today = timezone.localdate()
    rows = list(questionnaires_for_person(person_id).filter(status=Questionnaire.Status.PUBLISHED, opens_on__lte=today,
                                                            closes_on__gte=today).order_by("closes_on", "pk"))
    answered = set(Respondent.objects.filter(person_id=person_id, questionnaire__in=rows).values_list("questionnaire_id", flat=True))
    for q in rows:
        q.answered = q.pk in answered
    return rows


def to_answer_count(person_id: int | None) -> int:
    """How many open questionnaires still wait for the person's answer (the to-do count)."""
    return sum(1 for q in open_questionnaires_for(person_id) if not q.answered)


# --- The teacher's own answer ---------------------------------------------------


def owner_key(questionnaire_id: int, person_id: int) -> str:
    """The keyed hash that finds a person's own answer sheet again; shown nowhere."""
    message = f"needs.response:{questionnaire_id}:{person_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def own_response(questionnaire: Questionnaire, person_id: int | None) -> Response | None:
    if person_id is None:
        return None
    return Response.objects.filter(questionnaire=questionnaire, owner_key=owner_key(questionnaire.pk, person_id)).first()


def own_answers(questionnaire: Questionnaire, person_id: int | None) -> dict[int, object]:
    """{question id: the value the answer form shows} of the person's own sheet."""
    response = own_response(questionnaire, person_id)
    if response is None:
        return {}
    values: dict[int, object] = {}
    kinds = dict(questionnaire.questions.values_list("pk", "kind"))
    for a in response.answers.all():
        kind = kinds.get(a.question_id)
        if kind == QuestionKind.MULTIPLE:
            values.setdefault(a.question_id, []).append(str(a.option_id))
        elif kind == QuestionKind.SINGLE:
            values[a.question_id] = str(a.option_id)
        elif kind == QuestionKind.SCALE:
            values[a.question_id] = str(a.number)
        else:
            values[a.question_id] = a.text
    return values


def questions_of(questionnaire: Questionnaire) -> list[Question]:
    """The questions in order, each with its options (two queries)."""
    questions = list(questionnaire.questions.order_by("position", "pk"))
    options = defaultdict(list)
    for o in Option.objects.filter(question__in=questions).order_by("position", "pk"):
        options[o.question_id].append(o)
    for q in questions:
        q.option_list = options[q.pk]
        q.scale_range = list(range(1, (q.scale_points or 0) + 1))
    return questions


# --- Results ----------------------------------------------------------------------


@dataclass
class Tally:
    label: str
    count: int
    share: int = 0  # percent of respondents


@dataclass
class QuestionResult:
    question: Question
    answered: int
    tallies: list[Tally] = field(default_factory=list)
    average: float | None = None
    texts: list[str] = field(default_factory=list)
    #: How many texts the question has (``texts`` holds at most :data:`TEXTS_SHOWN` of them).
    text_count: int = 0

    @property
    def texts_cut(self) -> bool:
        return self.text_count > len(self.texts)

    def chart(self) -> dict:
        """The stacked-bar spec of static/yanxiu/charts.js: one bar per option or score."""
        return {"categories": [t.label for t in self.tallies],
                "series": [{"name": _("人数"), "data": [t.count for t in self.tallies], "color": "#0d6efd"}]}

    @property
    def chart_id(self) -> str:
        return f"q-chart-{self.question.pk}"


def _share(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


#: Texts per question on the results page; all of them are in the export.
TEXTS_SHOWN = 200


def _texts(questionnaire: Questionnaire, answers: QuerySet[Answer], question_id: int, limit: int) -> list[str]:
    """At most ``limit`` texts of one question. Named: the latest first (by when their person last
    answered). Anonymous: a sheet has no time, and the texts come in the fixed order of the answers' random
    ids, which follows neither the person nor the time."""
    rows = answers.filter(question_id=question_id).exclude(text="")
    if questionnaire.anonymous:
        rows = rows.order_by("pk")
    else:
        latest = Respondent.objects.filter(questionnaire=questionnaire, person_id=OuterRef("response__person_id")).values("updated_at")[:1]
        rows = rows.annotate(answered_at=Subquery(latest)).order_by(F("answered_at").desc(nulls_last=True), "pk")
    return list(rows.values_list("text", flat=True)[:limit])


def results(questionnaire: Questionnaire, *, texts_limit: int | None = None) -> list[QuestionResult]:
    """Per question: the options' counts (in the question's order), a scale's counts and mean, and up to
    ``texts_limit`` (:data:`TEXTS_SHOWN`) texts with their total count."""
    texts_limit = TEXTS_SHOWN if texts_limit is None else texts_limit
    responses = Response.objects.filter(questionnaire=questionnaire)
    total = responses.count()
    rows = []
    answers = Answer.objects.filter(response__questionnaire=questionnaire)
    picked = Counter(answers.filter(option__isnull=False).values_list("option_id", flat=True))
    per_question = dict(answers.values("question_id").annotate(n=Count("response_id", distinct=True)).values_list("question_id", "n"))
    scores = defaultdict(Counter)
    for qid, number in answers.filter(number__isnull=False).values_list("question_id", "number"):
        scores[qid][number] += 1
    text_counts = dict(answers.exclude(text="").order_by().values("question_id").annotate(n=Count("pk"))
                       .values_list("question_id", "n"))
    for q in questions_of(questionnaire):
        result = QuestionResult(q, per_question.get(q.pk, 0))
        if q.has_options:
            result.tallies = [Tally(o.label, picked.get(o.pk, 0), _share(picked.get(o.pk, 0), total)) for o in q.option_list]
        elif q.kind == QuestionKind.SCALE:
            counts = scores[q.pk]
            result.tallies = [Tally(str(n), counts.get(n, 0), _share(counts.get(n, 0), total)) for n in q.scale_range]
            n = sum(counts.values())
            result.average = round(sum(k * v for k, v in counts.items()) / n, 2) if n else None
        else:
            result.text_count = text_counts.get(q.pk, 0)
            result.texts = _texts(questionnaire, answers, q.pk, texts_limit) if result.text_count else []
        rows.append(result)
    return rows


@dataclass
class RateRow:
    label: str
    asked: int
    answered: int

    @property
    def rate(self) -> int:
        return _share(self.answered, self.asked)


@dataclass
class Rates:
    total: RateRow
    schools: list[RateRow]
    groups: list[RateRow]


def response_rates(questionnaire: Questionnaire) -> Rates:
    """Answered / asked for the whole audience, per current school and per group of the asked."""
    asked = set(audience_people(questionnaire).values_list("pk", flat=True))
    answered = set(Respondent.objects.filter(questionnaire=questionnaire).values_list("person_id", flat=True)) & asked
    employments = Employment.objects.current().filter(person_id__in=asked)
    by_school: dict[str, set[int]] = defaultdict(set)
    for pid, name in employments.values_list("person_id", "school__name"):
        by_school[name].add(pid)
    by_group: dict[str, set[int]] = defaultdict(set)
    groups = employments.filter(groups__isnull=False)
    if questionnaire.audience == Audience.GROUPS:
        groups = groups.filter(groups__in=questionnaire.groups.all())
    multi = questionnaire.school_id is None
    for pid, name, school in groups.values_list("person_id", "groups__name", "groups__school__name"):
        by_group[f"{school} {name}" if multi else name].add(pid)

    def rows(mapping):
        return sorted((RateRow(label, len(ids), len(ids & answered)) for label, ids in mapping.items()), key=lambda r: r.label)

    return Rates(RateRow(_("合计"), len(asked), len(answered)), rows(by_school), rows(by_group))


def not_answered(questionnaire: Questionnaire) -> QuerySet[Person]:
    """Those asked who have not answered: the reminder's list (names only, in order)."""
    done = Respondent.objects.filter(questionnaire=questionnaire).values("person_id")
    return audience_people(questionnaire).exclude(pk__in=done).order_by("name", "pk")


def export_rows(questionnaire: Questionnaire) -> tuple[list[str], list[list]]:
    """Header and one row per response. Named: the person's name and school first; anonymous: no one, in
    the order of the sheets' random ids (neither the person nor the time)."""
    questions = questions_of(questionnaire)
    option_label = {o.pk: o.label for q in questions for o in q.option_list}
    header = [q.text for q in questions]
    named = not questionnaire.anonymous
    if named:
        header = [_("姓名"), _("学校")] + header
    responses = Response.objects.filter(questionnaire=questionnaire)
    if named:
        responses = responses.select_related("person").order_by("person__name", "pk")
        schools = dict(Respondent.objects.filter(questionnaire=questionnaire).values_list("person_id", "school__name"))
    else:
        responses = responses.order_by("pk")
    values: dict = defaultdict(lambda: defaultdict(list))
    for rid, qid, option_id, number, text in Answer.objects.filter(response__questionnaire=questionnaire).order_by(
            "option__position", "pk").values_list("response_id", "question_id", "option_id", "number", "text"):
        values[rid][qid].append(option_label.get(option_id, "") if option_id else (number if number is not None else text))
    rows = []
    for r in responses:
        cells = []
        for q in questions:
            got = values[r.pk].get(q.pk, [])
            if q.kind == QuestionKind.SCALE:
                cells.append(got[0] if got else None)
            else:
                cells.append("、".join(str(v) for v in got))
        if named:
            name = r.person.name if r.person_id else ""
            cells = [name, schools.get(r.person_id, "") or ""] + cells
        rows.append(cells)
    return header, rows


# --- Needs across the old and the new surveys ----------------------------------------


def needs_category_counts(questionnaires: QuerySet[Questionnaire]) -> dict[int, dict]:
    """{category id: {"n": picks, "schools": {school ids}}} over the needs questionnaires' catalogue options."""
    rows = (Answer.objects.filter(response__questionnaire__in=questionnaires, question__key="categories",
                                  option__category_id__isnull=False)
            .values_list("option__category_id", "response__questionnaire__school_id"))
    out: dict[int, dict] = {}
    for category_id, school_id in rows:
        row = out.setdefault(category_id, {"n": 0, "schools": set()})
        row["n"] += 1
        if school_id is not None:
            row["schools"].add(school_id)
    return out


def needs_questionnaires(**filters) -> QuerySet[Questionnaire]:
    return Questionnaire.objects.filter(purpose="needs").exclude(status=Questionnaire.Status.DRAFT).filter(**filters)


def session_questionnaire(session) -> Questionnaire | None:
    """The session's evaluation questionnaire (the newest, if it has several)."""
    return Questionnaire.objects.filter(session=session).order_by("-created_at", "-pk").first()


def asked_ids(questionnaire: Questionnaire) -> list[int]:
    return list(audience_people(questionnaire).values_list("pk", flat=True))


def answered_count(questionnaire: Questionnaire) -> int:
    return Respondent.objects.filter(questionnaire=questionnaire).count()
