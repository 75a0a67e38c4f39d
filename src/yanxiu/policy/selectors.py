"""Reads of the county policies: which version governs a county in a school
year, as a model row or as plain data (:class:`~yanxiu.policy.spec.PolicySpec`)."""

from __future__ import annotations

import datetime as dt

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
