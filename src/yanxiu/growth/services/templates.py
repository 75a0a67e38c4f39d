"""Task templates: a school adopts a preset, edits it (a new version from the
next period, the old one kept as history) or retires it."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.org import scopes
from yanxiu.org.choices import Tier

from .. import access, calendar
from ..choices import ITEM_KIND_LABELS, Period, TemplatePeriod
from ..models import TaskItem, TaskTemplate
from ..presets import PRESETS_BY_KEY, item_fields

MAX_ITEMS = 20


def next_period(school, *, today) -> tuple[int, int]:
    """(school year, term) of the term after the one ``today`` falls in."""
    current = calendar.term_of(school, today)
    return (current.school_year, 2) if current.number == 1 else (current.school_year + 1, 1)


def _clean_items(items: list[dict]) -> list[dict]:
    if not items:
        raise ValidationError({"items": _("模板至少要有一项要求。")})
    if len(items) > MAX_ITEMS:
        raise ValidationError({"items": _("一个模板最多 %(n)s 项要求。") % {"n": MAX_ITEMS}})
    clean = []
    for n, item in enumerate(items, start=1):
        kind, label = str(item.get("kind", "")), str(item.get("label", "")).strip()
        if kind not in ITEM_KIND_LABELS:
            raise ValidationError({"items": _("第 %(n)s 项：未知的类型“%(k)s”。") % {"n": n, "k": kind[:20]}})
        per = str(item.get("per", Period.TERM))
        if per not in Period.values:
            raise ValidationError({"items": _("第 %(n)s 项：未知的周期“%(p)s”。") % {"n": n, "p": per[:20]}})
        try:
            target = int(item.get("target"))
        except (TypeError, ValueError):
            raise ValidationError({"items": _("第 %(n)s 项：数量须为整数。") % {"n": n}}) from None
        if not 1 <= target <= 200:
            raise ValidationError({"items": _("第 %(n)s 项：数量须在 1 到 200 之间。") % {"n": n}})
        also = [str(k) for k in item.get("also_counts") or [] if str(k) in ITEM_KIND_LABELS and str(k) != kind]
        clean.append({"kind": kind, "label": (label or str(ITEM_KIND_LABELS[kind]))[:80], "target": target, "per": per,
                      "also_counts": also})
    return clean


def _write(*, actor, school, family: str, version: int, fields: dict, items: list[dict], year: int, term: int) -> TaskTemplate:
    template = TaskTemplate(school=school, family=family, version=version, valid_from_year=year, valid_from_term=term,
                            created_by=actor if getattr(actor, "pk", None) else None, **fields)
    template.full_clean()
    template.save()
    TaskItem.objects.bulk_create(TaskItem(template=template, position=i, **item) for i, item in enumerate(items))
    return template


@transaction.atomic
def template_adopt(*, actor, school, preset_key: str, year: int, term: int = 1) -> TaskTemplate:
    """Copy a preset into the school's templates, in force from (year, term)."""
    if actor is not None:
        scopes.require(access.can_manage(actor, school), _("只有本校管理员可以设置任务模板。"))
    preset = PRESETS_BY_KEY.get(preset_key)
    if preset is None:
        raise ValidationError({"preset_key": _("没有编号为“%(k)s”的预设模板。") % {"k": str(preset_key)[:40]}})
    calendar.check_year(year)
    fields = {"name": preset["name"], "preset_key": preset_key, "source": preset["source"], "tier": preset["tier"],
              "for_leaders": preset.get("for_leaders", False), "period": preset["period"]}
    items = _clean_items([item_fields(i) for i in preset["items"]])
    family = f"{preset_key}-{secrets.token_hex(3)}"
    template = _write(actor=actor, school=school, family=family, version=1, fields=fields, items=items, year=year, term=term)
    audit.record(actor=actor, event=Event.GROWTH_TEMPLATE_ADOPT, target=template, school=school, preset=preset_key)
    return template


def _clean_fields(*, name: str, tier: str, period: str, for_leaders: bool) -> str:
    name = (name or "").strip()[:60]
    if not name:
        raise ValidationError({"name": _("请填写模板名称。")})
    if tier and tier not in Tier.values:
        raise ValidationError({"tier": _("未知的梯队“%(t)s”。") % {"t": tier[:20]}})
    if not tier and not for_leaders:
        raise ValidationError({"tier": _("请选择适用梯队，或勾选“适用于学校领导”。")})
    if period not in TemplatePeriod.values:
        raise ValidationError({"period": _("考核周期只能是学期或学年。")})
    return name


@transaction.atomic
def template_create(*, actor, school, name: str, tier: str, for_leaders: bool, period: str, items: list[dict], year: int,
                    term: int = 1, source: str = "") -> TaskTemplate:
    """A template of the school's own (not from a preset), in force from (year, term)."""
    scopes.require(access.can_manage(actor, school), _("只有本校管理员可以设置任务模板。"))
    name = _clean_fields(name=name, tier=tier, period=period, for_leaders=for_leaders)
    calendar.check_year(year)
    if term not in (1, 2):
        raise ValidationError({"term": _("学期只能是 1 或 2。")})
    fields = {"name": name, "preset_key": "", "source": (source or "").strip()[:200], "tier": tier, "for_leaders": for_leaders,
              "period": period}
    template = _write(actor=actor, school=school, family=f"school-{secrets.token_hex(4)}", version=1, fields=fields,
                      items=_clean_items(items), year=year, term=term)
    audit.record(actor=actor, event=Event.GROWTH_TEMPLATE_CREATE, target=template, school=school, valid_from=f"{year}-{term}")
    return template


@transaction.atomic
def template_edit(*, actor, template: TaskTemplate, name: str, tier: str, for_leaders: bool, period: str, items: list[dict],
                  reason: str, today, from_period: tuple[int, int] | None = None) -> TaskTemplate:
    """Write a new version of ``template``'s family, in force from the next
    period (or ``from_period``, which may not be earlier): the current period
    keeps counting against the version it started with."""
    school = template.school
    scopes.require(access.can_manage(actor, school), _("只有本校管理员可以修改任务模板。"))
    name = _clean_fields(name=name or template.name, tier=tier, period=period, for_leaders=for_leaders)
    if not (reason or "").strip():
        raise ValidationError({"change_reason": _("修订模板须说明修订理由。")})
    earliest = next_period(school, today=today)
    year, term = from_period or earliest
    if (year, term) < earliest:
        raise ValidationError(_("修订只能从下一学期（%(y)s 学年第 %(t)s 学期）起生效。") % {"y": earliest[0], "t": earliest[1]})
    newest = TaskTemplate.objects.filter(school=school, family=template.family).order_by("-version").first()
    if newest is not None and newest.retired:
        raise ValidationError(_("该模板已停用，不能再修订；请重新采用预设或新建模板。"))
    latest = newest.version if newest else 0
    fields = {"name": name, "preset_key": template.preset_key, "source": template.source,
              "tier": tier, "for_leaders": for_leaders, "period": period, "change_reason": reason.strip()[:200]}
    new = _write(actor=actor, school=school, family=template.family, version=latest + 1, fields=fields,
                 items=_clean_items(items), year=year, term=term)
    audit.record(actor=actor, event=Event.GROWTH_TEMPLATE_EDIT, target=new, school=school, family=template.family,
                 version=new.version, valid_from=f"{year}-{term}")
    return new


@transaction.atomic
def template_retire(*, actor, template: TaskTemplate, reason: str, today) -> TaskTemplate:
    """Stop using a template from the next period (a retired version closes the family)."""
    items = [{"kind": i.kind, "label": i.label, "target": i.target, "per": i.per, "also_counts": i.also_counts}
             for i in template.items.all()]
    new = template_edit(actor=actor, template=template, name=template.name, tier=template.tier, for_leaders=template.for_leaders,
                        period=template.period, items=items, reason=reason, today=today)
    TaskTemplate.objects.filter(pk=new.pk).update(retired=True)
    new.retired = True
    audit.record(actor=actor, event=Event.GROWTH_TEMPLATE_RETIRE, target=new, school=template.school, family=template.family)
    return new
