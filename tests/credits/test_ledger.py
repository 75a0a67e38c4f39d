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
from yanxiu.credits.compliance import compliance_rows


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
    """Change the database behind the application's back, as its owner could: on PostgreSQL
    with the append-only trigger switched off for the statement."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


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


# --- Tampering that recomputes the plain hashes: HMAC and signed heads --------------------


def _rehash_from(entries, start):
    """Recompute payload and plain hash of entries[start:] and the head, as someone with the
    database (but not the ledger key) can, so that the plain chain verifies again."""
    import hashlib

    from yanxiu.credits.ledger import canonical_payload

    prev = entries[start - 1].hash if start else "0" * 64
    for entry in entries[start:]:
        entry = CreditEntry.objects.get(pk=entry.pk)
        entry.prev_hash = prev
        payload = canonical_payload(entry)
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        _raw("UPDATE credits_creditentry SET prev_hash = %s, payload = %s, hash = %s WHERE id = %s", [prev, payload, digest, entry.pk])
        prev = digest
    last = CreditEntry.objects.order_by("-seq").first()
    _raw("UPDATE credits_ledgerhead SET seq = %s, hash = %s WHERE id = 1", [last.seq, last.hash])


def test_changing_an_entry_and_recomputing_every_following_hash_is_caught(teacher, capsys):
    from yanxiu.credits.ledger import _plain_problems

    entries = [credit(teacher, h, title=f"培训{h}") for h in (1, 2, 3, 4)]
    _raw("UPDATE credits_creditentry SET hours = 40, credits = 40 WHERE id = %s", [entries[1].pk])
    _rehash_from(entries, 1)
    # The plain chain alone is consistent again ...
    prev, seq = "0" * 64, 1
    for entry in CreditEntry.objects.order_by("seq"):
        assert _plain_problems(entry, seq, prev) == []
        prev, seq = entry.hash, entry.seq + 1
    # ... but the HMACs, made with a key that is not in the database, are not.
    problems = verify_ledger()[1]
    assert problems[0].entry_id == entries[1].pk and "HMAC" in problems[0].message
    with pytest.raises(SystemExit) as exc:
        call_command("verify_ledger")
    assert exc.value.code == 1 and f"id={entries[1].pk}" in capsys.readouterr().err


def test_removing_the_last_entries_and_moving_the_head_back_is_caught(teacher, capsys):
    from yanxiu.credits.ledger import write_head

    entries = [credit(teacher, h, title=f"培训{h}") for h in (1, 2, 3, 4)]
    call_command("ledger_head")
    assert "signed ledger head written" in capsys.readouterr().out
    _raw("DELETE FROM credits_creditentry WHERE id IN (%s, %s)", [entries[2].pk, entries[3].pk])
    _raw("UPDATE credits_ledgerhead SET seq = %s, hash = %s WHERE id = 1", [entries[1].seq, entries[1].hash])
    # Without the signed head the shortened chain looks whole.
    assert verify_ledger(heads=False)[1] == []
    checked, problems = verify_ledger()
    assert checked == 2
    first = problems[0]
    assert first.entry_id == entries[3].pk and first.seq == entries[3].seq and "removed" in first.message
    with pytest.raises(SystemExit) as exc:
        call_command("verify_ledger")
    assert exc.value.code == 1 and f"id={entries[3].pk}" in capsys.readouterr().err
    # A new head written now does not hide it: the latest head is compared, and it was written after.
    assert write_head().is_file()


def test_replacing_the_entry_at_the_head_is_caught(teacher):
    from yanxiu.credits.ledger import write_head

    entries = [credit(teacher, h, title=f"培训{h}") for h in (1, 2)]
    write_head()
    # Someone with the key's HMAC of another row copied in: the head's position no longer matches.
    _raw("UPDATE credits_creditentry SET mac = %s WHERE id = %s", [entries[0].mac, entries[1].pk])
    problems = verify_ledger()[1]
    assert problems[0].entry_id == entries[1].pk
    assert any("differs from the signed head" in p.message for p in problems)


def test_a_forged_or_unreadable_head_is_reported(teacher, settings):
    import json

    from yanxiu.credits.ledger import write_head

    credit(teacher, 1)
    path = write_head()
    assert verify_ledger()[1] == []
    head = json.loads(path.read_text())
    head["entries"] = 0
    path.write_text(json.dumps(head))
    assert "invalid signature" in verify_ledger()[1][0].message
    path.write_bytes(b"x" * 70000)
    assert "cannot be read" in verify_ledger()[1][0].message


def test_the_head_file_is_private_and_the_command_reports_it(teacher, settings, capsys):
    import stat

    credit(teacher, 1)
    call_command("verify_ledger")
    assert "no signed head" in capsys.readouterr().err
    call_command("ledger_head")
    files = list(settings.YANXIU_LEDGER_HEAD_DIR.glob("ledger-head-*.json"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.YANXIU_LEDGER_HEAD_DIR.stat().st_mode) == 0o700
    call_command("verify_ledger")
    assert "consistent with the signed head" in capsys.readouterr().out


def test_the_daily_task_writes_a_head(teacher, settings):
    from yanxiu.credits.tasks import write_ledger_head

    credit(teacher, 1)
    result = write_ledger_head.call()
    assert result.endswith(".json") and list(settings.YANXIU_LEDGER_HEAD_DIR.glob("ledger-head-*.json"))


def test_entries_written_before_the_key_are_keyed_once_and_audited(teacher, settings, capsys):
    from yanxiu.core.models import AuditEvent
    from yanxiu.credits.ledger import ledger_rekey

    entries = [credit(teacher, h) for h in (1, 2, 3)]
    _raw("UPDATE credits_creditentry SET mac = ''", [])
    problems = verify_ledger()[1]
    assert len(problems) == 1 and problems[0].entry_id == entries[0].pk and "3 entries have no HMAC" in problems[0].message
    call_command("ledger_rekey")
    assert "3 entries" in capsys.readouterr().out
    assert verify_ledger()[1] == []
    event = AuditEvent.objects.get(action="credit.ledger_rekey")
    assert event.detail["entries"] == 3
    assert ledger_rekey(actor=None) == 0

    # A new key: every HMAC is now wrong; re-keying needs --rotate, on purpose.
    settings.YANXIU_LEDGER_KEY = "a-new-ledger-key-kept-outside-the-database"
    assert all("HMAC" in p.message for p in verify_ledger()[1])
    with pytest.raises(ValidationError, match="--rotate"):
        ledger_rekey(actor=None)
    call_command("ledger_rekey", "--rotate")
    assert verify_ledger()[1] == []


def test_rekeying_refuses_a_broken_chain(teacher):
    from django.core.management.base import CommandError

    entries = [credit(teacher, h) for h in (1, 2)]
    _raw("UPDATE credits_creditentry SET mac = '', title = '篡改' WHERE id = %s", [entries[0].pk])
    with pytest.raises(CommandError, match="已被改动"):
        call_command("ledger_rekey")
    assert CreditEntry.objects.get(pk=entries[1].pk).mac == entries[1].mac


@pytest.mark.postgres_only
def test_postgres_refuses_update_and_delete_of_entries(teacher):
    from django.db import DatabaseError, transaction

    entry = credit(teacher, 2)
    for sql in ("UPDATE credits_creditentry SET hours = 40 WHERE id = %s", "DELETE FROM credits_creditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    assert CreditEntry.objects.get(pk=entry.pk).hours == 2
    # Keying (the mac column alone) is the one change let through.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE credits_creditentry SET mac = '' WHERE id = %s", [entry.pk])
    assert CreditEntry.objects.get(pk=entry.pk).mac == ""


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_with_entries_flushes_cleanly(county):
    """pytest-django flushes the tables after this test: TRUNCATE on PostgreSQL is not refused."""
    from tests.conftest import People

    adopt("000", county)
    from yanxiu.org.models import School

    school = School.objects.create(code="4301219999", name="冲刷测试学校", county=county, stage="primary")
    person = People().teacher(school, name="冲刷").person
    assert credit(person, 1).mac
