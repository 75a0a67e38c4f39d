"""The one writer of the credit ledger.

``credit_record`` appends an entry when its evidence is complete;
``credit_reverse`` appends the reversal of an entry, with a reason. Nothing
else writes :class:`CreditEntry`. Each entry stores a canonical serialisation
of its fields (``payload``), the hash of the entry before it and
``sha256(payload)``; the chain head is one locked row, so concurrent writers
queue instead of forking the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.accounts import scopes
from yanxiu.core import audit
from yanxiu.policy.models import CreditKind

from .models import CreditEntry, LedgerHead, SourceType

GENESIS = "0" * 64
CENT = Decimal("0.01")

# What each kind of source must prove before it may credit (no evidence, no credit).
REQUIRED_EVIDENCE = {
    SourceType.SESSION: ("session_id", "signed_in_at", "reflection_id"),
    SourceType.IMPORT: ("batch_id", "row", "result"),
    SourceType.CERTIFICATE: ("claim_id", "verified_by"),
    SourceType.ACTIVITY: ("activity_id", "proof"),
    SourceType.OBJECTION: ("objection_id", "decision"),
}

HASHED_FIELDS = (
    "seq", "person_id", "school_id", "school_year", "kind", "category", "title", "hours", "credits",
    "long_cycle", "source_type", "source_id", "source_key", "evidence", "evidence_file", "reverses_id",
    "reason", "created_by_id", "created_at", "prev_hash",
)


def _amount(value) -> str:
    return str(Decimal(value).quantize(CENT))


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_fields(entry: CreditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "person_id": entry.person_id,
        "school_id": entry.school_id,
        "school_year": entry.school_year,
        "kind": entry.kind,
        "category": entry.category,
        "title": entry.title,
        "hours": _amount(entry.hours),
        "credits": _amount(entry.credits),
        "long_cycle": bool(entry.long_cycle),
        "source_type": entry.source_type,
        "source_id": entry.source_id,
        "source_key": entry.source_key,
        "evidence": entry.evidence,
        "evidence_file": entry.evidence_file.name if entry.evidence_file else "",
        "reverses_id": entry.reverses_id,
        "reason": entry.reason,
        "created_by_id": entry.created_by_id,
        "created_at": _stamp(entry.created_at),
        "prev_hash": entry.prev_hash,
    }


def canonical_payload(entry: CreditEntry) -> str:
    return json.dumps(canonical_fields(entry), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _normalise_evidence(evidence: dict) -> dict:
    return json.loads(json.dumps(evidence, ensure_ascii=False, default=str, sort_keys=True))


def _append(entry: CreditEntry) -> CreditEntry:
    """Chain ``entry`` after the head and insert it. Caller holds a transaction."""
    head, _created = LedgerHead.objects.select_for_update().get_or_create(pk=1)
    entry.seq = head.seq + 1
    entry.prev_hash = head.hash
    entry.created_at = timezone.now()
    entry.payload = canonical_payload(entry)
    entry.hash = hashlib.sha256(entry.payload.encode("utf-8")).hexdigest()
    entry._written_by_ledger = True
    entry.save(force_insert=True)
    LedgerHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


def _spec_for(school, school_year: int):
    if school is None:
        return None
    from yanxiu.policy.compliance import spec_in_force

    return spec_in_force(school.county, school_year)


@transaction.atomic
def credit_record(
    *,
    actor,
    person,
    school,
    school_year: int,
    kind: str,
    title: str,
    hours: Decimal,
    source_type: str,
    evidence: dict,
    source_id: str = "",
    source_key: str = "",
    category: str = "",
    credits: Decimal | None = None,
    long_cycle: bool = False,
    evidence_file=None,
    reason: str = "",
    spec=None,
) -> CreditEntry:
    """Append one credit for ``person``. Refused unless the evidence its source
    requires is complete, the hours are positive, the activity counts under
    the policy and the same training is not already credited."""
    hours = Decimal(hours)
    if source_type not in REQUIRED_EVIDENCE:
        raise ValidationError(_("未知的学时来源“%(source)s”。") % {"source": source_type})
    evidence = _normalise_evidence(evidence or {})
    missing = [key for key in REQUIRED_EVIDENCE[source_type] if evidence.get(key) in (None, "", [], {})]
    if missing:
        raise ValidationError(
            _("证据不完整，缺少：%(missing)s。没有证据不能登记学时。") % {"missing": "、".join(missing)}
        )
    if kind not in CreditKind.values:
        raise ValidationError({"kind": _("未知的培训类别“%(kind)s”。") % {"kind": kind}})
    if hours <= 0:
        raise ValidationError({"hours": _("学时必须大于 0。")})
    spec = spec if spec is not None else _spec_for(school, school_year)
    if spec is not None:
        excluded = spec.is_excluded(title)
        if excluded:
            raise ValidationError(
                {"title": _("“%(item)s”不计入培训学时（%(policy)s）。") % {"item": excluded, "policy": spec.name}}
            )
    if source_key and CreditEntry.objects.active().filter(person=person, source_key=source_key).exists():
        raise ValidationError(_("%(name)s 的“%(title)s”已登记过学时，不能重复登记。") % {"name": person.name, "title": title})
    if credits is None:
        credits = spec.credits_for(kind, hours) if spec is not None else hours
    entry = CreditEntry(
        person=person,
        school=school,
        school_year=school_year,
        kind=kind,
        category=category or "",
        title=title,
        hours=hours.quantize(CENT),
        credits=Decimal(credits).quantize(CENT),
        long_cycle=long_cycle,
        source_type=source_type,
        source_id=str(source_id or ""),
        source_key=source_key,
        evidence=evidence,
        reason=reason,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if evidence_file:
        # Store the file first so that its final name is part of the hash.
        entry.evidence_file.save(evidence_file.name, evidence_file, save=False)
    entry.full_clean(exclude=["seq", "payload", "prev_hash", "hash", "created_at", "evidence_file"])
    _append(entry)
    audit.record(actor=actor, action="credit.record", target=entry, person=person.pk, hours=str(entry.hours), source=source_type)
    return entry


def entry_is_locked(entry: CreditEntry) -> bool:
    """Included in a final public posting."""
    return entry.postings.filter(status="final").exists()


def can_reverse(actor, entry: CreditEntry) -> bool:
    if actor is None:
        return False
    scope = scopes.scope_of(actor)
    school = entry.school
    if entry_is_locked(entry):
        return scope.superuser or (school is not None and school.county_id in scope.bureau_counties)
    return school is not None and scopes.can_manage_school(actor, school)


@transaction.atomic
def credit_reverse(*, actor, entry: CreditEntry, reason: str, _system: bool = False) -> CreditEntry:
    """Append the reversal of ``entry`` (same amounts, negative). Entries in a
    final posting may be reversed only by the bureau over the school."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("冲正必须填写原因。")})
    entry = CreditEntry.objects.select_related("school").get(pk=entry.pk)
    if entry.is_reversal:
        raise ValidationError(_("冲正记录本身不能再冲正。"))
    if CreditEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("该记录已被冲正。"))
    if not _system and not can_reverse(actor, entry):
        if entry_is_locked(entry):
            raise PermissionDenied(_("该记录已公示生效，只有教育局可以冲正。"))
        raise PermissionDenied(_("您没有权限冲正该记录。"))
    reversal = CreditEntry(
        person_id=entry.person_id,
        school_id=entry.school_id,
        school_year=entry.school_year,
        kind=entry.kind,
        category=entry.category,
        title=entry.title,
        hours=-entry.hours,
        credits=-entry.credits,
        long_cycle=entry.long_cycle,
        source_type=SourceType.REVERSAL,
        source_id=str(entry.pk),
        source_key="",
        evidence={"reverses_seq": entry.seq, "reverses_hash": entry.hash},
        reverses=entry,
        reason=reason,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _append(reversal)
    audit.record(actor=actor, action="credit.reverse", target=reversal, reverses=entry.pk, reason=reason)
    return reversal


# --- Verification ---------------------------------------------------------------


@dataclass
class LedgerProblem:
    entry_id: int | None
    seq: int | None
    message: str


def verify_ledger() -> tuple[int, list[LedgerProblem]]:
    """Recompute the chain. Returns (entries checked, problems in chain order)."""
    problems: list[LedgerProblem] = []
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for entry in CreditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        checked += 1
        if entry.seq != expected_seq:
            problems.append(LedgerProblem(entry.pk, entry.seq, f"sequence jumps from {expected_seq - 1} to {entry.seq}: entries are missing"))
        if entry.prev_hash != expected_prev:
            problems.append(LedgerProblem(entry.pk, entry.seq, f"prev_hash {entry.prev_hash[:12]}… does not match the hash of the entry before ({expected_prev[:12]}…)"))
        current = canonical_fields(entry)
        try:
            stored = json.loads(entry.payload)
        except ValueError:
            stored = {}
        differing = sorted(k for k in HASHED_FIELDS if current.get(k) != stored.get(k))
        if differing:
            detail = "; ".join(f"{k}: written {stored.get(k)!r}, now {current.get(k)!r}" for k in differing)
            problems.append(LedgerProblem(entry.pk, entry.seq, f"fields changed since written: {detail}"))
        if hashlib.sha256(entry.payload.encode("utf-8")).hexdigest() != entry.hash:
            problems.append(LedgerProblem(entry.pk, entry.seq, "hash does not match the stored content"))
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    head = LedgerHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != expected_seq - 1 or head.hash != expected_prev):
        problems.append(LedgerProblem(None, head.seq, f"chain head is at seq {head.seq} but the last entry is seq {expected_seq - 1}: entries are missing at the end"))
    return checked, problems
