"""Side effects of a service run once its transaction has committed.

A file removal, an e-mail, a queued task or a cache change made inside a
service's transaction would survive a rollback (a file gone for a row that
is still there, a mail about a change that never happened). In service
modules such calls must sit in a function handed to
``transaction.on_commit(...)``, or in an ``except`` block undoing a write
of the same function that failed. Rows written in the transaction (the
originality index, session change notes, audit rows) roll back with it and
need nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "yanxiu"

#: Calls that reach outside the database.
EFFECTS = {"delete": {"storage", "default_storage"}, "enqueue": None, "send_mail": None, "send_mass_mail": None}
CACHE_CALLS = {"delete", "delete_many", "set", "set_many", "clear", "incr", "decr"}


def _service_modules() -> list[Path]:
    paths = []
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        if len(parts) < 2 or "migrations" in parts:
            continue
        if path.name in ("services.py", "ledger.py", "importer.py") or "services" in parts[1:-1] or parts[1] == "roster":
            paths.append(path)
    return sorted(paths)


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_effect(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in ("send_mail", "send_mass_mail")
    if not isinstance(func, ast.Attribute):
        return False
    owner = _name(func.value)
    if func.attr == "delete" and owner in EFFECTS["delete"]:
        return True
    if func.attr in CACHE_CALLS and owner in ("cache", "default_cache"):
        return True
    return func.attr in ("enqueue", "send_mail", "send_mass_mail")


def _deferred_or_cleanup(node: ast.AST, parents: dict) -> bool:
    child, node = node, parents.get(node)
    while node is not None:
        if isinstance(node, ast.ExceptHandler):
            return True
        if isinstance(child, (ast.Lambda, ast.FunctionDef)) and isinstance(node, ast.Call) and _name(node.func) == "on_commit":
            return True
        if isinstance(child, ast.FunctionDef) and any(
            isinstance(n, ast.Call) and _name(n.func) == "on_commit" and any(_name(a) == child.name for a in n.args)
            for n in ast.walk(node)
        ):
            return True
        child, node = node, parents.get(node)
    return False


def test_service_side_effects_wait_for_the_commit():
    modules = _service_modules()
    assert len(modules) >= 10
    offending = []
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_effect(node) and not _deferred_or_cleanup(node, parents):
                offending.append(f"{path.relative_to(SRC)}:{node.lineno}: {ast.unparse(node)}")
    assert not offending, "run these with transaction.on_commit(...):\n" + "\n".join(offending)


def test_the_guard_sees_an_immediate_removal():
    tree = ast.parse("def f(m):\n    m.file.storage.delete(m.file.name)\n")
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_effect(n)]
    assert len(calls) == 1 and not _deferred_or_cleanup(calls[0], parents)
    tree = ast.parse("def f(s, n):\n    transaction.on_commit(lambda: s.storage.delete(n), robust=True)\n")
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_effect(n)]
    assert len(calls) == 1 and _deferred_or_cleanup(calls[0], parents)
