import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.credits.factories import adopt, credit
from yanxiu.core.models import AuditEvent
from yanxiu.credits.ledger import credit_reverse
from yanxiu.credits.models import Objection, Posting
from yanxiu.credits.services import objection_file, objection_resolve, posting_create, posting_finalize_due


@pytest.fixture
def posted(roles, school):
    adopt("000", school.county)
    teacher = roles.teacher.person
    entries = [credit(teacher, 2, title="集体备课"), credit(teacher, 3, title="专题讲座")]
    today = timezone.localdate()
    posting = posting_create(actor=roles.school_admin, school=school, title="十月学时公示", period_start=today - dt.timedelta(days=30), period_end=today)
    return posting, entries


def test_a_posting_holds_the_period_entries_for_five_days(posted):
    posting, entries = posted
    assert set(posting.entries.all()) == set(entries)
    assert posting.ends_at - posting.starts_at == dt.timedelta(days=5)
    assert AuditEvent.objects.filter(action="posting.create").exists()


def test_only_the_school_admin_may_post(roles, school):
    with pytest.raises(PermissionDenied):
        posting_create(actor=roles.teacher, school=school, title="x", period_start=dt.date(2025, 9, 1), period_end=dt.date(2025, 9, 30))


def test_a_teacher_objects_only_to_their_own_entries(posted, roles):
    posting, entries = posted
    with pytest.raises(PermissionDenied):
        objection_file(actor=roles.member, posting=posting, entry=entries[0], reason="不是我的")
    objection = objection_file(actor=roles.teacher, posting=posting, entry=entries[0], reason="那天我请假了")
    assert objection.status == Objection.Status.OPEN
    with pytest.raises(ValidationError):
        objection_file(actor=roles.teacher, posting=posting, entry=entries[0], reason="再说一次")


def test_reversal_resolution_writes_a_reversal_entry(posted, roles):
    posting, entries = posted
    objection = objection_file(actor=roles.teacher, posting=posting, entry=entries[0], reason="那天我请假了")
    with pytest.raises(PermissionDenied):
        objection_resolve(actor=roles.other_admin, objection=objection, decision="reverse", resolution="核实")
    done = objection_resolve(actor=roles.school_admin, objection=objection, decision="reverse", resolution="核实属实")
    assert done.status == Objection.Status.REVERSED and done.resolution_entry.hours == -2


def test_missing_credit_is_added_and_rejection_needs_a_reason(posted, roles):
    posting, _ = posted
    missing = objection_file(actor=roles.teacher, posting=posting, reason="10月12日的读书会没有登记")
    added = objection_resolve(actor=roles.school_admin, objection=missing, decision="add", resolution="补录", hours=2, kind="school_based", title="读书会")
    assert added.status == Objection.Status.ADDED and added.resolution_entry.hours == 2
    other = objection_file(actor=roles.teacher, posting=posting, entry=posted[1][1], reason="学时少了")
    with pytest.raises(ValidationError):
        objection_resolve(actor=roles.school_admin, objection=other, decision="reject", resolution="")
    assert objection_resolve(actor=roles.school_admin, objection=other, decision="reject", resolution="按签到记录只有3学时").status == "rejected"


def test_the_posting_becomes_final_only_without_open_objections_and_locks_its_entries(posted, roles):
    posting, entries = posted
    objection = objection_file(actor=roles.teacher, posting=posting, entry=entries[0], reason="有误")
    later = posting.ends_at + dt.timedelta(minutes=1)
    assert posting_finalize_due(now=later) == []
    with pytest.raises(ValidationError):
        objection_file(actor=roles.teacher, posting=posting, entry=entries[1], reason="太晚了", now=later)
    objection_resolve(actor=roles.school_admin, objection=objection, decision="reject", resolution="核实无误")
    assert posting_finalize_due(now=later) == [posting]
    posting.refresh_from_db()
    assert posting.status == Posting.Status.FINAL
    with pytest.raises(PermissionDenied, match="教育局"):
        credit_reverse(actor=roles.school_admin, entry=entries[1], reason="想改")
    assert credit_reverse(actor=roles.bureau, entry=entries[1], reason="复核发现重复登记").hours == -3
