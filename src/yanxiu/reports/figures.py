"""The figures a school's year-end summary quotes, each with where it comes from.

:func:`school_figures` computes, for one school and school year, every number
the 校本培训工作总结 (seed 000) cites, from the records the other apps keep:

- the teachers, their hours and the compliance rate from the compliance rows
  ``yanxiu compliance --school CODE --year YYYY`` prints
  (:func:`yanxiu.credits.compliance.compliance_rows` over the school's
  employments);
- sessions held, person-times, absences and approved leave through
  :mod:`yanxiu.reports.measures` (the one definition of each);
- collective preparations and routine checks from the routine app,
  public lessons and awards from the growth records (accepted or imported),
  the needs survey's answers from the needs app.

Each :class:`Figure` carries its value (a number, ``None`` where a rate has
no base, or a small list / dict for a distribution) and a Chinese sentence
naming the records and the filter, which the summary's appendix
(附：数据来源) prints as it is. An app that records nothing for the school gives
0, never ``None``: the source says where the figure would be recorded.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.credits.compliance import Status, compliance_rows
from yanxiu.growth.choices import AwardRank, Level, RecordKind, ReviewStatus
from yanxiu.growth.models import GrowthRecord
from yanxiu.needs.selectors import school_needs
from yanxiu.org.models import Employment
from yanxiu.policy.models import CreditKind
from yanxiu.policy.selectors import spec_in_force
from yanxiu.routine.models import CollectivePrep, RoutineCheck
from yanxiu.routine.prep_selectors import prep_counts, subject_counts
from yanxiu.training.models import TrainingKind

from . import measures

CENT = Decimal("0.01")
#: How many of the most wanted contents of the needs survey are quoted.
TOP_NEEDS = 5
#: The bands of the hours distribution when the policy sets no yearly minimum.
DEFAULT_MINIMUM = Decimal("48")


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: Any
    source: str

    def as_json(self) -> dict:
        return {"key": self.key, "label": self.label, "value": self.value, "source": self.source}


def _number(value: Decimal | int | None) -> float | int | None:
    """A Decimal as a JSON number: an int when whole, else a float of its (two) places."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _two(value: Decimal) -> float | int:
    return _number(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def _fmt(value: Decimal) -> str:
    value = Decimal(value).normalize()
    return f"{value:f}"


def _hours_bands(totals: list[Decimal], minimum: Decimal, unit: str) -> dict:
    """Teachers per band of their yearly total: under half the minimum, under the minimum, at or over it."""
    half = (minimum / 2).quantize(CENT, rounding=ROUND_HALF_UP)
    low = sum(1 for t in totals if t < half)
    mid = sum(1 for t in totals if half <= t < minimum)
    high = sum(1 for t in totals if t >= minimum)
    values = {"half": _fmt(half), "min": _fmt(minimum), "unit": unit}
    return {
        "unit": unit,
        "minimum": _number(minimum),
        "bands": [
            {"label": _("不足%(half)s%(unit)s") % values, "count": low},
            {"label": _("%(half)s至不足%(min)s%(unit)s") % values, "count": mid},
            {"label": _("%(min)s%(unit)s及以上") % values, "count": high},
        ],
        "min": _two(min(totals)) if totals else None,
        "median": _two(Decimal(median(totals))) if totals else None,
        "max": _two(max(totals)) if totals else None,
    }


def _sessions_by_kind(sessions) -> list[dict]:
    labels = dict(TrainingKind.choices)
    rows = sessions.order_by().values_list("project__kind").annotate(n=Count("pk"))
    counts = dict(rows)
    return [{"label": str(labels.get(kind, kind)), "count": counts[kind]}
            for kind in sorted(counts, key=lambda k: (-counts[k], list(labels).index(k) if k in labels else 99))]


def _awards(records) -> list[dict]:
    """Awards per level and rank, highest level first; a rank not given is 未注明等次."""
    levels = [value for value, _label in reversed(Level.choices)]  # national first
    level_labels = dict(Level.choices)
    ranks = {str(label): i for i, (_v, label) in enumerate(AwardRank.choices)}
    ranks.update({value: i for i, (value, _l) in enumerate(AwardRank.choices)})
    rank_labels = dict(AwardRank.choices)
    counter: Counter = Counter()
    for level, rank in records.values_list("level", "rank"):
        rank = (rank or "").strip()
        counter[(level or "", str(rank_labels.get(rank, rank)) if rank else "")] += 1

    def order(item):
        (level, rank), _n = item
        return (levels.index(level) if level in levels else len(levels), ranks.get(rank, len(ranks)), rank)

    out = []
    for (level, rank), n in sorted(counter.items(), key=order):
        level_text = str(level_labels.get(level, _("未注明级别")))
        rank_text = rank or _("未注明等次")
        out.append({"label": f"{level_text}{rank_text}", "level": level_text, "rank": rank_text, "count": n})
    return out


class _Context:
    """What the figures of one school and year share: the span, the policy, and the list being built."""

    def __init__(self, school, year: int, now: dt.datetime):
        self.school, self.year, self.now = school, year, now
        self.today = timezone.localdate(now)
        self.start, self.end = measures.year_span(school.county, year)
        self.span = _("%(start)s至%(end)s") % {"start": f"{self.start:%Y-%m-%d}", "end": f"{self.end:%Y-%m-%d}"}
        self.figures: list[Figure] = []

    def add(self, key: str, label: str, value, source: str) -> None:
        self.figures.append(Figure(key, str(label), value, str(source)))


def school_figures(school, year: int, *, now: dt.datetime | None = None) -> list[Figure]:
    """Every figure of ``school``'s summary of school year ``year`` (``year``–``year + 1``), as of ``now``."""
    ctx = _Context(school, year, now or timezone.now())
    _teacher_figures(ctx)
    _session_figures(ctx)
    _routine_figures(ctx)
    _growth_figures(ctx)
    _needs_figures(ctx)
    return ctx.figures


def _teacher_figures(ctx: _Context) -> None:
    """Teachers and hours: the rows the compliance command prints for the school."""
    school, year, add = ctx.school, ctx.year, ctx.add
    rows = compliance_rows(Employment.objects.filter(school=school), year, now=ctx.now)
    spec = rows[0].spec if rows else spec_in_force(school.county, year)
    unit = spec.unit_label if spec is not None else _("学时")
    minimum = spec.total_min if spec is not None and spec.total_min else DEFAULT_MINIMUM
    totals = [row.total for row in rows]
    ledger = _("学时登记（学分台账）中本学年（%(year)s）的净记录，按教师汇总，与 yanxiu compliance --school %(code)s --year %(year)s 的各行相同") % {
        "year": year, "code": school.code}
    add("teachers", _("参加学时统计的教师"), len(rows),
        _("本校在职教师，每人一行：%(ledger)s。") % {"ledger": ledger})
    average = sum(totals, Decimal(0)) / len(totals) if totals else Decimal(0)
    add("average_hours", _("教师人均%(unit)s") % {"unit": unit}, _two(average),
        _("上述教师本学年累计%(unit)s之和除以教师人数，保留两位小数。") % {"unit": unit})
    rate = measures.compliance_rate(rows)
    add("compliance_rate", _("达标率"), _number(rate),
        _("上述教师中状态为“达标”的人数占教师人数的比例（学年进行中时，未满要求的教师为“进行中”，不计入达标）；没有教师时为空。"))
    add("teachers_below", _("尚未达到学时要求的教师"), sum(1 for row in rows if row.status != Status.MET),
        _("上述教师中状态不是“达标”的人数（未达标、不合格、进行中、有未达标风险）。"))
    kinds_below = []
    for kind, need in (spec.kind_min.items() if spec is not None else ()):
        exempt = kind == CreditKind.SCHOOL_BASED and spec.long_cycle_exempts_school_based
        short = sum(1 for row in rows if row.by_kind.get(kind, Decimal(0)) < need and not (exempt and row.long_cycle))
        kinds_below.append({"label": spec.kind_label(kind), "minimum": _number(need), "unit": unit, "count": short})
    add("kinds_below", _("分类学时不足的教师"), kinds_below,
        _("政策对各类培训规定的最低%(unit)s（%(policy)s），上述教师中该类%(unit)s不足的人数。") % {
            "unit": unit, "policy": spec.name if spec is not None else _("未设置政策")})
    add("hours_distribution", _("教师%(unit)s分布") % {"unit": unit}, _hours_bands(totals, minimum, unit),
        _("上述教师本学年累计%(unit)s按政策要求（%(min)s%(unit)s）分段的人数，以及最少、中位数和最多。") % {
            "unit": unit, "min": _fmt(minimum)})


def _session_figures(ctx: _Context) -> None:
    """Sessions held, person-times, absences and leave: :mod:`yanxiu.reports.measures`."""
    add = ctx.add
    held = measures.held_sessions([ctx.school], ctx.start, ctx.end, now=ctx.now)
    add("sessions_held", _("开展校本研修活动"), held.count(),
        _("本校承办的培训项目中已发布、开始于%(span)s且已结束的培训活动。") % {"span": ctx.span})
    add("sessions_by_kind", _("各类研修活动次数"), _sessions_by_kind(held),
        _("上述已开展的活动按其培训项目的培训形式分类计数。"))
    add("person_times", _("参训人次"), measures.person_times(held).count(),
        _("上述已开展活动的考勤中状态为“出席”的记录数。"))
    add("absences", _("无故缺训人次"), measures.absences(held, now=ctx.now).count(),
        _("上述已开展活动中已报名、既无出席或请假考勤、也无已批准请假的记录数。"))
    add("approved_leave", _("请假人次（已批准）"), measures.approved_leave(held).count(),
        _("上述已开展活动中已批准的请假申请数。"))


def _routine_figures(ctx: _Context) -> None:
    """Collective preparation (the weekly rule of ``routine.prep_selectors``) and routine checks."""
    school, year, add = ctx.school, ctx.year, ctx.add
    preps = CollectivePrep.objects.filter(group__school=school, date__gte=ctx.start, date__lte=ctx.end)
    add("collective_preparations", _("集体备课"), preps.count(),
        _("教学常规中本校各教研组、备课组登记的集体备课记录，日期在%(span)s。") % {"span": ctx.span})
    by_subject = [{"label": row["subject"], "count": row["sessions"], "hours": _number(row["hours"])}
                  for row in subject_counts(school, year)]
    add("preparations_by_subject", _("各学科集体备课次数"), by_subject,
        _("集体备课记录按学科计数（学校校历本学年两个学期内），附合计时长（小时）。"))
    missed = [{"label": row["group"], "count": row["weeks_missing"], "weeks": row["weeks"]}
              for row in prep_counts(school, year, today=ctx.today) if row["weeks_missing"]]
    add("groups_missing_prep_weeks", _("集体备课未达每周要求的教研组"), missed,
        _("按每周集体备课不少于 2 小时的要求，本学年已结束的周中未达到要求的周数，按教研组、备课组列出。"))
    checks = RoutineCheck.objects.filter(school=school, date__gte=ctx.start, date__lte=ctx.end)
    add("routine_inspections", _("教学常规检查"), checks.count(),
        _("教学常规中本校登记的常规检查（备课、作业等各检查项目），检查日期在%(span)s。") % {"span": ctx.span})


def _growth_figures(ctx: _Context) -> None:
    """Public lessons and awards: the teachers' growth records that count (accepted, or imported)."""
    add = ctx.add
    counted = GrowthRecord.objects.filter(school=ctx.school, status=ReviewStatus.ACCEPTED, date__gte=ctx.start, date__lte=ctx.end)
    add("public_lessons", _("公开课"), counted.filter(kind=RecordKind.PUBLIC_LESSON).count(),
        _("教师成长记录中本校类型为“公开课”、已审核通过或导入的记录，日期在%(span)s。") % {"span": ctx.span})
    awards = counted.filter(kind=RecordKind.AWARD)
    add("awards", _("获奖"), awards.count(),
        _("教师成长记录中本校类型为“获奖”、已审核通过或导入的记录，日期在%(span)s。") % {"span": ctx.span})
    add("awards_by_level", _("获奖级别与等次"), _awards(awards),
        _("上述获奖记录按级别（国家级至校级）和等次计数。"))


def _needs_figures(ctx: _Context) -> None:
    """The needs survey of the school year: the newest questionnaire or fixed survey (``needs.selectors.school_needs``)."""
    add, school_year = ctx.add, f"{ctx.year}-{ctx.year + 1}"
    needs = school_needs(ctx.school.pk, school_year, top=TOP_NEEDS)
    if needs is None:
        respondents, staff, top = 0, 0, []
        responses_text = _("需求调研中本校本学年（%(sy)s）的调研：本学年没有发起调研，答卷数为 0。") % {"sy": school_year}
    else:
        respondents, staff = needs.respondents, needs.staff
        top = [{"label": t.label, "count": t.count} for t in needs.top if t.count]
        responses_text = _("本校本学年（%(sy)s）最近一次培训需求调研“%(title)s”收到的答卷数。") % {
            "title": needs.title, "sy": school_year}
    add("needs_responses", _("需求调研答卷"), respondents, responses_text)
    rate = (Decimal(respondents) / Decimal(staff)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if staff else None
    add("needs_response_rate", _("需求调研参与率"), _number(rate),
        _("答卷数占本校当前在职教师人数的比例；没有调研时为空。"))
    add("needs_top", _("教师最需要的培训内容"), top,
        _("调研中教师勾选最多的前 %(n)s 项培训内容及人数。") % {"n": TOP_NEEDS})


def by_key(figures) -> dict[str, Any]:
    """``{key: value}`` of a list of figures (or of their JSON form, as a snapshot keeps them)."""
    out = {}
    for f in figures:
        if isinstance(f, Figure):
            out[f.key] = f.value
        else:
            out[f["key"]] = f["value"]
    return out


#: Figures that are fractions, shown as a percentage.
RATE_KEYS = frozenset({"compliance_rate", "needs_response_rate"})


def value_text(key: str, value) -> str:
    """A figure's value as the summary's appendix prints it: ``0.8125`` → ``81.3%``, a list as its items."""
    if value is None:
        return "—"
    if key in RATE_KEYS:
        return measures.percent(Decimal(str(value)))
    if isinstance(value, dict) and "bands" in value:
        parts = [_("%(label)s %(n)s 人") % {"label": b["label"], "n": b["count"]} for b in value["bands"]]
        if value.get("min") is not None:
            parts.append(_("最少 %(min)s，中位数 %(median)s，最多 %(max)s") % value)
        return "；".join(parts)
    if isinstance(value, list):
        if not value:
            return _("无")
        return "；".join(_item_text(key, item) for item in value)
    return str(value)


def _item_text(key: str, item: dict) -> str:
    if key == "kinds_below":
        return _("%(label)s（最低 %(minimum)s %(unit)s）不足 %(count)s 人") % item
    if key == "groups_missing_prep_weeks":
        return _("%(label)s %(count)s 周（已过 %(weeks)s 周）") % item
    if key == "preparations_by_subject":
        return _("%(label)s %(count)s 次（%(hours)s 小时）") % item
    if key in ("needs_top",):
        return _("%(label)s %(count)s 人") % item
    if key == "awards_by_level":
        return _("%(label)s %(count)s 项") % item
    return _("%(label)s %(count)s 次") % item
