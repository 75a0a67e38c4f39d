"""Fixed vocabularies of the organisation model (stored values are stable codes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("区县")


class Stage(models.TextChoices):
    """学段 of a school or of a teacher's post."""

    KINDERGARTEN = "kindergarten", _("幼儿园")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    NINE_YEAR = "nine_year", _("九年一贯制")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("职高")


class GroupKind(models.TextChoices):
    RESEARCH = "research", _("教研组")
    PREPARATION = "preparation", _("备课组")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Title(models.TextChoices):
    """职称, the unified post titles of primary and secondary teachers."""

    NONE = "none", _("未评")
    THIRD = "third", _("三级教师")
    SECOND = "second", _("二级教师")
    FIRST = "first", _("一级教师")
    SENIOR = "senior", _("高级教师")
    PROFESSOR = "professor", _("正高级教师")


class Education(models.TextChoices):
    SECONDARY = "secondary", _("中专及以下")
    JUNIOR_COLLEGE = "junior_college", _("大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士研究生")
    DOCTOR = "doctor", _("博士研究生")


class EmploymentType(models.TextChoices):
    ESTABLISHED = "established", _("在编")
    CONTRACT = "contract", _("临聘")


class Tier(models.TextChoices):
    """Growth tier (梯队) that decides a teacher's yearly task list."""

    NOVICE = "novice", _("新任教师")
    YOUNG = "young", _("青年教师")
    MATURE = "mature", _("成熟教师")
    BACKBONE = "backbone", _("骨干教师")
    LEADER = "leader", _("学科带头人")
    MASTER = "master", _("名师")


class Position(models.TextChoices):
    TEACHER = "teacher", _("专任教师")
    PRINCIPAL = "principal", _("校长")
    VICE_PRINCIPAL = "vice_principal", _("副校长")
    DIRECTOR = "director", _("中层干部")
    ASSISTANT = "assistant", _("教辅人员")
    STAFF = "staff", _("工勤人员")


SUBJECTS = [
    "语文", "数学", "英语", "物理", "化学", "生物", "政治", "道德与法治", "历史", "地理",
    "科学", "信息技术", "音乐", "体育", "美术", "心理健康", "劳动", "通用技术", "综合实践",
    "学前教育", "特殊教育", "专业课",
]
