"""The school's routine in the demo county: checks, collective preparation, exams, a competition, commendations.

:func:`seed_routine` runs after :mod:`yanxiu.demo.growth` (a competition's awards
land in the growth records). For every demo school:

- the preset kinds of routine check (备课, 作业批改, 随堂听课, 写字本, 教学常规检查)
  and a term of checks with a finding per teacher checked (优/良/合格/待改进 and a
  comment; the observations fed back within days). About one planned check in
  eight was not done; a school without leaders (too small for a principal) has
  only the checks anyone may make;
- a collective preparation of each group with members in most weeks of the
  term (two hours, with the members' attendance); about one week in six a
  group missed or held a shorter one;
- in each primary school: who teaches which class 语文, 数学 and (from grade 3)
  英语 (a village school has small classes), the seed's quality targets, and two exams (the last final and the last
  mid-term before today) with a score per student and subject, a few 缺考,
  请假 and 免考;
- at the first school: one competition (教学比武) with its scoring sheet,
  panel, entries, every judge's scores and published results (the awards in
  the entrants' growth records), and a few commendations of the school year
  (the best group and the two best teachers on the score sheets, a criticism
  of the group that missed the most weeks, when it missed more than the best group).

Through the services (checks and audit rows): the kinds of check, quality
settings and targets, the first school's checks, one preparation and the
teaching assignments, its student files, the competition and the
commendations. Bulk-written for volume (no audit rows): the other checks and
findings, preparations and attendance, assignments, exams and scores.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from yanxiu.accounts.models import User
from yanxiu.growth import calendar
from yanxiu.growth.progress import LEADER_POSITIONS
from yanxiu.org.choices import Stage, Tier
from yanxiu.org.models import Employment, Group, Person, Region, School
from yanxiu.routine import commendation_selectors
from yanxiu.routine.models import (
    CheckFinding,
    CheckKind,
    CollectivePrep,
    Exam,
    ExamScore,
    PrepAttendance,
    RoutineCheck,
    TeachingAssignment,
)
from yanxiu.routine.services import checks as check_services
from yanxiu.routine.services import commendations as commendation_services
from yanxiu.routine.services import competitions as competition_services
from yanxiu.routine.services import preps as prep_services
from yanxiu.routine.services import quality as quality_services
from yanxiu.routine.services import students as student_services

from . import county
from .growth import GENERIC_LESSONS, LESSONS, demo_term, insert_rows, school_admins, term_of_day

#: A planned check that was not done; a week a group did not prepare for two hours.
CHECK_SKIP_RATE = 0.12
PREP_SHORT_RATE = 0.16
#: Teachers a lesson-plan, homework or handwriting check looks at (the full 教学常规检查 looks at everyone).
CHECKED_PER_ROUND = 8
GRADE_WEIGHTS = (("excellent", 30), ("good", 45), ("pass", 20), ("improve", 5))
COMMENTS = {
    "excellent": ["教案详实，二次备课有针对性", "批改及时规范，有激励性评语", "书写工整，订正到位", "课堂目标达成度高"],
    "good": ["教案完整，重难点可再突出", "批改认真，个别作业未二次批改", "整体较好，个别学生书写潦草", "环节清楚，练习可再分层"],
    "pass": ["教案较简略，缺少教学反思", "批改有遗漏，评语偏少", "部分学生未按要求订正", "课堂提问面较窄"],
    "improve": ["教案不全，请本周内补齐", "作业批改不及时，请限期整改", "写字本检查发现多次未批", "课堂组织需加强，建议跟踪听课"],
}
PRIMARY_GRADES = range(1, 7)
STUDENTS_PER_CLASS = (32, 42)
#: A village school (fewer than SMALL_SCHOOL staff, one class a grade) has small classes.
SMALL_SCHOOL, STUDENTS_PER_SMALL_CLASS = 12, (15, 28)
ABSENT_RATE, LEAVE_RATE, EXEMPT_RATE = 0.012, 0.008, 0.006
SUBJECTS_BY_GRADE = {g: (["语文", "数学", "英语"] if g >= 3 else ["语文", "数学"]) for g in PRIMARY_GRADES}
GIVEN_CHARS = county.MALE_CHARS + county.FEMALE_CHARS
DISCUSSION = [
    "主备人说课，组内围绕教学目标和重难点逐环节研讨；确定课堂练习分层，约定下周互相听课。",
    "分析上周单元检测的错题，统一订正和讲评的做法；研讨本单元作业设计，删去重复练习。",
    "围绕“问题链”设计讨论导入和新授环节，修改了两处提问；明确每位教师二次备课的重点。",
]
CONTEST_ITEMS = [{"name": "教学设计", "weight": Decimal("0.30"), "max_score": 100},
                 {"name": "课堂实施", "weight": Decimal("0.50"), "max_score": 100},
                 {"name": "教学效果", "weight": Decimal("0.20"), "max_score": 100}]
CONTEST_ENTRIES = 5
CONTEST_JUDGES = 3


@dataclass
class RoutineSummary:
    schools: int = 0
    checks: int = 0
    findings: int = 0
    preps: int = 0
    weeks_short: int = 0
    assignments: int = 0
    exams: int = 0
    scores: int = 0
    student_files: int = 0
    entries: int = 0
    awards: int = 0
    commendations: int = 0
    term_label: str = ""
    seconds: float = 0.0


def seed_routine(*, seed: int = county.DEFAULT_SEED, log: Callable[[str], None] | None = None) -> RoutineSummary:
    """Write the demo county's routine data (see the module docstring)."""
    started = time.monotonic()
    with transaction.atomic():
        summary = _Seeder(seed=seed, log=log or (lambda _m: None)).run()
    summary.seconds = time.monotonic() - started
    return summary


def exam_days(today: dt.date) -> list[tuple[str, calendar.TermSpan, dt.date]]:
    """The last final and the last mid-term held before ``today``: (kind, term, day), oldest first.
    A mid-term is held in the term's ninth week, a final two weeks before its end."""
    year = term_of_day(today).school_year
    held = []
    for y in (year - 1, year):
        for number in (1, 2):
            term = calendar.default_term(y, number)
            held.append(("midterm", term, term.start + dt.timedelta(days=9 * 7 + 2)))
            held.append(("final", term, term.end - dt.timedelta(days=14)))
    held = [h for h in held if h[2] < today]
    last = {kind: max((h for h in held if h[0] == kind), key=lambda h: h[2]) for kind in ("midterm", "final")}
    return sorted(last.values(), key=lambda h: h[2])


@dataclass
class _Staff:
    person_id: int
    name: str
    user_id: int | None
    position: str
    tier: str
    subject: str


@dataclass
class _School:
    school: School
    admin: User
    staff: list[_Staff]
    leaders: list[_Staff] = field(default_factory=list)


class _Seeder:
    def __init__(self, *, seed: int, log: Callable[[str], None]):
        self.rng = random.Random(seed * 6_007 + 20261201)
        self.log = log
        self.today = timezone.localdate()
        self.term = demo_term(self.today)
        self.year = term_of_day(self.today).school_year
        self.last_day = min(self.term.end, self.today - dt.timedelta(days=1))
        self.summary = RoutineSummary(term_label=self.term.label)

    def run(self) -> RoutineSummary:
        demo_county = Region.objects.get(code=county.COUNTY[0])
        schools = list(School.objects.filter(county=demo_county).order_by("code"))
        self.schools = self._schools(schools)
        self.summary.schools = len(self.schools)
        self._checks()
        self._preps()
        self._quality()
        if self.schools:
            self._competition(self.schools[0])
            self._commendations(self.schools[0])
        return self.summary

    # --- who ---------------------------------------------------------------------------
    def _schools(self, schools: list[School]) -> list[_School]:
        admins = school_admins(schools)
        staff: dict[int, list[_Staff]] = {s.pk: [] for s in schools}
        for row in (Employment.objects.current().filter(school__in=schools).order_by("school_id", "person_id")
                    .values_list("school_id", "person_id", "person__name", "person__user_id", "position", "tier", "subject")):
            staff[row[0]].append(_Staff(*row[1:]))
        out = []
        for school in schools:
            if school.pk not in admins or not staff[school.pk]:
                continue
            people = staff[school.pk]
            out.append(_School(school, admins[school.pk], people, [s for s in people if s.position in LEADER_POSITIONS]))
        return out

    def _grade(self) -> str:
        return self.rng.choices([g for g, _w in GRADE_WEIGHTS], weights=[w for _g, w in GRADE_WEIGHTS])[0]

    def _weeks(self) -> list[dt.date]:
        """Mondays of the demo term's weeks that are over by the last day."""
        monday = self.term.start - dt.timedelta(days=self.term.start.weekday())
        weeks = []
        while monday + dt.timedelta(days=6) <= self.last_day:
            weeks.append(monday)
            monday += dt.timedelta(days=7)
        return weeks

    # --- checks ------------------------------------------------------------------------
    def _check_days(self, kind: CheckKind, weeks: list[dt.date]) -> list[dt.date]:
        """The days a kind was checked in the term: its plan, less the checks not done."""
        days = []
        if kind.cadence == "weekly":
            for monday in weeks:
                days.extend(monday + dt.timedelta(days=n * 2) for n in range(kind.per_period))
        elif kind.cadence in ("monthly", "fortnightly"):
            step = 28 if kind.cadence == "monthly" else 14
            day = self.term.start + dt.timedelta(days=step - 3)
            while day <= self.last_day:
                days.append(day)
                day += dt.timedelta(days=step)
        else:  # termly: spread over the term
            span = (self.term.end - self.term.start).days
            days = [self.term.start + dt.timedelta(days=span * (n + 1) // (kind.per_period + 1)) for n in range(kind.per_period)]
        return [d for d in days if self.term.start <= d <= self.last_day and self.rng.random() >= CHECK_SKIP_RATE]

    def _checks(self) -> None:
        weeks = self._weeks()
        checks, findings = [], []
        for index, place in enumerate(self.schools):
            kinds = check_services.check_kinds_ensure(place.school, actor=place.admin)
            if index == 0:
                self._first_school_check(place, kinds)
            for kind in kinds:
                if kind.leaders_only and not place.leaders:
                    continue
                checkers = place.leaders if kind.leaders_only else (place.leaders or place.staff)
                for n, day in enumerate(self._check_days(kind, weeks)):
                    checker = checkers[n % len(checkers)]
                    checked = self._checked(place, kind, n, checker)
                    if not checked:
                        continue
                    check = RoutineCheck(school=place.school, kind=kind, date=day, checker_id=checker.person_id,
                                         scope=kind.name if kind.name != "随堂听课" else "", created_by=place.admin,
                                         summary=f"本次{kind.name}检查 {len(checked)} 人，总体情况良好，个别问题已当面反馈。")
                    checks.append((check, checked))
        RoutineCheck.objects.bulk_create([c for c, _p in checks], batch_size=2000)
        for check, checked in checks:
            feedback = check.kind.feedback_days is not None
            for person in checked:
                grade = self._grade()
                findings.append({"routine_check_id": check.pk, "person_id": person.person_id, "grade": grade,
                                 "comment": self.rng.choice(COMMENTS[grade]), "class_name": "",
                                 "feedback_on": min(check.date + dt.timedelta(days=self.rng.randint(0, 6)), self.last_day)
                                 if feedback else None})
        self.summary.checks += len(checks)
        self.summary.findings += insert_rows(CheckFinding, findings)
        self.log(f"教学常规：{len(self.schools)} 所学校检查 {self.summary.checks} 次，检查结果 {self.summary.findings} 条。")

    def _checked(self, place: _School, kind: CheckKind, n: int, checker: _Staff) -> list[_Staff]:
        others = [s for s in place.staff if s.person_id != checker.person_id and s.subject]
        if kind.name == "教学常规检查":
            return others
        if kind.name == "随堂听课":
            return [others[n % len(others)]] if others else []
        start = (n * CHECKED_PER_ROUND) % max(len(others), 1)
        return (others[start:] + others[:start])[:CHECKED_PER_ROUND]

    def _first_school_check(self, place: _School, kinds: list[CheckKind]) -> None:
        """The first school's latest 教学常规检查, recorded as the page would."""
        kind = next((k for k in kinds if k.name == "教学常规检查"), None)
        checker = (place.leaders or place.staff)[0]
        others = [s for s in place.staff if s.person_id != checker.person_id][:CHECKED_PER_ROUND]
        if kind is None or not others:
            return
        people = Person.objects.in_bulk([s.person_id for s in others + [checker]])
        findings = []
        for s in others:
            grade = self._grade()
            findings.append({"person": people[s.person_id], "grade": grade, "comment": self.rng.choice(COMMENTS[grade])})
        check_services.check_record(actor=place.admin, school=place.school, kind=kind, date=self.last_day,
                                    checker=people[checker.person_id], scope="全校教案、作业抽查", findings=findings,
                                    summary="抽查教案和作业，整体规范；二次备课普遍加强，个别教师批改评语偏少。")
        self.summary.checks += 1
        self.summary.findings += len(findings)

    # --- collective preparation ----------------------------------------------------------
    def _members(self) -> dict[int, list[int]]:
        members: dict[int, list[int]] = {}
        rows = (Employment.groups.through.objects.filter(
            group__school__in=[p.school for p in self.schools],
            employment__in=Employment.objects.current()).order_by("group_id", "employment__person_id")
            .values_list("group_id", "employment__person_id"))
        for group_id, person_id in rows:
            members.setdefault(group_id, []).append(person_id)
        return members

    def _preps(self) -> None:
        weeks = self._weeks()
        members = self._members()
        groups = list(Group.objects.filter(school__in=[p.school for p in self.schools]).order_by("school_id", "pk"))
        admins = {p.school.pk: p.admin for p in self.schools}
        names = dict(Person.objects.filter(pk__in={p for ids in members.values() for p in ids}).values_list("pk", "name"))
        preps = []
        for group in groups:
            ids = members.get(group.pk)
            if not ids:
                continue
            subject = group.subject or "综合"
            for n, monday in enumerate(weeks):
                short = self.rng.random() < PREP_SHORT_RATE
                if short and self.rng.random() < 0.5:
                    self.summary.weeks_short += 1
                    continue  # no preparation that week
                self.summary.weeks_short += short
                lead = ids[n % len(ids)]
                lesson = self.rng.choice(LESSONS.get(subject, GENERIC_LESSONS))
                preps.append((CollectivePrep(
                    group=group, date=monday + dt.timedelta(days=2 + n % 2), minutes=60 if short else 120, subject=subject,
                    grade_name=self._grade_name(group), lesson=lesson, lead_id=lead, discussion=self.rng.choice(DISCUSSION),
                    created_by=admins[group.school_id]), ids))
        CollectivePrep.objects.bulk_create([p for p, _i in preps], batch_size=2000)
        attendance = []
        for prep, ids in preps:
            for person_id in ids:
                present = person_id == prep.lead_id or self.rng.random() >= 0.06
                attendance.append({"prep_id": prep.pk, "person_id": person_id, "present": present,
                                   "note": "" if present else "外出培训"})
        insert_rows(PrepAttendance, attendance)
        self.summary.preps += len(preps)
        self._first_school_prep(members, names)
        self.log(f"集体备课：{self.summary.preps} 次（{self.summary.weeks_short} 个组周未达两小时）。")

    def _grade_name(self, group: Group) -> str:
        for stem, grade in (("低段", "二年级"), ("中段", "四年级"), ("高段", "六年级"), ("七年级", "七年级"),
                            ("八年级", "八年级"), ("九年级", "九年级"), ("高一", "高一"), ("高二", "高二"), ("高三", "高三")):
            if stem in group.name:
                return grade
        return "全年级"

    def _first_school_prep(self, members: dict[int, list[int]], names: dict[int, str]) -> None:
        """The demo leader records the current week's preparation of their group, as the page would."""
        leader = User.objects.filter(username="leader").select_related("person").first()
        if leader is None or leader.person is None or self.last_day < self.term.start:
            return
        group = Group.objects.filter(leader=leader.person).order_by("pk").first()
        if group is None or leader.person.pk not in members.get(group.pk, []):
            return
        prep_services.prep_record(actor=leader, group=group, date=self.last_day, minutes=90, subject=group.subject or "语文",
                                  grade_name="三年级", lesson="《荷花》第二课时", lead=leader.person,
                                  discussion="主备人说课后，组内讨论朗读指导的层次和当堂练习，约定周五前完成二次备课。")
        self.summary.preps += 1

    # --- quality monitoring --------------------------------------------------------------
    def _quality(self) -> None:
        held = exam_days(self.today)
        assignments, exams, scores = [], [], []
        primary = [p for p in self.schools if p.school.stage == Stage.PRIMARY]
        for index, place in enumerate(primary):
            quality_services.quality_first_use(school=place.school)
            classes = self._classes(place)
            years = sorted({term.school_year for _k, term, _d in held})
            if index == 0:
                self._first_school_teaching(place, classes, years)
            else:
                for year in years:
                    assignments.extend(TeachingAssignment(school=place.school, school_year=year, grade=g, class_no=c,
                                                          subject=subject, person_id=teacher)
                                       for (g, c, subject), teacher in classes.items())
            rosters = self._rosters(classes, STUDENTS_PER_SMALL_CLASS if len(place.staff) < SMALL_SCHOOL else STUDENTS_PER_CLASS)
            for kind, term, day in held:
                exam = Exam(school=place.school, kind=kind, date=day, school_year=term.school_year, term=term.number,
                            name=f"{term.label}{'期中' if kind == 'midterm' else '期末'}质量监测", file_name="成绩汇总.xlsx",
                            created_by=place.admin)
                exams.append((exam, rosters, classes))
        TeachingAssignment.objects.bulk_create(assignments, batch_size=2000)
        Exam.objects.bulk_create([e for e, _r, _c in exams], batch_size=500)
        for exam, rosters, classes in exams:
            scores.extend(self._scores(exam, rosters, classes))
        self.summary.assignments += len(assignments)
        self.summary.exams = len(exams)
        self.summary.scores = insert_rows(ExamScore, scores)
        if primary and held:
            final = Exam.objects.filter(school=primary[0].school, kind="final").order_by("-date").first()
            if final is not None:
                opened = student_services.student_files_open(actor=primary[0].admin, exam=final)
                self.summary.student_files = opened.get("opened", 0) if isinstance(opened, dict) else 0
        self.log(f"质量监测：{len(primary)} 所小学各 {len(held)} 次考试，成绩 {self.summary.scores} 条。")

    def _classes(self, place: _School) -> dict[tuple[int, int, str], int]:
        """(grade, class, subject) → the teacher: classes per grade by the school's 语文 teachers."""
        by_subject: dict[str, list[int]] = {}
        for s in place.staff:
            by_subject.setdefault(s.subject, []).append(s.person_id)
        everyone = [s.person_id for s in place.staff]
        per_grade = max(1, min(4, len(by_subject.get("语文", [])) // 4))
        classes = {}
        for subject in ("语文", "数学", "英语"):
            teachers = by_subject.get(subject) or everyone
            n = 0
            for grade in PRIMARY_GRADES:
                if subject not in SUBJECTS_BY_GRADE[grade]:
                    continue
                for class_no in range(1, per_grade + 1):
                    classes[(grade, class_no, subject)] = teachers[n % len(teachers)]
                    n += 1
        return classes

    def _rosters(self, classes, sizes: tuple[int, int]) -> dict[tuple[int, int], list[str]]:
        rosters = {}
        for grade, class_no, _subject in classes:
            if (grade, class_no) in rosters:
                continue
            size = self.rng.randint(*sizes)
            names, seen = [], set()
            while len(names) < size:
                name = self.rng.choice(county._SURNAMES) + "".join(self.rng.choice(GIVEN_CHARS) for _ in range(self.rng.choice((1, 2, 2))))
                if name not in seen:
                    seen.add(name)
                    names.append(name)
            rosters[(grade, class_no)] = names
        return rosters

    def _scores(self, exam: Exam, rosters, classes) -> list[dict]:
        rng, rows, row = self.rng, [], 3
        for (grade, class_no), names in rosters.items():
            level = {s: rng.gauss(86 if grade <= 2 else 82, 4) for s in SUBJECTS_BY_GRADE[grade]}
            for name in names:
                row += 1
                ability = rng.gauss(0, 7)
                for subject in SUBJECTS_BY_GRADE[grade]:
                    draw = rng.random()
                    status = ("absent" if draw < ABSENT_RATE else "leave" if draw < ABSENT_RATE + LEAVE_RATE
                              else "exempt" if draw < ABSENT_RATE + LEAVE_RATE + EXEMPT_RATE else "scored")
                    score = None
                    if status == "scored":
                        value = max(20.0, min(100.0, level[subject] + ability + rng.gauss(0, 6)))
                        score = Decimal(round(value * 2) / 2).quantize(Decimal("0.1"))
                    rows.append({"exam_id": exam.pk, "grade": grade, "class_no": class_no, "student_name": name,
                                 "subject": subject, "score": score, "status": status, "row": row})
        return rows

    def _first_school_teaching(self, place: _School, classes, years) -> None:
        people = Person.objects.in_bulk(set(classes.values()))
        for year in years:
            for (grade, class_no, subject), teacher in classes.items():
                student_services.teaching_set(actor=place.admin, school=place.school, school_year=year, grade=grade,
                                              class_no=class_no, subject=subject, person=people[teacher])
                self.summary.assignments += 1

    # --- the competition ---------------------------------------------------------------------
    def _competition(self, place: _School) -> None:
        """A 教学比武 of young teachers, judged by the school's leaders and the county's training centre."""
        day = min(self.term.start + dt.timedelta(days=45), self.last_day)
        if day < self.term.start:
            return
        judges = self._judges(place)
        entrants = [s for s in place.staff if s.user_id not in {j.pk for j in judges}]
        entrants.sort(key=lambda s: (s.tier != Tier.YOUNG, s.tier != Tier.NOVICE, s.person_id))
        entrants = entrants[:CONTEST_ENTRIES]
        if len(judges) < 1 or not entrants:
            return
        admin = place.admin
        contest = competition_services.competition_create(
            actor=admin, school=place.school, name=f"{self.term.school_year}年青年教师课堂教学比武", kind="teaching", level="school",
            date=day, drop_extremes=len(judges) >= 3, first_prizes=1, second_prizes=1, third_prizes=2)
        competition_services.items_set(actor=admin, competition=contest, items=CONTEST_ITEMS)
        for user in judges:
            competition_services.judge_add(actor=admin, competition=contest, user=user)
        people = Person.objects.in_bulk([s.person_id for s in entrants])
        entries = [competition_services.entry_add(actor=admin, competition=contest, person=people[s.person_id],
                                                  lesson=self.rng.choice(LESSONS.get(s.subject, GENERIC_LESSONS)))
                   for s in entrants]
        items = list(contest.items.order_by("position"))
        for n, entry in enumerate(entries):
            base = 92 - n * 3
            for judge in judges:
                values = {str(item.pk): str(max(0, min(100, base + self.rng.randint(-3, 3)))) for item in items}
                competition_services.score_submit(actor=judge, entry=entry, values=values)
        _contest, _notes = competition_services.competition_publish(actor=admin, competition=contest, today=self.today)
        self.summary.entries = len(entries)
        self.summary.awards = contest.entries.exclude(award="").count()

    def _judges(self, place: _School) -> list[User]:
        """The school's leaders with an account, else its admin; the county's training-centre staff."""
        ids = [s.user_id for s in place.leaders if s.user_id][:CONTEST_JUDGES - 1] or [place.admin.pk]
        centre = User.objects.filter(username="centre").first()
        users = list(User.objects.filter(pk__in=ids).order_by("pk"))
        if centre is not None:
            users.append(centre)
        return users[:CONTEST_JUDGES]

    # --- commendations ---------------------------------------------------------------------
    def _commendations(self, place: _School) -> None:
        """The best group and the two best teachers of the school year, and a criticism of the group
        that fell short most often."""
        school, year = place.school, self.year
        groups = [c for c in commendation_selectors.group_candidates(school, year, today=self.today) if c.score is not None]
        teachers = [c for c in commendation_selectors.teacher_candidates(school, year, today=self.today) if c.score is not None]
        chosen = []
        if groups:
            chosen.append(("advanced_group", groups[0], "集体备课每周落实，常规检查优秀率高，任教班级质量监测达标项多。"))
        for c in teachers[:2]:
            chosen.append(("advanced_person", c, "教学常规检查成绩优秀，成长任务完成好，积极参加教学比武。"))
        prepared = [c for c in groups[1:] if c.parts[0].share is not None]
        if prepared and groups[0].parts[0].share is not None:
            worst = min(prepared, key=lambda c: (c.parts[0].share, c.name))
            if worst.parts[0].share < min(1, groups[0].parts[0].share):
                chosen.append(("criticism", worst, "本学年多周集体备课不足两小时，请组长制订整改计划，按周落实。"))
        for kind, candidate, reason in chosen:
            target = {"group": candidate.obj} if candidate.kind == "group" else {"person": candidate.obj}
            commendation_services.commendation_record(actor=place.admin, school=school, school_year=year, kind=kind,
                                                      score=candidate.score, basis=candidate.basis(year), reason=reason, **target)
            self.summary.commendations += 1


def describe(summary: RoutineSummary) -> list[str]:
    s = summary
    return [
        f"教学常规：{s.schools} 所学校，{s.term_label}常规检查 {s.checks} 次（检查结果 {s.findings} 条），集体备课 {s.preps} 次"
        f"（未达两小时 {s.weeks_short} 个组周）；任课 {s.assignments} 条，质量监测 {s.exams} 次、成绩 {s.scores} 条，"
        f"学困生档案 {s.student_files} 份；教学比武参赛 {s.entries} 人、获奖 {s.awards} 人；表彰与通报 {s.commendations} 条"
        f"（用时 {s.seconds:.1f} 秒）。",
    ]
