"""The shape of the code: which app may import which, and what a module may hold.

The layers, lowest first (docs/architecture.md draws them). An app imports only
apps below it, counting every import, at the top of a module or inside a
function: an import hidden in a function is still a dependency. ``api`` only
wires the apps' routers, so nothing imports it; nothing but ``demo`` and the
project's URL configuration builds on ``reports`` or ``demo``, and no feature
app below it builds on ``notify`` (messages follow the audit rows).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "yanxiu"

#: Rank of each app; an arrow is allowed only from a higher rank to a lower one.
#: Apps of the same rank are peers and may not import each other.
LAYERS: dict[str, int] = {
    "core": 0,
    "accounts": 1,
    "org": 2,
    "policy": 3,
    "training": 4,
    "attendance": 5,
    "credits": 6,
    "needs": 7,
    "archive": 7,
    "growth": 7,
    "routine": 8,
    "notify": 9,
    "reports": 10,
    "demo": 11,
    "api": 12,
}

#: Arrows the rank alone would allow but the design forbids, with the reason.
FORBIDDEN: dict[tuple[str, str], str] = {
    ("training", "credits"): "training does not grant credit",
    ("policy", "credits"): "policy is data; compliance lives with the ledger",
    ("policy", "attendance"): "policy is data",
}
for _app in LAYERS:
    if _app != "api":
        FORBIDDEN[(_app, "api")] = "api only wires the routers"
    if _app not in ("reports", "demo", "api"):
        FORBIDDEN[(_app, "reports")] = "no feature app builds on reports"
        FORBIDDEN[(_app, "demo")] = "no feature app builds on the demo"
    if _app not in ("notify", "reports", "demo", "api"):
        FORBIDDEN[(_app, "notify")] = "messages follow the audit rows; no feature app sends them itself"

MAX_FUNCTION_LINES = 80


#: Packages of the project that are not apps: the settings modules.
NOT_APPS = {"settings"}


def _apps() -> list[str]:
    return sorted(p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name not in NOT_APPS)


def _modules(app: str):
    for path in sorted((SRC / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported_apps(path: Path, node: ast.AST) -> list[str]:
    """The ``yanxiu`` apps an import statement names, relative imports resolved."""
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[1] for alias in node.names if alias.name.startswith("yanxiu.")]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        package = list(path.relative_to(SRC).parts[:-1])
        base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        module = base + (node.module.split(".") if node.module else [])
        if module:
            return [module[0]]
        return [alias.name for alias in node.names]  # ``from .. import org``
    if node.module == "yanxiu":
        return [alias.name for alias in node.names]
    if node.module and node.module.startswith("yanxiu."):
        return [node.module.split(".")[1]]
    return []


def import_graph() -> dict[tuple[str, str], list[str]]:
    """Every cross-app arrow with the places that make it."""
    apps = set(_apps())
    arrows: dict[tuple[str, str], list[str]] = defaultdict(list)
    for app in apps:
        for path, tree in _modules(app):
            for node in ast.walk(tree):
                for target in _imported_apps(path, node):
                    if target in apps and target != app:
                        arrows[(app, target)].append(f"{path.relative_to(SRC.parent.parent)}:{node.lineno}")
    return arrows


def test_every_app_has_a_place_in_the_layers():
    unknown = sorted(set(_apps()) - set(LAYERS))
    assert not unknown, f"give these apps a rank in LAYERS and docs/architecture.md: {unknown}"


def test_apps_import_only_apps_below_them():
    wrong = []
    for (source, target), places in sorted(import_graph().items()):
        if LAYERS[source] <= LAYERS[target]:
            wrong.append(f"{source} -> {target} (rank {LAYERS[source]} -> {LAYERS[target]}): {places[0]} (+{len(places) - 1})")
    assert not wrong, "imports that go up or sideways:\n" + "\n".join(wrong)


def test_no_forbidden_arrow():
    graph = import_graph()
    wrong = [f"{a} -> {b} ({why}): {graph[(a, b)][0]}" for (a, b), why in FORBIDDEN.items() if (a, b) in graph]
    assert not wrong, "\n".join(wrong)


def test_no_circle_between_apps():
    edges = defaultdict(set)
    for source, target in import_graph():
        edges[source].add(target)

    def reaches(start, goal, seen):
        for nxt in edges[start]:
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                if reaches(nxt, goal, seen):
                    return True
        return False

    circles = sorted(app for app in list(edges) if reaches(app, app, set()))
    assert not circles, f"apps on an import circle: {circles}"


def test_the_graph_sees_imports_inside_functions(tmp_path):
    """The checker itself: a function-level import counts like a module-level one."""
    source = "def f():\n    from yanxiu.credits.models import CreditEntry\n"
    path = SRC / "training" / "x.py"
    node = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)][0]
    assert _imported_apps(path, node) == ["credits"]
    relative = [n for n in ast.walk(ast.parse("from ..org import scopes\n")) if isinstance(n, ast.ImportFrom)][0]
    assert _imported_apps(SRC / "training" / "views.py", relative) == ["org"]


@pytest.mark.parametrize("app", _apps())
def test_no_function_is_longer_than_a_reader_can_hold(app):
    long = []
    for path, tree in _modules(app):
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def _model_names(tree: ast.Module) -> set[str]:
    """Names a module imports from a ``models`` module (its own app's or another's)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[-1] == "models":
            if node.module.startswith("django"):
                continue
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def test_views_fetch_objects_through_scoped_selectors():
    """A view never does ``get_object_or_404(Model, pk=...)`` on a bare model: it asks a
    selector scoped to the user, so a wrong id is a 404 for everyone who may not see it."""
    bare = []
    for app in _apps():
        for path, tree in _modules(app):
            if not (path.name == "views.py" or path.name.endswith("_views.py")):
                continue
            models = _model_names(tree)
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "get_object_or_404"
                    and node.args
                    and (
                        (isinstance(node.args[0], ast.Name) and node.args[0].id in models)
                        or (isinstance(node.args[0], ast.Attribute) and node.args[0].attr == "objects")
                        or (
                            isinstance(node.args[0], ast.Call)
                            and isinstance(node.args[0].func, ast.Attribute)
                            and isinstance(node.args[0].func.value, ast.Attribute)
                            and node.args[0].func.value.attr == "objects"
                        )
                    )
                ):
                    bare.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not bare, "views fetching from a bare model (use a scoped selector):\n" + "\n".join(bare)
