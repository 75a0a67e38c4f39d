"""Growth: tiers, task lists, the records that count, mentor pairs, plans and
the yearly growth record (成长记录袋) that follows the teacher.

Everything here hangs on the :class:`~yanxiu.org.models.Person` (the file
follows the person across transfers, 档随人走) and carries the school it was
made at, so the old school keeps a read-only view of what happened while the
teacher was theirs. Rows are written only by :mod:`yanxiu.growth.services`.

- :class:`SchoolTerm`: a school's term dates for one school year (default
  1 September–31 January and 1 February–31 July when no row exists).
- :class:`TierRule` and :class:`TierAssignment`: the school's rule and the
  tier each teacher holds each school year, with its history.
- :class:`HonourTitle`: 教坛新秀 / 骨干教师 / 学科带头人 / 名师 with their level,
  reviewed yearly (:class:`HonourReview`).
- :class:`TaskTemplate` and :class:`TaskItem`: a school's task list per tier
  (or for leaders), versioned: an edit starts a new version from the next period.
- :class:`GrowthRecord` (+ :class:`RecordAttachment`): one observation, lesson,
  note, paper, topic, lecture, test paper or award, reviewed by the school.
- :class:`MentorPair`, :class:`MentorActivity`, :class:`MentorSummary`.
- :class:`DevelopmentPlan` and :class:`TermGoal`.
- :class:`GrowthYear` and :class:`YearReview`: the yearly file, its
  assessments and the school's sign-off.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yanxiu.org.choices import Tier

from .choices import (
    ITEM_KIND_CHOICES,
    AssessmentResult,
    AwardRank,
    HonourKind,
    HonourStatus,
    Level,
    MentorActivityKind,
    MentorStatus,
    Period,
    RecordKind,
    ReviewerRole,
    ReviewStatus,
    TemplatePeriod,
    TierBasis,
    TierSource,
    TopicRole,
    TopicStatus,
)

YEAR_VALIDATORS = [MinValueValidator(1950), MaxValueValidator(2100)]
TERM_VALIDATORS = [MinValueValidator(1), MaxValueValidator(2)]
USER = settings.AUTH_USER_MODEL


class SchoolTerm(models.Model):
    """A term of a school year as the school's calendar sets it."""

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="terms")
    school_year = models.PositiveSmallIntegerField(_("学年"), validators=YEAR_VALIDATORS)
    number = models.PositiveSmallIntegerField(_("学期"), validators=TERM_VALIDATORS)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("学期")
        verbose_name_plural = _("学期")
        ordering = ["school_id", "school_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "number"], name="schoolterm_unique"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="schoolterm_end_after_start"),
        ]


class TierRule(models.Model):
    """How a school assigns tiers at the start of each school year."""

    school = models.OneToOneField("org.School", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="tier_rule")
    basis = models.CharField(_("划分依据"), max_length=20, choices=TierBasis.choices, default=TierBasis.TEACHING_AGE)
    young_below_years = models.PositiveSmallIntegerField(
        _("青年教师教龄不足（年）"), default=5, validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    backbone_until_years = models.PositiveSmallIntegerField(
        _("骨干培养对象教龄至（年）"), default=15, validators=[MinValueValidator(1), MaxValueValidator(45)]
    )
    young_max_age = models.PositiveSmallIntegerField(
        _("青年教师年龄不超过（岁）"), default=35, validators=[MinValueValidator(20), MaxValueValidator(60)]
    )
    updated_by = models.ForeignKey(USER, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("梯队划分规则")
        verbose_name_plural = _("梯队划分规则")


class TierAssignment(models.Model):
    """The tier a teacher holds in one school year; the latest row of a year is in force."""

    person = models.ForeignKey("org.Person", verbose_name=_("教师"), on_delete=models.CASCADE, related_name="tier_assignments")
    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="+")
    school_year = models.PositiveSmallIntegerField(_("学年"), validators=YEAR_VALIDATORS)
    tier = models.CharField(_("梯队"), max_length=20, choices=Tier.choices)
    source = models.CharField(_("来源"), max_length=10, choices=TierSource.choices)
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("梯队")
        verbose_name_plural = _("梯队")
        ordering = ["person_id", "-school_year", "-id"]
        indexes = [models.Index(fields=["school", "school_year"]), models.Index(fields=["person", "school_year"])]


class HonourTitle(models.Model):
    """A title a teacher was selected for (评选): its level, year, naming body and validity."""

    person = models.ForeignKey("org.Person", verbose_name=_("教师"), on_delete=models.CASCADE, related_name="honour_titles")
    school = models.ForeignKey("org.School", verbose_name=_("登记学校"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("称号"), max_length=20, choices=HonourKind.choices)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("评选年度"), validators=YEAR_VALIDATORS)
    body = models.CharField(_("命名单位"), max_length=120)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=HonourStatus.choices, default=HonourStatus.ACTIVE)
    created_by = models.ForeignKey(USER, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评选称号")
        verbose_name_plural = _("评选称号")
        ordering = ["person_id", "-year", "-id"]


class HonourReview(models.Model):
    """The yearly review of a title (年度考核): kept or not, with a comment."""

    title = models.ForeignKey(HonourTitle, verbose_name=_("称号"), on_delete=models.CASCADE, related_name="reviews")
    school_year = models.PositiveSmallIntegerField(_("学年"), validators=YEAR_VALIDATORS)
    passed = models.BooleanField(_("考核通过"))
    comment = models.CharField(_("考核意见"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(USER, verbose_name=_("考核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("考核时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("称号年度考核")
        verbose_name_plural = _("称号年度考核")
        ordering = ["title_id", "-school_year"]
        constraints = [models.UniqueConstraint(fields=["title", "school_year"], name="honourreview_one_per_year")]


class TaskTemplate(models.Model):
    """A task list (五个一, 六个一 …) for one tier, or for the school's leaders.

    Rows with ``school`` empty are never stored: presets live in
    :mod:`yanxiu.growth.presets` and a school copies one. An edit writes a new
    version of the same ``family`` valid from the next period; the version in
    force for a period is the highest one starting at or before it.
    """

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="task_templates")
    family = models.CharField(_("模板编号"), max_length=40)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=60)
    preset_key = models.CharField(_("预设来源"), max_length=20, blank=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    tier = models.CharField(_("适用梯队"), max_length=20, choices=Tier.choices, blank=True)
    for_leaders = models.BooleanField(_("适用于学校领导"), default=False)
    period = models.CharField(_("考核周期"), max_length=10, choices=TemplatePeriod.choices, default=TemplatePeriod.TERM)
    valid_from_year = models.PositiveSmallIntegerField(_("起始学年"), validators=YEAR_VALIDATORS)
    valid_from_term = models.PositiveSmallIntegerField(_("起始学期"), default=1, validators=TERM_VALIDATORS)
    retired = models.BooleanField(_("已停用"), default=False)
    change_reason = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("制定人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任务模板")
        verbose_name_plural = _("任务模板")
        ordering = ["school_id", "family", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["school", "family", "version"], name="tasktemplate_unique_version"),
            models.CheckConstraint(condition=~Q(tier="") | Q(for_leaders=True), name="tasktemplate_tier_or_leaders"),
        ]

    def __str__(self) -> str:
        return self.name


class TaskItem(models.Model):
    template = models.ForeignKey(TaskTemplate, verbose_name=_("模板"), on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("类型"), max_length=20, choices=ITEM_KIND_CHOICES)
    also_counts = models.JSONField(_("同样计入的类型"), default=list, blank=True)
    label = models.CharField(_("要求"), max_length=80)
    target = models.PositiveSmallIntegerField(_("数量"), validators=[MinValueValidator(1), MaxValueValidator(200)])
    per = models.CharField(_("每"), max_length=10, choices=Period.choices, default=Period.TERM)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("任务要求")
        verbose_name_plural = _("任务要求")
        ordering = ["template_id", "position", "id"]

    @property
    def kinds(self) -> list[str]:
        return [self.kind, *[k for k in (self.also_counts or []) if k != self.kind]]


def attachment_upload_to(instance, filename: str) -> str:
    return f"growth/{instance.record.person_id}/{secrets.token_hex(8)}-{filename[-60:]}"


class GrowthRecord(models.Model):
    """One thing that counts towards a teacher's tasks: an observation, a lesson,
    a note, a paper, a topic, a lecture, a test paper, an award."""

    class Source(models.TextChoices):
        ENTERED = "entered", _("填报")
        IMPORTED = "imported", _("导入")

    person = models.ForeignKey("org.Person", verbose_name=_("教师"), on_delete=models.PROTECT, related_name="growth_records")
    school = models.ForeignKey("org.School", verbose_name=_("所在学校"), on_delete=models.PROTECT, related_name="growth_records")
    kind = models.CharField(_("类型"), max_length=20, choices=RecordKind.choices)
    date = models.DateField(_("日期"))
    title = models.CharField(_("名称/课题"), max_length=200)
    # Observations (听课记录)
    class_name = models.CharField(_("班级"), max_length=40, blank=True)
    subject = models.CharField(_("学科"), max_length=30, blank=True)
    observed = models.ForeignKey(
        "org.Person", verbose_name=_("授课教师"), null=True, blank=True, on_delete=models.SET_NULL, related_name="observed_in"
    )
    observed_name = models.CharField(_("授课教师姓名"), max_length=40, blank=True)
    critique = models.TextField(_("评课"), blank=True)
    # Lessons, papers, topics, awards
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices, blank=True)
    venue = models.CharField(_("发表刊物/主办单位/赛事"), max_length=120, blank=True)
    rank = models.CharField(_("等次/排名"), max_length=20, blank=True, help_text=_("获奖等次，或论文的作者排名"))
    role = models.CharField(_("课题角色"), max_length=10, choices=TopicRole.choices, blank=True)
    topic_status = models.CharField(_("课题状态"), max_length=10, choices=TopicStatus.choices, blank=True)
    student_award = models.BooleanField(_("指导学生获奖"), default=False)
    content = models.TextField(_("内容/记录"), blank=True)
    # Review and credit
    status = models.CharField(_("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED)
    review_reason = models.CharField(_("审核意见"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(USER, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    credit_entry = models.ForeignKey(
        "credits.CreditEntry", verbose_name=_("学时记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.ENTERED)
    import_row = models.PositiveIntegerField(_("导入行号"), null=True, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("填报人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("成长记录")
        verbose_name_plural = _("成长记录")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["person", "status", "date"]),
            models.Index(fields=["school", "status", "date"]),
            models.Index(fields=["observed", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"

    @property
    def counts(self) -> bool:
        """Accepted (or imported, which arrives accepted) records count towards tasks."""
        return self.status == ReviewStatus.ACCEPTED

    @property
    def award_rank_label(self) -> str:
        return AwardRank(self.rank).label if self.rank in AwardRank.values else self.rank


class RecordAttachment(models.Model):
    record = models.ForeignKey(GrowthRecord, verbose_name=_("记录"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("记录附件")
        verbose_name_plural = _("记录附件")
        ordering = ["record_id", "id"]


class MentorPair(models.Model):
    """师徒结对 for a term (``term`` 1 or 2) or a whole school year (``term`` empty)."""

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="mentor_pairs")
    mentor = models.ForeignKey("org.Person", verbose_name=_("师傅"), on_delete=models.PROTECT, related_name="mentor_pairs_as_mentor")
    apprentice = models.ForeignKey("org.Person", verbose_name=_("徒弟"), on_delete=models.PROTECT, related_name="mentor_pairs_as_apprentice")
    school_year = models.PositiveSmallIntegerField(_("学年"), validators=YEAR_VALIDATORS)
    term = models.PositiveSmallIntegerField(_("学期"), null=True, blank=True, validators=TERM_VALIDATORS, help_text=_("为空表示整学年"))
    subject = models.CharField(_("学科"), max_length=30, blank=True)
    goals = models.TextField(_("结对目标"))
    mentor_duties = models.TextField(_("师傅职责"), blank=True)
    apprentice_duties = models.TextField(_("徒弟职责"), blank=True)
    ceremony_date = models.DateField(_("结对仪式日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=MentorStatus.choices, default=MentorStatus.ACTIVE)
    result = models.CharField(_("考核结果"), max_length=10, choices=AssessmentResult.choices, blank=True)
    assessment = models.TextField(_("学校考核意见"), blank=True)
    assessed_by = models.ForeignKey(USER, verbose_name=_("考核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assessed_at = models.DateTimeField(_("考核时间"), null=True, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("师徒结对")
        verbose_name_plural = _("师徒结对")
        ordering = ["-school_year", "school_id", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=models.F("apprentice")), name="mentorpair_two_people"),
            models.UniqueConstraint(
                fields=["mentor", "apprentice", "school_year"], condition=~Q(status="cancelled"), name="mentorpair_one_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} — {self.apprentice}"

    def side_of(self, person_id) -> str:
        """``"mentor"``, ``"apprentice"`` or ``""`` for the person."""
        if person_id == self.mentor_id:
            return "mentor"
        if person_id == self.apprentice_id:
            return "apprentice"
        return ""


class MentorActivity(models.Model):
    """An activity of a pair, logged by one side and confirmed by the other."""

    pair = models.ForeignKey(MentorPair, verbose_name=_("结对"), on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("活动类型"), max_length=20, choices=MentorActivityKind.choices)
    date = models.DateField(_("日期"))
    content = models.TextField(_("内容"))
    logged_by = models.ForeignKey("org.Person", verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("结对活动")
        verbose_name_plural = _("结对活动")
        ordering = ["pair_id", "-date", "-id"]

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class MentorSummary(models.Model):
    """The term (or year) summary one side writes."""

    pair = models.ForeignKey(MentorPair, verbose_name=_("结对"), on_delete=models.CASCADE, related_name="summaries")
    author = models.ForeignKey("org.Person", verbose_name=_("作者"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("总结"))
    submitted_at = models.DateTimeField(_("提交时间"), auto_now=True)

    class Meta:
        verbose_name = _("结对总结")
        verbose_name_plural = _("结对总结")
        constraints = [models.UniqueConstraint(fields=["pair", "author"], name="mentorsummary_one_per_side")]


class DevelopmentPlan(models.Model):
    """A five-year personal development plan (个人专业发展规划), reviewed by the school."""

    person = models.ForeignKey("org.Person", verbose_name=_("教师"), on_delete=models.CASCADE, related_name="development_plans")
    school = models.ForeignKey("org.School", verbose_name=_("所在学校"), on_delete=models.PROTECT, related_name="+")
    start_year = models.PositiveSmallIntegerField(_("起始学年"), validators=YEAR_VALIDATORS)
    end_year = models.PositiveSmallIntegerField(_("截止学年"), validators=YEAR_VALIDATORS)
    self_analysis = models.TextField(_("自我分析"))
    goals = models.TextField(_("发展目标"))
    measures = models.TextField(_("主要措施"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED)
    review_reason = models.CharField(_("审核意见"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(USER, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("填写时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("个人发展规划")
        verbose_name_plural = _("个人发展规划")
        ordering = ["person_id", "-start_year", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="plan_end_after_start"),
            models.CheckConstraint(
                condition=Q(end_year__lte=models.F("start_year") + 5), name="plan_at_most_six_years"
            ),
        ]


class TermGoal(models.Model):
    """A term goal (学期目标) and, at the term's end, how far it was reached."""

    person = models.ForeignKey("org.Person", verbose_name=_("教师"), on_delete=models.CASCADE, related_name="term_goals")
    school = models.ForeignKey("org.School", verbose_name=_("所在学校"), on_delete=models.PROTECT, related_name="+")
    school_year = models.PositiveSmallIntegerField(_("学年"), validators=YEAR_VALIDATORS)
    term = models.PositiveSmallIntegerField(_("学期"), validators=TERM_VALIDATORS)
    goal = models.TextField(_("目标"))
    outcome = models.TextField(_("完成情况"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED)
    review_reason = models.CharField(_("审核意见"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(USER, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("填写时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学期目标")
        verbose_name_plural = _("学期目标")
        ordering = ["person_id", "-school_year", "-term"]
        constraints = [models.UniqueConstraint(fields=["person", "school_year", "term"], name="termgoal_one_per_term")]


class GrowthYear(models.Model):
    """One teacher's growth record (成长记录袋) for one school year: its
    assessments and the school's sign-off, after which the year is locked."""

    person = models.ForeignKey("org.Person", verbose_name=_("教师"), on_delete=models.CASCADE, related_name="growth_years")
    school_year = models.PositiveSmallIntegerField(_("学年"), validators=YEAR_VALIDATORS)
    signed_off_school = models.ForeignKey(
        "org.School", verbose_name=_("签署学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_by = models.ForeignKey(USER, verbose_name=_("签署人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    signed_off_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    sign_off_comment = models.CharField(_("学校意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("成长记录袋")
        verbose_name_plural = _("成长记录袋")
        ordering = ["person_id", "-school_year"]
        constraints = [models.UniqueConstraint(fields=["person", "school_year"], name="growthyear_one_per_year")]

    @property
    def locked(self) -> bool:
        return self.signed_off_at is not None


class YearReview(models.Model):
    """One part of the year-end assessment: self, peer, group, school or expert."""

    growth_year = models.ForeignKey(GrowthYear, verbose_name=_("成长记录袋"), on_delete=models.CASCADE, related_name="reviews")
    role = models.CharField(_("评价类型"), max_length=10, choices=ReviewerRole.choices)
    reviewer = models.ForeignKey(USER, verbose_name=_("评价人"), null=True, on_delete=models.SET_NULL, related_name="+")
    reviewer_name = models.CharField(_("评价人姓名"), max_length=40)
    score = models.PositiveSmallIntegerField(_("得分"), validators=[MaxValueValidator(100)])
    comment = models.TextField(_("评语"))
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("年度评价")
        verbose_name_plural = _("年度评价")
        ordering = ["growth_year_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["growth_year", "role", "reviewer"], name="yearreview_one_per_reviewer"),
        ]
