"""Accounts, login safety and role assignments.

A user's roles and their scope (a region, a school or a group) live in
:class:`RoleAssignment`; the teacher role is implicit for any user linked to a
person. What each role may see and do is decided in one place:
:mod:`yanxiu.org.scopes`.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """An account. Imported teachers start with no usable password and
    ``must_change_password``; the school admin hands out a one-time password
    (a printed login slip, :mod:`yanxiu.accounts.otp`) that works once, until
    ``otp_expires_at``, after which the teacher sets a password of their own.
    Failed logins are counted by django-axes (per client address and login).
    """

    display_name = models.CharField(_("显示名"), max_length=60, blank=True)
    must_change_password = models.BooleanField(_("首次登录需改密码"), default=False)
    otp_hash = models.CharField(_("一次性密码（散列）"), max_length=200, blank=True, editable=False)
    otp_expires_at = models.DateTimeField(_("一次性密码有效期至"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def has_pending_otp(self) -> bool:
        """A one-time password has been handed out and is neither used nor expired."""
        return bool(self.otp_hash) and self.otp_expires_at is not None and self.otp_expires_at > timezone.now()


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", _("教育局管理员")
    CENTRE_STAFF = "centre_staff", _("教师发展中心研训员")
    SCHOOL_ADMIN = "school_admin", _("学校师训管理员")
    GROUP_LEADER = "group_leader", _("教研组长")
    PRESENTER = "presenter", _("主讲人")


REGION_ROLES = {Role.BUREAU_ADMIN, Role.CENTRE_STAFF}


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "org.Region", verbose_name=_("区域"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey(
        "org.School", verbose_name=_("学校"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        "org.Group", verbose_name=_("教研组"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    Q(role__in=["bureau_admin", "centre_staff"], region__isnull=False, school__isnull=True, group__isnull=True)
                    | Q(role="school_admin", school__isnull=False, region__isnull=True, group__isnull=True)
                    | Q(role="group_leader", group__isnull=False, region__isnull=True, school__isnull=True)
                    | Q(role="presenter", group__isnull=True, school__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        scope = self.region or self.school or self.group or ""
        return f"{self.get_role_display()} {scope}".strip()
