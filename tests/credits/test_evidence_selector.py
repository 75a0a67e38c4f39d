"""Credits reads a session's evidence through attendance.selectors, not the attendance and training rows."""

import ast
import inspect
import textwrap

import pytest

from tests.credits.test_sources import session_setup  # noqa: F401  (fixture)
from yanxiu.attendance.selectors import person_evidence, session_evidence
from yanxiu.credits import selectors as credit_selectors
from yanxiu.credits import services as credit_services

pytestmark = pytest.mark.django_db


def test_session_evidence_says_per_enrolled_person_what_attendance_recorded(session_setup):  # noqa: F811
    session, persons = session_setup
    evidence = session_evidence(session)
    assert set(evidence) == {p.pk for p in persons.values()}
    done = evidence[persons["全做到"].pk]
    assert done.enrolled and done.signed_in and done.attendance.present and done.attendance.signed_out_at
    assert done.reflection.accepted and done.reflection.chars == 120 and done.reflection.minimum == 100 and done.reflection.long_enough
    assert evidence[persons["没签退"].pk].attendance.signed_out_at is None
    assert evidence[persons["迟到"].pk].attendance.is_late
    assert evidence[persons["缺席"].pk].attendance is None and evidence[persons["缺席"].pk].reflection is None
    assert evidence[persons["请假已批"].pk].on_approved_leave and not evidence[persons["请假未批"].pk].on_approved_leave
    assert evidence[persons["反思未通过"].pk].reflection.returned
    assert not any(e.evaluated for e in evidence.values())


def test_person_evidence_gives_the_same_facts_per_session(session_setup):  # noqa: F811
    session, persons = session_setup
    person = persons["全做到"]
    by_session = person_evidence(person, [session])
    assert by_session == person_evidence(person.pk, [session.pk])  # objects or ids
    assert by_session[session.pk] == session_evidence(session)[person.pk]


def test_the_credit_rule_decides_from_the_evidence_alone(session_setup):  # noqa: F811
    session, persons = session_setup
    evidence = session_evidence(session)
    reasons = {name: credit_services.session_credit_problem(session=session, evidence=evidence[p.pk]) for name, p in persons.items()}
    assert reasons["全做到"] == ""
    assert "签退" in reasons["没签退"] and "迟到" in reasons["迟到"] and "缺训" in reasons["缺席"]
    assert "退回" in reasons["反思未通过"]


def _imported_modules(func) -> set[str]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


@pytest.mark.parametrize("func", [
    credit_services.session_credit_problem, credit_services.manual_attendance_evidence, credit_services.credit_school_session,
    credit_selectors.uncredited_sessions, credit_selectors.session_record,
])
def test_credits_reads_no_attendance_or_training_rows_for_evidence(func):
    modules = _imported_modules(func)
    assert not {m for m in modules if m.startswith(("yanxiu.attendance.models", "yanxiu.training.models"))}, modules
    source = inspect.getsource(func)
    for name in ("Attendance.objects", "Reflection.objects", "Enrollment.objects", "LeaveRequest.objects"):
        assert name not in source
