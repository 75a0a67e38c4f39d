"""Training needs surveys (培训需求调研).

At the start of a year or term a school asks its teachers which content they
need, in which form and at what time; the school's plan and term schedule
are then built from the answers, and the county's training centre sees the
needs of all its schools together.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PreferredTime(models.TextChoices):
    RESEARCH_TIME = "research_time", _("教研活动时间")
    AFTER_SCHOOL = "after_school", _("放学后")
    WEEKEND = "weekend", _("周末")
    HOLIDAY = "holiday", _("寒暑假")
    ONLINE_ANYTIME = "online_anytime", _("线上自主安排")


class NeedsSurvey(models.Model):
    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="needs_surveys")
    school_year = models.CharField(_("学年"), max_length=9, help_text=_("如 2026-2027"))
    title = models.CharField(_("标题"), max_length=120)
    intro = models.TextField(_("说明"), blank=True, help_text=_("调研目的与填写要求，教师填写时可见"))
    categories = models.ManyToManyField(
        "training.ContentCategory", verbose_name=_("可选内容"), related_name="+",
        help_text=_("教师从中勾选需要的培训内容"),
    )
    closes_on = models.DateField(_("截止日期"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训需求调研")
        verbose_name_plural = _("培训需求调研")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "school_year"])]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today: dt.date | None = None) -> bool:
        return self.closed_at is None and (today or timezone.localdate()) <= self.closes_on

    @property
    def status_label(self) -> str:
        return str(_("进行中")) if self.is_open() else str(_("已结束"))


class NeedsResponse(models.Model):
    """One teacher's answer; it can be changed until the survey ends."""

    survey = models.ForeignKey(NeedsSurvey, verbose_name=_("调研"), on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey("org.Person", verbose_name=_("教师"), on_delete=models.CASCADE, related_name="needs_responses")
    categories = models.ManyToManyField("training.ContentCategory", verbose_name=_("需要的内容"), related_name="+", blank=True)
    kinds = models.JSONField(_("希望的形式"), default=list, blank=True)
    times = models.JSONField(_("希望的时间"), default=list, blank=True)
    suggestion = models.TextField(_("其他需求与建议"), blank=True, max_length=1000)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("需求调研答卷")
        verbose_name_plural = _("需求调研答卷")
        constraints = [models.UniqueConstraint(fields=["survey", "person"], name="needs_one_response_per_person")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.survey}"


# --- Questionnaires -------------------------------------------------------------
#
# A questionnaire is built from questions by a school (or by a county's training
# centre): a needs survey, a session's evaluation, or any other. The fixed
# NeedsSurvey above is kept as it was for the surveys asked before questionnaires
# existed: their pages still show their results, and the county summary and the
# plan card read both (selectors.py). New needs surveys and session evaluations
# start from the default templates in ``templates.py``.
#
# Anonymity. Who has answered is a Respondent row (the person, their school at
# the time, when); what was answered is a Response with its Answers.
# An anonymous questionnaire's Response carries no person, no school and no time;
# its id is random (UUID) so neither its id nor the order of the rows matches
# the Respondent rows; it is found again for a change only through ``owner_key``,
# a keyed hash (HMAC with the server's secret) of the questionnaire and the person
# that no page, export, audit row or API shows. A named Response also carries
# the person.


class Purpose(models.TextChoices):
    NEEDS = "needs", _("培训需求调研")
    EVALUATION = "evaluation", _("培训活动评价")
    OTHER = "other", _("其他问卷")


class Audience(models.TextChoices):
    ALL = "all", _("全体教师")
    GROUPS = "groups", _("部分教研组")
    ATTENDED = "attended", _("参加活动的教师")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    SCALE = "scale", _("量表题")
    TEXT = "text", _("简答题")


#: Bounds of what a question may ask.
SCALE_MIN_POINTS, SCALE_MAX_POINTS = 2, 10
TEXT_MAX_LENGTH = 2000
MAX_OPTIONS = 50
MAX_QUESTIONS = 60


class Questionnaire(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("进行中")
        CLOSED = "closed", _("已结束")

    school = models.ForeignKey("org.School", verbose_name=_("学校"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="questionnaires")
    county = models.ForeignKey("org.Region", verbose_name=_("区县"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="questionnaires", help_text=_("研训中心面向全县发起时填写"))
    session = models.ForeignKey("training.Session", verbose_name=_("培训活动"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="questionnaires")
    purpose = models.CharField(_("用途"), max_length=12, choices=Purpose.choices, default=Purpose.OTHER)
    title = models.CharField(_("标题"), max_length=120)
    intro = models.TextField(_("说明"), blank=True, max_length=2000)
    anonymous = models.BooleanField(_("匿名"), default=False, help_text=_("匿名问卷的答卷不记录填写人"))
    audience = models.CharField(_("填写对象"), max_length=10, choices=Audience.choices, default=Audience.ALL)
    groups = models.ManyToManyField("org.Group", verbose_name=_("教研组"), blank=True, related_name="+")
    school_year = models.CharField(_("学年"), max_length=9)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "school_year"]), models.Index(fields=["county", "school_year"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(school__isnull=False) & models.Q(county__isnull=True))
                | (models.Q(school__isnull=True) & models.Q(county__isnull=False)),
                name="questionnaire_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_name(self) -> str:
        return self.school.name if self.school_id else self.county.name

    @property
    def owner_county_id(self) -> int:
        return self.school.county_id if self.school_id else self.county_id

    def is_open(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.PUBLISHED and self.opens_on <= today <= self.closes_on

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def state_label(self) -> str:
        """The status as a reader sees it: a published questionnaire past its date reads 已截止."""
        if self.status == self.Status.PUBLISHED:
            today = timezone.localdate()
            if today > self.closes_on:
                return str(_("已截止"))
            if today < self.opens_on:
                return str(_("未开始"))
        return str(self.get_status_display())


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=300)
    help_text = models.CharField(_("说明"), max_length=300, blank=True)
    required = models.BooleanField(_("必答"), default=True)
    min_picks = models.PositiveSmallIntegerField(_("至少选"), null=True, blank=True)
    max_picks = models.PositiveSmallIntegerField(_("至多选"), null=True, blank=True)
    scale_points = models.PositiveSmallIntegerField(_("分值"), null=True, blank=True, help_text=_("1 到 N 分"))
    low_label = models.CharField(_("最低分含义"), max_length=30, blank=True)
    high_label = models.CharField(_("最高分含义"), max_length=30, blank=True)
    max_length = models.PositiveSmallIntegerField(_("字数上限"), null=True, blank=True)
    #: What a default template's question stands for ("categories", "kinds", "times", "suggestion",
    #: "content", "presenter", "organisation", "comment"): the county summary reads "categories".
    key = models.CharField(_("标识"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["questionnaire_id", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def has_options(self) -> bool:
        return self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class Option(models.Model):
    question = models.ForeignKey(Question, verbose_name=_("题目"), on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(_("序号"))
    label = models.CharField(_("选项"), max_length=120)
    category = models.ForeignKey("training.ContentCategory", verbose_name=_("培训内容"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    value = models.CharField(_("取值"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("选项")
        verbose_name_plural = _("选项")
        ordering = ["question_id", "position", "id"]

    def __str__(self) -> str:
        return self.label


class Respondent(models.Model):
    """Who has answered (for the response rate and reminders), apart from what they answered."""

    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="respondents")
    person = models.ForeignKey("org.Person", verbose_name=_("教师"), on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("org.School", verbose_name=_("学校"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("填写人")
        verbose_name_plural = _("填写人")
        constraints = [models.UniqueConstraint(fields=["questionnaire", "person"], name="questionnaire_one_respondent")]


class Response(models.Model):
    """One answer sheet; anonymous: no person, no school, no time, a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="responses")
    owner_key = models.CharField(max_length=64, editable=False)
    person = models.ForeignKey("org.Person", verbose_name=_("教师"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        constraints = [models.UniqueConstraint(fields=["questionnaire", "owner_key"], name="questionnaire_one_response")]


class Answer(models.Model):
    """One answer to one question: a picked option (one row per option), a score, or a text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, verbose_name=_("答卷"), on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, verbose_name=_("题目"), on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(Option, verbose_name=_("选项"), null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    number = models.PositiveSmallIntegerField(_("分数"), null=True, blank=True)
    text = models.TextField(_("回答"), blank=True)

    class Meta:
        verbose_name = _("回答")
        verbose_name_plural = _("回答")
        indexes = [models.Index(fields=["question", "option"])]
