"""The catalogue of audited actions: every call writes a catalogue event, with a label, scoped."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from yanxiu.core.events import RETIRED, UNSCOPED, Event

SRC = Path(__file__).resolve().parents[2] / "src" / "yanxiu"

#: The stored codes before the catalogue existed: history pages, tests and selectors
#: (``credits.compliance.registered_session_ids``) filter on them, so none may change.
CODES_IN_STORED_ROWS = """
account.initial_password_issue account.otp_used account.password_reset account.password_set account.unlock
activity.credit attendance.mark attendance.sign_in attendance.sign_out certificate.issue certificate.revoke
claim.reject claim.submit claim.verify cluster.create cluster.update credit.import credit.ledger_rekey credit.record
credit.reverse credit.session employment.start employment.transfer employment.update group.create group.update
material.add material.remove needs.respond needs.respond.update needs.survey.close needs.survey.create objection.file
objection.resolve person.update policy.preset policy.save posting.create posting.finalize reflection.accept
reflection.return reflection.rule_set reflection.submit role.appoint role.revoke roster.import school.create
school.update transcript.issue training.calendar.reset training.category.create training.category.update
training.enrollment.self training.enrollment.withdraw training.evaluation.submit training.leave.cancel
training.leave.request training.leave.school_approve training.leave.school_reject training.leave.bureau_approve
training.leave.bureau_reject training.plan.create training.plan.update training.project.approve
training.project.create training.project.return training.project.submit training.project.update
training.quota.allocate training.quota.name training.quota.submit training.quota.unname training.quota.update
training.session.cancel training.session.create training.session.create_recurring training.session.invite
training.session.publish training.session.update training.swap.approve training.swap.reject training.swap.request
account.renamed person.phone_cleared
""".split()


class Call:
    def __init__(self, path: Path, node: ast.Call):
        self.where = f"{path.relative_to(SRC)}:{node.lineno}"
        self.keywords = {k.arg: k.value for k in node.keywords}
        self.splat = any(k.arg is None for k in node.keywords)


def _record_calls() -> list[Call]:
    calls = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                calls.append(Call(path, node))
    return calls


def _members(node: ast.AST, where: str) -> set[Event]:
    """The catalogue members an ``event=`` expression can take: ``Event.X`` or a conditional of them."""
    if isinstance(node, ast.IfExp):
        return _members(node.body, where) | _members(node.orelse, where)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Event":
        assert node.attr in Event.__members__, f"{where}: Event.{node.attr} is not in the catalogue"
        return {Event[node.attr]}
    raise AssertionError(f"{where}: event= must name catalogue members (Event.X), not {ast.unparse(node)}")


CALLS = _record_calls()


def test_every_call_names_a_catalogue_event():
    assert len(CALLS) >= 65
    for call in CALLS:
        assert "action" not in call.keywords, f"{call.where}: action= is gone; pass event=Event.X"
        assert "event" in call.keywords, f"{call.where}: no event="
        _members(call.keywords["event"], call.where)


def test_every_call_says_which_school_or_county_it_concerns():
    for call in CALLS:
        events = _members(call.keywords["event"], call.where)
        if events <= UNSCOPED:
            continue
        scoped = "school" in call.keywords or "county" in call.keywords or call.splat
        assert scoped, f"{call.where}: {sorted(events)} concern a school or county; pass school= or county="


def test_every_event_is_written_somewhere_unless_retired():
    written = set().union(*(_members(c.keywords["event"], c.where) for c in CALLS))
    assert set(Event) - RETIRED - written == set()
    assert written & RETIRED == set()


def test_stored_codes_never_change():
    assert set(CODES_IN_STORED_ROWS) <= set(Event.values)
    assert len(Event.values) == len(set(Event.values))
    for code in Event.values:
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", code), code


def test_every_event_has_a_chinese_label():
    for member in Event:
        label = str(member.label)
        assert label != member.value and re.search(r"[\u4e00-\u9fff]", label), member


def test_selectors_filter_on_catalogue_codes():
    """Code that reads audit rows by action names codes the catalogue has."""
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts or path.name.startswith("bench"):
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"AuditEvent\.objects\.filter\(([^)]*)\)", text):
            for code in re.findall(r'action="([^"]+)"', match.group(1)):
                assert code in Event.values, f"{path.relative_to(SRC)}: {code}"
