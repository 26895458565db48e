"""Start-up stays cheap: commands import only what they need.

Each command runs in a fresh interpreter that records ``sys.modules`` at exit.  ``--version``
loads neither the engine nor the YAML library; ``rules`` and text-format checks load neither
``sarif_om`` (and its ``attr``) nor ``jsonschema``; nor does a SARIF check, which builds its
report from the table of sarif-om's fields.  The rule-metadata cache and the plugin pre-check are tested here too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES

HEAVY = ("sarif_om", "jsonschema", "attr")

_RECORD = (
    "import atexit, json, sys\n"
    "out = sys.argv.pop(1)\n"
    "atexit.register(lambda: open(out, 'w').write(json.dumps(sorted(sys.modules))))\n"
    "sys.argv[0] = 'shiplint'\n"
    "from shiplint.cli import main\n"
    "main()\n"
)


def modules_after(tmp_path, *args, cache=None) -> set[str]:
    out = tmp_path / "modules.json"
    env = {**os.environ, "NO_COLOR": "1", "SHIPLINT_CACHE_DIR": str(cache or tmp_path / "cache")}
    env.pop("SHIPLINT_NO_CACHE", None)
    proc = subprocess.run([sys.executable, "-c", _RECORD, str(out), *map(str, args)],
                          capture_output=True, env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return set(json.loads(out.read_text()))


def _loaded(mods: set[str], name: str) -> bool:
    return name in mods or any(m.startswith(name + ".") for m in mods)


def test_version_imports_no_engine_and_no_yaml(tmp_path):
    mods = modules_after(tmp_path, "--version")
    for name in (*HEAVY, "ruamel", "shiplint.engine.pipeline", "shiplint.plugins.manager", "pluggy"):
        assert not _loaded(mods, name), name


def test_rules_listing_imports_no_sarif_nor_jsonschema(tmp_path):
    mods = modules_after(tmp_path, "rules")
    assert _loaded(mods, "shiplint.plugins.manager")  # the command did run
    for name in HEAVY:
        assert not _loaded(mods, name), name


def test_text_check_of_a_dockerfile_imports_no_sarif_nor_yaml(tmp_path):
    df = FIXTURES / "rules" / "DF101" / "bad.Dockerfile"
    modules_after(tmp_path, "check", "--format", "text", df)  # fills the metadata cache
    mods = modules_after(tmp_path, "check", "--format", "text", df)
    assert _loaded(mods, "shiplint.sources.dockerfile")
    for name in (*HEAVY, "ruamel", "shiplint.inputs.render.helm", "shiplint.inputs.render.kustomize", "importlib.metadata"):
        assert not _loaded(mods, name), name
    # nor what only YAML inputs or other reports need
    for name in ("yaml", "shiplint.sources.yamlsrc", "shiplint.model.k8s", "shiplint.model.compose", "shiplint.model.ci",
                 "shiplint.inputs.context", "shiplint.registry.policies", "shiplint.engine.fixer",
                 "shiplint.engine.baseline", "shiplint.reporters.sarif", "shiplint.reporters._sarif_model"):
        assert not _loaded(mods, name), name
    # and of the rule packs, the Dockerfile one only
    packs = {m.split(".")[2] for m in mods if m.startswith("shiplint.rules.") and m.count(".") >= 2}
    assert packs == {"dockerfile"}, packs


def test_a_dockerfile_check_without_shellcheck_starts_no_process_machinery(tmp_path):
    df = FIXTURES / "rules" / "DF101" / "bad.Dockerfile"
    modules_after(tmp_path, "check", "--format", "text", "--ignore", "DF601", df)  # fills the metadata cache
    mods = modules_after(tmp_path, "check", "--format", "text", "--ignore", "DF601", df)
    assert _loaded(mods, "shiplint.rules.dockerfile.DF101")
    for name in ("subprocess", "tempfile"):  # DF601 imports them when it runs ShellCheck
        assert not _loaded(mods, name), name


def test_text_check_of_a_manifest_imports_no_sarif_nor_jsonschema(tmp_path):
    mods = modules_after(tmp_path, "check", "--format", "text", FIXTURES / "rules" / "KS101" / "bad.yaml")
    assert _loaded(mods, "shiplint.model.k8s.model")
    for name in HEAVY:
        assert not _loaded(mods, name), name


def test_sarif_check_imports_neither_sarif_om_nor_attrs(tmp_path):
    # the report is built from the table of sarif-om's fields (tests/test_sarif_model.py)
    mods = modules_after(tmp_path, "check", "--format", "sarif", FIXTURES / "rules" / "DF101" / "bad.Dockerfile")
    assert _loaded(mods, "shiplint.reporters._sarif_model")
    for name in HEAVY:
        assert not _loaded(mods, name), name


# -- the rule-metadata cache ---------------------------------------------------------------------

def test_metadata_cache_holds_exactly_the_parsed_catalogue(tmp_path, monkeypatch):
    from shiplint.registry import loader

    monkeypatch.setenv("SHIPLINT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SHIPLINT_NO_CACHE", raising=False)
    parsed = tuple(loader._parse(loader.PACKAGE))
    loader.catalogue.cache_clear()
    try:
        first = loader.catalogue()  # parses, writes the cache
        files = list(tmp_path.glob("rule-metadata-*.json"))
        assert len(files) == 1
        loader.catalogue.cache_clear()
        cached = loader.catalogue()  # reads the cache
        assert cached == first == parsed
        files[0].write_text("{not json")  # a broken cache is ignored (and rewritten)
        loader.catalogue.cache_clear()
        assert loader.catalogue() == parsed
        assert json.loads(files[0].read_text())
    finally:
        loader.catalogue.cache_clear()


def test_metadata_cache_can_be_turned_off(tmp_path, monkeypatch):
    from shiplint.registry import loader

    monkeypatch.setenv("SHIPLINT_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("SHIPLINT_NO_CACHE", "1")
    assert loader._cache_path(loader.PACKAGE) is None


def test_metadata_cache_key_follows_the_rules_files(tmp_path, monkeypatch):
    from shiplint.registry import loader

    monkeypatch.setenv("SHIPLINT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SHIPLINT_NO_CACHE", raising=False)
    before = loader._cache_path(loader.PACKAGE)
    real_stat = os.stat

    class Touched:  # the same files with another modification time
        def __init__(self, st):
            self._st, self.st_mtime_ns = st, st.st_mtime_ns + 1

        def __getattr__(self, name):
            return getattr(self._st, name)

    os.stat = lambda p, *a, **k: Touched(real_stat(p, *a, **k))
    try:
        after = loader._cache_path(loader.PACKAGE)
    finally:
        os.stat = real_stat
    assert after not in (None, before)


# -- cheap checks that keep modules unloaded ---------------------------------------------------

def test_render_file_names_cover_helm_and_kustomize():
    from shiplint.engine import pipeline as engine
    from shiplint.inputs.render import kustomize

    assert {"Chart.yaml", *kustomize.KUSTOMIZATION_NAMES} <= engine._RENDER_FILE_NAMES


def test_plugin_precheck_finds_a_declared_entry_point(tmp_path, monkeypatch):
    from shiplint.plugins import manager as plugins

    site = tmp_path / "site"
    (site / "other-1.0.dist-info").mkdir(parents=True)
    (site / "other-1.0.dist-info" / "entry_points.txt").write_text("[console_scripts]\nother = other:main\n")
    assert plugins._may_declare_plugins([str(site)]) is False
    (site / "myplugin-1.0.dist-info").mkdir()
    (site / "myplugin-1.0.dist-info" / "entry_points.txt").write_text("[shiplint]\nmine = myplugin\n")
    assert plugins._may_declare_plugins([str(site)]) is True
    zipped = tmp_path / "lib.zip"
    zipped.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    assert plugins._may_declare_plugins([str(zipped)]) is True  # unsure: importlib.metadata decides


@pytest.mark.parametrize("args", [("--version",), ("rules",)])
def test_commands_still_work(tmp_path, args):
    out = tmp_path / "m.json"
    proc = subprocess.run([sys.executable, "-c", _RECORD, str(out), *args], capture_output=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout


def test_lazily_loaded_rules_are_the_declared_ones():
    from shiplint.plugins import Plugins
    from shiplint.registry.loader import LazyCheck
    from shiplint.registry.rule import is_marked_check

    rules = Plugins(load_entry_points=False).rules()
    lazy = [r for r in rules.values() if isinstance(r.check, LazyCheck)]
    assert len(lazy) >= 60
    for r in lazy:
        func = r.check.load()  # the module named after the code marks exactly one check
        assert r.check.module.rsplit(".", 1)[-1] == r.code
        assert is_marked_check(func) and func.__module__ == r.check.module
    # the engine-stamped rules have no module at all
    assert {r.code for r in rules.values() if r.check is None} == {c for c in rules if c.startswith("SL")}
