"""The records that count: a teacher (or the school for them) files one, the
school accepts it or returns it with a reason, and an accepted record whose
kind the policy counts is credited within the policy's cap, with the record
as its evidence."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit, uploads
from yanxiu.core.events import Event
from yanxiu.org import scopes
from yanxiu.policy.models import ActivityType

from .. import calendar
from ..choices import RecordKind, ReviewStatus
from ..models import GrowthRecord, GrowthYear, RecordAttachment
from ._common import apply_review, current_school_of, require_reviewer, try_credit

MAX_ATTACHMENTS = 5

#: Kinds the policy may credit, and the activity type whose cap applies.
CREDITED_KINDS = {
    RecordKind.PUBLIC_LESSON: ActivityType.PUBLIC_LESSON,
    RecordKind.RESEARCH_LESSON: ActivityType.PUBLIC_LESSON,
    RecordKind.AWARD: ActivityType.AWARD,
    RecordKind.ARTICLE: ActivityType.PAPER,
    RecordKind.RESEARCH_TOPIC: ActivityType.RESEARCH,
    RecordKind.LECTURE: ActivityType.LECTURE,
}

#: Fields each kind must carry, beyond kind, date and title.
REQUIRED_FIELDS = {
    RecordKind.OBSERVATION: ("subject",),
    RecordKind.PUBLIC_LESSON: ("level",),
    RecordKind.RESEARCH_LESSON: ("level",),
    RecordKind.ARTICLE: ("venue", "level"),
    RecordKind.RESEARCH_TOPIC: ("level", "role", "topic_status"),
    RecordKind.AWARD: ("venue", "level", "rank"),
}

#: The fields a caller may set on a record.
RECORD_FIELDS = (
    "kind", "date", "title", "class_name", "subject", "observed", "observed_name", "critique", "level", "venue", "rank",
    "role", "topic_status", "student_award", "content",
)


def year_is_locked(person, school, day: dt.date) -> bool:
    year = calendar.school_year_of(school, day)
    return GrowthYear.objects.filter(person=person, school_year=year, signed_off_at__isnull=False).exists()


def check_record(record: GrowthRecord, *, today: dt.date) -> None:
    """Every rule a record must meet, with a Chinese message naming the field."""
    errors: dict[str, str] = {}
    if record.kind not in RecordKind.values:
        errors["kind"] = _("未知的记录类型“%(k)s”。") % {"k": str(record.kind)[:20]}
    if record.date is not None and record.date > today:
        errors["date"] = _("日期不能晚于今天。")
    if record.date is not None and record.date.year < calendar.MIN_YEAR:
        errors["date"] = _("日期不能早于 %(y)s 年。") % {"y": calendar.MIN_YEAR}
    for name in REQUIRED_FIELDS.get(record.kind, ()):
        if not getattr(record, name):
            errors[name] = _("“%(kind)s”须填写%(field)s。") % {
                "kind": RecordKind(record.kind).label, "field": GrowthRecord._meta.get_field(name).verbose_name}
    if record.kind == RecordKind.OBSERVATION and record.observed_id is None and not record.observed_name.strip():
        errors["observed_name"] = _("听课记录须填写授课教师。")
    if record.observed_id is not None and record.observed_id == record.person_id:
        errors["observed"] = _("听课记录的授课教师不能是本人。")
    if errors:
        raise ValidationError(errors)


def _refuse_unknown(fields) -> None:
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise ValidationError(_("未知的字段：%(f)s。") % {"f": "、".join(sorted(unknown))})


def _validate(record: GrowthRecord, *, today: dt.date) -> None:
    """The model's own checks, the rules of the kind, and no record dated in a signed-off year."""
    record.full_clean(exclude=["credit_entry", "reviewed_by", "person", "school", "observed", "created_by"])
    check_record(record, today=today)
    if year_is_locked(record.person, record.school, record.date):
        raise ValidationError({"date": _("该学年的成长记录袋已签署，不能再增加记录。")})


def _attach(record: GrowthRecord, files) -> None:
    files = [f for f in (files or []) if f]
    if len(files) + record.attachments.count() > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("每条记录最多 %(n)s 个附件。") % {"n": MAX_ATTACHMENTS}})
    for file in files:
        uploads.check_evidence(file, field="attachments", label=_("附件"))
    for file in files:
        original = (file.name or "").rsplit("/", 1)[-1][-200:]
        RecordAttachment.objects.create(record=record, file=file, original_name=original, size=file.size or 0)


def _detach(record: GrowthRecord, ids) -> list[int]:
    """Remove the record's attachments named in ``ids`` (others' ids are ignored); the files go after the commit."""
    items = list(record.attachments.filter(pk__in=[i for i in ids or [] if isinstance(i, int)]))
    if not items:
        return []
    storage = RecordAttachment._meta.get_field("file").storage
    RecordAttachment.objects.filter(pk__in=[a.pk for a in items]).delete()
    for stored in [a.file.name for a in items if a.file]:
        transaction.on_commit(lambda stored=stored: storage.delete(stored), robust=True)
    return [a.pk for a in items]


@transaction.atomic
def record_submit(*, actor, person, files=None, today: dt.date | None = None, **fields) -> GrowthRecord:
    """File one record for ``person``: by the teacher themself, or by their school's admin."""
    today = today or timezone.localdate()
    school = current_school_of(person)
    own = getattr(getattr(actor, "person", None), "pk", None) == person.pk
    scopes.require(own or scopes.can_manage_school(actor, school), _("只能填报本人的成长记录。"))
    _refuse_unknown(fields)
    record = GrowthRecord(person=person, school=school, created_by=actor if getattr(actor, "pk", None) else None, **fields)
    for name in ("title", "class_name", "subject", "observed_name", "venue", "rank", "content", "critique"):
        setattr(record, name, (getattr(record, name) or "").strip())
    _validate(record, today=today)
    record.save()
    _attach(record, files)
    audit.record(actor=actor, event=Event.GROWTH_RECORD_SUBMIT, target=record, school=school, person=person.pk, kind=record.kind)
    return record


def _credit(*, actor, record: GrowthRecord) -> str:
    """Credit an accepted record where the policy counts its kind; the reason when not."""
    activity_type = CREDITED_KINDS.get(record.kind)
    if activity_type is None:
        return ""
    proof = _("成长记录第 %(id)s 号（%(kind)s：%(title)s）经学校审核通过") % {
        "id": record.pk, "kind": record.get_kind_display(), "title": record.title[:80]}
    entry, why = try_credit(actor=actor, person=record.person, activity_type=activity_type, title=record.title[:150],
                            date=record.date, proof=proof, evidence_extra={"growth_record_id": record.pk})
    if entry is not None:
        GrowthRecord.objects.filter(pk=record.pk).update(credit_entry=entry)
        record.credit_entry = entry
    return why


@transaction.atomic
def record_review(*, actor, record: GrowthRecord, accept: bool, reason: str = "") -> tuple[GrowthRecord, str]:
    """Accept or return a record. Returns the record and, when an accepted
    record earns no credit, why (the cap is full, the policy does not count it)."""
    record = GrowthRecord.objects.select_for_update().select_related("person").get(pk=record.pk)
    require_reviewer(actor, record.person)
    if year_is_locked(record.person, record.school, record.date):
        raise ValidationError(_("该学年的成长记录袋已签署，不能再审核。"))
    apply_review(record, actor=actor, accept=accept, reason=reason)
    record.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at"])
    why = _credit(actor=actor, record=record) if accept else ""
    if accept:
        audit.record(actor=actor, event=Event.GROWTH_RECORD_ACCEPT, target=record, school=record.school, person=record.person_id,
                     credit=record.credit_entry_id, no_credit=why[:200])
    else:
        audit.record(actor=actor, event=Event.GROWTH_RECORD_RETURN, target=record, school=record.school, person=record.person_id,
                     reason=record.review_reason)
    return record, why


@transaction.atomic
def record_resubmit(*, actor, record: GrowthRecord, files=None, remove=None, today: dt.date | None = None,
                    **fields) -> GrowthRecord:
    """The teacher corrects a returned record and sends it back for review,
    removing the attachments whose ids are in ``remove`` and adding ``files``."""
    today = today or timezone.localdate()
    record = GrowthRecord.objects.select_for_update().select_related("person").get(pk=record.pk)
    own = getattr(getattr(actor, "person", None), "pk", None) == record.person_id
    scopes.require(own, _("只能修改本人的成长记录。"))
    if record.status != ReviewStatus.RETURNED:
        raise ValidationError(_("只有被退回的记录可以修改后重新提交。"))
    _refuse_unknown(fields)
    for name, value in fields.items():
        setattr(record, name, value.strip() if isinstance(value, str) else value)
    record.status, record.review_reason, record.reviewed_by, record.reviewed_at = ReviewStatus.SUBMITTED, "", None, None
    _validate(record, today=today)
    record.save()
    removed = _detach(record, remove)
    _attach(record, files)
    audit.record(actor=actor, event=Event.GROWTH_RECORD_SUBMIT, target=record, school=record.school, person=record.person_id,
                 kind=record.kind, resubmitted=True, removed_attachments=removed)
    return record


@transaction.atomic
def record_from_result(*, actor, person, kind: str, today: dt.date | None = None, **fields) -> tuple[GrowthRecord, str]:
    """A record another part of the school established (a competition's award): written
    accepted by the school's admin, credited where the policy says. Returns it and, when it
    earns no credit, why."""
    today = today or timezone.localdate()
    school = current_school_of(person)
    scopes.require(scopes.can_manage_school(actor, school), _("只有教师所在学校的管理员可以登记。"))
    _refuse_unknown(fields)
    record = GrowthRecord(person=person, school=school, kind=kind, status=ReviewStatus.ACCEPTED, reviewed_at=timezone.now(),
                          reviewed_by=actor if getattr(actor, "pk", None) else None,
                          created_by=actor if getattr(actor, "pk", None) else None, **fields)
    _validate(record, today=today)
    record.save()
    why = _credit(actor=actor, record=record)
    audit.record(actor=actor, event=Event.GROWTH_RECORD_ACCEPT, target=record, school=school, person=person.pk,
                 credit=record.credit_entry_id, no_credit=why[:200], source="result")
    return record, why

