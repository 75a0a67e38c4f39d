"""Training needs surveys (培训需求调研).

At the start of a year or term a school asks its teachers which content they
need, in which form and at what time; the school's plan and term schedule
are then built from the answers, and the county's training centre sees the
needs of all its schools together.
"""

from __future__ import annotations

import datetime as dt

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
