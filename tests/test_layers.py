"""The layers of ``src/shiplint`` and ``rules/``: every import, lazy ones included, goes down the
table below, and no group of modules imports itself in a circle.

A new module belongs to the layer of its package; a new top-level module needs a row here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "shiplint"
RULES = ROOT / "rules"

#: layer → the layers it may import (besides itself)
ALLOWED = {
    "version": set(),
    "core": {"version"},
    "sources": {"version", "core"},
    "model": {"version", "core", "sources"},
    "inputs": {"version", "core", "sources", "model"},
    "registry": {"version", "core", "sources", "model"},
    "rules": {"version", "core", "sources", "model", "registry"},
    "reporters": {"version", "core", "engine.options"},
    # what is installed: rules, reporters and classifiers, built-in or from entry points
    "plugins": {"version", "core", "sources", "model", "inputs", "registry", "rules", "reporters", "engine.options"},
    "engine": {"version", "core", "sources", "model", "inputs", "registry", "rules", "plugins"},
    "settings": {"version", "core", "sources", "registry", "engine.options"},
    "progress": {"version"},
    "cli": {"version", "core", "sources", "model", "inputs", "registry", "rules", "reporters", "plugins", "engine",
            "settings", "progress"},
    # the module paths plugins imported before the layers existed: aliases of the new modules
    "compat": {"version", "core", "model", "registry", "plugins"},
}
TOP_MODULES = {
    "shiplint": "version",
    "shiplint.__main__": "cli",
    "shiplint.cli": "cli",
    "shiplint.client": "cli",
    "shiplint.resident": "cli",
    "shiplint.config": "settings",
    "shiplint.ruledocs": "settings",
    "shiplint.progress": "progress",
    "shiplint.findings": "compat",
    "shiplint.rule": "compat",
    "shiplint.hookspecs": "compat",
    "shiplint.k8s": "compat",
    "shiplint.schemas": "core",
}


def layer_of(module: str) -> str:
    if module == "shiplint.engine.options":
        return "engine.options"
    if module in TOP_MODULES:
        return TOP_MODULES[module]
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in ALLOWED:
        return parts[1]
    if len(parts) >= 2 and f"shiplint.{parts[1]}" in TOP_MODULES:
        return TOP_MODULES[f"shiplint.{parts[1]}"]
    raise AssertionError(f"{module}: no layer (add a row to tests/test_layers.py)")


def _modules():
    out = {}
    for base, prefix in ((SRC, "shiplint"), (RULES, "shiplint.rules")):
        for path in base.rglob("*.py"):
            rel = path.relative_to(base).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            out[".".join([prefix, *parts])] = path
    return out


MODULES = _modules()


def _imports(module: str, path: Path) -> list[tuple[str, int]]:
    """Every shiplint module ``module`` imports, with the line (``from p import m`` counts ``p.m``
    when that is a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "shiplint"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "shiplint":
                continue
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES]
            out += [(s, node.lineno) for s in subs] or [(target, node.lineno)]
    return out


def _layer_of_target(target: str) -> str:
    while target not in MODULES and "." in target:
        target = target.rpartition(".")[0]
    return layer_of(target)


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


def test_imports_go_down_the_layers():
    bad = []
    for module, path in sorted(MODULES.items()):
        mine = layer_of(module)
        own = "engine" if mine == "engine.options" else mine
        for target, line in _imports(module, path):
            theirs = _layer_of_target(target)
            if theirs in (mine, own) or (theirs == "engine.options" and own == "engine"):
                continue
            if theirs not in ALLOWED[own] and not (theirs == "engine.options" and "engine" in ALLOWED[own]):
                bad.append(f"{_shown(path)}:{line}: {module} ({own}) imports {target} ({theirs})")
    assert not bad, "layer violations:\n" + "\n".join(bad)


def test_nothing_inside_imports_the_compatibility_paths():
    bad = [f"{_shown(path)}:{line}: {target}"
           for module, path in MODULES.items() if layer_of(module) != "compat"
           for target, line in _imports(module, path) if _layer_of_target(target) == "compat"]
    assert not bad, "use the new module paths inside shiplint:\n" + "\n".join(bad)


def test_no_import_cycle():
    graph = {m: {t for t, _ in _imports(m, p)} for m, p in MODULES.items()}
    graph = {m: {_resolve(t) for t in ts} - {m, None} for m, ts in graph.items()}
    # Tarjan's strongly connected components, iteratively
    index, low, on, stack, sccs, counter = {}, {}, set(), [], [], [0]
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            node, it = work[-1]
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        m = stack.pop()
                        on.discard(m)
                        comp.append(m)
                        if m == node:
                            break
                    if len(comp) > 1:
                        sccs.append(sorted(comp))
    assert not sccs, "import cycles:\n" + "\n".join(" ↔ ".join(c) for c in sccs)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _resolve(target: str):
    while target not in MODULES and "." in target:
        target = target.rpartition(".")[0]
    return target if target in MODULES else None


def test_the_layer_test_sees_a_violation(tmp_path, monkeypatch):
    """The checker itself: a model module importing the engine is reported."""
    fake = tmp_path / "bad.py"
    fake.write_text("def f():\n    from shiplint.engine import Engine\n")
    monkeypatch.setitem(MODULES, "shiplint.model.bad", fake)
    with pytest.raises(AssertionError, match="shiplint.model.bad"):
        test_imports_go_down_the_layers()
