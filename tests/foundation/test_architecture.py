"""The shape the design brief asks for, kept true by a test (docs/architecture.md).

Every module of the project's apps is read with ``ast`` (nothing is imported): its imports
must not form a cycle, must go only in the allowed directions, and no module may grow past
the size a newcomer can read in one sitting.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "polls", "comments", "socialpoll")
# Who may import whom: the shared app at the bottom, then polls, then comments on top;
# socialpoll (settings, URLs, WSGI) may import the apps, no app imports it.
ALLOWED = {
    "core": {"core"},
    "polls": {"core", "polls"},
    "comments": {"core", "polls", "comments"},
    "socialpoll": {"core", "polls", "comments", "socialpoll"},
}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules this module imports (at any depth: late imports count too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            candidates = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in MODULES:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def test_the_walk_sees_every_app():
    assert {name.split(".")[0] for name in MODULES} == set(PACKAGES)
    assert "polls.voting" in GRAPH and "comments.posting" in GRAPH


def test_imports_go_only_in_the_allowed_directions():
    wrong = [
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        for target in targets
        if target.split(".")[0] not in ALLOWED[name.split(".")[0]]
        and target != "socialpoll.settings"
    ]
    assert wrong == []


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in GRAPH:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    assert _cycles() == []


def test_the_cycle_finder_finds_a_cycle():
    GRAPH["polls.voting"].add("polls.results")
    GRAPH["polls.results"].add("polls.voting")
    try:
        assert ["polls.results", "polls.voting"] in _cycles()
    finally:
        GRAPH["polls.voting"].discard("polls.results")
        GRAPH["polls.results"].discard("polls.voting")


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_and_functions_stay_small(name):
    path = MODULES[name]
    text = path.read_text()
    assert text.count("\n") <= MAX_MODULE_LINES, f"{path} has {text.count(chr(10))} lines"
    long_functions = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long_functions == []


def test_no_module_builds_comment_html_or_prepares_sql():
    # Templates are the one source of HTML; the ORM the one source of the vote's SQL.
    offenders = [
        str(path.relative_to(ROOT))
        for path in MODULES.values()
        if "<article" in path.read_text() or "PREPARE " in path.read_text()
    ]
    assert offenders == []
