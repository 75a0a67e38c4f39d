"""A living demo county: a school year of training on top of :mod:`yanxiu.demo.county`.

:func:`seed_activity` runs after the organisation is loaded. It adopts policy
preset 000 for the current school year, gives every school (at most
:data:`MAX_SCHOOLS`, the first ones) an approved school-based project with six
past and two upcoming sessions, takes attendance, reflections and evaluations
for the past ones, credits them through the ledger, imports the results of a
county online training, allocates places on a county training, and leaves
work waiting for each named login (a project to review, leave to approve, a
posting with an objection, a reflection to write).

Dates. Content (who attends, who is late, what they write) depends only on
the seed. The school year is the one containing the real today, so that the
pages look current: past sessions fall on fixed weeks of that school year
(from the second week of September, skipping National Day week) when these
are over; when the demo is loaded earlier in the school year they are spread
over the days already past. Upcoming sessions are always next week and the
week after, counted from today. Credits carry today's time: the ledger stamps
entries when they are written.

What goes through the services (with their checks and audit rows): policy
adoption, plans, projects and their review, sessions and their publication
(which enrols the whole school), school-admin appointments, quotas and
nominations, pending leave requests, the near-copy reflection pair, crediting
of every past session, the results import, the posting and the objection.
What is bulk-written because one service call per row would be too slow:
attendance rows, approved leave of past sessions, reflections and evaluations
(no audit rows, no originality index for them).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from yanxiu.core.db import refresh_planner_statistics

from . import county

#: Activity is seeded for the first this many schools (all of them by default).
MAX_SCHOOLS = 60
#: Credits are written one by one through the ledger service (hash chain, audit
#: row, duplicate check), a few milliseconds each; only the first this many
#: schools are credited so that the demo loads in seconds. The other schools'
#: past sessions wait for their admin to register the credits.
CREDIT_SCHOOLS = 20
PAST_SESSIONS = 6
UPCOMING_SESSIONS = 2
SESSION_START = dt.time(14, 30)
SESSION_END = dt.time(17, 30)  # 180 minutes = 4 学时; six sessions = the 24 校本 of preset 000
#: Weeks after the second week of September; week 4 (National Day) is skipped.
PAST_WEEKS = [0, 1, 2, 3, 5, 6]

LEAVE_RATE = 0.07
LATE_RATE = 0.03
REFLECTION_RATE = 0.92
EVALUATION_RATE = 0.35
ONLINE_TRAINING_RATE = 0.78
ONLINE_PASS_RATE = 0.95

PLACES = ["学校报告厅", "录播教室", "三楼会议室", "图书馆阅览室", "多功能厅", "教师发展室"]

# (topic, content, key sentences a teacher might write about it)
TOPICS: list[tuple[str, str, list[str]]] = [
    ("新课标背景下的大单元教学设计",
     "解读义务教育课程方案和课程标准（2022年版），结合本校课例讨论大单元教学设计的基本路径与评价方式。",
     ["大单元教学要先明确单元的核心任务，再把课时目标串联起来，而不是把教材内容简单拼在一起。",
      "我以前备课习惯一课一课地备，缺少整体眼光，这次学习让我意识到要从单元整体去思考学生要学会什么。"]),
    ("课堂观察与评课方法",
     "介绍课堂观察量表的使用方法，分组进入课堂观察，围绕学生学习行为开展评课议课。",
     ["课堂观察要聚焦学生的学，而不只是看老师讲得好不好，观察点要小、要具体。",
      "用观察量表记录学生的发言次数和小组合作情况后，我发现平时自己的课堂上真正参与的学生并不多。"]),
    ("作业设计与“双减”落实",
     "分享分层作业、实践性作业的设计案例，研讨作业时长的控制与作业批改反馈。",
     ["作业设计要精选、分层，基础题保底，拓展题给学有余力的学生留出空间。",
      "“双减”不是简单地减少作业量，而是要提高作业的质量，让每一道题都有明确的目的。"]),
    ("信息技术与学科教学融合",
     "演示交互式课件、智慧课堂平台的常用功能，研讨信息技术在课堂中的合理使用。",
     ["信息技术是手段不是目的，用得好能突破教学难点，用得不好反而会分散学生注意力。",
      "主讲老师演示的即时反馈功能让我很受启发，课堂练习的正确率可以当场统计，讲评更有针对性。"]),
    ("师德师风专题学习",
     "学习《新时代中小学教师职业行为十项准则》，结合身边典型案例开展讨论。",
     ["师德不是挂在墙上的口号，而是体现在每天对待学生的一言一行之中。",
      "讨论中大家谈到的几个案例让我反思自己在批评学生时的方式方法，今后要更加注意尊重学生。"]),
    ("学生心理健康教育",
     "学习中小学生常见心理问题的识别与疏导方法，研讨班级心理健康教育活动的组织。",
     ["学生的很多行为问题背后都有情绪和心理的原因，老师要先理解，再引导。",
      "主讲老师提醒我们要关注那些平时不声不响的学生，他们的需要往往更容易被忽视。"]),
    ("教学反思与教育写作",
     "介绍教学反思的几种写法，交流优秀教学案例与教育叙事，布置本学期写作任务。",
     ["反思不是写流水账，而是要抓住课堂上的一个真实问题，追问原因、提出改进办法。",
      "坚持写教学随笔能帮助自己把零散的经验整理成有条理的认识，我准备每周至少写一篇。"]),
    ("跨学科主题学习设计",
     "以本校综合实践活动为例，研讨跨学科主题学习的选题、任务设计与成果展示。",
     ["跨学科学习的关键是找到真实的问题，让不同学科的知识在解决问题中自然地联系起来。",
      "这次和其他学科的老师一起研讨，我发现很多内容其实可以打通，合作备课的空间很大。"]),
    ("课堂提问的有效性研究",
     "观看课堂录像片段，分析教师提问的类型与层次，研讨如何设计促进思维的问题链。",
     ["好的问题要有思考的空间，“是不是”“对不对”这类问题问多了，学生的思维就停留在表面。",
      "我统计了自己一节课的提问，发现记忆性问题占了大多数，今后要多设计一些开放性的问题。"]),
    ("教学评一致性",
     "围绕“目标—活动—评价”一致性，分析本校教师的教学设计，修改完善评价任务。",
     ["教学目标、学习活动和评价任务要对应起来，评价要能检测目标是否真正达成。",
      "过去我常常在课的最后才想到评价，这次学习让我明白评价设计应当在教学活动之前完成。"]),
]
KINDERGARTEN_TOPICS: list[tuple[str, str, list[str]]] = [
    ("幼儿游戏观察与指导",
     "学习游戏观察记录的方法，分享区域活动中的观察案例，研讨教师介入游戏的时机。",
     ["观察要先放手，教师过早介入会打断幼儿的游戏，失去了解孩子的机会。",
      "记录幼儿在建构区的表现后，我发现孩子们的合作能力比我原来想象的要强很多。"]),
    ("幼小衔接的实践与思考",
     "学习《关于大力推进幼儿园与小学科学衔接的指导意见》，交流入学准备教育的做法。",
     ["幼小衔接不是提前学小学的知识，而是培养孩子的学习习惯、生活自理能力和社会交往能力。",
      "和家长沟通时要讲清楚科学衔接的意义，帮助家长缓解焦虑。"]),
]

OPENINGS = [
    "{date}下午，我参加了学校组织的“{topic}”校本研修活动，{presenter}老师的分享给我留下了深刻的印象。",
    "本次“{topic}”研修活动由{presenter}老师主讲，内容紧扣我们日常教学中的实际问题，让我收获很大。",
    "参加了本校“{topic}”专题研修，{presenter}老师结合具体案例进行讲解，我认真做了笔记。",
    "这次研修的主题是“{topic}”，{presenter}老师讲得很实在，没有空话套话，很多做法拿来就能用。",
    "“{topic}”是我一直想深入学习的内容，这次听了{presenter}老师的讲座，很多困惑得到了解答。",
]
MIDDLES = [
    "回想自己这几年的教学，很多时候是凭经验上课，对学生真实的学习情况了解得不够。",
    "活动中的分组研讨很热烈，同组的老师提出了不少好的想法，让我看到了自己思考上的不足。",
    "我在本学期的教学中已经尝试了一些做法，效果还不太稳定，需要在实践中继续调整。",
    "听完讲座后我重新翻看了自己上个月的教案，发现有几处设计可以改得更好。",
    "学生是学习的主体，教师要做的是创设情境、搭好支架，让学生自己去发现和建构。",
    "我们学校的学生基础差异比较大，同样的方法在不同班级里效果并不一样，要因材施教。",
    "研修中展示的课例很有代表性，执教老师对课堂节奏的把握和对学生回答的追问都值得学习。",
    "理论学习固然重要，但更重要的是把学到的东西带回到自己的课堂中去检验。",
    "和年轻老师交流时，我发现他们在信息技术方面比我熟练，而我在课堂管理上的经验也能给他们一些帮助。",
    "教研组内的互相听课、评课是很好的学习机会，以前我参与得不够主动，今后要多听多议。",
    "在准备下周的公开课时，我会把这次学到的方法用进去，并请组里的老师帮忙观察。",
    "很多问题不是一次研修就能解决的，需要我们在日常工作中不断积累、不断反思。",
    "这次活动的安排很紧凑，理论讲解、案例分析和分组讨论相结合，大家都有发言的机会。",
    "作为一名任教多年的教师，我也深感知识需要不断更新，否则很难适应新课程的要求。",
    "我把活动中记下的要点整理成了一页纸，贴在办公桌前，时时提醒自己。",
]
CLOSINGS = [
    "今后我将继续加强学习，把这次研修的收获落实到每一节课中，努力提高课堂教学质量。",
    "我会在本学期的教学中有意识地实践这些方法，并在学期末对效果进行总结。",
    "感谢学校提供这样的学习机会，希望以后能多组织这样贴近教学实际的研修活动。",
    "路虽远，行则将至。我相信只要坚持学习和反思，自己的课堂一定会越来越好。",
    "接下来我准备和教研组的老师一起，把这个主题再往深处做一做，争取形成一个小课题。",
]
RETURN_COMMENTS = [
    "反思内容较为笼统，请结合自己的一节课具体谈谈改进措施后重新提交。",
    "请补充本次活动的主要学习内容，并联系本学科教学实际谈体会。",
]
EVALUATION_COMMENTS = [
    "", "", "", "内容实用，希望多安排课例研讨。", "时间安排合理，讨论充分。", "主讲老师准备充分，案例贴近实际。",
    "希望下次能提前发放学习材料。", "分组讨论时间可以再长一些。", "很有收获，希望能有后续跟进活动。",
]
LEAVE_REASONS = [
    ("official", "参加县教研室组织的学科命题工作。"),
    ("official", "带学生参加县中小学生运动会。"),
    ("personal", "家中老人住院，需要陪护。"),
    ("personal", "孩子发烧，需要接送就医。"),
    ("official", "参加市级骨干教师送教下乡活动。"),
]


@dataclass
class ActivitySummary:
    schools: int = 0
    school_year: int = 0
    sessions_past: int = 0
    sessions_upcoming: int = 0
    enrollments: int = 0
    attendance: int = 0
    leave: int = 0
    reflections: int = 0
    evaluations: int = 0
    credit_entries: int = 0
    imported: int = 0
    quotas: int = 0
    needs_responses: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def school_year_of(day: dt.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def past_session_days(year: int, weekday: int, today: dt.date) -> list[dt.date]:
    """The days of the six past sessions of a school meeting on ``weekday``."""
    base = dt.date(year, 9, 8)
    first = base + dt.timedelta(days=(weekday - base.weekday()) % 7)
    days = [first + dt.timedelta(weeks=w) for w in PAST_WEEKS]
    if days[-1] < today:
        return days
    # Early in the school year: spread the sessions over the days already past.
    start = dt.date(year, 9, 1)
    span = (today - start).days  # days strictly before today
    return [start + dt.timedelta(days=(i * span) // PAST_SESSIONS) for i in range(PAST_SESSIONS)]


def upcoming_session_days(weekday: int, today: dt.date) -> list[dt.date]:
    first = today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)
    if (first - today).days < 3:
        first += dt.timedelta(weeks=1)  # "next week", not tomorrow
    return [first + dt.timedelta(weeks=w) for w in range(UPCOMING_SESSIONS)]


def reflection_text(rng: random.Random, topic: tuple[str, str, list[str]], presenter: str, day: dt.date,
                    minimum: int) -> list[str]:
    """Paragraphs of a reflection, at least ``minimum`` visible characters long."""
    name, _content, keys = topic
    opening = rng.choice(OPENINGS).format(date=f"{day.month}月{day.day}日", topic=name, presenter=presenter)
    body = [rng.choice(keys)]
    middles = rng.sample(MIDDLES, len(MIDDLES))
    body.append(middles.pop())
    paragraphs = [opening, "".join(body)]
    closing = rng.choice(CLOSINGS)

    def length() -> int:
        return sum(len(p) for p in paragraphs) + len(closing)

    while length() < minimum + 10 or len(paragraphs) < 3:
        paragraphs.append(middles.pop() + (middles.pop() if rng.random() < 0.5 else ""))
    paragraphs.append(closing)
    return paragraphs


def _rich(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


# --- Loading -------------------------------------------------------------------------


def seed_activity(
    *,
    seed: int = county.DEFAULT_SEED,
    max_schools: int = MAX_SCHOOLS,
    log: Callable[[str], None] | None = None,
) -> ActivitySummary:
    """Write a school year of training activity for the demo county (see module docstring)."""
    from django.db import transaction

    started = time.monotonic()
    with transaction.atomic():
        summary = _Seeder(seed=seed, max_schools=max_schools, log=log or (lambda _m: None)).run()
    summary.seconds = time.monotonic() - started
    return summary


@dataclass
class _PastSession:
    """What the rows of one past session share."""

    session: object
    topic: tuple
    day: dt.date
    last: bool
    admin: object
    minimum: int
    presenter: str


@dataclass
class _PastRows:
    """The bulk-written rows of the past sessions."""

    attendance: list = field(default_factory=list)
    leaves: list = field(default_factory=list)
    reflections: list = field(default_factory=list)
    evaluations: list = field(default_factory=list)


class _Seeder:
    def __init__(self, *, seed: int, max_schools: int, log: Callable[[str], None]):
        from django.utils import timezone

        self.rng = random.Random(seed * 1_000_003 + 20260901)
        self.max_schools = max_schools
        self.log = log
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.year = school_year_of(self.today)
        self.summary = ActivitySummary(school_year=self.year)

    def at(self, day: dt.date, moment: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, moment, tzinfo=self.tz)

    # --- setup ---------------------------------------------------------------------
    def run(self) -> ActivitySummary:
        from yanxiu.accounts.models import User
        from yanxiu.org.models import Region, School

        self.county = Region.objects.get(code=county.COUNTY[0])
        self.bureau = User.objects.get(username="bureau")
        self.centre = User.objects.get(username="centre")
        self.school_user = User.objects.get(username="school")
        self.teacher_user = User.objects.get(username="teacher")
        self.leader_user = User.objects.get(username="leader")
        all_schools = list(School.objects.filter(county=self.county).order_by("code"))
        self.schools = all_schools[: self.max_schools]
        if len(all_schools) > len(self.schools):
            self.summary.notes.append(
                f"活动数据只生成前 {len(self.schools)} 所学校（共 {len(all_schools)} 所），其余学校只有组织数据。"
            )
        self.summary.schools = len(self.schools)
        self._policy()
        self._categories()
        self._staff()
        self._school_projects()
        self._past_activity()
        refresh_planner_statistics()  # crediting and the imports query the rows just bulk-written
        self._near_copy_pair()
        self._pending_leave()
        self._credit_sessions()
        self._import_online_training()
        self._import_upper_level_training()
        self._county_training()
        self._guest_presenter()
        self._review_queue()
        self._needs_surveys()
        self._posting()
        return self.summary

    def _policy(self) -> None:
        from yanxiu.policy.models import Policy
        from yanxiu.policy.services import policy_adopt_preset

        preset = Policy.objects.filter(region__isnull=True, preset_key="000").order_by("-version").first()
        if preset is None:
            raise RuntimeError("policy preset 000 is missing: run `yanxiu migrate` (or load_policy_presets) first")
        if not Policy.objects.filter(region=self.county).exists():
            policy_adopt_preset(actor=self.bureau, preset=preset, region=self.county, valid_from_year=self.year)
        self.log(f"已采用学时政策预设 000（{self.year}—{self.year + 1} 学年起）。")

    def _categories(self) -> None:
        from yanxiu.training.models import ContentCategory
        from yanxiu.training.services import category_save

        wanted = [
            ("JX01", "课堂教学与教研", False, False, 10),
            ("SD01", "师德师风", True, True, 20),
            ("XX01", "信息技术应用", False, False, 30),
            ("XL01", "心理健康教育", False, True, 40),
        ]
        self.categories = {}
        for code, name, compulsory, mandated, order in wanted:
            existing = ContentCategory.objects.filter(region=self.county, code=code).first()
            self.categories[code] = existing or category_save(
                actor=self.centre, region=self.county, code=code, name=name, compulsory=compulsory, mandated=mandated,
                sort_order=order,
            )

    def _staff(self) -> None:
        """Current staff per school (deterministic order) and a training admin for every school."""
        from yanxiu.accounts.models import Role, RoleAssignment, User
        from yanxiu.org.choices import Position
        from yanxiu.org.models import Employment, Person
        from yanxiu.org.services import school_admin_appoint

        school_ids = [s.pk for s in self.schools]
        rows = (
            Employment.objects.current()
            .filter(school_id__in=school_ids)
            .order_by("school_id", "person_id")
            .values_list("school_id", "person_id", "person__name", "person__user_id", "position", "tier",
                         "person__id_number")
        )
        self.staff: dict[int, list[tuple]] = {pk: [] for pk in school_ids}
        for row in rows:
            self.staff[row[0]].append(row)
        self.person_name = {r[1]: r[2] for rows_ in self.staff.values() for r in rows_}
        self.person_user = {r[1]: r[3] for rows_ in self.staff.values() for r in rows_}
        self.teacher_pid = self.teacher_user.person.pk
        self.leader_pid = self.leader_user.person.pk
        self.school_admin_pid = self.school_user.person.pk
        admins = dict(
            RoleAssignment.objects.filter(role=Role.SCHOOL_ADMIN, school_id__in=school_ids)
            .order_by("pk").values_list("school_id", "user_id")
        )
        rank = {Position.DIRECTOR: 0, Position.VICE_PRINCIPAL: 1, Position.PRINCIPAL: 2}
        for school in self.schools:
            staff = self.staff[school.pk]
            if school.pk in admins or not staff:
                continue
            pick = min(staff, key=lambda r: (rank.get(r[4], 9), r[1]))
            school_admin_appoint(actor=self.bureau, school=school, person=Person.objects.get(pk=pick[1]))
            admins[school.pk] = Person.objects.filter(pk=pick[1]).values_list("user_id", flat=True).get()
        users = User.objects.in_bulk(set(admins.values()))
        self.admin_of = {school_id: users[user_id] for school_id, user_id in admins.items()}
        self.admin_of[self.schools[0].pk] = self.school_user

    # --- school projects and sessions -----------------------------------------------
    def _school_projects(self) -> None:
        from yanxiu.org.choices import Stage
        from yanxiu.training.models import TrainingKind
        from yanxiu.training.services import plan_save, project_approve, project_create, project_submit, session_publish

        year_label = f"{self.year}-{self.year + 1}"
        self.past_sessions: list[tuple[object, tuple, dt.date]] = []  # (session, topic, day)
        self.upcoming: dict[int, list] = {}
        for si, school in enumerate(self.schools):
            staff = self.staff[school.pk]
            if not staff:
                continue
            admin = self.admin_of[school.pk]
            pool = KINDERGARTEN_TOPICS + TOPICS[:6] if school.stage == Stage.KINDERGARTEN else TOPICS
            topics = self.rng.sample(pool, PAST_SESSIONS + UPCOMING_SESSIONS)
            weekday = (1, 2, 3)[si % 3]  # Tuesday, Wednesday or Thursday afternoon
            plan = plan_save(
                actor=admin, school=school, school_year=year_label, title=f"{school.name}{year_label}学年校本研修计划",
                summary="以新课程标准为引领，以课堂教学为主阵地，每周固定半天开展校本研修；"
                "每次活动做到定时间、定地点、定主讲人、定内容，活动后提交研修反思。",
            )
            project = project_create(
                actor=admin, owner_school=school, title=f"{year_label}学年校本研修：聚焦课堂 提质增效",
                description="全校教师参加，每学期不少于 6 次集中研修活动，每次 4 学时。",
                kind=TrainingKind.SCHOOL_BASED, category=self.categories["JX01"], school_year=year_label, plan=plan,
            )
            project_submit(actor=admin, project=project)
            project_approve(actor=self.centre, project=project, comment="同意立项，请按计划落实四定要求。")
            presenters = self._presenters(school, staff)
            days = past_session_days(self.year, weekday, self.today)
            upcoming_days = upcoming_session_days(weekday, self.today)
            for k, day in enumerate(days + upcoming_days):
                topic = topics[k]
                presenter_id = presenters[k % len(presenters)]
                session = self._session(admin, project, topic, day, si, k, presenter_id)
                session_publish(actor=admin, session=session)
                if k < PAST_SESSIONS:
                    self.past_sessions.append((session, topic, day))
                    self.summary.sessions_past += 1
                else:
                    self.upcoming.setdefault(school.pk, []).append(session)
                    self.summary.sessions_upcoming += 1
        self.log(f"已建 {self.summary.sessions_past + self.summary.sessions_upcoming} 次校本研修活动。")

    def _session(self, admin, project, topic, day, si, k, presenter_id):
        from yanxiu.org.models import Person
        from yanxiu.training.models import Session
        from yanxiu.training.services import session_create

        return session_create(
            actor=admin, project=project, title=topic[0],
            starts_at=self.at(day, SESSION_START), ends_at=self.at(day, SESSION_END),
            place=PLACES[(si + k) % len(PLACES)], presenter=Person(pk=presenter_id), content=topic[1],
            requirements="请准时签到；活动后三天内提交不少于 200 字的研修反思。",
            invite_scope=Session.InviteScope.WHOLE_SCHOOL,
        )

    def _presenters(self, school, staff) -> list[int]:
        from yanxiu.org.choices import Position, Tier

        senior = {Tier.BACKBONE, Tier.LEADER, Tier.MASTER}
        ids = [r[1] for r in staff if r[5] in senior or r[4] in (Position.PRINCIPAL, Position.VICE_PRINCIPAL)]
        if school.pk == self.schools[0].pk:
            ids = [self.leader_pid] + [i for i in ids if i != self.leader_pid]
        ids = ids[:4] or [staff[0][1]]
        return ids

    # --- attendance, leave, reflections, evaluations -----------------------------------
    def _past_activity(self) -> None:
        """Attendance, approved leave, evaluations and reflections of the past sessions, bulk-written."""
        from yanxiu.attendance.models import Attendance, Reflection
        from yanxiu.attendance.services import rule_for
        from yanxiu.training.models import Evaluation, LeaveRequest

        first_school = self.schools[0].pk
        staff0 = [r[1] for r in self.staff[first_school]]
        self.named = {self.teacher_pid, self.leader_pid, self.school_admin_pid}
        others0 = [p for p in staff0 if p not in self.named]
        # One teacher of the first school skips two sessions without leave (不合格);
        # two more are kept for the near-copy pair on the last past session.
        self.absentee = others0[-1] if others0 else None
        self.copy_pair = others0[:2] if len(others0) >= 3 else []
        enrolled = self._enrolled_in_past()
        rows = _PastRows()
        minimum = 200
        for index, (session, topic, day) in enumerate(self.past_sessions):
            k = index % PAST_SESSIONS
            minimum = rule_for(session).min_reflection_chars
            past = _PastSession(session=session, topic=topic, day=day, last=k == PAST_SESSIONS - 1,
                                admin=self.admin_of[session.project.owner_school_id], minimum=minimum,
                                presenter=self.person_name.get(session.presenter_id, ""))
            for person_id in enrolled.get(session.pk, []):
                if person_id == self.absentee and k in (2, 4):
                    continue  # unexcused absence: no row, no leave
                self._past_attendee(past, person_id, rows)
        Attendance.objects.bulk_create(rows.attendance, batch_size=2000)
        LeaveRequest.objects.bulk_create(rows.leaves, batch_size=2000)
        Reflection.objects.bulk_create(rows.reflections, batch_size=2000)
        Evaluation.objects.bulk_create(rows.evaluations, batch_size=2000)
        self.reflection_min = minimum
        s = self.summary
        s.enrollments = sum(len(v) for v in enrolled.values())
        s.attendance, s.leave = len(rows.attendance), len(rows.leaves)
        s.reflections, s.evaluations = len(rows.reflections), len(rows.evaluations)
        self.log(f"已写入考勤 {s.attendance} 条、请假 {s.leave} 条、反思 {s.reflections} 篇、评价 {s.evaluations} 条。")

    def _enrolled_in_past(self) -> dict[int, list[int]]:
        """Session id -> the people enrolled in it, in id order."""
        from yanxiu.training.models import Enrollment

        enrolled: dict[int, list[int]] = {}
        for session_id, person_id in (
            Enrollment.objects.filter(session_id__in=[s.pk for s, _t, _d in self.past_sessions],
                                      status=Enrollment.Status.ENROLLED)
            .order_by("session_id", "person_id").values_list("session_id", "person_id")
        ):
            enrolled.setdefault(session_id, []).append(person_id)
        return enrolled

    def _past_attendee(self, past: _PastSession, person_id: int, rows: _PastRows) -> None:
        """One enrolled person at one past session: on leave, or present (possibly late),
        then perhaps an evaluation and a reflection."""
        from yanxiu.attendance.models import Attendance, Method

        rng = self.rng
        session, start = past.session, past.session.starts_at
        is_teacher = person_id == self.teacher_pid
        roll = rng.random()
        if not is_teacher and person_id not in self.named and roll < LEAVE_RATE:
            rows.leaves.append(self._approved_leave(past, person_id))
            rows.attendance.append(Attendance(
                session=session, person_id=person_id, status=Attendance.Status.LEAVE,
                signin_method=Method.MANUAL, manual_reason="已批准请假", marked_by=past.admin,
            ))
            return
        late = not is_teacher and person_id not in self.copy_pair and rng.random() < LATE_RATE
        signed_in = start + (dt.timedelta(minutes=rng.randint(12, 30)) if late
                             else -dt.timedelta(minutes=rng.randint(1, 15), seconds=rng.randint(0, 59)))
        rows.attendance.append(Attendance(
            session=session, person_id=person_id, status=Attendance.Status.PRESENT, signed_in_at=signed_in,
            is_late=late, signin_method=Method.QR if rng.random() < 0.85 else Method.CODE,
            signin_device=f"{rng.getrandbits(128):032x}",
        ))
        if rng.random() < EVALUATION_RATE:
            rows.evaluations.append(self._evaluation(session, person_id))
        if is_teacher and past.last:
            return  # the `teacher` login still has this reflection to write
        if past.last and person_id in self.copy_pair:
            return  # submitted through the service below
        if not is_teacher and rng.random() > (REFLECTION_RATE - (0.15 if past.last else 0)):
            return
        rows.reflections.append(self._reflection(past, person_id, is_teacher))

    def _approved_leave(self, past: _PastSession, person_id: int):
        from yanxiu.training.models import Decision, LeaveRequest

        leave_type, reason = self.rng.choice(LEAVE_REASONS)
        decided = past.session.starts_at - dt.timedelta(days=1, hours=self.rng.randint(0, 20))
        return LeaveRequest(
            session=past.session, person_id=person_id, school_id=past.session.project.owner_school_id,
            leave_type=leave_type, reason=reason, status=Decision.APPROVED, school_decision=Decision.APPROVED,
            school_decided_by=past.admin, school_decided_at=decided, school_comment="同意。",
        )

    def _evaluation(self, session, person_id: int):
        from yanxiu.training.models import Evaluation

        rng = self.rng
        good = rng.random() < 0.8
        return Evaluation(
            session=session, person_id=person_id,
            content_score=rng.choice([4, 5, 5]) if good else rng.choice([3, 4]),
            presenter_score=rng.choice([4, 5, 5]) if good else rng.choice([3, 4]),
            organisation_score=rng.choice([4, 5]) if good else rng.choice([3, 4, 5]),
            comment=rng.choice(EVALUATION_COMMENTS),
        )

    def _reflection(self, past: _PastSession, person_id: int, is_teacher: bool):
        """A reflection handed in after the session: most accepted, a few waiting or returned."""
        from yanxiu.attendance.models import Reflection
        from yanxiu.attendance.services import plain_text

        rng, last = self.rng, past.last
        submitted = min(past.session.ends_at + dt.timedelta(hours=rng.randint(2, 60), minutes=rng.randint(0, 59)),
                        self.now - dt.timedelta(minutes=30))
        body = _rich(reflection_text(rng, past.topic, past.presenter, past.day, past.minimum))
        fate = rng.random()
        if is_teacher or fate < (0.75 if last else 0.93):
            status, comment = Reflection.Status.ACCEPTED, ""
        elif fate < (0.97 if last else 0.97):
            status, comment = Reflection.Status.SUBMITTED, ""
        else:
            status, comment = Reflection.Status.RETURNED, rng.choice(RETURN_COMMENTS)
        reviewed = status != Reflection.Status.SUBMITTED
        return Reflection(
            session=past.session, person_id=person_id, body=body, plain_text=plain_text(body), status=status,
            review_comment=comment, reviewed_by=past.admin if reviewed else None,
            reviewed_at=min(submitted + dt.timedelta(hours=rng.randint(3, 30)), self.now) if reviewed else None,
            submitted_at=submitted,
        )

    def _near_copy_pair(self) -> None:
        """Two teachers of the first school hand in nearly the same reflection: the second is flagged."""
        from yanxiu.accounts.models import User
        from yanxiu.attendance.services import reflection_submit

        if not self.copy_pair:
            return
        session, topic, day = next((s, t, d) for s, t, d in reversed(self.past_sessions)
                                   if s.project.owner_school_id == self.schools[0].pk)
        paragraphs = reflection_text(self.rng, topic, self.person_name.get(session.presenter_id, ""), day,
                                     self.reflection_min)
        copied = list(paragraphs)
        copied[0] = copied[0].replace("给我留下了深刻的印象", "让我受益匪浅").replace("让我收获很大", "让我受益匪浅")
        copied[-1] = "今后我会把这些收获用到自己的课堂中，不断改进教学。" + copied[-1]
        first, second = (User.objects.get(pk=self.person_user[p]) for p in self.copy_pair)
        reflection_submit(actor=first, session=session, notes="", body=_rich(paragraphs),
                          now=session.ends_at + dt.timedelta(hours=5))
        reflection_submit(actor=second, session=session, notes="", body=_rich(copied),
                          now=session.ends_at + dt.timedelta(hours=20))
        self.summary.reflections += 2

    def _pending_leave(self) -> None:
        """Teachers of the first school ask for leave from next week's session; the school decides."""
        from yanxiu.accounts.models import User
        from yanxiu.training.services import leave_request_create

        sessions = self.upcoming.get(self.schools[0].pk)
        if not sessions:
            return
        named = {self.teacher_pid, self.leader_pid, self.school_admin_pid, self.absentee, *self.copy_pair}
        candidates = [r[1] for r in self.staff[self.schools[0].pk] if r[1] not in named][:3]
        for person_id, (leave_type, reason) in zip(candidates, LEAVE_REASONS):
            leave_request_create(actor=User.objects.get(pk=self.person_user[person_id]), session=sessions[0],
                                 leave_type=leave_type, reason=reason)

    # --- credits ---------------------------------------------------------------------------
    def _credit_sessions(self) -> None:
        from yanxiu.credits.services import credit_school_session

        total = 0
        credited = {s.pk for s in self.schools[:CREDIT_SCHOOLS]}
        if len(self.schools) > len(credited):
            self.summary.notes.append(
                f"学时只为前 {len(credited)} 所学校登记（每条经台账服务写入哈希链）；"
                f"其余 {len(self.schools) - len(credited)} 所学校已结束活动的学时待学校管理员登记。"
            )
        for session, _topic, _day in self.past_sessions:
            if session.project.owner_school_id not in credited:
                continue
            result = credit_school_session(actor=self.admin_of[session.project.owner_school_id], session=session)
            total += len(result.credited)
        self.summary.credit_entries += total
        self.log(f"已按签到与反思登记校本学时 {total} 条（写入哈希链台账）。")

    def _import_online_training(self) -> None:
        """The results list of the county's autumn online training, imported as the bureau would."""
        from yanxiu.credits.importer import import_results

        start = dt.date(self.year, 9, 15)
        end = min(dt.date(self.year, 10, 31), self.today - dt.timedelta(days=1))
        if (end - start).days < 3:
            self.summary.notes.append("学年刚开始，未导入县级网络研修结果。")
            return
        title = f"长沙县{self.year}年秋季中小学教师全员网络研修"
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["身份证号", "姓名", "培训名称", "级别", "类别", "内容类别", "学时", "开始日期", "结束日期", "结果", "主办单位"])
        rows = 0
        for school in self.schools[:CREDIT_SCHOOLS]:
            for _sid, person_id, name, _uid, _pos, _tier, id_number in self.staff[school.pk]:
                if person_id != self.teacher_pid and self.rng.random() > ONLINE_TRAINING_RATE:
                    continue
                passed = person_id == self.teacher_pid or self.rng.random() < ONLINE_PASS_RATE
                writer.writerow([id_number, name, title, "县培", "网络研修", "信息技术应用", "24", start.isoformat(),
                                 end.isoformat(), "合格" if passed else "不合格", "长沙县教师发展中心"])
                rows += 1
        data = out.getvalue().encode("utf-8")
        result = import_results(actor=self.bureau, name=f"{title}结果.csv", data=data, school_year=self.year)
        if result.errors:
            raise RuntimeError(f"demo import refused: {[e.as_json() for e in result.errors[:3]]}")
        self.summary.imported = result.credited
        self.summary.credit_entries += result.credited
        self.log(f"已导入县级网络研修结果 {rows} 行，合格登记 {result.credited} 人。")

    def _import_upper_level_training(self) -> None:
        """Two teachers per school back from a week of 省培: one has presented at school since, one not yet (三个一)."""
        from yanxiu.credits.importer import import_results

        start, end = dt.date(self.year, 9, 15), dt.date(self.year, 9, 19)
        if end >= self.today:
            return
        title = f"湖南省{self.year}年中小学骨干教师能力提升培训"
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["身份证号", "姓名", "培训名称", "级别", "类别", "内容类别", "学时", "开始日期", "结束日期", "结果", "主办单位"])
        for school in self.schools[:CREDIT_SCHOOLS]:
            staff = self.staff[school.pk]
            presenters = set(self._presenters(school, staff)) if staff else set()
            chosen = [r for r in staff if r[1] in presenters and r[1] != self.leader_pid][:1]
            chosen += [r for r in staff if r[1] not in presenters and r[1] != self.teacher_pid][:1]
            for _sid, _pid, name, _uid, _pos, _tier, id_number in chosen:
                writer.writerow([id_number, name, title, "省培", "集中培训", "课堂教学与教研", "40", start.isoformat(),
                                 end.isoformat(), "合格", "湖南省教师发展中心"])
        result = import_results(actor=self.centre, name=f"{title}结果.csv", data=out.getvalue().encode("utf-8"),
                                school_year=self.year)
        if result.errors:
            raise RuntimeError(f"demo import refused: {[e.as_json() for e in result.errors[:3]]}")
        self.summary.credit_entries += result.credited
        self.log(f"已导入省级培训结果，合格登记 {result.credited} 人。")

    def _county_training(self) -> None:
        """A county training next month: places for the larger schools, names from several of them."""
        from yanxiu.org.choices import Tier
        from yanxiu.org.models import Person
        from yanxiu.training.models import TrainingKind, TrainingLevel
        from yanxiu.training.services import (
            project_create, quota_allocate, quota_name, quota_submit, session_create, session_publish,
        )

        project = project_create(
            actor=self.bureau, region=self.county, title=f"长沙县{self.year}年中小学骨干教师集中培训（第一期）",
            description="县教育局主办、县教师发展中心承办，面向各校骨干教师，三天集中面授，考核合格计 24 学时（集中培训）。",
            level=TrainingLevel.COUNTY, kind=TrainingKind.CENTRALISED, category=self.categories["JX01"],
            school_year=f"{self.year}-{self.year + 1}",
        )
        first = self.today + dt.timedelta(days=14)
        first += dt.timedelta(days=(0 - first.weekday()) % 7)  # a Monday
        days = [first + dt.timedelta(days=i) for i in range(3)]
        themes = [("开班仪式暨专题讲座：新时代骨干教师的专业成长", "县教师发展中心主任"),
                  ("课例研修：从一节课看教学评一致性", "湖南师范大学 刘教授"),
                  ("分组研课与结业考核", "县教研室学科教研员")]
        for day, (title, presenter) in zip(days, themes):
            session = session_create(
                actor=self.bureau, project=project, title=title, starts_at=self.at(day, dt.time(8, 30)),
                ends_at=self.at(day, dt.time(17, 0)), place="长沙县教师发展中心 301 报告厅", presenter_name=presenter,
                content=project.description, requirements="请各校参训教师携带笔记本电脑，按时报到。",
            )
            session_publish(actor=self.bureau, session=session)
        deadline = self.at(self.today + dt.timedelta(days=7), dt.time(18, 0))
        sized = sorted(self.schools[1:], key=lambda s: (-len(self.staff[s.pk]), s.code))[:9]
        senior = {Tier.BACKBONE, Tier.LEADER, Tier.MASTER}
        for n, school in enumerate([self.schools[0], *sized]):
            places = 3 if n == 0 else 2 + (n % 3)
            quota = quota_allocate(actor=self.bureau, project=project, school=school, places=places, deadline=deadline)
            self.summary.quotas += 1
            candidates = [r[1] for r in self.staff[school.pk] if r[5] in senior] or [r[1] for r in self.staff[school.pk]]
            if n == 0:
                # The first school has named one of its three places and not yet submitted.
                quota_name(actor=self.admin_of[school.pk], quota=quota, people=[Person.objects.get(pk=self.leader_pid)])
                continue
            if n % 4 == 3 or not candidates:
                continue  # not yet named
            people = list(Person.objects.filter(pk__in=candidates[:places]).order_by("pk"))
            quota_name(actor=self.admin_of[school.pk], quota=quota, people=people)
            if n % 2:
                quota_submit(actor=self.admin_of[school.pk], quota=quota)
        self.log(f"已建县级集中培训，向 {self.summary.quotas} 所学校分配名额。")

    def _guest_presenter(self) -> None:
        """The invited presenter's account (login ``presenter``) co-presents the first school's last two
        sessions and its next one, and a day of the county training: sessions past and coming to open."""
        from yanxiu.accounts.models import User
        from yanxiu.training.models import Session
        from yanxiu.training.services import session_update

        guest = User.objects.filter(username="presenter").first()
        if guest is None:
            return
        school = self.schools[0]
        admin = self.admin_of[school.pk]
        past = [s for s, _t, _d in self.past_sessions if s.project.owner_school_id == school.pk][-2:]
        for session in past + self.upcoming.get(school.pk, [])[:1]:
            session_update(actor=admin, session=session, presenter_account=guest)
        county_day = Session.objects.filter(project__owner_school__isnull=True, presenter_name__contains="刘教授").first()
        if county_day is not None:
            session_update(actor=self.bureau, session=county_day, presenter_account=guest)
        self.log("特邀主讲人账号已关联本校近期活动与县级培训。")

    def _review_queue(self) -> None:
        """A project awaiting the centre's review and one returned with comments."""
        from yanxiu.training.models import TrainingKind
        from yanxiu.training.services import project_create, project_return, project_submit

        year_label = f"{self.year}-{self.year + 1}"
        school = self.schools[0]
        waiting = project_create(
            actor=self.school_user, owner_school=school, title="青年教师课堂教学基本功提升",
            description="面向教龄 5 年以内的青年教师，开展粉笔字、说课、微课制作等基本功训练，每月一次，学期末展示考核。",
            kind=TrainingKind.LESSON_STUDY, category=self.categories["JX01"], school_year=year_label,
        )
        project_submit(actor=self.school_user, project=waiting)
        returned = project_create(
            actor=self.school_user, owner_school=school, title="信息技术应用能力提升校本研修",
            description="组织教师学习常用教学软件。", kind=TrainingKind.SCHOOL_BASED, category=self.categories["XX01"],
            school_year=year_label,
        )
        project_submit(actor=self.school_user, project=returned)
        project_return(
            actor=self.centre, project=returned,
            comment="项目目标不够具体：请写明面向的教师范围、每次活动的时间、地点、主讲人和内容（四定），以及考核方式后重新提交。",
        )
        if len(self.schools) > 1 and self.staff[self.schools[1].pk]:
            other = self.schools[1]
            admin = self.admin_of[other.pk]
            project = project_create(
                actor=admin, owner_school=other, title="“双减”背景下的分层作业设计",
                description="以教研组为单位，每两周开展一次作业设计研讨，学期末汇编优秀作业设计案例。",
                kind=TrainingKind.COLLECTIVE_PREP, category=self.categories["JX01"], school_year=year_label,
            )
            project_submit(actor=admin, project=project)

    def _needs_surveys(self, schools: int = 5) -> None:
        """The first schools survey next term's training needs with the default needs questionnaire (the old fixed
        questions); about two thirds have answered so far.

        The demo teacher has not answered yet, so the to-do list and 我的问卷 show the questionnaire to fill in.
        """
        from yanxiu.accounts.models import User
        from yanxiu.needs.models import QuestionKind
        from yanxiu.needs.services.questionnaires import (
            questionnaire_create, questionnaire_publish, questionnaire_respond, questionnaire_update,
        )

        suggestions = [
            "希望多安排同学科的课堂观察，听完课当场研讨。", "作业设计方面的培训很需要，最好有具体案例。",
            "希望请教研员来校指导新课标下的单元教学设计。", "信息技术培训希望分层进行，年纪大的老师跟不上。",
            "班主任工作和家校沟通方面的培训希望多一些。", "不要占用周末，放在周三下午教研时间最好。",
        ]
        for school in self.schools[:schools]:
            staff = [r[1] for r in self.staff[school.pk] if r[3]]
            if not staff:
                continue
            admin = self.admin_of[school.pk]
            q = questionnaire_create(actor=admin, purpose="needs", school=school, title=f"{self.year + 1}年春季学期教师培训需求调研",
                                     opens_on=self.today, closes_on=self.today + dt.timedelta(days=10))
            q = questionnaire_update(actor=admin, questionnaire=q, title=q.title, audience=q.audience, opens_on=q.opens_on,
                                     closes_on=q.closes_on, intro="请根据自己的教学实际勾选最需要的培训内容、形式和时间，学校据此安排下学期校本研修。")
            q = questionnaire_publish(actor=admin, questionnaire=q)
            questions = list(q.questions.prefetch_related("options").order_by("position"))
            users = User.objects.in_bulk([self.person_user[pid] for pid in staff])
            for pid in staff:
                if pid == self.teacher_pid or self.rng.random() > 0.68:
                    continue
                answers = {}
                for question in questions:
                    options = [o.pk for o in question.options.all()]
                    if question.kind == QuestionKind.SINGLE and options:
                        answers[question.pk] = [self.rng.choice(options)]
                    elif question.kind == QuestionKind.MULTIPLE and options:
                        low = max(1, question.min_picks or 1)
                        high = min(len(options), question.max_picks or 3)
                        answers[question.pk] = self.rng.sample(options, self.rng.randint(low, max(low, high)))
                    elif question.kind == QuestionKind.SCALE:
                        answers[question.pk] = self.rng.randint(max(1, (question.scale_points or 5) - 2), question.scale_points or 5)
                    elif question.kind == QuestionKind.TEXT and (question.required or self.rng.random() < 0.3):
                        answers[question.pk] = self.rng.choice(suggestions)
                questionnaire_respond(actor=users[self.person_user[pid]], questionnaire=q, answers=answers)
                self.summary.needs_responses += 1
        self.log(f"需求调研：{min(schools, len(self.schools))} 所学校，{self.summary.needs_responses} 人已填写。")

    def _posting(self) -> None:
        """The first school posts this term's credits; a teacher who was late objects."""
        from yanxiu.accounts.models import User
        from yanxiu.attendance.models import Attendance
        from yanxiu.credits.services import objection_file, posting_create

        school = self.schools[0]
        if not self.staff[school.pk]:
            return
        posting = posting_create(
            actor=self.school_user, school=school, title=f"{school.name}{self.year}学年第一学期校本研修学时公示",
            period_start=dt.date(self.year, 9, 1), period_end=self.today, days=5,
        )
        late = (
            Attendance.objects.filter(session__project__owner_school=school, is_late=True)
            .exclude(person_id__in=[self.teacher_pid, self.leader_pid, self.school_admin_pid])
            .select_related("session").order_by("session__starts_at", "person_id").first()
        )
        if late is None:
            return
        when = self.today if late.signed_in_at is None else late.session.starts_at.astimezone(self.tz).date()
        objection_file(
            actor=User.objects.get(pk=self.person_user[late.person_id]), posting=posting,
            reason=f"{when.month}月{when.day}日“{late.session.title}”我提前到了会场，因手机没电开场后才补签，"
            "被记为迟到，这次的 4 学时没有登记，请核实后补录。",
        )


def describe(summary: ActivitySummary) -> list[str]:
    s = summary
    lines = [
        f"研修活动：{s.schools} 所学校，{s.school_year}—{s.school_year + 1} 学年，已结束活动 {s.sessions_past} 次、"
        f"即将开展 {s.sessions_upcoming} 次；报名 {s.enrollments} 人次，考勤 {s.attendance} 条（请假 {s.leave}），"
        f"反思 {s.reflections} 篇，评价 {s.evaluations} 条；学时记录 {s.credit_entries} 条"
        f"（其中县级网络研修导入 {s.imported} 条），县级培训名额 {s.quotas} 所学校，需求调研答卷 {s.needs_responses} 份"
        f"（用时 {s.seconds:.1f} 秒）。",
    ]
    lines.extend(s.notes)
    return lines
