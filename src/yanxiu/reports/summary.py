"""The year-end summary (校本培训工作总结) of a school: its draft, its document, next year's plan skeleton.

- :func:`draft_sections` writes the text of each section of
  :data:`~yanxiu.reports.models.SUMMARY_SECTIONS` from the figures
  (:mod:`yanxiu.reports.figures`), in the manner of seed 000
  ("本学年共开展校本研修活动 N 次，参训 M 人次…"); the school edits it.
- :func:`summary_document` is the document handed in: the title, the
  sections (the school's saved text, else the draft) and the appendix
  附：数据来源 listing every figure with its value and source. A saved summary
  quotes its snapshot of the figures; a filed one never changes.
- :func:`plan_skeleton` is next year's 校本研修计划（草案）: goals, the needs
  survey's most wanted contents as themes, this year's shortfalls as measures.

Who: a school admin of the school writes (:func:`can_write`); region staff
over the school read it and return a filed one (:func:`can_reopen`); nobody
else sees it (:func:`readable_schools`).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.org import scopes
from yanxiu.org.models import School

from . import measures
from .documents import Document, Heading, Paragraph, Table, date_text
from .figures import Figure, by_key, school_figures, value_text
from .models import SUMMARY_SECTION_KEYS, SUMMARY_SECTIONS, YearSummary

#: Status of a school's summary in the bureau's list: no row yet.
NOT_STARTED = "not_started"
STATUS_LABELS = {NOT_STARTED: gettext_lazy("未开始"), YearSummary.Status.DRAFT: YearSummary.Status.DRAFT.label,
                 YearSummary.Status.FILED: YearSummary.Status.FILED.label}


# --- Who --------------------------------------------------------------------------------


def may_use(user) -> bool:
    """Roles that ever open a year summary: school admins and region staff."""
    s = scopes.scope_of(user)
    return bool(s.superuser or s.admin_schools or s.region_counties)


def can_write(user, school) -> bool:
    """The school's own admin writes and files its summary."""
    s = scopes.scope_of(user)
    return s.superuser or school.pk in s.admin_schools


def can_reopen(user, school) -> bool:
    """Region staff (bureau, training centre) over the school return a filed summary."""
    s = scopes.scope_of(user)
    return s.superuser or school.county_id in s.region_counties


def readable_schools(user) -> QuerySet[School]:
    """Schools whose summaries ``user`` reads: their own schools as admin, the schools of their region."""
    s = scopes.scope_of(user)
    if s.superuser:
        return School.objects.all()
    return School.objects.filter(Q(pk__in=s.admin_schools) | Q(county_id__in=s.region_counties))


def region_schools(user) -> QuerySet[School]:
    """The schools on the bureau's list: those of the user's counties."""
    s = scopes.scope_of(user)
    if s.superuser:
        return School.objects.all()
    return School.objects.filter(county_id__in=s.region_counties)


def summary_statuses(user, year: int) -> QuerySet[School]:
    """The region's schools with their summary of ``year``: ``summary_status`` and ``summary_date`` annotated."""
    rows = YearSummary.objects.filter(school_id=OuterRef("pk"), school_year=year)
    return (region_schools(user).select_related("county")
            .annotate(summary_id=Subquery(rows.values("pk")[:1]), summary_status=Subquery(rows.values("status")[:1]),
                      summary_filed_at=Subquery(rows.values("filed_at")[:1]),
                      summary_updated_at=Subquery(rows.values("updated_at")[:1]))
            .order_by("code"))


def status_label(status: str | None) -> str:
    return str(STATUS_LABELS.get(status or NOT_STARTED, status))


def summary_of(school, year: int) -> YearSummary | None:
    return YearSummary.objects.filter(school=school, school_year=year).select_related("filed_by", "updated_by").first()


def last_reopen(summary: YearSummary | None) -> dict | None:
    """The latest return of a summary still in draft: {"reason", "at"} from its audit row, or None."""
    if summary is None or summary.is_filed:
        return None
    from yanxiu.core.events import Event
    from yanxiu.core.models import AuditEvent

    row = (AuditEvent.objects.filter(action=Event.REPORT_SUMMARY_REOPEN.value, target_type=YearSummary._meta.label_lower,
                                     target_id=str(summary.pk))
           .order_by("-created_at", "-pk").values("detail", "created_at").first())
    if row is None:
        return None
    return {"reason": (row["detail"] or {}).get("reason", ""), "at": row["created_at"]}


# --- Text -------------------------------------------------------------------------------


def year_begun(school, year: int, *, today: dt.date | None = None) -> bool:
    """Whether school year ``year`` has started under the county's policy (a summary is written from then on)."""
    return measures.year_span(school.county, year)[0] <= (today or timezone.localdate())


def year_label(year: int) -> str:
    return f"{year}—{year + 1}"


def default_title(school, year: int) -> str:
    return _("%(school)s%(years)s学年校本培训工作总结") % {"school": school.name, "years": year_label(year)}


def _num(value) -> str:
    return "—" if value is None else str(value)


def _joined(items: list[str]) -> str:
    return "、".join(items)


def _in_progress(school, year: int, as_of: dt.date) -> bool:
    return as_of <= measures.year_span(school.county, year)[1]


def _unit(values: dict) -> str:
    return (values.get("hours_distribution") or {}).get("unit") or _("学时")


def _minimum(values: dict) -> str:
    return _num((values.get("hours_distribution") or {}).get("minimum", 48))


def _kinds_phrase(values: dict, unit: str) -> str:
    kinds = values.get("kinds_below") or []
    return "".join(_("，其中%(label)s不少于 %(minimum)s %(unit)s") % {**k, "unit": k.get("unit") or unit} for k in kinds)


def _goals(school, v: dict, unit: str) -> str:
    return _(
        "我校将校本培训工作列为学校工作中的重要常规任务，充分认识到全面实施教师校本培训是更新教师知识结构、转变教育理念、"
        "提高教师业务素质的重要举措。学校成立以校长为组长的校本培训领导小组（请填写组长和成员），确保校本培训工作扎实、有效地开展。"
        "本学年的目标是：全校 %(teachers)s 名教师每人取得不少于 %(minimum)s %(unit)s%(kinds)s；各教研组、备课组每周集体备课不少于 2 小时；"
        "每位教师每学年上一节公开课。"
    ) % {"teachers": _num(v.get("teachers")), "minimum": _minimum(v), "unit": unit, "kinds": _kinds_phrase(v, unit)}


def _mechanisms(v: dict) -> str:
    return _(
        "校长作为校本培训第一责任人，学校将校本培训纳入教师年度考核，作为教师绩效考核和评优评先的重要内容。"
        "每次培训前做到定时间、定内容、定主讲人、定地点，培训时查出勤、查记录、查反思，教师的学时逐人登记、按时公示。"
        "本学年登记无故缺训 %(absences)s 人次、经批准请假 %(leave)s 人次，均按规定记录。"
    ) % {"absences": _num(v.get("absences")), "leave": _num(v.get("approved_leave"))}


def _activities(v: dict) -> str:
    kinds = [_("%(label)s %(count)s 次") % k for k in v.get("sessions_by_kind") or []]
    subjects = [_("%(label)s %(count)s 次") % s for s in v.get("preparations_by_subject") or []]
    return _(
        "本学年共开展校本研修活动 %(sessions)s 次，参训 %(person_times)s 人次%(kinds)s。各教研组、备课组开展集体备课 %(preps)s 次%(subjects)s；"
        "学校开展教学常规检查 %(checks)s 次；教师上公开课 %(lessons)s 节。"
    ) % {"sessions": _num(v.get("sessions_held")), "person_times": _num(v.get("person_times")),
         "kinds": (_("，其中") + _joined(kinds)) if kinds else "", "preps": _num(v.get("collective_preparations")),
         "subjects": f"（{_joined(subjects)}）" if subjects else "", "checks": _num(v.get("routine_inspections")),
         "lessons": _num(v.get("public_lessons"))}


def _results(v: dict, unit: str, *, running: bool, as_of: dt.date) -> str:
    teachers, below = v.get("teachers") or 0, v.get("teachers_below") or 0
    values = {"teachers": teachers, "average": _num(v.get("average_hours")), "unit": unit, "met": teachers - below,
              "rate": value_text("compliance_rate", v.get("compliance_rate")), "day": date_text(as_of)}
    if running:
        text = _("截至%(day)s，参加学时统计的教师 %(teachers)s 人，人均已取得 %(average)s %(unit)s，已有 %(met)s 人达到学时要求"
                 "（学年尚未结束，其余教师的学时仍在进行中）。") % values
    else:
        text = _("本学年参加学时统计的教师 %(teachers)s 人，人均取得 %(average)s %(unit)s，达标率 %(rate)s。") % values
    distribution = v.get("hours_distribution")
    if distribution and teachers:
        text += _("学时分布：%(bands)s。") % {"bands": value_text("hours_distribution", distribution)}
    awards = v.get("awards") or 0
    if awards:
        parts = [_("%(label)s %(count)s 项") % a for a in v.get("awards_by_level") or []]
        text += _("教师获奖 %(n)s 项%(detail)s。") % {"n": awards, "detail": (_("，其中") + _joined(parts)) if parts else ""}
    else:
        text += _("本学年没有登记教师获奖记录。")
    return text


def _problem_list(v: dict, unit: str, *, running: bool) -> list[str]:
    problems = []
    below = v.get("teachers_below") or 0
    if below:
        problems.append((_("尚有 %(n)s 名教师未达到学时要求，需在学年结束前补足") if running else _("仍有 %(n)s 名教师未达到学时要求")) % {"n": below})
    for kind in v.get("kinds_below") or []:
        if kind["count"]:
            problems.append(_("%(label)s不足 %(minimum)s %(unit)s的教师 %(count)s 人") % {**kind, "unit": unit})
    missed = v.get("groups_missing_prep_weeks") or []
    if missed:
        groups = _joined([_("%(label)s %(count)s 周") % g for g in missed])
        problems.append(_("部分教研组集体备课未达到每周 2 小时的要求（%(groups)s）") % {"groups": groups})
    if v.get("absences"):
        problems.append(_("无故缺训 %(n)s 人次") % {"n": v["absences"]})
    teachers, lessons = v.get("teachers") or 0, v.get("public_lessons") or 0
    if teachers and lessons < teachers:
        problems.append(_("公开课 %(n)s 节，尚未做到每位教师每学年上一节公开课") % {"n": lessons})
    rate = v.get("needs_response_rate")
    if rate is None:
        problems.append(_("本学年没有开展培训需求调研"))
    elif rate < 0.9:
        problems.append(_("培训需求调研参与率为 %(rate)s，部分教师没有参加调研") % {"rate": value_text("needs_response_rate", rate)})
    return problems


def _problems(v: dict, unit: str, *, running: bool) -> str:
    problems = _problem_list(v, unit, running=running)
    if not problems:
        return _("本学年各项要求基本落实，但校本培训的针对性和实效性还有提升的空间，离领导和老师们的要求还有一定差距。")
    return _("本学年校本培训工作取得了一定成绩，但离要求还有一定差距：") + "；".join(problems) + "。"


def _next_steps(v: dict) -> str:
    top = v.get("needs_top") or []
    if top:
        text = _("根据本学年培训需求调研（答卷 %(n)s 份），教师最需要的培训内容是：%(top)s。下一学年将以这些内容为主题安排校本研修。") % {
            "n": _num(v.get("needs_responses")), "top": _joined([_("%(label)s（%(count)s 人）") % t for t in top])}
    else:
        text = _("下一学年开学初将开展培训需求调研，根据教师的需要安排研修内容。")
    return text + _("针对本学年存在的问题，学校将逐人跟踪学时进度，继续扎实开展集体备课、课例研究和教学常规检查，"
                    "为教师专业成长提供平台，更好地为教育教学服务。")


def draft_sections(school, year: int, figures, *, as_of: dt.date | None = None) -> dict[str, str]:
    """The text of each summary section drafted from ``figures`` (a list of :class:`Figure` or their JSON)."""
    v = by_key(figures)
    unit = _unit(v)
    as_of = as_of or timezone.localdate()
    running = _in_progress(school, year, as_of)
    return {
        "goals": _goals(school, v, unit),
        "mechanisms": _mechanisms(v),
        "activities": _activities(v),
        "results": _results(v, unit, running=running, as_of=as_of),
        "problems": _problems(v, unit, running=running),
        "next_steps": _next_steps(v),
    }


# --- Documents --------------------------------------------------------------------------


def _figure_dicts(figures) -> list[dict]:
    return [f.as_json() if isinstance(f, Figure) else f for f in figures]


def _paragraphs(text: str) -> list[Paragraph]:
    return [Paragraph(line.strip()) for line in str(text or "").splitlines() if line.strip()]


def appendix(figures, *, computed_at: dt.datetime | None = None) -> list:
    """附：数据来源: every figure with its value and where it comes from."""
    rows = [[f["label"], value_text(f["key"], f["value"]), f["source"]] for f in _figure_dicts(figures)]
    blocks = [Heading(_("附：数据来源")), Table([_("项目"), _("数值"), _("来源")], rows)]
    if computed_at is not None:
        blocks.append(Paragraph(_("数据计算时间：%(at)s") % {"at": f"{timezone.localtime(computed_at):%Y-%m-%d %H:%M}"}, "note"))
    return blocks


def _intro(year: int) -> str:
    return _("根据县教育局校本培训有关文件精神和《中小学教师继续教育规定》，结合我校实际，本学年有组织、有计划地开展校本培训工作，"
             "建立以校为本的校本培训机制，促进教师队伍整体专业素质的提升。现将%(years)s学年校本培训工作总结如下：") % {"years": year_label(year)}


def summary_content(school, year: int, *, figures=None, now: dt.datetime | None = None):
    """(summary or None, title, {section: text}, figures as JSON, when computed) of the document.

    A saved summary quotes its snapshot and its text (a section left empty gets the draft); without one,
    the figures are computed now and every section is the draft. ``figures`` given: those are quoted."""
    now = now or timezone.now()
    summary = summary_of(school, year)
    computed_at = now
    if figures is None and summary is not None and summary.figures:
        figures, computed_at = summary.figures, summary.figures_at or now
    elif figures is None:
        figures = school_figures(school, year, now=now)
    figures = _figure_dicts(figures)
    as_of = timezone.localdate(summary.filed_at if summary is not None and summary.filed_at else computed_at)
    draft = draft_sections(school, year, figures, as_of=as_of)
    saved = summary.sections if summary is not None else {}
    sections = {key: (str(saved.get(key) or "").strip() or draft[key]) for key in SUMMARY_SECTION_KEYS}
    title = (summary.title if summary is not None and summary.title else "") or default_title(school, year)
    return summary, title, sections, figures, computed_at


def summary_document(school, year: int, *, figures=None, now: dt.datetime | None = None) -> Document:
    """The year-end summary of ``school`` for school year ``year`` as a document (docx / PDF through ``documents.render``)."""
    summary, title, sections, figures, computed_at = summary_content(school, year, figures=figures, now=now)
    blocks: list = [Paragraph(_intro(year))]
    for key, label in SUMMARY_SECTIONS:
        blocks.append(Heading(str(label)))
        blocks.extend(_paragraphs(sections[key]))
    blocks.extend(appendix(figures, computed_at=computed_at))
    day = timezone.localdate(summary.filed_at) if summary is not None and summary.filed_at else timezone.localdate(now or timezone.now())
    return Document(title=title, blocks=blocks, signature=school.name, date=day)


def document_name(school, year: int) -> str:
    return _("%(school)s%(years)s学年校本培训工作总结") % {"school": school.name, "years": year_label(year)}


def plan_name(school, year: int) -> str:
    return _("%(school)s%(years)s学年校本研修计划（草案）") % {"school": school.name, "years": year_label(year + 1)}


def _plan_measures(v: dict, unit: str) -> list[list[str]]:
    rows = []
    below = v.get("teachers_below") or 0
    rows.append([_("学时未达到要求的教师"), _("%(n)s 人") % {"n": below},
                 _("开学初逐人核对学时，每月公示进度，对进度落后的教师提醒并安排补修。") if below else _("保持现有做法。")])
    for kind in v.get("kinds_below") or []:
        rows.append([_("%(label)s不足 %(minimum)s %(unit)s") % {**kind, "unit": unit}, _("%(n)s 人") % {"n": kind["count"]},
                     _("增加%(label)s活动的场次，优先安排上述教师参加。") % kind if kind["count"] else _("保持现有做法。")])
    missed = v.get("groups_missing_prep_weeks") or []
    rows.append([_("集体备课未达每周 2 小时的教研组"),
                 _joined([_("%(label)s %(count)s 周") % g for g in missed]) if missed else _("无"),
                 _("教研组长每周安排固定的集体备课时间，教导处每月检查。") if missed else _("保持现有做法。")])
    rows.append([_("无故缺训"), _("%(n)s 人次") % {"n": _num(v.get("absences"))},
                 _("培训前提前通知，请假须经批准，无故缺训的按规定通报。") if v.get("absences") else _("保持现有做法。")])
    return rows


def plan_skeleton(school, year: int, *, now: dt.datetime | None = None) -> Document:
    """Next year's 校本研修计划（草案）, from this year's needs survey and shortfalls."""
    _summary, _title, _sections, figures, _at = summary_content(school, year, now=now)
    v = by_key(figures)
    unit = _unit(v)
    blocks: list = [
        Heading(_("一、指导思想")),
        Paragraph(_("以教师发展为本，坚持因地制宜、学用结合、按需施教，以教研组、备课组为主阵地，扎实开展校本研修，促进教师专业成长。")),
        Heading(_("二、研修目标")),
        Paragraph(_("每位教师学年内取得不少于 %(minimum)s %(unit)s%(kinds)s；各教研组、备课组每周集体备课不少于 2 小时；"
                    "每位教师每学年上一节公开课；培训需求调研参与率达到 90%% 以上。") % {
            "minimum": _minimum(v), "unit": unit, "kinds": _kinds_phrase(v, unit)}),
        Heading(_("三、研修主题")),
    ]
    top = v.get("needs_top") or []
    if top:
        blocks.append(Paragraph(_("根据%(years)s学年培训需求调研（答卷 %(n)s 份），下一学年的研修主题为：") % {
            "years": year_label(year), "n": _num(v.get("needs_responses"))}))
        blocks.append(Table([_("序号"), _("研修主题"), _("需要的教师（人）")], [[i, t["label"], t["count"]] for i, t in enumerate(top, 1)]))
    else:
        blocks.append(Paragraph(_("本学年没有培训需求调研的结果；开学初开展调研后确定研修主题。")))
    blocks += [
        Heading(_("四、针对本学年不足的措施")),
        Table([_("问题"), _("本学年情况"), _("措施")], _plan_measures(v, unit)),
        Heading(_("五、活动安排")),
        Paragraph(_("（请按月填写研修活动、形式和负责人。）"), "note"),
        Table([_("月份"), _("研修活动"), _("形式"), _("负责人")], [[_("%(m)s月") % {"m": m}, "", "", ""] for m in (9, 10, 11, 12, 1, 2, 3, 4, 5, 6)]),
    ]
    return Document(title=_("%(years)s学年校本研修计划（草案）") % {"years": year_label(year + 1)}, subtitle=school.name,
                    blocks=blocks, signature=school.name, date=timezone.localdate(now or timezone.now()))


def live_differences(summary: YearSummary, figures: list[Figure]) -> list[dict]:
    """The figures whose fresh value differs from the snapshot: label, snapshot text, fresh text."""
    saved = by_key(summary.figures)
    out = []
    for f in figures:
        if f.key in saved and saved[f.key] != f.value:
            out.append({"label": f.label, "saved": value_text(f.key, saved[f.key]), "now": value_text(f.key, f.value)})
    return out

