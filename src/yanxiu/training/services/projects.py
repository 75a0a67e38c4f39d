"""Writes to the catalogue, school plans and projects, and the training
centre's review of school projects."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.org import scopes

from .. import access
from ..models import BUREAU_LEVELS, ContentCategory, Project, SchoolPlan, TrainingLevel, school_year_of


def validate_school_year(value: str) -> None:
    parts = (value or "").split("-")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 4 for p in parts) or int(parts[1]) != int(parts[0]) + 1:
        raise ValidationError({"school_year": _("学年格式应为“2026-2027”（前后相差一年）。")})


# --- Hours policy -------------------------------------------------------------


def hours_policy_for(project: Project) -> dict[str, Any]:
    """The 学时 conversion of the policy in force for the project's county and
    school year (``minutes_per_hour``, ``max_per_day``); empty means the
    defaults (45 minutes, 8 a day)."""
    from yanxiu.policy.selectors import spec_in_force

    county = project.owner_school.county if project.owner_school_id else project.region
    try:
        year = int(project.school_year[:4])
    except (TypeError, ValueError):
        return {}
    spec = spec_in_force(county, year)
    if spec is None:
        return {}
    return {"minutes_per_hour": spec.minutes_per_hour, "max_per_day": spec.max_hours_per_day}


# --- Catalogue ----------------------------------------------------------------


@transaction.atomic
def category_save(*, actor, category: ContentCategory | None = None, **fields: Any) -> ContentCategory:
    creating = category is None
    category = category or ContentCategory()
    for key, value in fields.items():
        setattr(category, key, value)
    scopes.require(access.can_manage_categories(actor, category.region))
    category.full_clean()
    category.save()
    audit.record(
        actor=actor,
        event=Event.TRAINING_CATEGORY_CREATE if creating else Event.TRAINING_CATEGORY_UPDATE,
        target=category,
        county=category.region_id,
        code=category.code,
        compulsory=category.compulsory,
        mandated=category.mandated,
    )
    return category


# --- Plans and projects -------------------------------------------------------


@transaction.atomic
def plan_save(*, actor, school, plan: SchoolPlan | None = None, **fields: Any) -> SchoolPlan:
    scopes.require(scopes.can_manage_school(actor, school))
    creating = plan is None
    plan = plan or SchoolPlan(school=school, created_by=actor)
    scopes.require(plan.school_id == school.pk, _("该计划不属于本校。"))
    for key, value in fields.items():
        setattr(plan, key, value)
    validate_school_year(plan.school_year)
    if SchoolPlan.objects.filter(school=school, school_year=plan.school_year).exclude(pk=plan.pk).exists():
        raise ValidationError({"school_year": _("本校 %(year)s 学年的计划已存在。") % {"year": plan.school_year}})
    plan.full_clean()
    plan.save()
    audit.record(actor=actor, event=Event.TRAINING_PLAN_CREATE if creating else Event.TRAINING_PLAN_UPDATE, target=plan, school=school,
                 school_year=plan.school_year)
    return plan


_PROJECT_FIELDS = {"title", "description", "level", "kind", "category", "school_year", "plan"}


def _check_project(project: Project) -> None:
    validate_school_year(project.school_year)
    if project.owner_school_id is not None and project.level in BUREAU_LEVELS:
        raise ValidationError({"level": _("学校项目的级别只能是“校培”。")})
    if project.owner_school_id is None and project.level == TrainingLevel.SCHOOL:
        raise ValidationError({"level": _("教育局组织的培训不能选“校培”。")})
    if project.plan_id is not None:
        if project.plan.school_id != project.owner_school_id:
            raise ValidationError({"plan": _("所属计划必须是本校的计划。")})
        if project.plan.school_year != project.school_year:
            raise ValidationError({"plan": _("所属计划的学年与项目学年不一致。")})
    if project.category_id is not None and project.category.region_id not in (None, *_region_chain_ids(project.region)):
        raise ValidationError({"category": _("内容类别不属于本地区目录。")})


def _region_chain_ids(region) -> list[int]:
    return [r.pk for r in region.ancestors_and_self()] if region is not None else []


@transaction.atomic
def project_create(*, actor, owner_school=None, region=None, **fields: Any) -> Project:
    """A school project (owner_school set) or a bureau project (region set, no school).

    School projects need the training centre's approval unless their content
    is mandated (规定内容) by the region's catalogue.
    """
    unknown = set(fields) - _PROJECT_FIELDS
    if unknown:
        raise ValueError(f"unknown project fields: {sorted(unknown)}")
    if owner_school is not None:
        scopes.require(scopes.can_manage_school(actor, owner_school))
        project = Project(owner_school=owner_school, region=owner_school.county, created_by=actor, **fields)
        project.level = TrainingLevel.SCHOOL
        category = project.category if project.category_id else None
        project.requires_approval = not (category is not None and category.mandated)
        project.status = Project.Status.DRAFT if project.requires_approval else Project.Status.APPROVED
    else:
        scopes.require(access.can_create_bureau_project(actor, region))
        project = Project(region=region, created_by=actor, requires_approval=False, status=Project.Status.APPROVED, **fields)
        if project.level == TrainingLevel.SCHOOL:
            project.level = TrainingLevel.COUNTY
    if not project.school_year:
        project.school_year = school_year_of(timezone.localdate())
    _check_project(project)
    project.full_clean()
    project.save()
    audit.record(actor=actor, event=Event.TRAINING_PROJECT_CREATE, target=project, school=project.owner_school_id,
                 county=project.region_id, title=project.title,
                 level=project.level, requires_approval=project.requires_approval)
    return project


@transaction.atomic
def project_update(*, actor, project: Project, **fields: Any) -> Project:
    scopes.require(access.can_manage_project(actor, project))
    if project.requires_approval and project.status in (Project.Status.SUBMITTED, Project.Status.APPROVED):
        raise ValidationError(
            _("项目“%(title)s”已提交审核或已通过，不能再修改；如需调整请联系研训中心退回。") % {"title": project.title}
        )
    unknown = set(fields) - _PROJECT_FIELDS
    if unknown:
        raise ValueError(f"unknown project fields: {sorted(unknown)}")
    changed = {k: str(v) for k, v in fields.items() if getattr(project, k) != v}
    for key, value in fields.items():
        setattr(project, key, value)
    if project.owner_school_id is not None:
        project.level = TrainingLevel.SCHOOL
    _check_project(project)
    project.full_clean()
    project.save()
    audit.record(actor=actor, event=Event.TRAINING_PROJECT_UPDATE, target=project, school=project.owner_school_id,
                 county=project.region_id, changed=changed)
    return project


@transaction.atomic
def project_submit(*, actor, project: Project) -> Project:
    project = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
    scopes.require(access.can_manage_project(actor, project))
    if not project.requires_approval:
        raise ValidationError(_("该项目无需研训中心审核。"))
    if project.status not in (Project.Status.DRAFT, Project.Status.RETURNED):
        raise ValidationError(
            _("项目当前状态为“%(status)s”，不能提交审核。") % {"status": project.get_status_display()}
        )
    project.status = Project.Status.SUBMITTED
    project.submitted_at = timezone.now()
    project.save(update_fields=["status", "submitted_at"])
    audit.record(actor=actor, event=Event.TRAINING_PROJECT_SUBMIT, target=project, school=project.owner_school_id,
                 county=project.region_id)
    return project


def _review(*, actor, project: Project, approve: bool, comment: str) -> Project:
    project = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
    scopes.require(access.can_review_project(actor, project), _("只有本区县研训中心可以审核学校项目。"))
    if project.status != Project.Status.SUBMITTED:
        raise ValidationError(
            _("项目当前状态为“%(status)s”，不是待审核状态。") % {"status": project.get_status_display()}
        )
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("退回项目时必须填写审核意见，说明需要修改的地方。")})
    project.status = Project.Status.APPROVED if approve else Project.Status.RETURNED
    project.review_comment = comment
    project.reviewer = actor
    project.reviewed_at = timezone.now()
    project.save(update_fields=["status", "review_comment", "reviewer", "reviewed_at"])
    audit.record(actor=actor, event=Event.TRAINING_PROJECT_APPROVE if approve else Event.TRAINING_PROJECT_RETURN,
                 school=project.owner_school_id, county=project.region_id,
                 target=project, comment=comment)
    return project


@transaction.atomic
def project_approve(*, actor, project: Project, comment: str = "") -> Project:
    return _review(actor=actor, project=project, approve=True, comment=comment)


@transaction.atomic
def project_return(*, actor, project: Project, comment: str) -> Project:
    return _review(actor=actor, project=project, approve=False, comment=comment)
