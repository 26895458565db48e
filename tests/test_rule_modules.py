"""The built-in rule catalogue: each rule is ``rules/<pack>/<CODE>.yaml`` + ``<CODE>.py``, paired
by the loader, which names the file at fault when they disagree; rule modules stay independent."""

from __future__ import annotations

import ast
import importlib
import itertools
import sys
import textwrap

import pytest

from conftest import ROOT
from shiplint.registry import loader
from shiplint.registry.loader import LazyCheck, RuleCatalogueError

RULE_MODULES = sorted(p for p in (ROOT / "rules").glob("*/*.py") if p.name != "__init__.py")


def _imported_modules(path) -> set[str]:
    """Every module a file imports, lazy (function-level) imports included, relative ones resolved."""
    package = "shiplint.rules." + path.parent.name
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)  # `from pkg import MODULE`
    return out


def test_rule_modules_are_found():
    assert len([p for p in RULE_MODULES if not p.name.startswith("_")]) >= 60


@pytest.mark.parametrize("path", RULE_MODULES, ids=[f"{p.parent.name}/{p.stem}" for p in RULE_MODULES])
def test_no_rule_module_imports_another_rule_module(path):
    rule_modules = {f"shiplint.rules.{p.parent.name}.{p.stem}" for p in RULE_MODULES if not p.name.startswith("_")}
    imported = _imported_modules(path) & rule_modules
    assert not imported, (f"{path.relative_to(ROOT)} imports {sorted(imported)}: move the shared code to "
                          "shiplint.model or to rules/<pack>/_<name>.py")


def test_the_import_scan_sees_a_lazy_rule_import(tmp_path):
    bad = tmp_path / "kubernetes" / "KS999.py"
    bad.parent.mkdir()
    bad.write_text("def check(resource, ctx):\n    from .KS404 import x\n    from shiplint.rules.kubernetes import KS101\n")
    assert {"shiplint.rules.kubernetes.KS404", "shiplint.rules.kubernetes.KS101"} <= _imported_modules(bad)


# -- the loader's checks, on throw-away catalogues -----------------------------------------------

_counter = itertools.count()

YAML = """\
name: {name}
level: warning
target: {target}
summary: Something worth a finding happens here
rationale: Because a reason that is long enough is given here.
fix: Do the other thing.
example: |
  FROM scratch
"""

CHECK = """\
from shiplint.registry.rule import rule


@rule
def check(subject, ctx):
    return ()
"""


@pytest.fixture
def catalogue(tmp_path, monkeypatch):
    """Build a package of rule files; returns a function that writes ``{relative path: text}``
    and returns the package's dotted name."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("SHIPLINT_NO_CACHE", "1")

    def build(files: dict[str, str]) -> str:
        name = f"fake_rules_{next(_counter)}"
        root = tmp_path / name
        for rel, text in {"__init__.py": "", "pack/__init__.py": "", **files}.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")
        importlib.invalidate_caches()
        return name

    yield build
    for mod in [m for m in sys.modules if m.startswith("fake_rules_")]:
        del sys.modules[mod]


def _rule(name="thing-happens", target="dockerfile"):
    return YAML.format(name=name, target=target)


def _error(package) -> str:
    with pytest.raises(RuleCatalogueError) as exc:
        for r in loader.builtin_rules(package):
            if r.check is not None:
                r.check.load()
    return str(exc.value)


def test_a_good_catalogue_loads_and_imports_modules_lazily(catalogue):
    pkg = catalogue({"pack/XX101.yaml": _rule(), "pack/XX101.py": CHECK, "pack/_helpers.py": "",
                     "pack/XX900.yaml": _rule("engine-stamped", "file")})
    rules = {r.code: r for r in loader.builtin_rules(pkg)}
    assert set(rules) == {"XX101", "XX900"}
    assert rules["XX101"].meta.help_uri.endswith("#xx101") and rules["XX101"].target == "dockerfile"
    assert rules["XX900"].check is None  # stamped by the engine: no module
    assert isinstance(rules["XX101"].check, LazyCheck)
    assert f"{pkg}.pack.XX101" not in sys.modules  # not imported until the rule runs
    assert list(rules["XX101"].check(None, None)) == []
    assert f"{pkg}.pack.XX101" in sys.modules


@pytest.mark.parametrize("files, where, why", [
    ({"pack/XX101.yaml": _rule()}, "pack/XX101.yaml", "no check module: add fake_rules_N/pack/XX101.py"),
    ({"pack/XX101.py": CHECK}, "pack/XX101.py", "no metadata: add fake_rules_N/pack/XX101.yaml"),
    ({"pack/XX101.yaml": "code: XX101\n" + _rule(), "pack/XX101.py": CHECK}, "pack/XX101.yaml",
     "remove 'code:'"),
    ({"pack/XX101.yaml": _rule(target="container"), "pack/XX101.py": CHECK}, "pack/XX101.yaml",
     "unknown target 'container'"),
    ({"pack/XX101.yaml": _rule().replace("level: warning", "level: fatal"), "pack/XX101.py": CHECK},
     "pack/XX101.yaml", "unknown level 'fatal'"),
    ({"pack/XX101.yaml": _rule() + "good_exmaple: x\n", "pack/XX101.py": CHECK}, "pack/XX101.yaml",
     "unknown key 'good_exmaple'"),
    ({"pack/XX101.yaml": _rule().replace("fix: Do the other thing.\n", ""), "pack/XX101.py": CHECK},
     "pack/XX101.yaml", "missing 'fix'"),
    ({"pack/XX101.yaml": "name: [unclosed\n", "pack/XX101.py": CHECK}, "pack/XX101.yaml", ""),
    ({"pack/XX900.yaml": _rule(target="file"), "pack/XX900.py": CHECK}, "pack/XX900.py",
     "the engine stamps it, it has no check module"),
    ({"pack/XX101.yaml": _rule(), "pack/XX101.py": CHECK, "pack/XX102.yaml": _rule(), "pack/XX102.py": CHECK},
     "pack/XX102.yaml", "name 'thing-happens' is already used by XX101"),
    ({"pack/xx101_thing.py": CHECK}, "pack/xx101_thing.py", "named after its code"),
    ({"pack/thing.yaml": _rule()}, "pack/thing.yaml", "named after its code"),
    ({"XX101.yaml": _rule()}, "XX101.yaml", "rule files live in a pack folder"),
])
def test_a_disagreement_names_the_file(catalogue, files, where, why):
    pkg = catalogue(files)
    message = _error(pkg)
    assert message.startswith(f"{pkg}/{where}: "), message
    assert why.replace("fake_rules_N", pkg) in message


def test_twins_of_two_families_may_share_a_name(catalogue):
    pkg = catalogue({"pack/XX101.yaml": _rule(), "pack/XX101.py": CHECK,
                     "pack/YY101.yaml": _rule(), "pack/YY101.py": CHECK})
    assert [r.name for r in loader.builtin_rules(pkg)] == ["thing-happens", "thing-happens"]


@pytest.mark.parametrize("module, why", [
    ("def check(subject, ctx):\n    return ()\n", "exactly one function with a bare @rule (found: none)"),
    (CHECK + "\n\n@rule\ndef other(subject, ctx):\n    return ()\n",
     "exactly one function with a bare @rule (found: check, other)"),
    ("from shiplint.registry.rule import rule\n\n\n@rule('XX101', metadata={})\ndef check(s, c):\n    return ()\n",
     None),  # a plugin-style declaration with invalid metadata fails at import, as for a plugin
    ("from shiplint.registry.rule import rule\nfrom shiplint.registry.rule import RuleMeta, Rule\n\n\n"
     "def check(s, c):\n    return ()\n\n\ncheck.rule = Rule(RuleMeta('XX101', 'x', 'note', 's', 'dockerfile'), check)\n",
     "declares rule XX101 with @rule(code)"),
])
def test_a_module_marks_exactly_one_check(catalogue, module, why):
    from shiplint.core.errors import UsageError

    pkg = catalogue({"pack/XX101.yaml": _rule(), "pack/XX101.py": module})
    (r,) = loader.builtin_rules(pkg)  # pairing by file name needs no import
    if why is None:
        with pytest.raises(UsageError):
            r.check.load()
        return
    with pytest.raises(RuleCatalogueError) as exc:
        r.check.load()
    assert str(exc.value).startswith(f"{pkg}/pack/XX101.py: ") and why in str(exc.value)


def test_the_cli_names_the_file_of_a_broken_catalogue(tmp_path):
    """The shipped catalogue with one YAML removed: the run stops with exit 2 and one line naming
    the module left without metadata, never a traceback."""
    import shutil

    from conftest import run_shiplint

    site = tmp_path / "site"
    shutil.copytree(ROOT / "src" / "shiplint", site / "shiplint", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "rules", site / "shiplint" / "rules", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "schemas", site / "shiplint" / "schemas", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "shiplint" / "rules" / "dockerfile" / "DF502.yaml").unlink()
    r = run_shiplint("rules", env={"PYTHONPATH": str(site), "SHIPLINT_NO_CACHE": "1", "SHIPLINT_NO_PLUGINS": "1"},
                     cwd=tmp_path)
    assert r.code == 2, r.err
    assert "rules/dockerfile/DF502.py: no metadata: add rules/dockerfile/DF502.yaml" in r.err
    assert "Traceback" not in r.err


# -- plugin rules keep @rule(code, metadata=...) ---------------------------------------------------

def test_a_plugin_rule_may_leave_out_or_repeat_its_code_but_not_contradict_it():
    from shiplint.core.errors import UsageError
    from shiplint.registry.rule import rule

    meta = {"name": "x-thing", "level": "note", "target": "resource", "summary": "s" * 12,
            "rationale": "r" * 30, "fix": "f" * 12, "example": "kind: Pod\n"}
    assert rule("ZZ001", metadata=meta)(lambda s, c: ()).rule.code == "ZZ001"
    assert rule("ZZ001", metadata={**meta, "code": "ZZ001"})(lambda s, c: ()).rule.code == "ZZ001"
    with pytest.raises(UsageError, match="ZZ002"):
        rule("ZZ001", metadata={**meta, "code": "ZZ002"})
    with pytest.raises(UsageError, match="needs metadata"):
        rule("ZZ001")
