"""The demo county's reports: document settings, two notices, year-end summaries, the evaluation sheet.

:func:`seed_reports` runs last, after :mod:`yanxiu.demo.routine` (a notice
names the group the routine commended). Everything goes through the reports
services (checks and audit rows); nothing is bulk-written.

- every demo county: its document settings (issuing body "<county>教育局",
  prefix the county's first character + "教通"), then, issued by its bureau,
  an absence-and-leave notice (缺训与请假通报, 1号) of last month's training or,
  when last month had none with absences or leave (the demo's sessions fall
  in September and October), of the latest earlier month of the school year
  that has some; and a commendation (2号) of the two schools with the best
  compliance rate so far and the group the first school commended, each
  with its reason written from its figures;
- the schools the demo logins administer (the ``school`` login's): last
  school year's summary saved with the drafted text and filed, this year's
  saved as a draft; in the first county, last year's summaries of the next
  three schools (two filed, one a draft), so the bureau's list of either year
  shows schools not started next to drafts (and filed ones);
- the evaluation sheet of last school year: the first :data:`REVIEWED_SCHOOLS`
  schools of the county reviewed by the bureau, each with an adjustment and
  a comment (the platform came into use this year, so last year's records are
  mostly on paper: the comments say what the bureau found in them).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from yanxiu.accounts.models import Role, RoleAssignment, User
from yanxiu.credits.selectors import current_school_year
from yanxiu.org.models import Employment, Group, Region, School
from yanxiu.reports import measures, notices
from yanxiu.reports.models import OfficialNotice
from yanxiu.reports.services import evaluation as evaluation_services
from yanxiu.reports.services import notices as notice_services
from yanxiu.reports.services import summary as summary_services
from yanxiu.routine.models import Commendation

from . import county
from .growth import school_admins

#: Schools of the first county whose last school year the bureau has reviewed.
REVIEWED_SCHOOLS = 5
#: (adjustment, comment) of each reviewed school, in code order; the first is the demo logins' school.
REVIEWS = [
    ("6.00", "上学年研修活动以纸质台账为主，经查阅，计划、签到表和研修反思齐全，年度工作总结按时报送，酌情加 6 分。"),
    ("5.00", "上学年研修记录未录入平台，纸质台账基本齐全，酌情加 5 分；请本学年起在平台上按时登记活动和学时。"),
    ("3.00", "承办片区教研活动一次，效果较好，酌情加 3 分；纸质台账缺少部分签到表。"),
    ("0.00", "年度工作总结至今未报送，也未提供研修台账，按平台数据计分。请学校尽快报送总结，本学年按时登记研修活动。"),
    ("2.00", "上学年开展了集体备课和课例研究，记录较简略，酌情加 2 分；学时公示请按要求每学期开展。"),
]
#: Last school year's summaries of the next schools in code order: two filed, one still a draft.
OTHER_SUMMARIES = ("filed", "filed", "draft")
GROUP_REASON = "集体备课每周落实，组内听课评课常态化，本学年被学校评为先进教研组。"


@dataclass
class ReportsSummary:
    counties: int = 0
    notices: list[str] = field(default_factory=list)
    absence_scope: str = ""
    absence_rows: int = 0
    filed: int = 0
    drafts: int = 0
    reviewed: int = 0
    seconds: float = 0.0


def seed_reports(*, log: Callable[[str], None] | None = None) -> ReportsSummary:
    """Write the demo county's reports data (see the module docstring)."""
    started = time.monotonic()
    with transaction.atomic():
        summary = _Seeder(log=log or (lambda _m: None)).run()
    summary.seconds = time.monotonic() - started
    return summary


def region_officer(region) -> User | None:
    """Who issues the county's documents: its first bureau admin, else its first training-centre officer."""
    for role in (Role.BUREAU_ADMIN, Role.CENTRE_STAFF):
        row = RoleAssignment.objects.filter(role=role, region=region).select_related("user").order_by("pk").first()
        if row is not None:
            return row.user
    return None


def last_month(today: dt.date) -> tuple[int, int]:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


class _Seeder:
    def __init__(self, *, log: Callable[[str], None]):
        self.log = log
        self.today = timezone.localdate()
        self.summary = ReportsSummary()

    def run(self) -> ReportsSummary:
        counties = list(Region.objects.filter(level="county", code=county.COUNTY[0]).order_by("code"))
        for n, region in enumerate(counties):
            officer = region_officer(region)
            if officer is None:
                continue
            self.summary.counties += 1
            year = current_school_year(region)
            self._notices(region, officer, year)
            self._summaries(region, year, first=n == 0)
            if n == 0:
                self._evaluation(region, officer, year - 1)
        return self.summary

    # --- notices -------------------------------------------------------------------------
    def _notices(self, region, officer, year: int) -> None:
        name = region.name
        notice_services.document_settings_set(actor=officer, region=region, issuing_body=f"{name}教育局",
                                              number_prefix=f"{name[0]}教通")
        settings = notices.settings_of(region)
        # Both dated in this calendar year, so they are its 1号 and 2号.
        absence_day = max(self.today - dt.timedelta(days=7), dt.date(self.today.year, 1, 1))
        scope, rows = self._absence_scope(region, year)
        if scope is not None:
            notice = notice_services.notice_issue(
                actor=officer, region=region, kind=OfficialNotice.Kind.ABSENCE, scope=scope,
                title=notices.draft_title(region, OfficialNotice.Kind.ABSENCE, scope),
                body=notices.draft_body(region, OfficialNotice.Kind.ABSENCE, scope, rows, settings.issuing_body),
                date=absence_day)
            self.summary.notices.append(notice.doc_number)
            self.summary.absence_scope, self.summary.absence_rows = scope["month"], len(notice.rows)
        scope = self._commendation_scope(region, year)
        if scope is not None:
            rows = notices.unit_rows(region, scope)
            notice = notice_services.notice_issue(
                actor=officer, region=region, kind=OfficialNotice.Kind.COMMENDATION, scope=scope,
                title=notices.draft_title(region, OfficialNotice.Kind.COMMENDATION, scope),
                body=notices.draft_body(region, OfficialNotice.Kind.COMMENDATION, scope, rows, settings.issuing_body),
                date=self.today)
            self.summary.notices.append(notice.doc_number)
        self.log(f"通报：{'、'.join(self.summary.notices) or '无'}。")

    def _absence_scope(self, region, year: int) -> tuple[dict | None, list[dict]]:
        """Last month, else the latest earlier month of the school year, else this month: the first with rows."""
        start, _end = measures.year_span(region, year)
        y, m = last_month(self.today)
        months = []
        while dt.date(y, m, 1) >= start.replace(day=1):
            months.append((y, m))
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        months.append((self.today.year, self.today.month))
        for y, m in months:
            scope = {"month": f"{y}-{m:02d}"}
            rows = notices.absence_rows(region, scope)
            if rows:
                return scope, rows
        return None, []

    def _commendation_scope(self, region, year: int) -> dict | None:
        """The two schools with the best compliance rate so far (fewest absences, then the larger) and the
        group the first school commended, with reasons from their figures."""
        school_rows, _groups = notices.school_figures(region, year)
        staffed = [u for u in school_rows if u.teachers]
        staffed.sort(key=lambda u: (-Decimal(u.met) / u.teachers, u.absences, -u.sessions_held, -u.teachers, u.pk))
        chosen = staffed[:2]
        group, group_reason = self._commended_group(region, year)
        if not chosen and group is None:
            return None
        reasons = {}
        for u in chosen:
            reasons[f"school:{u.pk}"] = (
                f"本学年已开展校本研修活动 {u.sessions_held} 次，{u.teachers} 名教师中已有 {u.met} 人学时达标"
                f"（{u.rate_text}），" + (f"无故缺训仅 {u.absences} 人次。" if u.absences else "没有无故缺训。"))
        groups = []
        if group is not None:
            groups.append(group.pk)
            reasons[f"group:{group.pk}"] = group_reason
        return {"schools": [u.pk for u in chosen], "groups": groups, "reasons": reasons, "year": year}

    def _commended_group(self, region, year: int) -> tuple[Group | None, str]:
        """The county's first school's advanced group of the year (routine), else its first group with members."""
        first = School.objects.filter(county=region, is_active=True).order_by("code").first()
        if first is None:
            return None, ""
        row = (Commendation.objects.filter(school=first, school_year=year, kind="advanced_group", group__isnull=False)
               .select_related("group").order_by("-score", "pk").first())
        if row is not None:
            return row.group, GROUP_REASON
        members = Employment.objects.current().filter(groups__school=first)
        group = Group.objects.filter(school=first, members__in=members).order_by("pk").first()
        return group, "集体备课按周落实，组内听课评课常态化。"

    # --- year-end summaries -----------------------------------------------------------------
    def _summaries(self, region, year: int, *, first: bool) -> None:
        """The demo logins' schools: last year's summary drafted and filed, this year's a draft. In the first
        county, a few more schools' summaries of last year (:data:`OTHER_SUMMARIES`), so that its list shows
        every state."""
        rows = (RoleAssignment.objects.filter(role=Role.SCHOOL_ADMIN, user__username__in=county.LOGIN_USERNAMES,
                                              school__county=region)
                .select_related("user", "school").order_by("school__code", "pk"))
        done = set()
        for row in rows:
            if row.school_id in done:
                continue
            done.add(row.school_id)
            self._summary(row.user, row.school, year - 1, file=True)
            self._summary(row.user, row.school, year, file=False)
        if first:
            staffed = self._staffed(region)
            admins = school_admins(staffed)  # (takes the first of the list for the ``school`` login's)
            others = [s for s in staffed if s.pk not in done][:len(OTHER_SUMMARIES)]
            for school, state in zip(others, OTHER_SUMMARIES):
                if school.pk in admins:
                    self._summary(admins[school.pk], school, year - 1, file=state == "filed")
        self.log(f"年度工作总结：已报送 {self.summary.filed} 份、草稿 {self.summary.drafts} 份。")

    def _summary(self, admin, school, year: int, *, file: bool) -> None:
        """Save ``school``'s summary of ``year`` with the drafted text, and file it when ``file``."""
        saved = summary_services.summary_save(actor=admin, school=school, year=year, title="", sections=None)
        if file:
            summary_services.summary_file(actor=admin, summary=saved)
            self.summary.filed += 1
        else:
            self.summary.drafts += 1

    def _staffed(self, region) -> list[School]:
        """The county's active schools with teachers, in code order (the first is the demo logins' school)."""
        staffed = Employment.objects.current().filter(school__county=region).values("school_id")
        return list(School.objects.filter(county=region, is_active=True, pk__in=staffed).order_by("code"))

    # --- the evaluation sheet -----------------------------------------------------------------
    def _evaluation(self, region, officer, year: int) -> None:
        schools = self._staffed(region)[:REVIEWED_SCHOOLS]
        for school, (adjustment, comment) in zip(schools, REVIEWS):
            evaluation_services.score_review(actor=officer, school=school, year=year, adjustment=adjustment, comment=comment)
            self.summary.reviewed += 1
        self.log(f"评估：{year}—{year + 1} 学年已评估 {self.summary.reviewed} 所学校。")


def describe(summary: ReportsSummary) -> list[str]:
    s = summary
    absence = f"（{s.absence_scope} 缺训与请假 {s.absence_rows} 人次）" if s.absence_scope else ""
    return [
        f"报表与公文：{s.counties} 个县的公文格式，通报 {len(s.notices)} 份{absence}：{'、'.join(s.notices) or '无'}；"
        f"年度工作总结已报送 {s.filed} 份、草稿 {s.drafts} 份；学校评估 {s.reviewed} 所（用时 {s.seconds:.1f} 秒）。",
    ]
