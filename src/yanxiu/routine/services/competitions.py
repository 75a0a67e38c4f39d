"""Competitions (教学比武 / 优质课 / 基本功大赛 / 课件评比): the school's admin sets up the
competition, its scoring sheet, its panel and its entries; each judge scores each entry
(editable until publication); publication computes final scores, ranks and prizes by the
rule in :mod:`yanxiu.routine.competition_selectors` and writes each prize into the
teacher's growth record (accepted, credited where the policy's award cap says)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit, uploads
from yanxiu.core.events import Event
from yanxiu.growth.choices import AwardRank, Level, RecordKind
from yanxiu.growth.services.records import record_from_result
from yanxiu.org import scopes
from yanxiu.org.selectors import current_school_id

from .. import competition_selectors as selectors
from ..choices import CompetitionKind, CompetitionStatus
from ..models import Competition, Entry, Judge, Score, ScoringItem

NAME_MAX = 100
LESSON_MAX = 120
ITEM_NAME_MAX = 60
MAX_ITEMS = 12
MAX_JUDGES = 30
MAX_ENTRIES = 200
MAX_PRIZES = 100
YEAR_MIN, YEAR_MAX = 1950, 2100
WEIGHT_PLACES = Decimal("0.01")
VALUE_PLACES = Decimal("0.01")


def _require_manager(actor, school) -> None:
    scopes.require(selectors.can_manage(actor, school), _("只有本校管理员可以管理教学竞赛。"))


def _locked(competition: Competition) -> Competition:
    return Competition.objects.select_for_update().select_related("school", "school__county").get(pk=competition.pk)


def _require_open(competition: Competition) -> None:
    if competition.status != CompetitionStatus.OPEN:
        raise ValidationError(_("竞赛结果已公布，不能再修改。"))


def _text(value, *, field: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(value) > limit:
        raise ValidationError({field: _("%(label)s不能超过 %(n)s 字。") % {"label": label, "n": limit}})
    return value


def _count(value, *, field: str, label: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_PRIZES:
        raise ValidationError({field: _("%(label)s须是 0 到 %(n)s 之间的整数。") % {"label": label, "n": MAX_PRIZES}})
    return value


# --- Setting up ---------------------------------------------------------------------------


@transaction.atomic
def competition_create(*, actor, school, name, kind, level, date: dt.date, drop_extremes: bool = True,
                       first_prizes: int = 1, second_prizes: int = 2, third_prizes: int = 3) -> Competition:
    """A competition of ``school``, open for scoring; its sheet, panel and entries come next."""
    _require_manager(actor, school)
    name = _text(name, field="name", label=_("竞赛名称"), limit=NAME_MAX)
    if kind not in CompetitionKind.values:
        raise ValidationError({"kind": _("请选择竞赛类型。")})
    if level not in Level.values:
        raise ValidationError({"level": _("请选择竞赛级别。")})
    if not isinstance(date, dt.date) or not YEAR_MIN <= date.year <= YEAR_MAX:
        raise ValidationError({"date": _("比赛日期须在 %(a)s 年至 %(b)s 年之间。") % {"a": YEAR_MIN, "b": YEAR_MAX}})
    prizes = {"first_prizes": _count(first_prizes, field="first_prizes", label=_("一等奖名额")),
              "second_prizes": _count(second_prizes, field="second_prizes", label=_("二等奖名额")),
              "third_prizes": _count(third_prizes, field="third_prizes", label=_("三等奖名额"))}
    if not sum(prizes.values()):
        raise ValidationError({"first_prizes": _("至少设一个奖项名额。")})
    if Competition.objects.filter(school=school, name=name).exists():
        raise ValidationError({"name": _("本校已有名为“%(name)s”的竞赛。") % {"name": name}})
    competition = Competition(school=school, name=name, kind=kind, level=level, date=date, drop_extremes=bool(drop_extremes),
                              created_by=actor if getattr(actor, "pk", None) else None, **prizes)
    competition.full_clean(exclude=["created_by"])
    competition.save()
    audit.record(actor=actor, event=Event.ROUTINE_COMPETITION_CREATE, target=competition, school=school,
                 name=name, kind=kind, level=level)
    return competition


def _parse_weight(raw, row: int) -> Decimal:
    try:
        weight = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        weight = None
    if weight is None or not weight.is_finite() or weight != weight.quantize(WEIGHT_PLACES) \
            or not Decimal("0.01") <= weight <= Decimal("1"):
        raise ValidationError({"items": _("第 %(n)s 项的权重须是 0.01 到 1.00 之间、最多两位小数的数。") % {"n": row}})
    return weight.quantize(WEIGHT_PLACES)


def _parse_max(raw, row: int) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or not 1 <= value <= 1000:
        raise ValidationError({"items": _("第 %(n)s 项的满分须是 1 到 1000 之间的整数。") % {"n": row}})
    return value


def check_items(items) -> list[tuple[str, Decimal, int]]:
    """The sheet as (name, weight, max score) rows, or a Chinese refusal naming the row."""
    rows = list(items or [])
    if not rows:
        raise ValidationError({"items": _("评分表至少要有一个评分项目。")})
    if len(rows) > MAX_ITEMS:
        raise ValidationError({"items": _("评分表最多 %(n)s 个项目。") % {"n": MAX_ITEMS}})
    out, seen = [], set()
    for n, row in enumerate(rows, start=1):
        name = (row.get("name") or "").strip()
        if not name or len(name) > ITEM_NAME_MAX:
            raise ValidationError({"items": _("第 %(n)s 项须填写项目名称（不超过 %(m)s 字）。") % {"n": n, "m": ITEM_NAME_MAX}})
        if name in seen:
            raise ValidationError({"items": _("评分项目“%(name)s”重复。") % {"name": name}})
        seen.add(name)
        out.append((name, _parse_weight(row.get("weight"), n), _parse_max(row.get("max_score"), n)))
    total = sum((weight for _name, weight, _max in out), Decimal(0))
    if total != Decimal("1.00"):
        raise ValidationError({"items": _("各项权重之和须为 1.00，现在是 %(t)s。") % {"t": total}})
    return out


@transaction.atomic
def items_set(*, actor, competition: Competition, items) -> list[ScoringItem]:
    """Replace the scoring sheet: ``items`` are dicts with name, weight and max_score; the
    weights must sum to 1.00. Allowed until the first score is given."""
    competition = _locked(competition)
    _require_manager(actor, competition.school)
    _require_open(competition)
    rows = check_items(items)
    if Score.objects.filter(entry__competition=competition).exists():
        raise ValidationError({"items": _("评委已开始评分，评分表不能再修改。")})
    competition.items.all().delete()
    created = [ScoringItem(competition=competition, name=name, weight=weight, max_score=top, position=n)
               for n, (name, weight, top) in enumerate(rows)]
    for item in created:
        item.full_clean(exclude=["competition"])
    ScoringItem.objects.bulk_create(created)
    # Setting up the sheet is part of setting up the competition: the catalogue has no event of its own for it.
    audit.record(actor=actor, event=Event.ROUTINE_COMPETITION_SETUP, target=competition, school=competition.school,
                 step="items", items=[[name, str(weight), top] for name, weight, top in rows])
    return selectors.items_of(competition)


@transaction.atomic
def judge_add(*, actor, competition: Competition, user) -> Judge:
    """Put ``user`` (a current staff member of the school, or region staff over it) on the panel."""
    competition = _locked(competition)
    _require_manager(actor, competition.school)
    _require_open(competition)
    if user is None or not selectors.judge_candidates(competition.school).filter(pk=user.pk).exists():
        raise ValidationError({"user": _("评委须是本校在职教职工或上级教育局、研训中心的工作人员。")})
    if competition.judges.filter(user=user).exists():
        raise ValidationError({"user": _("%(name)s 已是本次竞赛的评委。") % {"name": selectors.judge_display_name(user)}})
    person_id = scopes.scope_of(user).person_id
    if person_id is not None and competition.entries.filter(person_id=person_id).exists():
        raise ValidationError({"user": _("%(name)s 是参赛教师，不能担任评委。") % {"name": selectors.judge_display_name(user)}})
    if competition.judges.count() >= MAX_JUDGES:
        raise ValidationError({"user": _("每次竞赛最多 %(n)s 位评委。") % {"n": MAX_JUDGES}})
    judge = Judge(competition=competition, user=user, name=selectors.judge_display_name(user))
    judge.full_clean(exclude=["competition", "user"])
    judge.save()
    # Naming the panel is part of setting up the competition: the catalogue has no event of its own for it.
    audit.record(actor=actor, event=Event.ROUTINE_COMPETITION_SETUP, target=competition, school=competition.school,
                 step="judge", judge=judge.pk, user=user.pk)
    return judge


@transaction.atomic
def entry_add(*, actor, competition: Competition, person, lesson, materials=None) -> Entry:
    """Enter a current teacher of the school with their lesson (or work) and, optionally, its materials."""
    competition = _locked(competition)
    _require_manager(actor, competition.school)
    _require_open(competition)
    if person is None or current_school_id(person) != competition.school_id:
        raise ValidationError({"person": _("参赛教师须是本校在职教师。")})
    if competition.entries.filter(person=person).exists():
        raise ValidationError({"person": _("%(name)s 已登记参赛。") % {"name": person.name}})
    if person.user_id and competition.judges.filter(user_id=person.user_id).exists():
        raise ValidationError({"person": _("%(name)s 是本次竞赛的评委，不能参赛。") % {"name": person.name}})
    if competition.entries.count() >= MAX_ENTRIES:
        raise ValidationError({"person": _("每次竞赛最多 %(n)s 位参赛教师。") % {"n": MAX_ENTRIES}})
    lesson = _text(lesson, field="lesson", label=_("参赛课题/作品"), limit=LESSON_MAX)
    entry = Entry(competition=competition, person=person, lesson=lesson)
    if materials:
        uploads.check_material(materials, field="materials", label=_("参赛材料"))
        entry.materials = materials
        entry.materials_name = (materials.name or "").rsplit("/", 1)[-1][-200:]
    entry.full_clean(exclude=["competition", "person", "growth_record", "materials"])
    entry.save()
    audit.record(actor=actor, event=Event.ROUTINE_ENTRY_ADD, target=entry, school=competition.school,
                 competition=competition.pk, person=person.pk)
    return entry


@transaction.atomic
def judge_remove(*, actor, judge: Judge) -> None:
    """Take a judge off the panel before publication (their scores go with them), e.g. one who cannot come."""
    competition = _locked(judge.competition)
    _require_manager(actor, competition.school)
    _require_open(competition)
    judge = Judge.objects.get(pk=judge.pk)
    scores = judge.scores.count()
    detail = {"step": "judge_remove", "judge": judge.pk, "user": judge.user_id, "name": judge.name, "scores": scores}
    judge.delete()
    # Part of setting up the competition: the catalogue has no event of its own for it.
    audit.record(actor=actor, event=Event.ROUTINE_COMPETITION_SETUP, target=competition, school=competition.school, **detail)


@transaction.atomic
def entry_remove(*, actor, entry: Entry) -> None:
    """Withdraw an entry before publication (its scores go with it; its materials file after the commit)."""
    competition = _locked(entry.competition)
    _require_manager(actor, competition.school)
    _require_open(competition)
    entry = Entry.objects.select_related("person").get(pk=entry.pk)
    stored = entry.materials.name if entry.materials else ""
    detail = {"step": "entry_remove", "entry": entry.pk, "person": entry.person_id, "lesson": entry.lesson}
    entry.delete()
    if stored:
        storage = Entry._meta.get_field("materials").storage
        transaction.on_commit(lambda: storage.delete(stored), robust=True)
    # Part of setting up the competition: the catalogue has no event of its own for it.
    audit.record(actor=actor, event=Event.ROUTINE_COMPETITION_SETUP, target=competition, school=competition.school, **detail)


# --- Scoring ----------------------------------------------------------------------------------


def _value(raw, item: ScoringItem) -> Decimal:
    field = f"item_{item.pk}"
    if raw is None or str(raw).strip() == "":
        raise ValidationError({field: _("请给“%(item)s”打分。") % {"item": item.name}})
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        raise ValidationError({field: _("“%(item)s”的得分须是数字。") % {"item": item.name}})
    if not 0 <= value <= item.max_score:
        raise ValidationError({field: _("“%(item)s”的得分须在 0 到 %(max)s 之间。") % {"item": item.name, "max": item.max_score}})
    if value != value.quantize(VALUE_PLACES):
        raise ValidationError({field: _("“%(item)s”的得分最多两位小数。") % {"item": item.name}})
    return value.quantize(VALUE_PLACES)


@transaction.atomic
def score_submit(*, actor, entry: Entry, values: dict) -> list[Score]:
    """A judge's scores of one entry, one value per item of the sheet (0 .. the item's max);
    a judge may change them until the results are published."""
    entry = Entry.objects.select_related("person").get(pk=entry.pk)
    competition = _locked(entry.competition)
    judge = Judge.objects.filter(competition=competition, user=actor).first() if getattr(actor, "pk", None) else None
    scopes.require(judge is not None, _("您不是该竞赛的评委。"))
    _require_open(competition)
    items = selectors.items_of(competition)
    if not items:
        raise ValidationError(_("该竞赛还没有评分表。"))
    known = {item.pk for item in items}
    given = {}
    for key, raw in (values or {}).items():
        try:
            item_id = int(key)
        except (TypeError, ValueError):
            item_id = None
        if item_id not in known:
            raise ValidationError(_("评分项目不属于本次竞赛。"))
        given[item_id] = raw
    parsed = {item.pk: _value(given.get(item.pk), item) for item in items}
    existing = {s.item_id: s for s in Score.objects.filter(entry=entry, judge=judge)}
    saved = []
    for item in items:
        score = existing.get(item.pk) or Score(entry=entry, judge=judge, item=item)
        score.value = parsed[item.pk]
        score.save()
        saved.append(score)
    total = selectors.judge_total(parsed, items)
    audit.record(actor=actor, event=Event.ROUTINE_SCORE, target=entry, school=competition.school, competition=competition.pk,
                 judge=judge.pk, total=str(total.quantize(Decimal("0.001"))), changed=bool(existing))
    return saved


# --- Publication -----------------------------------------------------------------------------


def _check_publishable(competition: Competition, today: dt.date) -> None:
    if not selectors.items_of(competition):
        raise ValidationError(_("还没有评分表，不能公布。"))
    if not competition.judges.exists():
        raise ValidationError(_("还没有评委，不能公布。"))
    if not competition.entries.exists():
        raise ValidationError(_("还没有参赛教师，不能公布。"))
    if competition.date > today:
        raise ValidationError(_("比赛日期（%(d)s）还没到，不能公布。") % {"d": competition.date.isoformat()})
    missing = selectors.missing_scores(competition)
    if missing:
        lines = [_("%(judge)s 尚未评分：%(entries)s") % {
            "judge": judge.name, "entries": "、".join(e.person.name for e in entries[:10]) + ("……" if len(entries) > 10 else "")}
            for judge, entries in missing]
        raise ValidationError([_("还有评委没有评完，不能公布。"), *lines])


def _record_award(*, actor, competition: Competition, row, today: dt.date) -> str:
    """Write one prize into the teacher's growth record; "" or why it could not be written or credited."""
    entry = row.entry
    content = _("%(kind)s，最后得分 %(score)s，第 %(rank)s 名") % {
        "kind": competition.get_kind_display(), "score": row.final, "rank": row.rank}
    try:
        with transaction.atomic():
            record, why = record_from_result(
                actor=actor, person=entry.person, kind=RecordKind.AWARD, today=today, date=competition.date,
                title=f"{competition.name}：{entry.lesson}"[:200], venue=competition.school.name[:120],
                level=competition.level, rank=row.award, content=content)
    except (ValidationError, PermissionDenied) as exc:
        problem = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return _("%(name)s 的获奖未写入成长记录：%(why)s") % {"name": entry.person.name, "why": problem}
    Entry.objects.filter(pk=entry.pk).update(growth_record=record)
    if why:
        return _("%(name)s 的获奖已写入成长记录，未计学时：%(why)s") % {"name": entry.person.name, "why": why}
    return ""


@transaction.atomic
def competition_publish(*, actor, competition: Competition, today: dt.date | None = None) -> tuple[Competition, list[str]]:
    """Publish the results once every judge has scored every entry: final scores, ranks and
    prizes are stored on the entries and each prize goes into the teacher's growth record.
    Returns the competition and the notes about prizes that earned no credit (or could not
    be recorded, e.g. a teacher who has left the school)."""
    today = today or timezone.localdate()
    competition = _locked(competition)
    _require_manager(actor, competition.school)
    _require_open(competition)
    _check_publishable(competition, today)
    rows = selectors.standings(competition)
    for row in rows:
        Entry.objects.filter(pk=row.entry.pk).update(final_score=row.final, rank=row.rank, award=row.award)
    competition.status = CompetitionStatus.PUBLISHED
    competition.published_at = timezone.now()
    competition.save(update_fields=["status", "published_at"])
    notes = [note for row in rows if row.award
             for note in [_record_award(actor=actor, competition=competition, row=row, today=today)] if note]
    counts = {code: sum(1 for r in rows if r.award == code) for code in (AwardRank.FIRST, AwardRank.SECOND, AwardRank.THIRD)}
    audit.record(actor=actor, event=Event.ROUTINE_COMPETITION_PUBLISH, target=competition, school=competition.school,
                 entries=len(rows), awards={str(k): v for k, v in counts.items()}, notes=[n[:200] for n in notes[:20]])
    return competition, notes
