"""Reads of competitions (教学比武 / 优质课 / 基本功大赛 / 课件评比), scoped to the reader,
and the one scoring rule every page, the publication and the tests use.

Who sees a competition: its school's admin (who runs it), the region staff over the
school (read-only), its judges (their own scores only until publication) and its
entrants (their own entry). Published results are public (:func:`published_for_school`).

The scoring rule (:func:`judge_total`, :func:`final_score`, :func:`ranks`, :func:`award_for`):

- A judge's total of an entry is Σ value ÷ item max × 100 × item weight: a 100-point
  scale, since the weights of the sheet sum to 1.00.
- The entry's final score is the mean of its judges' totals. With "去掉一个最高分和一个
  最低分" and at least 3 judges who scored it, the single highest and the single lowest
  total are left out first (one of each, even when several judges gave the same total).
  With 1 or 2 judges nothing is left out: the mean of all their totals. The final score
  is rounded half up to 3 decimals, and ranks compare the rounded values.
- Ranks run from the highest final score; equal final scores share a rank and the next
  rank skips (1, 2, 2, 4).
- Prizes follow ranks: 一等奖 for ranks 1 .. N1, 二等奖 for N1+1 .. N1+N2, 三等奖 for
  N1+N2+1 .. N1+N2+N3 (N = the competition's prize counts). Entries tied across a boundary
  share the better rank, so they all get the better prize; the ranks they skip come out
  of the next band.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from yanxiu.accounts.models import Role, RoleAssignment, User
from yanxiu.growth.choices import AwardRank
from yanxiu.org import scopes
from yanxiu.org.selectors import current_staff

from .choices import CompetitionStatus
from .models import Competition, Entry, Judge, Score, ScoringItem

HUNDRED = Decimal("100")
FINAL_PLACES = Decimal("0.001")


# --- Who -----------------------------------------------------------------------------


def can_manage(user, school) -> bool:
    """A competition is set up, run and published by its school's own admin."""
    s = scopes.scope_of(user)
    return school is not None and (s.superuser or school.pk in s.admin_schools)


def can_create(user) -> bool:
    s = scopes.scope_of(user)
    return s.superuser or bool(s.admin_schools)


def competitions_visible_to(user) -> QuerySet[Competition]:
    s = scopes.scope_of(user)
    qs = Competition.objects.select_related("school")
    if s.superuser:
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    condition = Q(school_id__in=s.admin_schools) | Q(school__county_id__in=s.region_counties) | Q(judges__user=user)
    if s.person_id is not None:
        condition |= Q(entries__person_id=s.person_id)
    return qs.filter(pk__in=Competition.objects.filter(condition).values("pk"))


def competition_list(user) -> QuerySet[Competition]:
    """The competitions ``user`` sees, with their entry and judge counts."""
    return competitions_visible_to(user).annotate(
        entry_count=Count("entries", distinct=True), judge_count=Count("judges", distinct=True),
    ).order_by("-date", "-pk")


def can_read_all(user, competition: Competition) -> bool:
    """Every entry and every judge's scores: the school's admin and the region staff over it."""
    s = scopes.scope_of(user)
    return s.superuser or competition.school_id in s.admin_schools or competition.school.county_id in s.region_counties


def can_see_scores(user, competition: Competition) -> bool:
    """Every judge's scores: after publication for those who read the competition in full; before it, for
    them unless they sit on the panel themselves (a judge sees only their own scores until publication)."""
    if not can_read_all(user, competition):
        return False
    return competition.status == CompetitionStatus.PUBLISHED or judge_of(user, competition) is None


def judge_of(user, competition: Competition) -> Judge | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Judge.objects.filter(competition=competition, user=user).first()


def entries_visible_to(user) -> QuerySet[Entry]:
    """Entries whose page or materials ``user`` may open: all of a competition they may read in full
    or judge, else their own entries."""
    s = scopes.scope_of(user)
    qs = Entry.objects.select_related("competition", "competition__school", "person")
    if s.superuser:
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    condition = (Q(competition__school_id__in=s.admin_schools) | Q(competition__school__county_id__in=s.region_counties)
                 | Q(competition__judges__user=user))
    if s.person_id is not None:
        condition |= Q(person_id=s.person_id)
    return qs.filter(pk__in=Entry.objects.filter(condition).values("pk"))


def judges_visible_to(user) -> QuerySet[Judge]:
    """Panel rows of the competitions ``user`` sees."""
    return Judge.objects.filter(competition__in=competitions_visible_to(user)).select_related("competition", "competition__school")


def judge_candidates(school) -> QuerySet[User]:
    """Who may sit on a panel: the school's current staff with an account, and the region staff over its county."""
    staff = current_staff(school).filter(user__isnull=False).values("user_id")
    regions = [r.pk for r in school.county.ancestors_and_self()]
    region_staff = RoleAssignment.objects.filter(role__in=[Role.BUREAU_ADMIN, Role.CENTRE_STAFF],
                                                 region_id__in=regions).values("user_id")
    return User.objects.filter(Q(pk__in=staff) | Q(pk__in=region_staff), is_active=True).select_related("person")


def entrant_candidates(school):
    """Who may enter: the school's current teachers."""
    return current_staff(school)


def judge_display_name(user) -> str:
    person = getattr(user, "person", None)
    name = getattr(person, "name", "") or getattr(user, "display_name", "") or user.get_username()
    return name[:40]


# --- The rule --------------------------------------------------------------------------


def judge_total(values: dict[int, Decimal], items) -> Decimal:
    """One judge's total of one entry on the 100-point scale: Σ value ÷ max × 100 × weight."""
    return sum((Decimal(values[item.pk]) * HUNDRED * item.weight / item.max_score for item in items), Decimal(0))


def final_score(totals: list[Decimal], *, drop_extremes: bool) -> Decimal | None:
    """The mean of the judges' totals, without the highest and the lowest when asked and 3 or more judges scored."""
    if not totals:
        return None
    kept = sorted(totals)
    if drop_extremes and len(kept) >= 3:
        kept = kept[1:-1]
    return (sum(kept, Decimal(0)) / len(kept)).quantize(FINAL_PLACES, rounding=ROUND_HALF_UP)


def ranks(scores: dict) -> dict:
    """``{key: rank}`` for ``{key: score}``: the highest first, ties share a rank and the next skips; None unranked."""
    ranked = {}
    values = [v for v in scores.values() if v is not None]
    for key, value in scores.items():
        if value is not None:
            ranked[key] = 1 + sum(1 for other in values if other > value)
    return ranked


def award_for(rank: int | None, competition: Competition) -> str:
    """The prize a rank earns (an AwardRank code), or "" outside the prize bands."""
    if rank is None:
        return ""
    first = competition.first_prizes
    second = first + competition.second_prizes
    third = second + competition.third_prizes
    if rank <= first:
        return AwardRank.FIRST
    if rank <= second:
        return AwardRank.SECOND
    if rank <= third:
        return AwardRank.THIRD
    return ""


# --- Reads of one competition -------------------------------------------------------------


@dataclass
class Standing:
    entry: Entry
    totals: dict[int, Decimal] = field(default_factory=dict)  # judge id -> total
    final: Decimal | None = None
    rank: int | None = None
    award: str = ""

    @property
    def award_label(self) -> str:
        return str(AwardRank(self.award).label) if self.award else ""


def items_of(competition: Competition) -> list[ScoringItem]:
    return list(competition.items.order_by("position", "pk"))


def judges_of(competition: Competition) -> list[Judge]:
    return list(competition.judges.select_related("user").order_by("pk"))


def score_values(competition: Competition) -> dict[tuple[int, int], dict[int, Decimal]]:
    """``{(entry id, judge id): {item id: value}}`` of every score given in the competition."""
    out: dict[tuple[int, int], dict[int, Decimal]] = {}
    rows = Score.objects.filter(entry__competition=competition).values_list("entry_id", "judge_id", "item_id", "value")
    for entry_id, judge_id, item_id, value in rows:
        out.setdefault((entry_id, judge_id), {})[item_id] = value
    return out


def standings(competition: Competition) -> list[Standing]:
    """Every entry with its judges' totals (complete sheets only), final score, rank and prize, best first."""
    items = items_of(competition)
    item_ids = {item.pk for item in items}
    by_entry: dict[int, dict[int, dict[int, Decimal]]] = {}
    for (entry_id, judge_id), given in score_values(competition).items():
        by_entry.setdefault(entry_id, {})[judge_id] = given
    rows = []
    for entry in competition.entries.select_related("person", "growth_record").order_by("pk"):
        row = Standing(entry=entry)
        for judge_id, given in by_entry.get(entry.pk, {}).items():
            if items and item_ids <= set(given):
                row.totals[judge_id] = judge_total(given, items)
        row.final = final_score(list(row.totals.values()), drop_extremes=competition.drop_extremes)
        rows.append(row)
    ranked = ranks({row.entry.pk: row.final for row in rows})
    for row in rows:
        row.rank = ranked.get(row.entry.pk)
        row.award = award_for(row.rank, competition)
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.entry.person.name, r.entry.pk))
    return rows


def missing_scores(competition: Competition) -> list[tuple[Judge, list[Entry]]]:
    """Each judge with the entries they have not scored in full (only judges with some missing)."""
    items = {item.pk for item in items_of(competition)}
    values = score_values(competition)
    entries = list(competition.entries.select_related("person").order_by("pk"))
    out = []
    for judge in judges_of(competition):
        missing = [e for e in entries if not items or not items <= set(values.get((e.pk, judge.pk), {}))]
        if missing:
            out.append((judge, missing))
    return out


def judge_progress(competition: Competition, missing=None) -> list[tuple[Judge, int, int]]:
    """Each judge with how many entries they scored in full, of how many (``missing``: :func:`missing_scores`
    when the caller has it already)."""
    missing = {judge.pk: len(entries) for judge, entries in (missing_scores(competition) if missing is None else missing)}
    total = competition.entries.count()
    return [(judge, total - missing.get(judge.pk, 0), total) for judge in judges_of(competition)]


def own_scores(judge: Judge) -> dict[int, dict[int, Decimal]]:
    """``{entry id: {item id: value}}`` the judge gave."""
    out: dict[int, dict[int, Decimal]] = {}
    for entry_id, item_id, value in Score.objects.filter(judge=judge).values_list("entry_id", "item_id", "value"):
        out.setdefault(entry_id, {})[item_id] = value
    return out


# --- Public ------------------------------------------------------------------------------


def published_for_school(school) -> QuerySet[Competition]:
    return Competition.objects.filter(school=school, status=CompetitionStatus.PUBLISHED).order_by("-date", "-pk")


def published_competition(pk: int) -> Competition | None:
    return Competition.objects.select_related("school").filter(pk=pk, status=CompetitionStatus.PUBLISHED).first()


def published_results(competition: Competition) -> list[Entry]:
    """The entries of a published competition as announced: rank, name, lesson, final score, prize."""
    return list(competition.entries.select_related("person").order_by("rank", "person__name", "pk"))
