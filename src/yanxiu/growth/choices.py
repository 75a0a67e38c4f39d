"""Fixed vocabularies of the growth app (stored values are stable codes).

The Chinese labels of :class:`RecordKind` are the names schools use in their
registers (听课, 公开课, 读书笔记 …); the importer matches them, with the
synonyms in :data:`KIND_SYNONYMS`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    OBSERVATION = "observation", _("听课")
    PUBLIC_LESSON = "public_lesson", _("公开课")
    RESEARCH_LESSON = "research_lesson", _("研究课")
    READING_NOTE = "reading_note", _("读书笔记")
    THEORY_BOOK = "theory_book", _("理论书籍")
    CASE = "case", _("教学案例")
    QUESTION = "question", _("教学问题")
    ARTICLE = "article", _("论文")
    RESEARCH_TOPIC = "research_topic", _("课题")
    LECTURE = "lecture", _("讲座")
    TEST_PAPER = "test_paper", _("试卷")
    AWARD = "award", _("获奖")


class DerivedKind(models.TextChoices):
    """Task items counted from other records than :class:`GrowthRecord`."""

    APPRENTICE = "apprentice", _("带徒")
    GOAL = "goal", _("自我发展目标")


#: Every kind a task item may name: the records' kinds and the derived ones.
ITEM_KIND_CHOICES = list(RecordKind.choices) + list(DerivedKind.choices)
ITEM_KIND_LABELS = dict(ITEM_KIND_CHOICES)

#: Other names registers use for a kind (the label itself always matches).
KIND_SYNONYMS: dict[str, tuple[str, ...]] = {
    RecordKind.OBSERVATION: ("听课记录", "听评课", "评课", "观课"),
    RecordKind.PUBLIC_LESSON: ("公开课", "示范课", "汇报课", "公开教学", "公开活动", "展示课"),
    RecordKind.RESEARCH_LESSON: ("研究课", "研讨课", "教研课"),
    RecordKind.READING_NOTE: ("读书笔记", "读书心得", "读书"),
    RecordKind.THEORY_BOOK: ("理论书籍", "理论专著", "教育专著", "理论学习"),
    RecordKind.CASE: ("教学案例", "案例", "教育案例", "案例反思"),
    RecordKind.QUESTION: ("教学问题", "问题", "教学困惑"),
    RecordKind.ARTICLE: ("论文", "文章", "发表文章", "论文发表", "教学论文"),
    RecordKind.RESEARCH_TOPIC: ("课题", "课题研究", "研究课题", "研究主题"),
    RecordKind.LECTURE: ("讲座", "专题讲座", "专题发言", "中心发言"),
    RecordKind.TEST_PAPER: ("试卷", "命题", "试卷命题", "出卷", "命制试卷"),
    RecordKind.AWARD: ("获奖", "竞赛获奖", "比赛获奖", "指导学生获奖", "荣誉"),
}


class Level(models.TextChoices):
    """The level of a lesson, paper, topic, award or title."""

    SCHOOL = "school", _("校级")
    CLUSTER = "cluster", _("学区级")
    COUNTY = "county", _("县级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("国家级")


class AwardRank(models.TextChoices):
    SPECIAL = "special", _("特等奖")
    FIRST = "first", _("一等奖")
    SECOND = "second", _("二等奖")
    THIRD = "third", _("三等奖")
    MERIT = "merit", _("优秀奖")


class TopicRole(models.TextChoices):
    LEAD = "lead", _("主持人")
    MEMBER = "member", _("参与者")


class TopicStatus(models.TextChoices):
    APPROVED = "approved", _("已立项")
    ONGOING = "ongoing", _("在研")
    CONCLUDED = "concluded", _("已结题")


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")


class Period(models.TextChoices):
    """How often a task item's target is due."""

    WEEK = "week", _("每周")
    FORTNIGHT = "fortnight", _("每两周")
    MONTH = "month", _("每月")
    TERM = "term", _("每学期")
    YEAR = "year", _("每学年")


class TemplatePeriod(models.TextChoices):
    TERM = "term", _("学期")
    YEAR = "year", _("学年")


class TierBasis(models.TextChoices):
    TEACHING_AGE = "teaching_age", _("按教龄")
    AGE = "age", _("按年龄")
    MANUAL = "manual", _("手工指定")


class TierSource(models.TextChoices):
    RULE = "rule", _("按规则")
    MANUAL = "manual", _("手工指定")
    CARRIED = "carried", _("沿用上学年")


class HonourKind(models.TextChoices):
    """Titles a teacher is selected for (评选称号), each with a level."""

    RISING_STAR = "rising_star", _("教坛新秀")
    BACKBONE = "backbone", _("骨干教师")
    SUBJECT_LEADER = "subject_leader", _("学科带头人")
    MASTER = "master", _("名师")


class HonourStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    REVOKED = "revoked", _("已撤销")


class MentorActivityKind(models.TextChoices):
    MENTOR_LESSON = "mentor_lesson", _("徒弟听师傅的课")
    APPRENTICE_LESSON = "apprentice_lesson", _("师傅听徒弟的课")
    GUIDED_LESSON = "guided_lesson", _("指导备课/上课")
    TALK = "talk", _("交流谈话")


class MentorStatus(models.TextChoices):
    ACTIVE = "active", _("结对中")
    ASSESSED = "assessed", _("已考核")
    CANCELLED = "cancelled", _("已解除")


class AssessmentResult(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class ReviewerRole(models.TextChoices):
    """Who writes which part of the year-end assessment (002 §七.2)."""

    SELF = "self", _("自评")
    PEER = "peer", _("同伴互评")
    GROUP = "group", _("教研组评价")
    SCHOOL = "school", _("学校评价")
    EXPERT = "expert", _("专家评价")
