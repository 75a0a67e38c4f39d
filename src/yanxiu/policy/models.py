"""Training requirements as data (policy is data, never code).

A :class:`Policy` row is one immutable *version* of the requirements of a
region from a school year on. Editing a policy writes a new version with the
same region and ``valid_from_year``; the highest version is in force and the
older ones are its history. Presets (region empty) are the requirement sets
read from the seed documents; a region adopts one by copying it.

Structured parts are child rows so that they can be queried and validated:
minimums per credit kind (with the hour-to-credit conversion), minimums per
content category (★ compulsory modules) and caps per activity type.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CreditKind(models.TextChoices):
    """The kinds requirements are stated in (集中 / 网络 / 校本)."""

    CENTRALISED = "centralised", _("集中培训")
    ONLINE = "online", _("网络培训")
    SCHOOL_BASED = "school_based", _("校本研修")


class ActivityType(models.TextChoices):
    """Activities that earn credit by themselves, within a cap."""

    PUBLIC_LESSON = "public_lesson", _("公开课")
    AWARD = "award", _("获奖")
    MENTOR_PAIR = "mentor_pair", _("师徒结对")
    LECTURE = "lecture", _("专题讲座")
    PAPER = "paper", _("论文发表")
    RESEARCH = "research", _("课题研究")


class Unit(models.TextChoices):
    HOUR = "hour", _("学时")
    CREDIT = "credit", _("学分")


def credit_kind_for_training(*, level: str, kind: str) -> str:
    """Which requirement kind a training of ``level``/``kind`` counts towards.

    Online training is 网络 whatever its level; anything else organised above
    the school is 集中; everything the school runs itself is 校本.
    """
    if kind == "online":
        return CreditKind.ONLINE
    if level and level != "school":
        return CreditKind.CENTRALISED
    return CreditKind.SCHOOL_BASED


class Policy(models.Model):
    region = models.ForeignKey(
        "org.Region", verbose_name=_("适用区域"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="policies", help_text=_("为空表示预设模板"),
    )
    preset_key = models.CharField(_("预设编号"), max_length=20, blank=True)
    name = models.CharField(_("名称"), max_length=120)
    source = models.CharField(_("依据文件"), max_length=200, blank=True)
    valid_from_year = models.PositiveSmallIntegerField(_("起始学年"), help_text=_("学年开始的年份，如 2025 表示 2025-2026 学年"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    year_start_month = models.PositiveSmallIntegerField(_("学年起始月"), default=9, validators=[MinValueValidator(1), MaxValueValidator(12)])
    year_start_day = models.PositiveSmallIntegerField(_("学年起始日"), default=1, validators=[MinValueValidator(1), MaxValueValidator(28)])
    unit = models.CharField(_("计量单位"), max_length=10, choices=Unit.choices, default=Unit.HOUR)
    total_min = models.DecimalField(_("每学年总量下限"), max_digits=6, decimal_places=1, default=Decimal("0"))
    cycle_years = models.PositiveSmallIntegerField(_("周期年数"), null=True, blank=True)
    cycle_min = models.DecimalField(_("周期总量下限"), max_digits=7, decimal_places=1, null=True, blank=True)
    cycle_start_year = models.PositiveSmallIntegerField(_("周期起始学年"), null=True, blank=True)
    minutes_per_hour = models.PositiveSmallIntegerField(_("每学时分钟数"), default=45, validators=[MinValueValidator(1)])
    max_hours_per_day = models.DecimalField(_("每日学时上限"), max_digits=4, decimal_places=1, default=Decimal("8"))
    min_reflection_chars = models.PositiveIntegerField(_("反思最少字数"), default=0)
    excluded_activities = models.JSONField(_("不计入的活动"), default=list, blank=True)
    long_cycle_exempts_school_based = models.BooleanField(_("长周期培训免校本部分"), default=False)
    age_opt_out_age = models.PositiveSmallIntegerField(_("免修年龄"), null=True, blank=True, help_text=_("学年开始时年满此岁数者免于学时要求；为空表示不允许"))
    below_min_blocks_excellent = models.BooleanField(_("未达标不能评优秀"), default=True)
    unexcused_absence_fails = models.BooleanField(_("无故缺训年度考核不合格"), default=False)
    note = models.TextField(_("说明"), blank=True)
    change_reason = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("制定人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学时政策")
        verbose_name_plural = _("学时政策")
        ordering = ["region_id", "-valid_from_year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "valid_from_year", "version"], name="policy_unique_version", condition=Q(region__isnull=False)),
            models.UniqueConstraint(fields=["preset_key", "version"], name="policy_unique_preset_version", condition=Q(region__isnull=True)),
            models.CheckConstraint(condition=Q(region__isnull=False) | ~Q(preset_key=""), name="policy_region_or_preset"),
        ]
        indexes = [models.Index(fields=["region", "valid_from_year", "version"])]

    def __str__(self) -> str:
        return f"{self.name}（v{self.version}）"

    @property
    def is_preset(self) -> bool:
        return self.region_id is None

    @property
    def source_title(self) -> str:
        """The source as people cite it: 《校本培训工作总结》（…）, without the seed file's id."""
        from .presets import source_title

        return source_title(self.source)

    def clean(self) -> None:
        errors = {}
        if not isinstance(self.excluded_activities, list) or not all(isinstance(x, str) and x.strip() for x in self.excluded_activities):
            errors["excluded_activities"] = _("不计入的活动必须是非空文字的列表。")
        if (self.cycle_years is None) != (self.cycle_min is None):
            errors["cycle_min"] = _("周期年数与周期总量下限须同时填写或同时留空。")
        if self.cycle_years is not None and not 1 <= self.cycle_years <= 10:
            errors["cycle_years"] = _("周期年数应在 1 到 10 之间。")
        if self.max_hours_per_day is not None and not Decimal("0") < self.max_hours_per_day <= Decimal("24"):
            errors["max_hours_per_day"] = _("每日学时上限应大于 0 且不超过 24。")
        if self.age_opt_out_age is not None and not 40 <= self.age_opt_out_age <= 70:
            errors["age_opt_out_age"] = _("免修年龄应在 40 到 70 岁之间。")
        if errors:
            raise ValidationError(errors)

    # --- School years ------------------------------------------------------
    def year_start(self, year: int) -> dt.date:
        return dt.date(year, self.year_start_month, self.year_start_day)

    def year_end(self, year: int) -> dt.date:
        return self.year_start(year + 1) - dt.timedelta(days=1)

    def school_year_of(self, day: dt.date) -> int:
        return day.year if (day.month, day.day) >= (self.year_start_month, self.year_start_day) else day.year - 1

    def cycle_of(self, year: int) -> tuple[int, int] | None:
        """First and last school year of the cycle containing ``year``."""
        if not self.cycle_years:
            return None
        anchor = self.cycle_start_year or self.valid_from_year
        first = anchor + ((year - anchor) // self.cycle_years) * self.cycle_years
        return first, first + self.cycle_years - 1


class KindRule(models.Model):
    policy = models.ForeignKey(Policy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="kind_rules")
    kind = models.CharField(_("培训类别"), max_length=20, choices=CreditKind.choices)
    min_amount = models.DecimalField(_("下限"), max_digits=6, decimal_places=1, default=Decimal("0"))
    credits_per_hour = models.DecimalField(_("每学时折算学分"), max_digits=5, decimal_places=2, default=Decimal("1"))

    class Meta:
        verbose_name = _("类别要求")
        verbose_name_plural = _("类别要求")
        constraints = [models.UniqueConstraint(fields=["policy", "kind"], name="kindrule_unique_kind")]


class CategoryRule(models.Model):
    policy = models.ForeignKey(Policy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="category_rules")
    category = models.CharField(_("内容类别"), max_length=40)
    min_amount = models.DecimalField(_("下限"), max_digits=6, decimal_places=1, default=Decimal("0"))
    compulsory = models.BooleanField(_("必修（★）"), default=False)

    class Meta:
        verbose_name = _("内容要求")
        verbose_name_plural = _("内容要求")
        constraints = [models.UniqueConstraint(fields=["policy", "category"], name="categoryrule_unique_category")]


class ActivityCap(models.Model):
    policy = models.ForeignKey(Policy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="activity_caps")
    activity_type = models.CharField(_("活动类型"), max_length=20, choices=ActivityType.choices)
    amount_per_item = models.DecimalField(_("每项计"), max_digits=5, decimal_places=1)
    max_per_year = models.DecimalField(_("每学年上限"), max_digits=6, decimal_places=1)
    kind = models.CharField(_("计入类别"), max_length=20, choices=CreditKind.choices, default=CreditKind.SCHOOL_BASED)

    class Meta:
        verbose_name = _("活动上限")
        verbose_name_plural = _("活动上限")
        constraints = [models.UniqueConstraint(fields=["policy", "activity_type"], name="activitycap_unique_type")]
