"""Policy pages (namespace ``policy``; they live beside the ledger because the
edit page previews compliance): list, a version and its history, edit with a compliance
preview (counts before and after) before saving a new version, adopt a preset."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from yanxiu.org import scopes
from yanxiu.core.crud import apply_validation_error
from yanxiu.org.models import Employment, Region

from .compliance import compliance_rows, status_counts
from yanxiu.policy.selectors import policy_in_force
from yanxiu.policy.forms import AdoptForm, PolicyForm
from yanxiu.policy.models import Policy
from yanxiu.policy.services import can_edit_policy, policy_adopt_preset, policy_save
from yanxiu.policy.spec import PolicySpec, spec_from_data


def _visible_regions(user):
    s = scopes.scope_of(user)
    if s.superuser:
        return Region.objects.all()
    county_ids = set(s.region_counties)
    from yanxiu.org.models import School

    county_ids |= set(School.objects.filter(pk__in=scopes.schools_visible_to(user).values("pk")).values_list("county_id", flat=True))
    ids = set()
    for county in Region.objects.filter(pk__in=county_ids).select_related("parent__parent"):
        ids |= {r.pk for r in county.ancestors_and_self()}
    return Region.objects.filter(pk__in=ids)


def _editable_regions(user):
    s = scopes.scope_of(user)
    return Region.objects.all() if s.superuser else Region.objects.filter(pk__in=s.region_counties)


@login_required
def policy_list(request):
    regions = _visible_regions(request.user)
    latest = Policy.objects.filter(region__in=regions).values("region_id", "valid_from_year").annotate(v=Max("version"))
    q = Q(pk__in=[])
    for item in latest:
        q |= Q(region_id=item["region_id"], valid_from_year=item["valid_from_year"], version=item["v"])
    policies = Policy.objects.filter(q).select_related("region").order_by("region__code", "-valid_from_year")
    presets = Policy.objects.filter(region__isnull=True).order_by("preset_key", "-version")
    latest_presets = {}
    for p in presets:
        latest_presets.setdefault(p.preset_key, p)
    editable = _editable_regions(request.user)
    return render(request, "policy/list.html", {
        "policies": policies, "presets": latest_presets.values(), "can_edit": editable.exists(), "page_title": _("学时政策"),
    })


@login_required
def policy_detail(request, pk):
    policy = get_object_or_404(Policy.objects.select_related("region", "created_by"), pk=pk)
    if policy.region_id is not None and not _visible_regions(request.user).filter(pk=policy.region_id).exists():
        raise PermissionDenied(_("您没有权限访问此页面。"))
    if policy.region_id is None:
        versions = Policy.objects.filter(region__isnull=True, preset_key=policy.preset_key)
    else:
        versions = Policy.objects.filter(region=policy.region, valid_from_year=policy.valid_from_year)
    versions = versions.select_related("created_by")
    latest = versions.order_by("-version").first()
    return render(request, "policy/detail.html", {
        "policy": policy, "spec": PolicySpec.from_policy(policy), "versions": versions.order_by("-version"), "is_latest": latest == policy,
        "can_edit": policy.region_id is not None and can_edit_policy(request.user, policy.region),
        "page_title": str(policy),
    })


def _preview(region, year, current_spec, candidate_spec):
    employments = Employment.objects.filter(school__county__in=_counties_in(region))
    # The verdict as if the year ended today, so that before and after compare like with like.
    before = status_counts(compliance_rows(employments, year, spec=current_spec, final=True)) if current_spec else None
    after = status_counts(compliance_rows(employments, year, spec=candidate_spec, final=True))
    return {"before": before, "after": after, "year": year, "teachers": sum(after.values())}


def _counties_in(region):
    return Region.objects.filter(Q(pk=region.pk) | Q(parent=region) | Q(parent__parent=region), level="county")


@login_required
def policy_edit(request, pk):
    """Edit the policy version ``pk``: preview, then save as a new version."""
    base = get_object_or_404(Policy.objects.select_related("region"), pk=pk, region__isnull=False)
    if not can_edit_policy(request.user, base.region):
        raise PermissionDenied(_("只有教育局或教师发展中心可以修改本区域的学时政策。"))
    from .selectors import current_school_year

    preview = None
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            data = form.policy_data()
            year = form.cleaned_data["preview_year"]
            if "save" in request.POST:
                try:
                    policy = policy_save(actor=request.user, region=base.region, valid_from_year=data.pop("valid_from_year"), data=data,
                                         change_reason=form.cleaned_data["change_reason"])
                except ValidationError as exc:
                    apply_validation_error(form, exc)
                else:
                    messages.success(request, _("已保存为第 %(v)d 版。") % {"v": policy.version})
                    return redirect("policy:detail", pk=policy.pk)
            else:
                current = policy_in_force(base.region if base.region.level == "county" else _counties_in(base.region).first() or base.region, year)
                preview = _preview(base.region, year, PolicySpec.from_policy(current) if current else None, spec_from_data(data))
    else:
        form = PolicyForm(initial={**PolicyForm.initial_from(base), "preview_year": current_school_year(base.region)})
    return render(request, "policy/edit.html", {"form": form, "base": base, "preview": preview, "page_title": _("修改学时政策：%(name)s") % {"name": base.name}})


@login_required
def policy_adopt(request):
    regions = _editable_regions(request.user)
    if not regions.exists():
        raise PermissionDenied(_("只有教育局或教师发展中心可以制定学时政策。"))
    presets = Policy.objects.filter(region__isnull=True)
    form = AdoptForm(request.POST or None, presets=presets, regions=regions, initial={"preset": request.GET.get("preset")})
    if request.method == "POST" and form.is_valid():
        try:
            policy = policy_adopt_preset(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已采用预设。"))
            return redirect("policy:detail", pk=policy.pk)
    return render(request, "includes/form_page.html", {"form": form, "page_title": _("采用预设政策"), "submit_label": _("采用")})
