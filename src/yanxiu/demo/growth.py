"""Growth in the demo county: tiers, task lists, a term of records, mentor pairs, plans.

:func:`seed_growth` runs after :mod:`yanxiu.demo.activity` (which appoints an
admin in every school). For every demo school:

- a tier rule (by teaching age; every fifth school by age, 001 篇1) and the
  tiers of the current school year, assigned by :func:`tiers_recompute`; the
  generated 学科带头人 and 名师 keep their title as a selection record (评选称号);
- task lists adopted from the seed presets: 青年“六个一”, 骨干“五个一”, 成熟“四个一”
  and the leaders' observation quota; the second school uses “八个一” for its
  mature teachers instead;
- a term of records counting towards those lists (lesson observations of
  colleagues with their critique, public and research lessons, reading notes,
  cases, articles, research topics, lectures, test papers, a few awards),
  accepted by the school; most teachers are on track, about one in eight (at
  least one in each school of three or more) is clearly behind on the
  observations; a few records wait for review;
- two mentor pairs for the school year (pair_create) with their activities,
  most confirmed by the other side;
- five-year development plans and term goals, most accepted.

The demo term is the current one, or the one before when fewer than
:data:`MIN_TERM_DAYS` of it are gone (nothing would be due yet).

Through the services (checks and audit rows): tier rules and tiers, template
adoption, mentor pairs; in the first school also the demo logins' own records
(an observation and a reading note waiting for review, a county public lesson
accepted and credited, one record returned with a reason), activities logged
and confirmed, the teacher's plan and term goal. Bulk-written for volume
(no audit rows, no credit): the other records, activities, plans, goals and titles.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.utils import timezone

from yanxiu.accounts.models import Role, RoleAssignment, User
from yanxiu.core.db import refresh_planner_statistics
from yanxiu.growth import calendar
from yanxiu.growth.choices import (
    DerivedKind,
    HonourKind,
    MentorActivityKind,
    RecordKind,
    ReviewStatus,
    TierBasis,
)
from yanxiu.growth.models import (
    DevelopmentPlan,
    GrowthRecord,
    HonourTitle,
    MentorActivity,
    TaskTemplate,
    TermGoal,
)
from yanxiu.growth.progress import LEADER_POSITIONS, template_in_force, template_items
from yanxiu.growth.services.mentors import activity_confirm, activity_log, pair_create
from yanxiu.growth.services.plans import goal_submit, plan_review, plan_submit
from yanxiu.growth.services.records import record_review, record_submit
from yanxiu.growth.services.templates import template_adopt
from yanxiu.growth.services.years import year_review_write, year_sign_off
from yanxiu.growth.services.tiers import tier_rule_set, tiers_recompute
from yanxiu.org.choices import Tier
from yanxiu.org.models import Employment, Group, Person, Region, School

from . import county

#: Fewer days of the current term than this: the demo fills the term before.
MIN_TERM_DAYS = 14
BEHIND_RATE = 0.12
PENDING_PER_SCHOOL = 2
AWARD_RATE = 0.08
PLAN_RATE = 0.7
PAIRS_PER_SCHOOL = 2
ACTIVITIES_PER_PAIR = 5
#: Preset per tier, and the school (by index) that uses 八个一 for its mature teachers.
PRESETS = {Tier.YOUNG: "001-1-young", Tier.BACKBONE: "001-1-backbone", Tier.MATURE: "001-1-mature"}
EIGHT_ONES_SCHOOL = 1

LESSONS = {
    "语文": ["《荷花》第二课时", "《桂林山水》", "《草船借箭》", "《春》朗读指导", "习作：我的植物朋友", "《少年闰土》"],
    "数学": ["分数的初步认识", "三角形的面积", "两位数乘两位数", "圆的周长", "鸡兔同笼", "一次函数的图象"],
    "英语": ["Unit 3 My friends", "Unit 5 Dinner's ready", "阅读课：The lion and the mouse", "语音：字母组合 ee"],
}
GENERIC_LESSONS = ["新授课：单元导入", "复习课：单元整理与提升", "实验探究课", "综合实践活动课", "练习讲评课"]
CLASSES = ["一(1)班", "二(3)班", "三(2)班", "四(1)班", "五(2)班", "六(4)班", "七(3)班", "八(1)班", "高一(5)班"]
NOTES = [
    "导入贴近生活，学生兴趣浓；新授环节以问题串推进，小组讨论约 8 分钟，当堂练习正确率较高。",
    "教师示范后学生分组操作，巡视指导到位；板书条理清楚，课末有小结和分层作业。",
    "以读代讲，朗读形式多样；重点句段品析充分，学生发言积极，个别学生注意力不集中。",
]
STRENGTHS = ["教学目标明确，重难点突出", "问题设计有层次，能引发学生思考", "评价语言具体，及时鼓励学生",
             "小组合作分工明确，展示充分", "信息技术使用恰当，突破了难点", "课堂节奏把握好，当堂检测落实"]
SUGGESTIONS = ["可多给中等生表达的机会", "小组讨论前的任务要求可以更清楚", "练习的梯度可再拉开一些",
               "板书可以更突出知识结构", "结尾的拓展略显仓促，可精简前面的讲解", "可关注后排学生的参与"]
BOOKS = ["《给教师的建议》", "《课堂观察：走向专业的听评课》", "《教学勇气》", "《学习共同体》", "《追求理解的教学设计》",
         "《静悄悄的革命》", "《教育的细节》"]
JOURNALS = ["《湖南教育》", "《小学教学参考》", "《中学数学教学参考》", "《长沙教育》", "《教育研究与评论》"]
TOPICS = ["大单元教学设计的校本实践研究", "“双减”背景下分层作业设计研究", "小学语文整本书阅读策略研究",
          "初中数学问题链教学的实践研究", "信息技术支持下的课堂评价研究"]
AWARDS = [("县级优质课比赛", "county", "first"), ("市级教学设计评比", "city", "second"), ("学区青年教师基本功大赛", "cluster", "first"),
          ("县中小学生作文竞赛（指导）", "county", "second"), ("省级论文评选", "province", "third")]
ACTIVITY_TEXT = {
    MentorActivityKind.MENTOR_LESSON: "徒弟听师傅的课《{lesson}》，课后交流教学设计意图和课堂提问的层次。",
    MentorActivityKind.APPRENTICE_LESSON: "师傅听徒弟的课《{lesson}》，指出导入时间偏长，建议把练习分层。",
    MentorActivityKind.GUIDED_LESSON: "师傅指导徒弟备《{lesson}》，一起修改教案，确定评价任务。",
    MentorActivityKind.TALK: "交流班级管理和家校沟通的做法，商定下月的听课安排。",
}


@dataclass
class GrowthSummary:
    schools: int = 0
    tiers: int = 0
    templates: int = 0
    records: int = 0
    pending: int = 0
    behind: int = 0
    pairs: int = 0
    activities: int = 0
    plans: int = 0
    goals: int = 0
    term_label: str = ""
    seconds: float = 0.0


def demo_term(today: dt.date) -> calendar.TermSpan:
    """The term the demo fills: the current one, or the one before when it has just begun."""
    now = term_of_day(today)
    if (today - now.start).days >= MIN_TERM_DAYS:
        return now
    return calendar.default_term(now.school_year, 1) if now.number == 2 else calendar.default_term(now.school_year - 1, 2)


def term_of_day(day: dt.date) -> calendar.TermSpan:
    """The term of the default calendar ``day`` falls in (the demo schools keep it); a holiday
    belongs to the term just ended."""
    year = day.year if day.month >= 9 else day.year - 1
    second = calendar.default_term(year, 2)
    return calendar.default_term(year, 1) if day < second.start else second


def seed_growth(*, seed: int = county.DEFAULT_SEED, log: Callable[[str], None] | None = None) -> GrowthSummary:
    """Write the demo county's growth data (see the module docstring)."""
    started = time.monotonic()
    with transaction.atomic():
        summary = _Seeder(seed=seed, log=log or (lambda _m: None)).run()
    summary.seconds = time.monotonic() - started
    return summary


def school_admins(schools: list[School]) -> dict[int, User]:
    """Each school's admin (the first appointed; the ``school`` login at the first school), by school id."""
    rows = RoleAssignment.objects.filter(role=Role.SCHOOL_ADMIN, school__in=schools).order_by("pk")
    first: dict[int, int] = {}
    for school_id, user_id in rows.values_list("school_id", "user_id"):
        first.setdefault(school_id, user_id)
    school_user = User.objects.filter(username="school").first()
    if school_user is not None and schools:
        first[schools[0].pk] = school_user.pk
    users = User.objects.in_bulk(set(first.values()))
    return {school_id: users[user_id] for school_id, user_id in first.items()}


def insert_rows(model, rows: list[dict]) -> int:
    """Write ``rows`` (attribute name → value) of ``model`` in one ``executemany``.

    For the volume of records: ``bulk_create`` prepares every value through the
    query compiler and, on SQLite, splits 30 columns into statements of 33 rows,
    which took most of the growth demo's time. Columns a row leaves out take the
    model's defaults (``auto_now_add``: now); no validation, signals or audit rows."""
    if not rows:
        return 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    blank = model()
    defaults = {f.attname: f.get_db_prep_save(f.pre_save(blank, True), connection) for f in fields}
    ops = connection.ops
    adapters = {}
    for f in fields:
        if isinstance(f, models.DateTimeField):
            adapters[f.attname] = ops.adapt_datetimefield_value
        elif isinstance(f, models.DateField):
            adapters[f.attname] = ops.adapt_datefield_value
        elif isinstance(f, models.CharField | models.TextField):
            adapters[f.attname] = str  # a choices member as its plain value
    names = [f.attname for f in fields]
    params = []
    for row in rows:
        values = defaults | {name: adapters[name](value) if name in adapters and value is not None else value
                             for name, value in row.items()}
        params.append([values[n] for n in names])
    qn = ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields)))
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


@dataclass
class _Staff:
    person_id: int
    school_id: int
    name: str
    user_id: int | None
    position: str
    tier: str
    subject: str


@dataclass
class _Rows:
    records: list = field(default_factory=list)
    activities: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    goals: list = field(default_factory=list)


class _Seeder:
    def __init__(self, *, seed: int, log: Callable[[str], None]):
        self.rng = random.Random(seed * 7_919 + 20261101)
        self.log = log
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.today = timezone.localdate()
        self.term = demo_term(self.today)
        self.year = term_of_day(self.today).school_year
        self.summary = GrowthSummary(term_label=self.term.label)

    def run(self) -> GrowthSummary:
        demo_county = Region.objects.get(code=county.COUNTY[0])
        self.schools = list(School.objects.filter(county=demo_county).order_by("code"))
        self.summary.schools = len(self.schools)
        self._admins()
        self._titles_and_tiers()
        self._templates()
        self._records()
        refresh_planner_statistics()
        self._pairs()
        self._plans_and_goals()
        self._first_school()
        return self.summary

    # --- who ---------------------------------------------------------------------------
    def _admins(self) -> None:
        self.admin_of = school_admins(self.schools)
        self.schools = [s for s in self.schools if s.pk in self.admin_of]

    def _read_staff(self) -> dict[int, list[_Staff]]:
        staff: dict[int, list[_Staff]] = {s.pk: [] for s in self.schools}
        rows = (Employment.objects.current().filter(school__in=self.schools).order_by("school_id", "person_id")
                .values_list("person_id", "school_id", "person__name", "person__user_id", "position", "tier", "subject"))
        for row in rows:
            staff[row[1]].append(_Staff(*row))
        return staff

    # --- tiers, titles, templates ----------------------------------------------------------
    def _titles_and_tiers(self) -> None:
        """Titles for the generated 学科带头人 and 名师, then each school's rule and this year's tiers."""
        staff = self._read_staff()
        kinds = {Tier.LEADER: (HonourKind.SUBJECT_LEADER, "county", "长沙县教育局"),
                 Tier.MASTER: (HonourKind.MASTER, "city", "长沙市教育局")}
        titles = []
        for school in self.schools:
            for s in staff[school.pk]:
                if s.tier in kinds:
                    kind, level, body = kinds[s.tier]
                    named = self.year - self.rng.randint(1, 4)
                    titles.append(HonourTitle(person_id=s.person_id, school_id=school.pk, kind=kind, level=level, year=named,
                                              body=body, valid_until=dt.date(named + 5, 8, 31)))
        HonourTitle.objects.bulk_create(titles, batch_size=2000)
        for index, school in enumerate(self.schools):
            admin = self.admin_of[school.pk]
            basis = TierBasis.AGE if index % 5 == 4 else TierBasis.TEACHING_AGE
            tier_rule_set(actor=admin, school=school, basis=basis)
            self.summary.tiers += tiers_recompute(actor=admin, school=school, school_year=self.year)
        self.staff = self._read_staff()
        self.log(f"成长档案：{len(self.schools)} 所学校设定梯队规则，划分梯队 {self.summary.tiers} 人，登记称号 {len(titles)} 个。")

    def _templates(self) -> None:
        start_year = min(self.year, self.term.school_year)
        for index, school in enumerate(self.schools):
            admin = self.admin_of[school.pk]
            presets = dict(PRESETS)
            if index == EIGHT_ONES_SCHOOL:
                presets[Tier.MATURE] = "001-7"
            for key in [*presets.values(), "leaders"]:
                template_adopt(actor=admin, school=school, preset_key=key, year=start_year, term=1)
                self.summary.templates += 1
        self.templates: dict[int, list[TaskTemplate]] = {s.pk: [] for s in self.schools}
        for template in TaskTemplate.objects.filter(school__in=self.schools).prefetch_related("items"):
            self.templates[template.school_id].append(template)

    # --- records ----------------------------------------------------------------------------
    def _records(self) -> None:
        """Accepted records so that most teachers are on track and some clearly behind; a few waiting."""
        rows = _Rows()
        year_span = (calendar.default_term(self.term.school_year, 1).start, calendar.default_term(self.term.school_year, 2).end)
        term_span = (self.term.start, self.term.end)
        self.last_day = min(self.term.end, self.today - dt.timedelta(days=1))
        named = self._named_people()
        self.behind: set[int] = set()
        for school in self.schools:
            staff = self.staff[school.pk]
            behind = self._pick_behind(school, staff, named)
            for s in staff:
                template = template_in_force(self.templates[school.pk], tier=s.tier, leader=s.position in LEADER_POSITIONS,
                                             year=self.term.school_year, term=self.term.number)
                items = template_items(template, {}, s.person_id, term_span=term_span, year_span=year_span, today=self.today)
                for item in items:
                    self._records_for_item(rows, school, s, staff, item, behind=s.person_id in behind)
                if self.rng.random() < AWARD_RATE:
                    rows.records.append(self._record(school, s, staff, RecordKind.AWARD))
            for s in self.rng.sample(staff, min(PENDING_PER_SCHOOL, len(staff))):
                record = self._record(school, s, staff, RecordKind.OBSERVATION, day=self.last_day, pending=True)
                rows.records.append(record)
                self.summary.pending += 1
            self.summary.behind += len(behind)
            self.behind |= behind
        self.summary.records += insert_rows(GrowthRecord, rows.records)
        self.log(f"成长记录：{self.term.label}共 {len(rows.records)} 条，{self.summary.behind} 名教师听课进度落后。")

    def _named_people(self) -> dict[str, int]:
        return dict(Person.objects.filter(user__username__in=["teacher", "leader", "school"]).values_list("user__username", "pk"))

    def _pick_behind(self, school, staff: list[_Staff], named: dict[str, int]) -> set[int]:
        """About one in eight and at least one of three or more, never a demo login; in the first
        school one member of the leader's group."""
        logins = set(named.values())
        pool = [s.person_id for s in staff if s.person_id not in logins]
        behind = {p for p in pool if self.rng.random() < BEHIND_RATE}
        if school.pk == self.schools[0].pk and "leader" in named:
            group = Group.objects.filter(school=school, leader_id=named["leader"]).first()
            members = set(group.members.values_list("person_id", flat=True)) if group else set()
            candidates = sorted(members & set(pool))
            if candidates:
                behind.add(candidates[-1])
        if not behind and len(pool) >= 3:
            behind.add(pool[-1])
        return behind

    def _records_for_item(self, rows: _Rows, school, s: _Staff, staff: list[_Staff], item, *, behind: bool) -> None:
        if item.kind in DerivedKind.values:
            return  # apprentices come from the pairs, goals from the term goals
        if behind and item.kind == RecordKind.OBSERVATION:
            count = max(0, item.expected - self.rng.randint(3, 6))
        elif item.span == "year":
            count = max(item.expected, 1 if self.rng.random() < 0.45 else 0)
        else:
            count = item.expected + self.rng.randint(0, 2)
        for _n in range(min(count, item.target + 2)):
            rows.records.append(self._record(school, s, staff, item.kind))

    def _day(self) -> dt.date:
        span = max((self.last_day - self.term.start).days, 0)
        return self.term.start + dt.timedelta(days=self.rng.randint(0, span))

    def _record(self, school, s: _Staff, staff: list[_Staff], kind: str, *, day: dt.date | None = None, pending=False) -> dict:
        """One record's row (see :func:`insert_rows`)."""
        day = day or self._day()
        fields = self._content(s, staff, kind)
        reviewed = None if pending else min(dt.datetime.combine(
            day + dt.timedelta(days=self.rng.randint(1, 6)), dt.time(17, 10), tzinfo=self.tz), self.now)
        return {"person_id": s.person_id, "school_id": school.pk, "kind": kind, "date": day, "created_by_id": s.user_id,
                "status": ReviewStatus.SUBMITTED if pending else ReviewStatus.ACCEPTED,
                "reviewed_by_id": None if pending else self.admin_of[school.pk].pk, "reviewed_at": reviewed, **fields}

    def _content(self, s: _Staff, staff: list[_Staff], kind: str) -> dict:
        """The fields a kind carries, in the words a school's register uses."""
        rng = self.rng
        subject = s.subject or "综合实践"
        lesson = rng.choice(LESSONS.get(subject, GENERIC_LESSONS))
        if kind == RecordKind.OBSERVATION:
            colleagues = [c for c in staff if c.person_id != s.person_id]
            seen = rng.choice(colleagues) if colleagues else None
            seen_subject = (seen.subject if seen else "") or subject
            return {"title": rng.choice(LESSONS.get(seen_subject, GENERIC_LESSONS)), "subject": seen_subject,
                    "class_name": rng.choice(CLASSES), "observed_id": seen.person_id if seen else None,
                    "observed_name": seen.name if seen else "外校教师", "content": rng.choice(NOTES),
                    "critique": f"亮点：{rng.choice(STRENGTHS)}。建议：{rng.choice(SUGGESTIONS)}。"}
        if kind in (RecordKind.PUBLIC_LESSON, RecordKind.RESEARCH_LESSON):
            return {"title": lesson, "subject": subject, "level": rng.choice(["school", "school", "cluster", "county"]),
                    "content": "教研组集体备课后执教，课后说课并听取同组教师意见。"}
        if kind in (RecordKind.READING_NOTE, RecordKind.THEORY_BOOK):
            return {"title": rng.choice(BOOKS), "content": "摘录要点并联系本班教学实际写下体会：" + rng.choice(STRENGTHS) + "。"}
        if kind in (RecordKind.CASE, RecordKind.QUESTION):
            return {"title": f"{subject}教学中的一个问题：{rng.choice(SUGGESTIONS)}", "subject": subject,
                    "content": "记录课堂中的真实情境、原因分析和改进办法。"}
        if kind == RecordKind.ARTICLE:
            return {"title": f"浅谈{subject}课堂中的{rng.choice(['问题链设计', '分层作业', '小组合作', '课堂评价'])}",
                    "venue": rng.choice(JOURNALS), "level": rng.choice(["county", "city", "province"]), "rank": "第一作者"}
        if kind == RecordKind.RESEARCH_TOPIC:
            return {"title": rng.choice(TOPICS), "level": rng.choice(["school", "county", "city"]),
                    "role": rng.choice(["lead", "member", "member"]), "topic_status": rng.choice(["approved", "ongoing"])}
        if kind == RecordKind.AWARD:
            title, level, rank = rng.choice(AWARDS)
            return {"title": f"{title}{('（' + subject + '）') if subject else ''}", "venue": f"{county.COUNTY_NAME}教育局",
                    "level": level, "rank": rank, "student_award": "指导" in title}
        if kind == RecordKind.LECTURE:
            return {"title": f"专题讲座：{rng.choice(TOPICS)}的做法与体会", "content": "面向本校教研组，约 40 分钟。"}
        return {"title": f"{self.term.school_year}年{'秋季' if self.term.number == 1 else '春季'}单元检测（{subject}）",
                "subject": subject, "content": "命制试卷一份，附双向细目表和答案。"}

    # --- mentor pairs ---------------------------------------------------------------------
    def _pairs(self) -> None:
        """Two pairs per school: senior mentors with young apprentices (as far as the staff allows)."""
        rows = _Rows()
        year = self.term.school_year
        start, end = calendar.default_term(year, 1).start, calendar.default_term(year, 2).end
        last = min(end, self.today - dt.timedelta(days=1))
        ceremony = min(start + dt.timedelta(days=9), self.today)
        self.pairs = []
        for index, school in enumerate(self.schools):
            staff = self.staff[school.pk]
            for mentor, apprentice in self._pairings(staff):
                pair = pair_create(
                    actor=self.admin_of[school.pk], school=school, mentor=Person(pk=mentor.person_id, name=mentor.name),
                    apprentice=Person(pk=apprentice.person_id, name=apprentice.name), school_year=year,
                    subject=apprentice.subject, goals="一学年内站稳讲台：每周互相听课一节，学期末徒弟上一节汇报课。",
                    mentor_duties="指导备课、听课评课，每月至少一次面谈。", apprentice_duties="每周听师傅的课，写好听课反思。",
                    ceremony_date=ceremony,
                )
                self.pairs.append((pair, mentor, apprentice))
                if index > 0 and last >= start:
                    self._bulk_activities(rows, pair, mentor, apprentice, start, last)
        MentorActivity.objects.bulk_create(rows.activities, batch_size=2000)
        self.summary.pairs = len(self.pairs)
        self.summary.activities += len(rows.activities)
        self.log(f"师徒结对：{self.summary.pairs} 对，结对活动 {len(rows.activities)} 条。")

    def _pairings(self, staff: list[_Staff]) -> list[tuple[_Staff, _Staff]]:
        """Young apprentices first, senior mentors first; nobody both mentor and apprentice; a small
        school's one senior teacher may take two apprentices."""
        young = [s for s in staff if s.tier == Tier.YOUNG]
        senior = [s for s in staff if s.tier in (Tier.BACKBONE, Tier.MATURE)]
        apprentices = young + [s for s in staff if s not in young]
        mentors = senior + [s for s in staff if s not in senior]
        pairs: list[tuple[_Staff, _Staff]] = []
        as_apprentice: set[int] = set()
        as_mentor: dict[int, int] = {}
        for apprentice in apprentices:
            if len(pairs) == PAIRS_PER_SCHOOL:
                break
            if apprentice.person_id in as_mentor:
                continue
            options = [m for m in mentors if m.person_id != apprentice.person_id and m.person_id not in as_apprentice]
            if not options:
                continue
            mentor = min(options, key=lambda m: as_mentor.get(m.person_id, 0))
            pairs.append((mentor, apprentice))
            as_apprentice.add(apprentice.person_id)
            as_mentor[mentor.person_id] = as_mentor.get(mentor.person_id, 0) + 1
        return pairs

    def _bulk_activities(self, rows: _Rows, pair, mentor: _Staff, apprentice: _Staff, start: dt.date, last: dt.date) -> None:
        kinds = list(MentorActivityKind.values)
        span = (last - start).days
        for n in range(ACTIVITIES_PER_PAIR):
            kind = kinds[n % len(kinds)]
            logger = apprentice if kind == MentorActivityKind.MENTOR_LESSON or n % 2 else mentor
            day = start + dt.timedelta(days=(n + 1) * span // (ACTIVITIES_PER_PAIR + 1))
            confirmed = n < ACTIVITIES_PER_PAIR - 1  # the latest waits for the other side
            rows.activities.append(MentorActivity(
                pair=pair, kind=kind, date=day, logged_by_id=logger.person_id,
                content=ACTIVITY_TEXT[kind].format(lesson=self.rng.choice(LESSONS.get(apprentice.subject, GENERIC_LESSONS))),
                confirmed_at=min(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(20), tzinfo=self.tz), self.now)
                if confirmed else None,
            ))

    # --- plans and goals ---------------------------------------------------------------------
    def _plans_and_goals(self) -> None:
        rows = _Rows()
        logins = {"teacher"}
        skip = set(Person.objects.filter(user__username__in=logins).values_list("pk", flat=True))
        reviewed = self.now - dt.timedelta(days=3)
        for school in self.schools:
            admin = self.admin_of[school.pk]
            for s in self.staff[school.pk]:
                if s.person_id in skip:
                    continue
                if s.person_id not in self.behind:
                    rows.goals.append(self._goal(s, school, admin, reviewed))
                if self.rng.random() > PLAN_RATE:
                    continue
                start = self.year - self.rng.randint(0, 2)
                rows.plans.append(DevelopmentPlan(
                    person_id=s.person_id, school_id=school.pk, start_year=start, end_year=start + 4,
                    self_analysis=f"任教{s.subject or '本学科'}，课堂组织能力较好，教育科研和写作是短板。",
                    goals="五年内成为校级骨干教师：上好每一节常态课，每学年一节公开课、一篇论文，参与一项课题。",
                    measures="坚持每周听课、每月读书写笔记，积极参加教研组集体备课。",
                    status=ReviewStatus.ACCEPTED, reviewed_by=admin, reviewed_at=reviewed))
        DevelopmentPlan.objects.bulk_create(rows.plans, batch_size=2000)
        TermGoal.objects.bulk_create(rows.goals, batch_size=2000)
        self.summary.plans, self.summary.goals = len(rows.plans), len(rows.goals)

    def _goal(self, s: _Staff, school, admin, reviewed) -> TermGoal:
        """The term goal of a teacher on track, accepted by the school."""
        return TermGoal(person_id=s.person_id, school_id=school.pk, school_year=self.term.school_year, term=self.term.number,
                        goal=f"本学期上一节{s.subject or '本学科'}研究课，听课不少于规定节数，完成一篇教学案例。",
                        status=ReviewStatus.ACCEPTED, reviewed_by=admin, reviewed_at=reviewed)

    # --- the first school, through the services ----------------------------------------------
    def _first_school(self) -> None:
        """The demo logins' own growth work, written as the pages would."""
        if not self.schools:
            return
        school = self.schools[0]
        admin = self.admin_of[school.pk]
        teacher = User.objects.filter(username="teacher").select_related("person").first()
        if teacher is None or teacher.person is None:
            return
        colleague = next((s for s in self.staff[school.pk] if s.person_id != teacher.person.pk), None)
        day = self.last_day
        record_submit(actor=teacher, person=teacher.person, kind=RecordKind.OBSERVATION, date=day, title="《荷花》第二课时",
                      subject="语文", class_name="三(2)班", observed=Person.objects.get(pk=colleague.person_id) if colleague else None,
                      observed_name=colleague.name if colleague else "王老师", content=NOTES[2],
                      critique="亮点：以读代讲，朗读指导扎实。建议：小组合作可以更放手，给学生留出质疑的时间。")
        record_submit(actor=teacher, person=teacher.person, kind=RecordKind.READING_NOTE, date=day, title="《给教师的建议》",
                      content="第 36 条“教师的时间从哪里来”：每天读书，是为明天的课做准备。")
        lesson = record_submit(actor=teacher, person=teacher.person, kind=RecordKind.PUBLIC_LESSON,
                               date=min(self.term.start + dt.timedelta(days=30), day), title="《桂林山水》县级公开课",
                               subject="语文", level="county", content="县语文教研活动展示课，课后说课。")
        record_review(actor=admin, record=lesson, accept=True)
        returned = record_submit(actor=teacher, person=teacher.person, kind=RecordKind.CASE, date=day, title="一次课堂意外",
                                 content="学生提问超出预设。")
        record_review(actor=admin, record=returned, accept=False, reason="案例请写清情境、原因分析和改进办法后重新提交。")
        self.summary.pending += 2
        self.summary.records += 4
        self._first_school_pairs(school)
        plan = plan_submit(actor=teacher, person=teacher.person, start_year=self.year, end_year=self.year + 4,
                           self_analysis="教龄十余年，课堂扎实，科研写作较弱。", goals="五年内成为县级骨干教师，主持一项县级课题。",
                           measures="每学期一节研究课，每月一篇读书笔记。")
        plan_review(actor=admin, plan=plan, accept=True)
        goal_submit(actor=teacher, person=teacher.person, school_year=self.term.school_year, term=self.term.number,
                    goal="本学期完成一节县级公开课，听课不少于规定节数，写一篇教学案例。")
        self.summary.plans += 1
        self.summary.goals += 1
        self._last_year_file(school, admin, teacher)

    def _last_year_file(self, school, admin, teacher) -> None:
        """The demo teacher's growth record of last school year: a few accepted records, the
        year-end assessment (self, group, school) and the school's sign-off, so a locked file opens."""
        year = self.year - 1
        first, second = calendar.default_term(year, 1), calendar.default_term(year, 2)
        for kind, day, fields in (
            (RecordKind.OBSERVATION, first.start + dt.timedelta(days=40),
             {"title": "《秋天的雨》", "subject": "语文", "observed_name": "陈老师", "critique": "朗读层次清楚，板书可再精简。"}),
            (RecordKind.READING_NOTE, first.start + dt.timedelta(days=75), {"title": "《教育的情调》", "content": "教育是对孩子的关心。"}),
            (RecordKind.AWARD, second.start + dt.timedelta(days=60),
             {"title": "县小学语文优质课比赛", "venue": "县教育局", "level": "county", "rank": "second"}),
        ):
            record = record_submit(actor=teacher, person=teacher.person, kind=kind, date=day, **fields)
            record_review(actor=admin, record=record, accept=True)
        year_review_write(actor=teacher, person=teacher.person, school_year=year, role="self", score=88,
                          comment="完成了本学年的听课和读书任务，县优质课获二等奖；论文写作仍需加强。")
        leader = User.objects.filter(username="leader").first()
        if leader is not None:
            try:
                year_review_write(actor=leader, person=teacher.person, school_year=year, role="group", score=90,
                                  comment="积极参加组内集体备课，承担公开课，带动组内青年教师。")
            except PermissionDenied:
                pass  # the demo leader leads another group than the demo teacher's
        year_review_write(actor=admin, person=teacher.person, school_year=year, role="school", score=90,
                          comment="本学年成长任务完成良好，同意归档。")
        year_sign_off(actor=admin, person=teacher.person, school_year=year, comment="经学校审核，同意归档。")
        self.summary.records += 3

    def _first_school_pairs(self, school) -> None:
        """The first school's pairs log and confirm their activities through the services."""
        users = User.objects.in_bulk([u for _p, m, a in self.pairs for u in (m.user_id, a.user_id) if u])
        start = calendar.default_term(self.term.school_year, 1).start
        span = (self.last_day - start).days
        if span < 0:
            return
        for pair, mentor, apprentice in (p for p in self.pairs if p[0].school_id == school.pk):
            mentor_user, apprentice_user = users.get(mentor.user_id), users.get(apprentice.user_id)
            if mentor_user is None or apprentice_user is None:
                continue
            steps = [(apprentice_user, mentor_user, MentorActivityKind.MENTOR_LESSON, span // 4),
                     (mentor_user, apprentice_user, MentorActivityKind.APPRENTICE_LESSON, span // 2),
                     (apprentice_user, None, MentorActivityKind.TALK, span)]
            for logger, confirmer, kind, offset in steps:
                activity = activity_log(actor=logger, pair=pair, kind=kind, date=start + dt.timedelta(days=offset),
                                        content=ACTIVITY_TEXT[kind].format(lesson=LESSONS["语文"][offset % 6]))
                if confirmer is not None:
                    activity_confirm(actor=confirmer, activity=activity)
                self.summary.activities += 1


def describe(summary: GrowthSummary) -> list[str]:
    s = summary
    return [
        f"成长档案：{s.schools} 所学校，梯队 {s.tiers} 人，任务模板 {s.templates} 个；{s.term_label}成长记录 {s.records} 条"
        f"（待审核 {s.pending} 条，听课落后 {s.behind} 人），师徒结对 {s.pairs} 对、活动 {s.activities} 条，"
        f"发展规划 {s.plans} 份、学期目标 {s.goals} 个（用时 {s.seconds:.1f} 秒）。",
    ]
