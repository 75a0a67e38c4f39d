"""Fixed vocabularies of the school's routine (stored values are stable codes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """优 / 良 / 合格 / 待改进: the finding of a routine check for one teacher."""

    EXCELLENT = "excellent", _("优")
    GOOD = "good", _("良")
    PASS = "pass", _("合格")
    IMPROVE = "improve", _("待改进")


class Cadence(models.TextChoices):
    """How often the school's plan asks for a check of a kind."""

    WEEKLY = "weekly", _("每周")
    FORTNIGHTLY = "fortnightly", _("每两周")
    MONTHLY = "monthly", _("每月")
    TERMLY = "termly", _("每学期")


class ExamKind(models.TextChoices):
    MONTHLY = "monthly", _("月考/单元监测")
    MIDTERM = "midterm", _("期中")
    FINAL = "final", _("期末")


class ScoreStatus(models.TextChoices):
    SCORED = "scored", _("有成绩")
    ABSENT = "absent", _("缺考")
    LEAVE = "leave", _("请假")
    EMPTY = "empty", _("空白")
    EXEMPT = "exempt", _("免考")


#: Statuses counted as absent (缺考, 请假, an empty cell); 免考 is counted apart.
ABSENT_STATUSES = frozenset({ScoreStatus.ABSENT, ScoreStatus.LEAVE, ScoreStatus.EMPTY})


class CompetitionKind(models.TextChoices):
    TEACHING = "teaching", _("教学比武")
    QUALITY_LESSON = "quality_lesson", _("优质课")
    BASIC_SKILLS = "basic_skills", _("基本功大赛")
    COURSEWARE = "courseware", _("课件评比")


class CompetitionStatus(models.TextChoices):
    OPEN = "open", _("评分中")
    PUBLISHED = "published", _("已公布")


class CommendationKind(models.TextChoices):
    ADVANCED_GROUP = "advanced_group", _("先进教研组")
    ADVANCED_PERSON = "advanced_person", _("先进个人")
    CRITICISM = "criticism", _("通报批评")
