"""Reads of needs surveys, scoped to the acting user, and their tallies.\n\nThe fixed surveys of earlier years are read here; questionnaires in :mod:`.questionnaires`. The county summary\nand :func:`school_needs` (the plan card, reports) read both.\n"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from yanxiu.org import scopes
from yanxiu.org.models import Employment, Person
from yanxiu.org.selectors import current_staff
from yanxiu.training.models import ContentCategory, TrainingKind

from .models import NeedsResponse, NeedsSurvey, Option, PreferredTime, Questionnaire, Respondent


def surveys_visible_to(user) -> QuerySet[NeedsSurvey]:
    """School admins see their schools' surveys; bureau and centre staff those of their counties."""
    s = scopes.scope_of(user)
    qs = NeedsSurvey.objects.select_related("school").annotate(response_count=Count("responses"))
    if s.superuser:
        return qs
    return qs.filter(Q(school_id__in=s.admin_schools) | Q(school__county_id__in=s.region_counties))


def open_surveys_for(person_id: int | None) -> list[NeedsSurvey]:
    """Open surveys of the teacher's current schools, each with ``answered`` set."""
    if person_id is None:
        return []
    schools = Employment.objects.current().filter(person_id=person_id).values("school_id")
    surveys = [s for s in NeedsSurvey.objects.filter(school_id__in=schools, closed_at__isnull=True).order_by("closes_on") if s.is_open()]
    answered = set(NeedsResponse.objects.filter(person_id=person_id, survey__in=surveys).values_list("survey_id", flat=True))
    for survey in surveys:
        survey.answered = survey.pk in answered
    return surveys


@dataclass
class Tally:
    label: str
    count: int


def bar_chart(rows) -> dict:
    """The stacked-bar spec of static/yanxiu/charts.js: one bar per row (label, count), in the rows' order."""
    return {"categories": [r.label for r in rows], "series": [{"name": _("人数"), "data": [r.count for r in rows], "color": "#0d6efd"}]}


@dataclass
class Results:
    survey: NeedsSurvey
    staff: int
    respondents: int
    categories: list[Tally]
    kinds: list[Tally]
    times: list[Tally]
    suggestions: list[str]
    missing: list[str] = field(default_factory=list)

    @property
    def rate(self) -> int:
        return round(100 * self.respondents / self.staff) if self.staff else 0

    def chart(self) -> dict:
        """One bar per content, most wanted first."""
        return bar_chart(self.categories)


def _category_tallies(responses: QuerySet[NeedsResponse], offered: QuerySet[ContentCategory]) -> list[Tally]:
    picked = Counter(
        NeedsResponse.categories.through.objects.filter(needsresponse__in=responses).values_list("contentcategory_id", flat=True)
    )
    return sorted((Tally(str(c), picked.get(c.pk, 0)) for c in offered), key=lambda t: -t.count)


def _choice_tallies(values: list[list[str]], choices) -> list[Tally]:
    picked = Counter(v for row in values for v in row)
    return sorted((Tally(str(label), picked.get(value, 0)) for value, label in choices), key=lambda t: -t.count)


def results(survey: NeedsSurvey, *, with_missing: bool = True) -> Results:
    responses = survey.responses.all()
    rows = list(responses.values_list("kinds", "times", "suggestion"))
    staff_ids = set(
        current_staff(survey.school_id).values_list("pk", flat=True)
    )
    answered = set(responses.values_list("person_id", flat=True))
    missing = []
    if with_missing:
        missing = list(Person.objects.filter(pk__in=staff_ids - answered).order_by("name").values_list("name", flat=True))
    return Results(
        survey=survey,
        staff=len(staff_ids),
        respondents=len(rows),
        categories=_category_tallies(responses, survey.categories.all()),
        kinds=[t for t in _choice_tallies([r[0] for r in rows], TrainingKind.choices) if t.count],
        times=_choice_tallies([r[1] for r in rows], PreferredTime.choices),
        suggestions=[r[2] for r in rows if r[2]],
        missing=missing,
    )


@dataclass
class CountyRow:
    label: str
    count: int
    schools: int


def county_summary(county, school_year: str) -> tuple[list[CountyRow], int, int]:
    """Needs of all the county's schools in a school year: (rows by content, surveys, respondents).

    Both kinds of survey count: the fixed surveys of earlier years and the needs questionnaires (their
    catalogue question); a county-wide questionnaire adds its picks but no school to the schools column."""
    from . import questionnaires

    surveys = NeedsSurvey.objects.filter(school__county=county, school_year=school_year)
    through = NeedsResponse.categories.through.objects.filter(needsresponse__survey__in=surveys)
    merged: dict[int, dict] = {}
    for row in through.values_list("contentcategory_id", "needsresponse__survey__school_id"):
        entry = merged.setdefault(row[0], {"n": 0, "schools": set()})
        entry["n"] += 1
        entry["schools"].add(row[1])
    new = questionnaires.needs_questionnaires(school_year=school_year).filter(Q(school__county=county) | Q(county=county))
    for category_id, entry in questionnaires.needs_category_counts(new).items():
        target = merged.setdefault(category_id, {"n": 0, "schools": set()})
        target["n"] += entry["n"]
        target["schools"] |= entry["schools"]
    categories = ContentCategory.objects.filter(pk__in=merged)
    rows = [CountyRow(str(c), merged[c.pk]["n"], len(merged[c.pk]["schools"])) for c in categories]
    respondents = NeedsResponse.objects.filter(survey__in=surveys).count() + Respondent.objects.filter(questionnaire__in=new).count()
    return sorted(rows, key=lambda r: -r.count), surveys.count() + new.count(), respondents


@dataclass
class SchoolNeeds:
    """The newest needs survey of a school's year, either kind: what the plan page shows."""

    title: str
    survey: object  # a NeedsSurvey or a Questionnaire
    respondents: int
    staff: int
    top: list[Tally]

    @property
    def is_questionnaire(self) -> bool:
        from .models import Questionnaire

        return isinstance(self.survey, Questionnaire)


def school_needs(school_id: int, school_year: str, *, top: int = 5) -> SchoolNeeds | None:
    """The top needs of a school's survey of the year: its newest needs questionnaire (published or closed)
    or fixed survey, whichever was asked last; ``None`` when it asked neither."""
    from . import questionnaires

    old = NeedsSurvey.objects.filter(school_id=school_id, school_year=school_year).first()
    new = questionnaires.needs_questionnaires(school_id=school_id, school_year=school_year).order_by("-created_at", "-pk").first()
    if new is not None and (old is None or new.created_at >= old.created_at):
        counts = questionnaires.needs_category_counts(Questionnaire.objects.filter(pk=new.pk))
        options = Option.objects.filter(question__questionnaire=new, question__key="categories", category__isnull=False)
        tallies = sorted((Tally(o.label, counts.get(o.category_id, {}).get("n", 0)) for o in options.order_by("position")),
                         key=lambda t: -t.count)
        return SchoolNeeds(new.title, new, questionnaires.answered_count(new), len(questionnaires.asked_ids(new)), tallies[:top])
    if old is None:
        return None
    result = results(old, with_missing=False)
    return SchoolNeeds(old.title, old, result.respondents, result.staff, result.categories[:top])


def latest_for_plan(plan) -> NeedsSurvey | None:
    """The most recent survey of the plan's school and school year, which the plan is built from."""
    return NeedsSurvey.objects.filter(school_id=plan.school_id, school_year=plan.school_year).first()


def surveys_of_my_schools(person_id: int | None) -> QuerySet[NeedsSurvey]:
    """Surveys (open or not) of the teacher's current schools: what a teacher may open to answer."""
    if person_id is None:
        return NeedsSurvey.objects.none()
    schools = Employment.objects.current().filter(person_id=person_id).values("school_id")
    return NeedsSurvey.objects.filter(school_id__in=schools).select_related("school")


def counties_visible_to(user):
    """The counties whose needs summary the user may read (their region's; all for a superuser)."""
    from yanxiu.org.models import Region

    s = scopes.scope_of(user)
    counties = Region.objects.filter(level="county")
    return counties if s.superuser else counties.filter(pk__in=s.region_counties)


def response_of(survey: NeedsSurvey, person_id: int | None) -> NeedsResponse | None:
    """The teacher's own answer to the survey, if they gave one."""
    if person_id is None:
        return None
    return NeedsResponse.objects.filter(survey=survey, person_id=person_id).first()
