"""Organisation and people.

A :class:`Person` is the human being and carries what follows them everywhere
(一人一档, 档随人走); an :class:`Employment` is one period at one school. A
transfer ends one employment and starts another, so everything recorded
against the person stays with them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import (
    Education,
    EmploymentType,
    Gender,
    GroupKind,
    Position,
    RegionLevel,
    Stage,
    Tier,
    Title,
)


class Region(models.Model):
    """An administrative region: province > city > county/district."""

    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def ancestors_and_self(self) -> list[Region]:
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Cluster(models.Model):
    """片区: schools of one county grouped around a base school (基地校)."""

    county = models.ForeignKey(Region, verbose_name=_("区县"), on_delete=models.PROTECT, related_name="clusters")
    name = models.CharField(_("片区名称"), max_length=60)
    base_school = models.OneToOneField(
        "School", verbose_name=_("基地校"), null=True, blank=True, on_delete=models.SET_NULL, related_name="base_of"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("片区")
        verbose_name_plural = _("片区")
        ordering = ["county_id", "name"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="cluster_unique_name_per_county")]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    code = models.CharField(_("学校标识码"), max_length=10, unique=True, help_text=_("10 位学校标识码"))
    name = models.CharField(_("学校名称"), max_length=100)
    county = models.ForeignKey(Region, verbose_name=_("区县"), on_delete=models.PROTECT, related_name="schools")
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("片区"), null=True, blank=True, on_delete=models.SET_NULL, related_name="schools"
    )
    stage = models.CharField(_("学段"), max_length=20, choices=Stage.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Group(models.Model):
    """教研组 (teaching-research group) or 备课组 (lesson-preparation group)."""

    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("组名"), max_length=60)
    kind = models.CharField(_("类型"), max_length=20, choices=GroupKind.choices, default=GroupKind.RESEARCH)
    subject = models.CharField(_("学科"), max_length=30, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属教研组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subgroups",
    )
    leader = models.ForeignKey(
        "Person", verbose_name=_("组长"), null=True, blank=True, on_delete=models.SET_NULL, related_name="led_groups"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("教研组/备课组")
        verbose_name_plural = _("教研组/备课组")
        ordering = ["school_id", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="group_unique_name_per_school")]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A human being, identified by the resident ID number (居民身份证号码)."""

    name = models.CharField(_("姓名"), max_length=40)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    phone = models.CharField(_("手机"), max_length=11, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    history = HistoricalRecords(excluded_fields=["user"])

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["phone"])]
        constraints = [
            # A phone logs its owner in, so it belongs to one person only.
            models.UniqueConstraint(
                fields=["phone"],
                condition=~Q(phone=""),
                name="person_unique_phone",
                violation_error_message=_("该手机号已被另一位教师使用，一个手机号只能登记给一人。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def current_employment(self) -> Employment | None:
        from .selectors import current_employment

        return current_employment(self)


def mask_id_number(value: str) -> str:
    return f"{value[:6]}********{value[-4:]}" if len(value) == 18 else ("*" * len(value))


def mask_phone(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}" if len(value) == 11 else ("*" * len(value))


def current_employment_q(prefix: str = "") -> Q:
    """The condition "this employment has not ended", through a relation when ``prefix`` names one
    (``current_employment_q("employments")`` on schools or people, ``"members"`` on groups)."""
    return Q(**{f"{prefix}__end_date__isnull" if prefix else "end_date__isnull": True})


class EmploymentQuerySet(models.QuerySet):
    def current(self):
        """Employments that have not ended: a person's current one is the only one of them."""
        return self.filter(current_employment_q())


class Employment(models.Model):
    """One period of a person's work at one school."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="employments")
    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="employments")
    start_date = models.DateField(_("到校日期"))
    end_date = models.DateField(_("离校日期"), null=True, blank=True)
    end_reason = models.CharField(_("离校原因"), max_length=200, blank=True)
    groups = models.ManyToManyField(Group, verbose_name=_("所在组"), blank=True, related_name="members")
    stage = models.CharField(_("学段"), max_length=20, choices=Stage.choices)
    subject = models.CharField(_("任教学科"), max_length=30, blank=True)
    position = models.CharField(_("岗位"), max_length=20, choices=Position.choices, default=Position.TEACHER)
    title = models.CharField(_("职称"), max_length=20, choices=Title.choices, default=Title.NONE)
    education = models.CharField(_("最高学历"), max_length=20, choices=Education.choices)
    employment_type = models.CharField(
        _("编制"), max_length=20, choices=EmploymentType.choices, default=EmploymentType.ESTABLISHED
    )
    teaching_since = models.DateField(_("参加工作年月"), help_text=_("只记年月，日固定为 1 日"))
    tier = models.CharField(_("梯队"), max_length=20, choices=Tier.choices, blank=True)
    history = HistoricalRecords(m2m_fields=[groups])

    objects = EmploymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["-start_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=current_employment_q(), name="employment_one_current_per_person"
            ),
            models.CheckConstraint(
                condition=current_employment_q() | Q(end_date__gte=models.F("start_date")),
                name="employment_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["school", "end_date"])]

    def __str__(self) -> str:
        return f"{self.person} @ {self.school}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class PersonalDataAccess(models.Model):
    """Access log: one row each time a full ID number or phone is shown or exported."""

    class Action(models.TextChoices):
        VIEW = "view", _("查看")
        EXPORT = "export", _("导出")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    person = models.ForeignKey(Person, verbose_name=_("人员"), null=True, blank=True, on_delete=models.CASCADE)
    school = models.ForeignKey(School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.CASCADE)
    record_count = models.PositiveIntegerField(_("记录数"), default=1)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        ordering = ["-created_at"]
