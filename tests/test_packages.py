"""The packages of bot/ depend on each other in one direction only: no import cycle between them.

The ledger announces its changes (bot.ledger.events) instead of importing the packages that react
to them; the web composition imports its routers, never the reverse. A new import that closes a
loop fails here, naming the modules that close it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"


def _package(module: str) -> str:
    """`bot.ledger.cases` → `ledger`; a module at the top of bot/ (`bot.clock`) is a node of its own."""
    return module.split(".")[1]


def _imports(path: Path) -> set[str]:
    parts = list(path.relative_to(BOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    package = parts if path.name == "__init__.py" else parts[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                found.add(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                found.add(node.module)
    return {name for name in found if name.startswith("bot.")}


def package_graph() -> dict[str, dict[str, set[str]]]:
    """package → the packages it imports → the modules that import them."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in BOT.rglob("*.py"):
        source = _package(".".join(path.relative_to(BOT.parent).with_suffix("").parts))
        for target in map(_package, _imports(path)):
            if target != source:
                graph[source][target].add(path.relative_to(BOT.parent).as_posix())
    return graph


def test_the_graph_sees_the_dependencies_that_exist():
    """A graph that missed imports would pass the cycle check for nothing."""
    graph = package_graph()
    for source, target in [("forwarding", "ledger"), ("thresholds", "ledger"), ("notifications", "ledger"),
                           ("web", "ledger"), ("cli", "web"), ("reactions", "forwarding")]:
        assert target in graph[source], (source, target)


def test_bot_packages_have_no_import_cycle():
    graph = package_graph()
    try:
        TopologicalSorter({source: set(targets) for source, targets in graph.items()}).prepare()
    except CycleError as exc:
        loop = exc.args[1]
        detail = [f"{b} imports {a}: {sorted(graph[b][a])}" for a, b in zip(loop, loop[1:])]
        raise AssertionError("import cycle between packages of bot/:\n" + "\n".join(detail)) from None


def test_the_bank_api_and_the_console_are_siblings():
    """Inside the web package, the two halves share bot.web.deps and import neither each other nor the app."""
    web = BOT / "web"
    for half, others in (("api", ("bot.web.console", "bot.web.app")), ("console", ("bot.web.api", "bot.web.app"))):
        for path in (web / half).rglob("*.py"):
            imported = _imports(path)
            assert not [name for name in imported if name.startswith(others)], path
