"""Reads of the county policies: which version governs a county in a school
year, as a model row or as plain data (:class:`~yanxiu.policy.spec.PolicySpec`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Q

from yanxiu.org import scopes
from yanxiu.org.models import Region

from .models import Policy
from .spec import PolicySpec


def policy_in_force(county, year: int) -> Policy | None:
    """The policy version governing ``county`` in school year ``year``: the
    nearest region up the tree with a policy, its latest start year not after
    ``year``, its highest version."""
    chain = county.ancestors_and_self()
    depth = {region.pk: index for index, region in enumerate(chain)}
    candidates = Policy.objects.filter(region_id__in=depth, valid_from_year__lte=year).values_list(
        "pk", "region_id", "valid_from_year", "version"
    )
    best = min(candidates, key=lambda c: (depth[c[1]], -c[2], -c[3]), default=None)
    return None if best is None else Policy.objects.get(pk=best[0])


def specs_for_counties(counties, year: int) -> dict[int, PolicySpec]:
    """The spec in force for each county, with one query for the candidate policies."""
    chains = {county.pk: county.ancestors_and_self() for county in counties}
    region_ids = {region.pk for chain in chains.values() for region in chain}
    candidates = list(
        Policy.objects.filter(region_id__in=region_ids, valid_from_year__lte=year).values_list("pk", "region_id", "valid_from_year", "version")
    )
    specs: dict[int, PolicySpec] = {}
    by_policy: dict[int, PolicySpec] = {}
    for county_id, chain in chains.items():
        depth = {region.pk: index for index, region in enumerate(chain)}
        best = min((c for c in candidates if c[1] in depth), key=lambda c: (depth[c[1]], -c[2], -c[3]), default=None)
        if best is None:
            continue
        if best[0] not in by_policy:
            policy = Policy.objects.prefetch_related("kind_rules", "category_rules", "activity_caps").get(pk=best[0])
            by_policy[best[0]] = PolicySpec.from_policy(policy)
        specs[county_id] = by_policy[best[0]]
    return specs


def spec_in_force(county, year: int) -> PolicySpec | None:
    policy = policy_in_force(county, year)
    return None if policy is None else PolicySpec.from_policy(policy)


def school_year_for(county, day: dt.date) -> int:
    """The school year ``day`` belongs to under the county's policy (1 September by default)."""
    spec = spec_in_force(county, day.year) or spec_in_force(county, day.year - 1)
    if spec is None:
        return day.year if day.month >= 9 else day.year - 1
    return spec.school_year_of(day)


# --- Policies the user may read or change -------------------------------------------


def regions_visible_to(user):
    """Regions whose policies the user may read: those over the counties of their
    region roles and of the schools they may see, up the tree (city, province)."""
    s = scopes.scope_of(user)
    if s.superuser:
        return Region.objects.all()
    county_ids = set(s.region_counties) | set(scopes.schools_visible_to(user).values_list("county_id", flat=True))
    ids = set()
    for county in Region.objects.filter(pk__in=county_ids).select_related("parent__parent"):
        ids |= {r.pk for r in county.ancestors_and_self()}
    return Region.objects.filter(pk__in=ids)


def regions_editable_by(user):
    """Regions whose policies the user may change (the bureau and the training centre)."""
    s = scopes.scope_of(user)
    return Region.objects.all() if s.superuser else Region.objects.filter(pk__in=s.region_counties)


def policies_visible_to(user):
    """Every version of the presets and of the policies of the regions the user may read."""
    return Policy.objects.filter(Q(region__isnull=True) | Q(region__in=regions_visible_to(user))).select_related("region", "created_by")


def latest_policies(user):
    """The latest version of each (region, first school year) policy the user may read, by region."""
    regions = regions_visible_to(user)
    latest = Policy.objects.filter(region__in=regions).values("region_id", "valid_from_year").annotate(v=Max("version"))
    q = Q(pk__in=[])
    for item in latest:
        q |= Q(region_id=item["region_id"], valid_from_year=item["valid_from_year"], version=item["v"])
    return Policy.objects.filter(q).select_related("region").order_by("region__code", "-valid_from_year")


def presets():
    """Every version of the presets (policies of no region)."""
    return Policy.objects.filter(region__isnull=True)


def latest_presets() -> list[Policy]:
    """The latest version of each preset."""
    latest: dict[str, Policy] = {}
    for p in presets().order_by("preset_key", "-version"):
        latest.setdefault(p.preset_key, p)
    return list(latest.values())


def policy_versions(policy):
    """Every version of the same policy (a region's for one first school year, or a preset's), newest first."""
    if policy.region_id is None:
        versions = presets().filter(preset_key=policy.preset_key)
    else:
        versions = Policy.objects.filter(region_id=policy.region_id, valid_from_year=policy.valid_from_year)
    return versions.select_related("created_by").order_by("-version")


def counties_in(region):
    """The counties of a region (itself when it is one)."""
    return Region.objects.filter(Q(pk=region.pk) | Q(parent=region) | Q(parent__parent=region), level="county")
