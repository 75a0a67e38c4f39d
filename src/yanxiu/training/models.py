"""Training: the catalogue, projects and plans, sessions (四定/五定), places,
enrolment, leave and session evaluations.

A :class:`Project` belongs to a school (校本, school-chosen projects need the
training centre's approval: 项目申报制) or to the bureau (``owner_school`` is
empty: county/city/provincial/national training whose places the bureau
allocates to schools with :class:`Quota`). A project holds dated
:class:`Session` rows; who is expected at a session is its
:class:`Enrollment` rows. Attendance (sign-in) lives in the attendance app and
reads these.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- Vocabularies -------------------------------------------------------------


class TrainingLevel(models.TextChoices):
    NATIONAL = "national", _("国培")
    PROVINCIAL = "provincial", _("省培")
    CITY = "city", _("市培")
    COUNTY = "county", _("县培")
    SCHOOL = "school", _("校培")


class TrainingKind(models.TextChoices):
    CENTRALISED = "centralised", _("集中培训")
    ONLINE = "online", _("网络研修")
    SCHOOL_BASED = "school_based", _("校本研修")
    CASCADE = "cascade", _("二级培训")
    INDIVIDUAL = "individual", _("个别研修")
    LECTURE = "lecture", _("专题讲座")
    LESSON_STUDY = "lesson_study", _("课例研究")
    COLLECTIVE_PREP = "collective_prep", _("集体备课")
    OBSERVATION = "observation", _("观摩")
    COMPETITION = "competition", _("比武")
    READING = "reading", _("读书")
    MENTORING = "mentoring", _("师徒结对")
    OUTREACH = "outreach", _("送教下乡")


#: Kinds run by a teaching-research group: they need the fifth fixed item (五定).
GROUP_KINDS = frozenset({TrainingKind.LESSON_STUDY, TrainingKind.COLLECTIVE_PREP})

#: Levels run by the bureau (places are allocated to schools).
BUREAU_LEVELS = frozenset({TrainingLevel.NATIONAL, TrainingLevel.PROVINCIAL, TrainingLevel.CITY, TrainingLevel.COUNTY})


# --- Hours policy -------------------------------------------------------------

DEFAULT_MINUTES_PER_HOUR = 45
DEFAULT_MAX_HOURS_PER_DAY = 8


def minutes_to_hours(
    minutes: int | float,
    *,
    minutes_per_hour: int = DEFAULT_MINUTES_PER_HOUR,
    max_per_day: int | Decimal | None = DEFAULT_MAX_HOURS_PER_DAY,
) -> Decimal:
    """Convert minutes of one day into 学时 (one decimal, half up), capped per day."""
    if minutes <= 0:
        return Decimal("0.0")
    hours = Decimal(str(minutes)) / Decimal(minutes_per_hour)
    if max_per_day is not None:
        hours = min(hours, Decimal(str(max_per_day)))
    return hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def session_hours(
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    minutes_per_hour: int = DEFAULT_MINUTES_PER_HOUR,
    max_per_day: int | Decimal | None = DEFAULT_MAX_HOURS_PER_DAY,
) -> Decimal:
    """学时 of a session: its minutes per local calendar day, each day capped.

    1 学时 = 45 minutes and at most 8 学时 a day by default; the policy app
    passes its own values.
    """
    if not starts_at or not ends_at or ends_at <= starts_at:
        return Decimal("0.0")
    # Local wall-clock times: a day is the calendar day where the session is held.
    start = (timezone.localtime(starts_at) if timezone.is_aware(starts_at) else starts_at).replace(tzinfo=None)
    end = (timezone.localtime(ends_at) if timezone.is_aware(ends_at) else ends_at).replace(tzinfo=None)
    policy = {"minutes_per_hour": minutes_per_hour, "max_per_day": max_per_day}
    if start.date() == end.date():
        return minutes_to_hours((end - start).total_seconds() / 60, **policy)
    # First day, the whole days between (all alike), last day: constant time whatever the length.
    first_midnight = dt.datetime.combine(start.date() + dt.timedelta(days=1), dt.time())
    last_midnight = dt.datetime.combine(end.date(), dt.time())
    whole_days = (last_midnight - first_midnight).days
    total = minutes_to_hours((first_midnight - start).total_seconds() / 60, **policy)
    total += whole_days * minutes_to_hours(24 * 60, **policy)
    total += minutes_to_hours((end - last_midnight).total_seconds() / 60, **policy)
    return total


# --- Catalogue ----------------------------------------------------------------


class ContentCategory(models.Model):
    """A content module of the regional catalogue; ★ compulsory ones are required."""

    region = models.ForeignKey(
        "org.Region",
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="training_categories",
        help_text=_("为空表示全国通用"),
    )
    code = models.CharField(_("编码"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)
    compulsory = models.BooleanField(_("必修（★）"), default=False)
    mandated = models.BooleanField(_("规定内容"), default=True, help_text=_("否则为自定内容"))
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("培训内容类别")
        verbose_name_plural = _("培训内容类别")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="category_unique_code_per_region"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(region__isnull=True), name="category_unique_code_national"
            ),
        ]

    def __str__(self) -> str:
        return f"★{self.name}" if self.compulsory else self.name

    @property
    def mandate_label(self) -> str:
        return str(_("规定内容")) if self.mandated else str(_("自定内容"))


# --- Plans and projects -------------------------------------------------------


def school_year_of(day: dt.date) -> str:
    """The school year a date belongs to: it starts on 1 September."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


class SchoolPlan(models.Model):
    """A school's yearly training plan (校本研修年度计划)."""

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="training_plans")
    school_year = models.CharField(_("学年"), max_length=9, help_text=_("如 2026-2027"))
    title = models.CharField(_("标题"), max_length=120, blank=True)
    summary = models.TextField(_("计划概要"), blank=True, help_text=_("指导思想、目标、主要内容与措施"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("学校年度研修计划")
        verbose_name_plural = _("学校年度研修计划")
        ordering = ["-school_year", "school_id"]
        constraints = [models.UniqueConstraint(fields=["school", "school_year"], name="plan_unique_per_school_year")]

    def __str__(self) -> str:
        return self.title or f"{self.school} {self.school_year}"


class Project(models.Model):
    """A training project of a school (校本) or of the bureau (县/市/省/国培)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已通过")
        RETURNED = "returned", _("已退回")

    owner_school = models.ForeignKey(
        "org.School",
        verbose_name=_("承办学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_projects",
        help_text=_("为空表示教育局组织的培训"),
    )
    region = models.ForeignKey("org.Region", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="training_projects")
    plan = models.ForeignKey(
        SchoolPlan, verbose_name=_("所属计划"), null=True, blank=True, on_delete=models.SET_NULL, related_name="projects"
    )
    title = models.CharField(_("项目名称"), max_length=120)
    description = models.TextField(_("项目说明"), blank=True)
    level = models.CharField(_("培训级别"), max_length=12, choices=TrainingLevel.choices, default=TrainingLevel.SCHOOL)
    kind = models.CharField(_("培训形式"), max_length=20, choices=TrainingKind.choices, default=TrainingKind.SCHOOL_BASED)
    category = models.ForeignKey(
        ContentCategory, verbose_name=_("内容类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    school_year = models.CharField(_("学年"), max_length=9)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    requires_approval = models.BooleanField(
        _("需研训中心审核"), default=True, help_text=_("学校自选项目须报研训中心审核（项目申报制）")
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训项目")
        verbose_name_plural = _("培训项目")
        ordering = ["-school_year", "-created_at", "-id"]
        indexes = [models.Index(fields=["owner_school", "school_year"]), models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_bureau_level(self) -> bool:
        """Bureau-organised training: places by quota, leave approved by the bureau too."""
        return self.owner_school_id is None

    @property
    def is_cleared_to_run(self) -> bool:
        """May sessions of this project be published?"""
        return not self.requires_approval or self.status == self.Status.APPROVED


# --- Sessions -----------------------------------------------------------------


class Session(models.Model):
    """One dated training activity (一次培训/活动)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        CANCELLED = "cancelled", _("已取消")

    class InviteScope(models.TextChoices):
        WHOLE_SCHOOL = "whole_school", _("全校教师")
        GROUP = "group", _("教研组")
        LIST = "list", _("指定名单")

    project = models.ForeignKey(Project, verbose_name=_("培训项目"), on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("活动名称"), max_length=120)
    starts_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=120, blank=True)
    presenter = models.ForeignKey(
        "org.Person", verbose_name=_("主讲人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="presented_sessions"
    )
    presenter_name = models.CharField(_("主讲人（校外专家）"), max_length=60, blank=True)
    presenter_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("主讲人账号"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="guest_sessions",
        help_text=_("校外主讲人的登录账号：可打开签到屏、查看考勤表、审阅反思"),
    )
    content = models.TextField(_("培训内容"), blank=True)
    requirements = models.TextField(_("参训要求"), blank=True)
    theme = models.CharField(_("研讨主题"), max_length=120, blank=True)
    lead_speaker = models.ForeignKey(
        "org.Person", verbose_name=_("中心发言人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="lead_sessions"
    )
    group = models.ForeignKey(
        "org.Group", verbose_name=_("教研组"), null=True, blank=True, on_delete=models.SET_NULL, related_name="training_sessions"
    )
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1, default=Decimal("0.0"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    signin_requires_signout = models.BooleanField(_("需签退"), default=False)
    late_tolerance_minutes = models.PositiveSmallIntegerField(_("迟到容许（分钟）"), default=10)
    early_leave_tolerance_minutes = models.PositiveSmallIntegerField(_("早退容许（分钟）"), default=10)
    invite_scope = models.CharField(_("参训范围"), max_length=14, choices=InviteScope.choices, default=InviteScope.WHOLE_SCHOOL)
    series = models.CharField(_("系列标识"), max_length=32, blank=True, db_index=True, help_text=_("由同一固定时段批量生成的活动"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    ics_sequence = models.PositiveIntegerField(
        _("日历版本"), default=0, help_text=_("已发布活动的时间或地点每改一次加一（iCalendar SEQUENCE）")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("培训活动")
        verbose_name_plural = _("培训活动")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["project", "starts_at"]), models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def school(self):
        """The school running the session, or None for bureau-level training."""
        return self.project.owner_school

    @property
    def is_group_session(self) -> bool:
        return self.group_id is not None or self.project.kind in GROUP_KINDS

    @property
    def presenter_display(self) -> str:
        if self.presenter_id:
            return self.presenter.name
        return self.presenter_name

    def has_started(self, now: dt.datetime | None = None) -> bool:
        return self.starts_at is not None and (now or timezone.now()) >= self.starts_at

    def compute_hours(self, **policy) -> Decimal:
        return session_hours(self.starts_at, self.ends_at, **policy)


class SessionChange(models.Model):
    """A published session's time or place changed: the enrolled teachers are told until it takes place."""

    session = models.ForeignKey(Session, verbose_name=_("培训活动"), on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(_("变更时间"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("变更人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    old_starts_at = models.DateTimeField(_("原开始时间"), null=True, blank=True)
    old_ends_at = models.DateTimeField(_("原结束时间"), null=True, blank=True)
    new_starts_at = models.DateTimeField(_("新开始时间"), null=True, blank=True)
    new_ends_at = models.DateTimeField(_("新结束时间"), null=True, blank=True)
    old_place = models.CharField(_("原地点"), max_length=120, blank=True)
    new_place = models.CharField(_("新地点"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("活动变更")
        verbose_name_plural = _("活动变更")
        ordering = ["changed_at", "id"]


class Enrollment(models.Model):
    """A person expected at a session (invited by the school, named on a quota, or self-enrolled)."""

    class Source(models.TextChoices):
        INVITED = "invited", _("学校邀请")
        NAMED = "named", _("名额指派")
        SELF = "self", _("自主报名")

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("已报名")
        WITHDRAWN = "withdrawn", _("已退出")

    session = models.ForeignKey(Session, verbose_name=_("培训活动"), on_delete=models.CASCADE, related_name="enrollments")
    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="training_enrollments")
    school = models.ForeignKey(
        "org.School", verbose_name=_("所在学校"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.INVITED)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ENROLLED)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("退出时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("参训报名")
        verbose_name_plural = _("参训报名")
        ordering = ["session_id", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="enrollment_unique_session_person")]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.person} @ {self.session}"


# --- Places (名额) ------------------------------------------------------------


class Quota(models.Model):
    """Places of a bureau-level project (or one of its sessions) allocated to a school."""

    project = models.ForeignKey(Project, verbose_name=_("培训项目"), on_delete=models.CASCADE, related_name="quotas")
    session = models.ForeignKey(
        Session, verbose_name=_("培训活动"), null=True, blank=True, on_delete=models.CASCADE, related_name="quotas",
        help_text=_("为空表示整个项目的名额"),
    )
    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="training_quotas")
    places = models.PositiveIntegerField(_("名额"))
    deadline = models.DateTimeField(_("报名截止"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("分配时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("名额分配")
        verbose_name_plural = _("名额分配")
        ordering = ["deadline", "school_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "school"], condition=Q(session__isnull=True), name="quota_unique_project_school"
            ),
            models.UniqueConstraint(
                fields=["session", "school"], condition=Q(session__isnull=False), name="quota_unique_session_school"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session or self.project} · {self.school}: {self.places}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def sessions(self):
        """The sessions the named people are enrolled in."""
        if self.session_id:
            return Session.objects.filter(pk=self.session_id)
        return self.project.sessions.exclude(status=Session.Status.CANCELLED)


class Nomination(models.Model):
    """A person named by their school on a quota (one place)."""

    quota = models.ForeignKey(Quota, verbose_name=_("名额"), on_delete=models.CASCADE, related_name="nominations")
    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="training_nominations")
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("名额人选")
        verbose_name_plural = _("名额人选")
        ordering = ["quota_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quota", "person"], condition=Q(is_active=True), name="nomination_unique_active_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.quota})"


class SwapRequest(models.Model):
    """After a school submits its names, a swap or withdrawal needs the bureau's approval."""

    class Kind(models.TextChoices):
        SWAP = "swap", _("换人")
        WITHDRAW = "withdraw", _("退出")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    quota = models.ForeignKey(Quota, verbose_name=_("名额"), on_delete=models.CASCADE, related_name="swap_requests")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    out_person = models.ForeignKey("org.Person", verbose_name=_("原参训人"), on_delete=models.PROTECT, related_name="+")
    in_person = models.ForeignKey(
        "org.Person", verbose_name=_("替换人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.TextField(_("审批意见"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("换人/退出申请")
        verbose_name_plural = _("换人/退出申请")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.out_person}"


# --- Leave --------------------------------------------------------------------


class LeaveType(models.TextChoices):
    OFFICIAL = "official", _("公假")
    PERSONAL = "personal", _("事假")
    SICK = "sick", _("病假")


class Decision(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


def leave_upload_to(instance, filename: str) -> str:
    return f"training/leave/{timezone.now():%Y/%m}/{secrets.token_hex(8)}_{filename[-60:]}"


class LeaveRequest(models.Model):
    """A teacher's request to miss a session. Approved leave is not an absence.

    The school head decides first; for bureau-level training the bureau then
    decides too, and only both approvals make ``status`` approved.
    """

    session = models.ForeignKey(Session, verbose_name=_("培训活动"), on_delete=models.CASCADE, related_name="leave_requests")
    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="training_leaves")
    school = models.ForeignKey(
        "org.School", verbose_name=_("所在学校"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    leave_type = models.CharField(_("请假类型"), max_length=10, choices=LeaveType.choices)
    reason = models.TextField(_("请假理由"))
    attachment = models.FileField(_("证明材料"), upload_to=leave_upload_to, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    needs_bureau = models.BooleanField(_("需教育局审批"), default=False)
    school_decision = models.CharField(_("学校意见"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    school_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("学校审批人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    school_decided_at = models.DateTimeField(_("学校审批时间"), null=True, blank=True)
    school_comment = models.TextField(_("学校审批意见"), blank=True)
    bureau_decision = models.CharField(_("教育局意见"), max_length=10, choices=Decision.choices, blank=True)
    bureau_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("教育局审批人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bureau_decided_at = models.DateTimeField(_("教育局审批时间"), null=True, blank=True)
    bureau_comment = models.TextField(_("教育局审批意见"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("请假申请")
        verbose_name_plural = _("请假申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["session", "person", "status"])]

    def __str__(self) -> str:
        return f"{self.person} {self.get_leave_type_display()} ({self.session})"


# --- Evaluation ---------------------------------------------------------------

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Evaluation(models.Model):
    """A participant's satisfaction survey of a session (即时评价), one per person."""

    session = models.ForeignKey(Session, verbose_name=_("培训活动"), on_delete=models.CASCADE, related_name="evaluations")
    person = models.ForeignKey("org.Person", verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="training_evaluations")
    content_score = models.PositiveSmallIntegerField(_("内容满意度"), validators=SCORE_VALIDATORS)
    presenter_score = models.PositiveSmallIntegerField(_("主讲满意度"), validators=SCORE_VALIDATORS)
    organisation_score = models.PositiveSmallIntegerField(_("组织满意度"), validators=SCORE_VALIDATORS)
    comment = models.TextField(_("意见建议"), blank=True)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训评价")
        verbose_name_plural = _("培训评价")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="evaluation_one_per_person"),
            models.CheckConstraint(
                condition=Q(content_score__gte=1, content_score__lte=5)
                & Q(presenter_score__gte=1, presenter_score__lte=5)
                & Q(organisation_score__gte=1, organisation_score__lte=5),
                name="evaluation_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.session}"


# --- Calendar feed ------------------------------------------------------------


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret token in a person's .ics feed URL (never their ID)."""

    person = models.OneToOneField("org.Person", verbose_name=_("人员"), on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(_("订阅密钥"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self) -> str:
        return str(self.person)
