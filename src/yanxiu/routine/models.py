"""The school's routine: teaching-routine checks, collective preparation,
quality monitoring, competitions and commendations (教导处的日常工作).

Rows are written only by :mod:`yanxiu.routine.services`.

- :class:`CheckKind`, :class:`RoutineCheck`, :class:`CheckFinding`,
  :class:`CheckAttachment`: 教学常规检查 (lesson plans, homework, leaders'
  observations, 写字本 …) with a finding per teacher, counted against the plan.
- :class:`CollectivePrep`, :class:`PrepAttendance`, :class:`SecondPrep`:
  weekly 集体备课 of a group, with attendance and each teacher's 二次备课.
- :class:`TeachingAssignment`: who teaches which class and subject in a school
  year (what a teacher may see of scores and student files).
- :class:`Exam`, :class:`ExamScore`, :class:`QualitySettings`,
  :class:`QualityTarget`, :class:`StudentFile`, :class:`StudentNote`:
  质量监测 with 六项达标 and 学困生档案. Students have no account; their
  names are personal data.
- :class:`Competition`, :class:`ScoringItem`, :class:`Judge`, :class:`Entry`,
  :class:`Score`: 教学比武 / 优质课 / 基本功大赛 / 课件评比.
- :class:`Commendation`: 先进教研组, 先进个人 and 通报批评 of a school year.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yanxiu.growth.choices import AwardRank, Level

from .choices import Cadence, CommendationKind, CompetitionKind, CompetitionStatus, ExamKind, Grade, ScoreStatus

USER = settings.AUTH_USER_MODEL
YEAR_VALIDATORS = [MinValueValidator(1950), MaxValueValidator(2100)]
TERM_VALIDATORS = [MinValueValidator(1), MaxValueValidator(2)]
GRADE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]
CLASS_VALIDATORS = [MinValueValidator(1), MaxValueValidator(99)]


def _stored_name(folder: str, filename: str) -> str:
    return f"routine/{folder}/{secrets.token_hex(8)}-{filename[-60:]}"


def check_upload_to(instance, filename: str) -> str:
    return _stored_name("checks", filename)


def prep_upload_to(instance, filename: str) -> str:
    return _stored_name("preps", filename)


def entry_upload_to(instance, filename: str) -> str:
    return _stored_name("entries", filename)


# --- Teaching-routine checks -------------------------------------------------------------


class CheckKind(models.Model):
    """A kind of routine check the school plans: 备课, 作业批改, 随堂听课, 写字本, or one it adds."""

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="check_kinds")
    name = models.CharField(_("检查项目"), max_length=40)
    cadence = models.CharField(_("检查周期"), max_length=12, choices=Cadence.choices, default=Cadence.MONTHLY)
    per_period = models.PositiveSmallIntegerField(_("每周期次数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)])
    feedback_days = models.PositiveSmallIntegerField(
        _("反馈期限（天）"), null=True, blank=True, validators=[MaxValueValidator(60)],
        help_text=_("检查后须在此天数内向教师反馈；为空表示不要求"),
    )
    leaders_only = models.BooleanField(_("由学校领导检查"), default=False)
    is_active = models.BooleanField(_("在用"), default=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("常规检查项目")
        verbose_name_plural = _("常规检查项目")
        ordering = ["school_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="checkkind_unique_name")]

    def __str__(self) -> str:
        return self.name


class RoutineCheck(models.Model):
    """One check on one day by one checker, with a finding per teacher (or class) checked."""

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="routine_checks")
    kind = models.ForeignKey(CheckKind, verbose_name=_("检查项目"), on_delete=models.PROTECT, related_name="checks")
    date = models.DateField(_("检查日期"))
    checker = models.ForeignKey("org.Person", verbose_name=_("检查人"), on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("检查范围"), max_length=120, blank=True, help_text=_("如：三年级语文、全校作业"))
    summary = models.TextField(_("检查小结"), blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("教学常规检查")
        verbose_name_plural = _("教学常规检查")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["school", "date"]), models.Index(fields=["kind", "date"])]


class CheckFinding(models.Model):
    routine_check = models.ForeignKey(RoutineCheck, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="findings")
    person = models.ForeignKey("org.Person", verbose_name=_("被检查教师"), on_delete=models.PROTECT, related_name="check_findings")
    class_name = models.CharField(_("班级"), max_length=20, blank=True)
    grade = models.CharField(_("等级"), max_length=10, choices=Grade.choices)
    comment = models.CharField(_("意见"), max_length=500, blank=True)
    feedback_on = models.DateField(_("反馈日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["routine_check_id", "id"]
        constraints = [models.UniqueConstraint(fields=["routine_check", "person", "class_name"], name="checkfinding_one_per_teacher_class")]
        indexes = [models.Index(fields=["person", "routine_check"])]


class CheckAttachment(models.Model):
    routine_check = models.ForeignKey(RoutineCheck, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to=check_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)

    class Meta:
        verbose_name = _("检查附件")
        verbose_name_plural = _("检查附件")
        ordering = ["routine_check_id", "id"]


# --- Collective lesson preparation ---------------------------------------------------------


class CollectivePrep(models.Model):
    """One 集体备课 of a 教研组/备课组: the lesson, the lead preparer, who came, the plan and the discussion."""

    group = models.ForeignKey("org.Group", verbose_name=_("教研组/备课组"), on_delete=models.PROTECT, related_name="collective_preps")
    date = models.DateField(_("日期"))
    minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), validators=[MinValueValidator(10), MaxValueValidator(480)])
    subject = models.CharField(_("学科"), max_length=30)
    grade_name = models.CharField(_("年级"), max_length=20)
    lesson = models.CharField(_("课题/单元"), max_length=120)
    lead = models.ForeignKey("org.Person", verbose_name=_("主备人"), on_delete=models.PROTECT, related_name="+")
    plan_file = models.FileField(_("教案"), upload_to=prep_upload_to, max_length=200, blank=True)
    plan_name = models.CharField(_("教案文件名"), max_length=200, blank=True)
    discussion = models.TextField(_("研讨记录"))
    created_by = models.ForeignKey(USER, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("集体备课")
        verbose_name_plural = _("集体备课")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["group", "date"])]


class PrepAttendance(models.Model):
    prep = models.ForeignKey(CollectivePrep, verbose_name=_("集体备课"), on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey("org.Person", verbose_name=_("教师"), on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("出席"), default=True)
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("备课出勤")
        verbose_name_plural = _("备课出勤")
        constraints = [models.UniqueConstraint(fields=["prep", "person"], name="prepattendance_one_per_person")]


class SecondPrep(models.Model):
    """A teacher's 二次备课: how they adapt the shared plan to their own class."""

    prep = models.ForeignKey(CollectivePrep, verbose_name=_("集体备课"), on_delete=models.CASCADE, related_name="second_preps")
    person = models.ForeignKey("org.Person", verbose_name=_("教师"), on_delete=models.PROTECT, related_name="second_preps")
    text = models.TextField(_("二次备课"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("二次备课")
        verbose_name_plural = _("二次备课")
        constraints = [models.UniqueConstraint(fields=["prep", "person"], name="secondprep_one_per_person")]


# --- Classes and quality monitoring -----------------------------------------------------------


class TeachingAssignment(models.Model):
    """Who teaches a class a subject in a school year (任课): what a teacher sees of scores and student files."""

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="teaching_assignments")
    school_year = models.PositiveSmallIntegerField(_("学年"), validators=YEAR_VALIDATORS)
    grade = models.PositiveSmallIntegerField(_("年级"), validators=GRADE_VALIDATORS)
    class_no = models.PositiveSmallIntegerField(_("班"), validators=CLASS_VALIDATORS)
    subject = models.CharField(_("学科"), max_length=30)
    person = models.ForeignKey("org.Person", verbose_name=_("任课教师"), on_delete=models.CASCADE, related_name="teaching_assignments")

    class Meta:
        verbose_name = _("任课")
        verbose_name_plural = _("任课")
        ordering = ["school_id", "school_year", "grade", "class_no", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "grade", "class_no", "subject"], name="teaching_one_per_class_subject"),
        ]


class Exam(models.Model):
    """One exam (月考/单元监测, 期中, 期末) whose scores a school imported."""

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="exams")
    name = models.CharField(_("考试名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=10, choices=ExamKind.choices, default=ExamKind.FINAL)
    date = models.DateField(_("考试日期"))
    school_year = models.PositiveSmallIntegerField(_("学年"), validators=YEAR_VALIDATORS)
    term = models.PositiveSmallIntegerField(_("学期"), validators=TERM_VALIDATORS)
    full_marks = models.DecimalField(_("满分"), max_digits=5, decimal_places=1, default=Decimal("100"),
                                     validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("1000"))])
    file_name = models.CharField(_("导入文件"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("导入人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("质量监测")
        verbose_name_plural = _("质量监测")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="exam_unique_name_per_school")]

    def __str__(self) -> str:
        return self.name


class ExamScore(models.Model):
    """One student's result in one subject of one exam: a score, or why there is none."""

    exam = models.ForeignKey(Exam, verbose_name=_("考试"), on_delete=models.CASCADE, related_name="scores")
    grade = models.PositiveSmallIntegerField(_("年级"), validators=GRADE_VALIDATORS)
    class_no = models.PositiveSmallIntegerField(_("班"), validators=CLASS_VALIDATORS)
    student_name = models.CharField(_("学生姓名"), max_length=40)
    subject = models.CharField(_("学科"), max_length=30)
    score = models.DecimalField(_("成绩"), max_digits=6, decimal_places=1, null=True, blank=True)
    status = models.CharField(_("情况"), max_length=10, choices=ScoreStatus.choices, default=ScoreStatus.SCORED)
    row = models.PositiveIntegerField(_("导入行号"), default=0)

    class Meta:
        verbose_name = _("学生成绩")
        verbose_name_plural = _("学生成绩")
        ordering = ["exam_id", "grade", "class_no", "row", "subject"]
        indexes = [models.Index(fields=["exam", "grade", "class_no", "subject"]), models.Index(fields=["student_name"])]
        constraints = [
            models.CheckConstraint(condition=Q(status="scored", score__isnull=False) | (~Q(status="scored") & Q(score__isnull=True)),
                                   name="examscore_score_iff_scored"),
        ]


class QualitySettings(models.Model):
    """How a school judges its classes: the excellent and pass lines and the two subjects of 六项达标."""

    school = models.OneToOneField("org.School", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="quality_settings")
    excellent_ratio = models.DecimalField(_("优秀线（满分的比例）"), max_digits=4, decimal_places=3, default=Decimal("0.900"),
                                          validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("1"))])
    pass_ratio = models.DecimalField(_("及格线（满分的比例）"), max_digits=4, decimal_places=3, default=Decimal("0.600"),
                                     validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("1"))])
    six_subjects = models.JSONField(_("六项达标学科"), default=list)

    class Meta:
        verbose_name = _("质量监测设置")
        verbose_name_plural = _("质量监测设置")


class QualityTarget(models.Model):
    """The targets of one grade (for one subject, or for every subject when ``subject`` is empty)."""

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="quality_targets")
    grade = models.PositiveSmallIntegerField(_("年级"), validators=GRADE_VALIDATORS)
    subject = models.CharField(_("学科"), max_length=30, blank=True)
    average = models.DecimalField(_("平均分"), max_digits=6, decimal_places=2)
    excellent_rate = models.DecimalField(_("优秀率"), max_digits=4, decimal_places=3,
                                         validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))])
    pass_rate = models.DecimalField(_("及格率"), max_digits=4, decimal_places=3,
                                    validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))])

    class Meta:
        verbose_name = _("质量目标")
        verbose_name_plural = _("质量目标")
        ordering = ["school_id", "grade", "subject"]
        constraints = [models.UniqueConstraint(fields=["school", "grade", "subject"], name="qualitytarget_unique")]


class StudentFile(models.Model):
    """学困生档案: a student below pass in a final exam, with a support plan and the teacher's notes."""

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="student_files")
    school_year = models.PositiveSmallIntegerField(_("学年"), validators=YEAR_VALIDATORS)
    grade = models.PositiveSmallIntegerField(_("年级"), validators=GRADE_VALIDATORS)
    class_no = models.PositiveSmallIntegerField(_("班"), validators=CLASS_VALIDATORS)
    student_name = models.CharField(_("学生姓名"), max_length=40)
    opened_from = models.ForeignKey(Exam, verbose_name=_("依据考试"), on_delete=models.PROTECT, related_name="+")
    subjects = models.JSONField(_("未达标学科"), default=list)
    support_plan = models.TextField(_("辅导计划"), blank=True)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学困生档案")
        verbose_name_plural = _("学困生档案")
        ordering = ["school_id", "grade", "class_no", "student_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "grade", "class_no", "student_name"], name="studentfile_one_per_year"),
        ]


class StudentNote(models.Model):
    file = models.ForeignKey(StudentFile, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey("org.Person", verbose_name=_("教师"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    text = models.TextField(_("辅导记录"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("辅导记录")
        verbose_name_plural = _("辅导记录")
        ordering = ["file_id", "-date", "-id"]


# --- Competitions ------------------------------------------------------------------------------


class Competition(models.Model):
    """教学比武 / 优质课 / 基本功大赛 / 课件评比: entries, a panel and a weighted scoring sheet."""

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="competitions")
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=CompetitionKind.choices)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices, default=Level.SCHOOL)
    date = models.DateField(_("比赛日期"))
    drop_extremes = models.BooleanField(_("去掉一个最高分和一个最低分"), default=True)
    first_prizes = models.PositiveSmallIntegerField(_("一等奖名额"), default=1, validators=[MaxValueValidator(100)])
    second_prizes = models.PositiveSmallIntegerField(_("二等奖名额"), default=2, validators=[MaxValueValidator(100)])
    third_prizes = models.PositiveSmallIntegerField(_("三等奖名额"), default=3, validators=[MaxValueValidator(100)])
    status = models.CharField(_("状态"), max_length=10, choices=CompetitionStatus.choices, default=CompetitionStatus.OPEN)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("教学竞赛")
        verbose_name_plural = _("教学竞赛")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.name


class ScoringItem(models.Model):
    competition = models.ForeignKey(Competition, verbose_name=_("竞赛"), on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("评分项目"), max_length=60)
    weight = models.DecimalField(_("权重"), max_digits=4, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))])
    max_score = models.PositiveSmallIntegerField(_("满分"), default=100, validators=[MinValueValidator(1), MaxValueValidator(1000)])
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评分项目")
        verbose_name_plural = _("评分项目")
        ordering = ["competition_id", "position", "id"]


class Judge(models.Model):
    competition = models.ForeignKey(Competition, verbose_name=_("竞赛"), on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey(USER, verbose_name=_("评委"), on_delete=models.CASCADE, related_name="judging")
    name = models.CharField(_("评委姓名"), max_length=40)

    class Meta:
        verbose_name = _("评委")
        verbose_name_plural = _("评委")
        constraints = [models.UniqueConstraint(fields=["competition", "user"], name="judge_once_per_competition")]


class Entry(models.Model):
    competition = models.ForeignKey(Competition, verbose_name=_("竞赛"), on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey("org.Person", verbose_name=_("参赛教师"), on_delete=models.PROTECT, related_name="competition_entries")
    lesson = models.CharField(_("参赛课题/作品"), max_length=120)
    materials = models.FileField(_("参赛材料"), upload_to=entry_upload_to, max_length=200, blank=True)
    materials_name = models.CharField(_("材料文件名"), max_length=200, blank=True)
    final_score = models.DecimalField(_("最后得分"), max_digits=7, decimal_places=3, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    award = models.CharField(_("奖项"), max_length=10, choices=AwardRank.choices, blank=True)
    growth_record = models.ForeignKey("growth.GrowthRecord", verbose_name=_("成长记录"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("参赛")
        verbose_name_plural = _("参赛")
        ordering = ["competition_id", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["competition", "person"], name="entry_once_per_competition")]


class Score(models.Model):
    """One judge's score of one item of one entry."""

    entry = models.ForeignKey(Entry, verbose_name=_("参赛"), on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(Judge, verbose_name=_("评委"), on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ScoringItem, verbose_name=_("评分项目"), on_delete=models.CASCADE, related_name="scores")
    value = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    updated_at = models.DateTimeField(_("评分时间"), auto_now=True)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [models.UniqueConstraint(fields=["entry", "judge", "item"], name="score_once_per_judge_item")]


# --- Commendations -------------------------------------------------------------------------------


class Commendation(models.Model):
    """先进教研组, 先进个人 or 通报批评 of a school year, with the score and the counts it rests on."""

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="commendations")
    school_year = models.PositiveSmallIntegerField(_("学年"), validators=YEAR_VALIDATORS)
    kind = models.CharField(_("类型"), max_length=20, choices=CommendationKind.choices)
    group = models.ForeignKey("org.Group", verbose_name=_("教研组"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("org.Person", verbose_name=_("教师"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    basis = models.JSONField(_("依据"), default=dict)
    reason = models.TextField(_("事由"))
    created_by = models.ForeignKey(USER, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("表彰与通报")
        verbose_name_plural = _("表彰与通报")
        ordering = ["-school_year", "kind", "-score", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(group__isnull=False) | Q(person__isnull=False), name="commendation_names_someone"),
        ]
