from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.credits.factories import YEAR, adopt, credit
from yanxiu.credits.ledger import credit_record, credit_reverse, verify_ledger
from yanxiu.credits.models import CreditEntry, LedgerImmutable, SourceType
from yanxiu.org.models import Employment
from yanxiu.policy.compliance import compliance_rows


@pytest.fixture
def teacher(people, school):
    adopt("000", school.county)
    return people.teacher(school, name="赵老师").person


def test_an_entry_cannot_be_changed_or_deleted_in_python(teacher):
    entry = credit(teacher, 3)
    entry.hours = Decimal("30")
    with pytest.raises(LedgerImmutable):
        entry.save()
    with pytest.raises(LedgerImmutable):
        entry.delete()
    with pytest.raises(LedgerImmutable):
        CreditEntry.objects.filter(pk=entry.pk).update(hours=30)
    with pytest.raises(LedgerImmutable):
        CreditEntry.objects.all().delete()


def test_an_entry_cannot_be_written_around_the_service(teacher, school):
    with pytest.raises(LedgerImmutable):
        CreditEntry.objects.create(person=teacher, school=school, school_year=YEAR, kind="school_based", title="x", hours=1, credits=1,
                                   source_type="activity", seq=99, payload="{}", prev_hash="0", hash="1", created_at="2025-10-01T00:00Z")


def test_no_evidence_no_credit(teacher, school):
    with pytest.raises(ValidationError, match="证据不完整"):
        credit_record(actor=None, person=teacher, school=school, school_year=YEAR, kind="school_based", title="x", hours=2,
                      source_type=SourceType.SESSION, evidence={"session_id": 1})


def test_a_reversal_needs_a_reason_and_nets_the_entry_out(teacher, roles):
    entry = credit(teacher, 3)
    with pytest.raises(ValidationError):
        credit_reverse(actor=roles.school_admin, entry=entry, reason=" ")
    reversal = credit_reverse(actor=roles.school_admin, entry=entry, reason="登记错误")
    assert reversal.hours == -3 and reversal.reverses == entry
    with pytest.raises(ValidationError, match="已被冲正"):
        credit_reverse(actor=roles.school_admin, entry=entry, reason="再次")
    assert compliance_rows(Employment.objects.filter(person=teacher), YEAR)[0].total == 0


def test_another_school_cannot_reverse(teacher, roles):
    entry = credit(teacher, 3)
    with pytest.raises(PermissionDenied):
        credit_reverse(actor=roles.other_admin, entry=entry, reason="不是我校")


def test_the_chain_verifies_and_links_each_entry_to_the_one_before(teacher):
    a, b = credit(teacher, 1), credit(teacher, 2)
    assert b.prev_hash == a.hash and b.seq == a.seq + 1
    checked, problems = verify_ledger()
    assert checked == 2 and problems == []
    call_command("verify_ledger")


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("sql", "expect"),
    [
        ("UPDATE credits_creditentry SET hours = 40 WHERE id = %s", "hours"),
        ("UPDATE credits_creditentry SET person_id = person_id WHERE id = %s", None),
        ("UPDATE credits_creditentry SET title = '篡改' WHERE id = %s", "title"),
        ("DELETE FROM credits_creditentry WHERE id = %s", "missing"),
    ],
)
def test_verify_ledger_names_the_first_row_changed_outside_the_service(teacher, sql, expect, capsys):
    entries = [credit(teacher, h) for h in (1, 2, 3)]
    target = entries[1]
    _raw(sql, [target.pk])
    checked, problems = verify_ledger()
    if expect is None:  # a no-op update changes nothing
        assert problems == []
        return
    assert problems
    first = problems[0]
    if expect == "missing":
        assert first.entry_id == entries[2].pk and "missing" in first.message
    else:
        assert first.entry_id == target.pk and expect in first.message
    with pytest.raises(SystemExit) as exc:
        call_command("verify_ledger")
    assert exc.value.code == 1
    assert f"id={first.entry_id}" in capsys.readouterr().err


amounts = st.lists(
    st.tuples(st.sampled_from(["school_based", "centralised", "online"]), st.decimals(min_value=Decimal("0.5"), max_value=Decimal("12"), places=1), st.booleans()),
    min_size=1, max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=amounts)
def test_ledger_sums_always_equal_compliance_totals(teacher, roles, plan):
    # The database is shared by the examples of one test run: compare what this example adds.
    def current():
        return compliance_rows(Employment.objects.filter(person=teacher), YEAR)[0]

    before = current()
    for index, (kind, hours, reverse) in enumerate(plan):
        entry = credit(teacher, hours, kind=kind, title=f"培训{index}")
        if reverse:
            credit_reverse(actor=roles.school_admin, entry=entry, reason="冲正")
    row = current()
    net = {k: sum((Decimal(h) for kk, h, r in plan if kk == k and not r), Decimal("0")) for k in ("school_based", "centralised", "online")}
    assert row.total - before.total == sum(net.values())
    assert {k: row.by_kind[k] - before.by_kind[k] for k in net} == net
    assert row.total == sum(CreditEntry.objects.filter(person=teacher, school_year=YEAR).values_list("hours", flat=True))
    assert verify_ledger()[1] == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=st.sampled_from(["hours", "credits", "school_year", "kind", "title", "reason", "prev_hash", "hash"]), index=st.integers(0, 2))
def test_any_raw_update_of_a_row_is_caught(teacher, column, index):
    import secrets

    # Rows tampered with by earlier examples stay broken; look for this example's row.
    entries = [credit(teacher, 1, title=f"活动{column}{index}{i}") for i in range(3)]
    value = {"hours": "99", "credits": "99", "school_year": "1999", "kind": "'online'", "title": "'改'", "reason": "'改'",
             "prev_hash": f"'{secrets.token_hex(32)}'", "hash": f"'{secrets.token_hex(32)}'"}[column]
    _raw(f"UPDATE credits_creditentry SET {column} = {value} WHERE id = %s", [entries[index].pk])
    problems = verify_ledger()[1]
    assert any(p.entry_id == entries[index].pk for p in problems)
