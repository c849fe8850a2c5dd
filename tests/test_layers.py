"""The import graph of bot/ and actions/: no circles, and every arrow points down the data path
(seeds → kb → answers → actions / gateway). An AST walk of the sources: nothing is imported to draw it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

FOLDERS = ("bot", "actions", "rasa_plugins")
# what each layer may import besides itself
ALLOWED = {
    "bot.text": set(),
    "bot.kb": {"bot.settings", "bot.text"},
    "bot.answers": {"bot.kb", "bot.text"},
    "bot.store": {"bot.kb", "bot.settings"},
}


def _modules() -> dict[str, Path]:
    modules = {}
    for folder in FOLDERS:
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            name = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def _imported(name: str, path: Path) -> Iterator[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: {d for d in _imported(name, path) if d in modules and d != name} for name, path in modules.items()}


@pytest.fixture(scope="module")
def everything_imported() -> dict[str, set[str]]:
    return {name: set(_imported(name, path)) for name, path in _modules().items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
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
        for target in graph[node]:
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

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_the_whole_tree(graph: dict[str, set[str]]) -> None:
    assert len(graph) > 140
    assert "bot.kb.passages" in graph["bot.kb.query"] and "bot.answers.render" in graph["bot.answers.blocks"]


def test_no_import_circles(graph: dict[str, set[str]]) -> None:
    assert _circles(graph) == []


def test_a_circle_would_be_found() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_lower_layers_import_nothing_above_them(graph: dict[str, set[str]], layer: str) -> None:
    def layer_of(module: str) -> str:
        return next((name for name in ALLOWED if module == name or module.startswith(f"{name}.")), module)

    upward = {
        (module, target)
        for module, targets in graph.items()
        if layer_of(module) == layer
        for target in targets
        if layer_of(target) != layer and not any(target == a or target.startswith(f"{a}.") for a in ALLOWED[layer])
    }
    assert upward == set()


def test_bot_never_imports_rasa_or_the_actions_and_the_actions_never_the_gateway(
    everything_imported: dict[str, set[str]],
) -> None:
    for module, imported in everything_imported.items():
        if module.startswith("bot"):
            assert not {i for i in imported if i.split(".")[0] in ("rasa", "actions", "rasa_plugins")}, module
        if module.startswith("actions"):
            assert not {i for i in imported if i.startswith("bot.gateway") or i.split(".")[0] == "rasa"}, module


def test_the_gateway_is_assembled_at_the_top_and_its_protocols_sit_below_the_channels(
    graph: dict[str, set[str]],
) -> None:
    importers = {target: {m for m, targets in graph.items() if target in targets} for target in graph}
    assert importers["bot.gateway.app"] == {"bot.gateway.__main__"}
    assert importers["bot.gateway.routes"] == {"bot.gateway.app"}
    wechat = {m: t for m, t in graph.items() if m.startswith("bot.gateway.wechat")}
    assert wechat and not any(t.startswith("bot.gateway.channels") for ts in wechat.values() for t in ts)
    # 公众号 and 钉钉 are platforms of the one channel layer
    assert "bot.gateway.channels.base" in graph["bot.gateway.channels.official_account"]
    assert "bot.gateway.channels.base" in graph["bot.gateway.channels.dingtalk"]
