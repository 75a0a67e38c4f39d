"""The one writer of the credit ledger.

``credit_record`` appends an entry when its evidence is complete;
``credit_reverse`` appends the reversal of an entry, with a reason. Nothing
else writes :class:`CreditEntry`. Each entry stores a canonical serialisation
of its fields (``payload``), the hash of the entry before it,
``sha256(payload)`` and ``mac``, the HMAC-SHA256 of that hash with the ledger
key (:func:`ledger_key`: ``settings.YANXIU_LEDGER_KEY``, by default derived
from the SECRET_KEY, neither of which is in the database). The chain head is
one locked row, so concurrent writers queue instead of forking the chain.

Someone with write access to the database alone can still recompute every
plain hash after a change, or delete the last entries and move the head back;
the HMAC catches the first, and the signed heads catch the second: a daily
job (:func:`write_head`, ``yanxiu ledger_head``, also run by ``yanxiu
backup``) writes the entry count and the last entry's HMAC, signed with the
key, to a file in ``settings.YANXIU_LEDGER_HEAD_DIR``; :func:`verify_ledger`
compares the chain with the latest one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.org import scopes
from yanxiu.core import audit
from yanxiu.core.events import Event
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


def ledger_key() -> bytes:
    """The HMAC key: ``settings.YANXIU_LEDGER_KEY``, or else one derived from the SECRET_KEY."""
    configured = getattr(settings, "YANXIU_LEDGER_KEY", "") or ""
    if configured:
        return configured.encode("utf-8")
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), b"yanxiu.credits.ledger", hashlib.sha256).digest()


def entry_mac(entry_hash: str, key: bytes | None = None, *, keyed=None) -> str:
    """HMAC-SHA256 of ``entry_hash``; ``keyed`` (``hmac.new(key, digestmod=sha256)``) saves re-keying in loops."""
    mac = keyed.copy() if keyed is not None else hmac.new(key or ledger_key(), digestmod=hashlib.sha256)
    mac.update(entry_hash.encode("ascii"))
    return mac.hexdigest()


def _append(entry: CreditEntry) -> CreditEntry:
    """Chain ``entry`` after the head and insert it. Caller holds a transaction."""
    head, _created = LedgerHead.objects.select_for_update().get_or_create(pk=1)
    entry.seq = head.seq + 1
    entry.prev_hash = head.hash
    entry.created_at = timezone.now()
    entry.payload = canonical_payload(entry)
    entry.hash = hashlib.sha256(entry.payload.encode("utf-8")).hexdigest()
    entry.mac = entry_mac(entry.hash)
    entry._written_by_ledger = True
    entry.save(force_insert=True)
    LedgerHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


def _spec_for(school, school_year: int):
    if school is None:
        return None
    from yanxiu.policy.selectors import spec_in_force

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
    audit.record(actor=actor, event=Event.CREDIT_RECORD, target=entry, school=school, person=person.pk, hours=str(entry.hours), source=source_type)
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
    audit.record(actor=actor, event=Event.CREDIT_REVERSE, target=reversal, school=entry.school, reverses=entry.pk, reason=reason)
    return reversal


# --- Verification ---------------------------------------------------------------


@dataclass
class LedgerProblem:
    entry_id: int | None
    seq: int | None
    message: str


def _plain_problems(entry: CreditEntry, expected_seq: int, expected_prev: str) -> list[LedgerProblem]:
    """What is wrong with ``entry`` as a link of the plain hash chain."""
    problems = []
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
    return problems


def verify_ledger(*, heads: bool = True) -> tuple[int, list[LedgerProblem]]:
    """Recompute the chain and each entry's HMAC, then compare with the latest signed head
    (unless ``heads`` is false). Returns (entries checked, problems in chain order)."""
    key = ledger_key()
    keyed = hmac.new(key, digestmod=hashlib.sha256)
    problems: list[LedgerProblem] = []
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    unkeyed: list[CreditEntry] = []
    unkeyed_count = 0
    for entry in CreditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        checked += 1
        problems += _plain_problems(entry, expected_seq, expected_prev)
        if not entry.mac:
            unkeyed_count += 1
            if not unkeyed:
                unkeyed.append(entry)
        elif not hmac.compare_digest(entry.mac, entry_mac(entry.hash, keyed=keyed)):
            problems.append(LedgerProblem(entry.pk, entry.seq, "HMAC does not match: the entry was changed and its hashes "
                                          "recomputed, or the ledger key (YANXIU_LEDGER_KEY / SECRET_KEY) changed"))
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    if unkeyed:
        first = unkeyed[0]
        problems.append(LedgerProblem(first.pk, first.seq, f"{unkeyed_count} entries have no HMAC: written before the ledger was "
                                      "keyed, or the HMAC was removed (run yanxiu ledger_rekey once after the upgrade)"))
    head = LedgerHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != expected_seq - 1 or head.hash != expected_prev):
        problems.append(LedgerProblem(None, head.seq, f"chain head is at seq {head.seq} but the last entry is seq {expected_seq - 1}: entries are missing at the end"))
    if heads:
        problems += _head_problems(checked, key)
    problems.sort(key=lambda p: (p.seq is None, p.seq or 0))
    return checked, problems


# --- Re-keying ------------------------------------------------------------------


@transaction.atomic
def ledger_rekey(*, actor, rotate: bool = False) -> int:
    """Give every entry without an HMAC (written before the ledger was keyed) its HMAC; with
    ``rotate``, also re-key entries whose HMAC does not match the current key (after the key
    was changed on purpose). Refused while the plain hash chain is broken, so that re-keying
    never hides a change. Returns the number of entries keyed; writes one audit row."""
    head, _created = LedgerHead.objects.select_for_update().get_or_create(pk=1)
    key = ledger_key()
    keyed = hmac.new(key, digestmod=hashlib.sha256)
    table = connection.ops.quote_name(CreditEntry._meta.db_table)
    expected_prev, expected_seq, rekeyed = GENESIS, 1, 0
    while True:  # in batches of 2,000 by sequence number: memory stays bounded for millions of entries
        batch = list(CreditEntry.objects.filter(seq__gte=expected_seq).order_by("seq")[:2000])
        if not batch:
            break
        updates: list[tuple[str, int]] = []
        for entry in batch:
            problems = _plain_problems(entry, expected_seq, expected_prev)
            if problems:
                raise ValidationError(_("台账第 %(seq)s 条（id=%(id)s）已被改动，不能重新计算校验码：%(problem)s")
                                      % {"seq": entry.seq, "id": entry.pk, "problem": problems[0].message})
            wanted = entry_mac(entry.hash, keyed=keyed)
            if not entry.mac or (rotate and not hmac.compare_digest(entry.mac, wanted)):
                updates.append((wanted, entry.pk))
            elif not hmac.compare_digest(entry.mac, wanted):
                raise ValidationError(_("台账第 %(seq)s 条（id=%(id)s）的校验码与当前密钥不符。若密钥是有意更换的，"
                                        "请加 --rotate 重新计算；否则该条记录可能已被篡改。") % {"seq": entry.seq, "id": entry.pk})
            expected_prev, expected_seq = entry.hash, entry.seq + 1
        if updates:
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET mac = %s WHERE id = %s", updates)
            rekeyed += len(updates)
    if head.seq != expected_seq - 1:
        raise ValidationError(_("台账链头（第 %(head)s 条）与最后一条记录（第 %(last)s 条）不一致，不能重新计算校验码。")
                              % {"head": head.seq, "last": expected_seq - 1})
    audit.record(actor=actor, event=Event.CREDIT_LEDGER_REKEY, target=head, entries=rekeyed, rotate=rotate)
    return rekeyed


# --- Signed heads ---------------------------------------------------------------

HEAD_PREFIX = "ledger-head-"
HEAD_MAX_BYTES = 64 * 1024


def head_dir() -> Path:
    configured = getattr(settings, "YANXIU_LEDGER_HEAD_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "ledger-heads"


def _signature(fields: dict, key: bytes) -> str:
    body = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def current_head() -> dict:
    """The chain's state now: entry count, last entry id/seq and its HMAC."""
    last = CreditEntry.objects.order_by("-seq").only("pk", "seq", "mac").first()
    return {
        "version": 1,
        "entries": CreditEntry.objects.count(),
        "last_id": last.pk if last else None,
        "last_seq": last.seq if last else 0,
        "last_hmac": last.mac if last else "",
        "written_at": _stamp(timezone.now()),
    }


def write_head(directory: Path | None = None) -> Path:
    """Write the signed head to a new file (mode 0600) in ``directory`` (default :func:`head_dir`, made 0700)."""
    directory = Path(directory) if directory else head_dir()
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    with transaction.atomic():
        LedgerHead.objects.select_for_update().get_or_create(pk=1)  # no entry is appended while we read
        fields = current_head()
    fields["signature"] = _signature(fields, ledger_key())
    stamp = fields["written_at"].replace("-", "").replace(":", "").replace(".", "")
    path = directory / f"{HEAD_PREFIX}{stamp}.json"
    part = path.with_name(path.name + ".part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(fields, fh, ensure_ascii=False, indent=1, sort_keys=True)
    os.replace(part, path)
    return path


def latest_head(directory: Path | None = None) -> tuple[Path, dict | None] | None:
    """The newest head file and its content (None when unreadable); None when there is no head yet."""
    directory = Path(directory) if directory else head_dir()
    if not directory.is_dir():
        return None
    files = sorted(p for p in directory.glob(f"{HEAD_PREFIX}*.json") if p.is_file())
    if not files:
        return None
    path = files[-1]
    try:
        with path.open("rb") as fh:
            raw = fh.read(HEAD_MAX_BYTES + 1)
        content = json.loads(raw.decode("utf-8")) if len(raw) <= HEAD_MAX_BYTES else None
    except (OSError, ValueError):
        content = None
    return path, content if isinstance(content, dict) else None


def _head_problems(checked: int, key: bytes) -> list[LedgerProblem]:
    found = latest_head()
    if found is None:
        return []
    path, head = found
    if head is None:
        return [LedgerProblem(None, None, f"the signed head {path.name} cannot be read")]
    signature = head.get("signature", "")
    fields = {k: v for k, v in head.items() if k != "signature"}
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _signature(fields, key)):
        return [LedgerProblem(None, None, f"the signed head {path.name} has an invalid signature: not written with this ledger key")]
    try:
        entries, last_seq = int(head["entries"]), int(head["last_seq"])
        last_id, last_hmac = head.get("last_id"), str(head.get("last_hmac") or "")
    except (KeyError, TypeError, ValueError):
        return [LedgerProblem(None, None, f"the signed head {path.name} is incomplete")]
    problems = []
    when = head.get("written_at", "?")
    if checked < entries:
        problems.append(LedgerProblem(last_id, last_seq, f"the ledger has {checked} entries but the signed head of {when} "
                                      f"({path.name}) recorded {entries}: entries were removed"))
    if last_seq:
        at = CreditEntry.objects.filter(seq=last_seq).only("pk", "seq", "mac").first()
        if at is None:
            problems.append(LedgerProblem(last_id, last_seq, f"entry seq {last_seq} recorded by the signed head of {when} is missing"))
        elif at.pk != last_id or not hmac.compare_digest(at.mac or "", last_hmac):
            problems.append(LedgerProblem(at.pk, last_seq, f"entry seq {last_seq} differs from the signed head of {when} "
                                          f"({path.name}): it was replaced"))
    return problems
