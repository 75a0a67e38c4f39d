"""Policy pages (namespace ``policy``; they live beside the ledger because the
edit page previews compliance): list, a version and its history, edit with a compliance
preview (counts before and after) before saving a new version, adopt a preset."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core.crud import apply_validation_error
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.org import scopes
from yanxiu.policy import selectors as policy_selectors
from yanxiu.policy.forms import AdoptForm, PolicyForm
from yanxiu.policy.services import can_edit_policy, policy_adopt_preset, policy_save
from yanxiu.policy.spec import PolicySpec, spec_from_data

from .selectors import current_school_year, policy_preview


class PolicyListView(ScopedListView):
    """The policy in force in each region the user may read (its latest version), and the presets to adopt."""

    template_name = "policy/list.html"
    page_title = gettext_lazy("学时政策")
    empty_message = gettext_lazy("还没有区域政策。")
    search_fields = ("name", "region__name")
    search_placeholder = gettext_lazy("政策或区域名称")
    columns = [
        Column("region", gettext_lazy("区域"), value="region.name"),
        Column("valid_from_year", gettext_lazy("起始学年"), value=lambda p: f"{p.valid_from_year}-{p.valid_from_year + 1}"),
        Column("name", gettext_lazy("政策"), link=lambda p: reverse("policy:detail", args=[p.pk])),
        Column("version", gettext_lazy("版本"), value=lambda p: f"v{p.version}"),
    ]

    def get_queryset(self):
        return policy_selectors.latest_policies(self.request.user)

    def get_context_data(self, **kwargs):
        kwargs.update(presets=policy_selectors.latest_presets(), can_edit=policy_selectors.regions_editable_by(self.request.user).exists())
        return kwargs


policy_list = PolicyListView.as_view()


@login_required
def policy_detail(request, pk):
    policy = get_object_or_404(policy_selectors.policies_visible_to(request.user), pk=pk)
    versions = policy_selectors.policy_versions(policy)
    return render(request, "policy/detail.html", {
        "policy": policy, "spec": PolicySpec.from_policy(policy), "versions": versions, "is_latest": versions.first() == policy,
        "can_edit": policy.region_id is not None and can_edit_policy(request.user, policy.region),
        "page_title": str(policy),
    })


@login_required
def policy_edit(request, pk):
    """Edit the policy version ``pk``: preview, then save as a new version."""
    base = get_object_or_404(policy_selectors.policies_visible_to(request.user), pk=pk, region__isnull=False)
    scopes.require(can_edit_policy(request.user, base.region), _("只有教育局或教师发展中心可以修改本区域的学时政策。"))
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
                county = base.region if base.region.level == "county" else policy_selectors.counties_in(base.region).first() or base.region
                current = policy_selectors.policy_in_force(county, year)
                preview = policy_preview(base.region, year, PolicySpec.from_policy(current) if current else None, spec_from_data(data))
    else:
        form = PolicyForm(initial={**PolicyForm.initial_from(base), "preview_year": current_school_year(base.region)})
    return render(request, "policy/edit.html", {"form": form, "base": base, "preview": preview, "page_title": _("修改学时政策：%(name)s") % {"name": base.name}})


@login_required
def policy_adopt(request):
    regions = policy_selectors.regions_editable_by(request.user)
    scopes.require(regions.exists(), _("只有教育局或教师发展中心可以制定学时政策。"))
    form = AdoptForm(request.POST or None, presets=policy_selectors.presets(), regions=regions, initial={"preset": request.GET.get("preset")})
    if request.method == "POST" and form.is_valid():
        try:
            policy = policy_adopt_preset(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已采用预设。"))
            return redirect("policy:detail", pk=policy.pk)
    return render(request, "includes/form_page.html", {"form": form, "page_title": _("采用预设政策"), "submit_label": _("采用")})
