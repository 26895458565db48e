"""Python plugins through the ``shiplint`` entry-point group.

The example package under ``tests/plugins/shiplint-example-plugin`` is really built and installed
(``pip install --target`` into a temporary directory, never into the test environment, where
other tests count rules); shiplint then runs in a subprocess with that directory on
``PYTHONPATH``, so ``importlib.metadata`` finds its entry point exactly as for an installed
package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import assert_valid_sarif, run_shiplint

EXAMPLE = Path(__file__).resolve().parent / "plugins" / "shiplint-example-plugin"

WORKER = """\
apiVersion: example.com/v1
kind: Worker
metadata:
  name: crunch
  annotations:
    example.com/cost-center: "42"
spec:
  podTemplate:
    metadata: {labels: {app: crunch}}
    spec:
      containers:
        - name: main
          image: busybox:1.36
"""

DEPLOYMENTS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api@sha256:2d0446e6c717a8872d0446e6c717a8872d0446e6c717a8872d0446e6c717a887
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    example.com/owner: storefront
spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web@sha256:2d0446e6c717a8872d0446e6c717a8872d0446e6c717a8872d0446e6c717a887
"""


def _env_with(path: Path, **extra) -> dict:
    parts = [str(path)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
    return {"PYTHONPATH": os.pathsep.join(parts), **extra}


@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> Path:
    """A directory holding the installed example plugin (``*.dist-info`` + package)."""
    work = tmp_path_factory.mktemp("example-plugin")
    src = work / "src"
    # copied, so that the build's egg-info never lands in the repository
    shutil.copytree(EXAMPLE, src, ignore=shutil.ignore_patterns("*.egg-info", "build", "__pycache__"))
    target = work / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(target), str(src)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list(target.glob("shiplint_example_plugin-*.dist-info")), sorted(p.name for p in target.iterdir())
    return target


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "worker.yaml").write_text(WORKER)
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENTS)
    return tmp_path


def test_plugins_lists_builtin_and_installed_with_versions(example_site, tmp_path):
    from shiplint import __version__

    r = run_shiplint("plugins", cwd=tmp_path, env=_env_with(example_site))
    assert r.code == 0, r.err
    rows = [line.split() for line in r.out.splitlines()]
    assert ["builtin", __version__, "builtin"] in rows
    assert ["example", "0.3.1", "shiplint-example-plugin"] in rows


def test_plugin_rule_is_listed_and_explained(example_site, tmp_path):
    env = _env_with(example_site)
    r = run_shiplint("rules", cwd=tmp_path, env=env)
    assert any(line.split()[:3] == ["EX001", "require-owner-annotation", "warning"] for line in r.out.splitlines())
    data = run_shiplint("rules", "--format", "json", cwd=tmp_path, env=env).json()
    ex = [d for d in data if d["code"] == "EX001"]
    assert ex and ex[0]["plugin"] == "example"
    r = run_shiplint("explain", "require-owner-annotation", cwd=tmp_path, env=env)
    assert r.code == 0 and r.out.startswith("EX001 require-owner-annotation (warning)")
    assert "On-call routing" in r.out
    # not installed: unknown
    assert "EX001" not in run_shiplint("rules", cwd=tmp_path).out


def test_plugin_rule_fires_in_text_and_sarif(example_site, project):
    env = _env_with(example_site)
    r = run_shiplint("check", "--select", "EX001", ".", cwd=project, env=env)
    assert r.code == 1, r.err
    # Deployment api has no annotations: its name; the Worker has annotations without the owner: the key
    assert "deploy.yaml:4:9  warning  EX001 require-owner-annotation  Deployment 'api' has no example.com/owner annotation" in r.out
    assert "worker.yaml:5:3  warning  EX001 require-owner-annotation  Worker 'crunch' has no example.com/owner annotation" in r.out
    assert "'web'" not in r.out
    assert "Found 2 findings" in r.out

    r = run_shiplint("check", "--format", "sarif", "--select", "EX001", ".", cwd=project, env=env)
    assert r.code == 1, r.err
    run = assert_valid_sarif(r.out)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [d["id"] for d in rules] == ["EX001"]
    assert rules[0]["helpUri"] == "https://example.com/shiplint/EX001"
    assert rules[0]["name"] == "require-owner-annotation"
    got = sorted((res["ruleId"], res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                  res["locations"][0]["physicalLocation"]["region"]["startLine"]) for res in run["results"])
    assert got == [("EX001", "deploy.yaml", 4), ("EX001", "worker.yaml", 5)]


def test_plugin_reporter_and_pod_template_path(example_site, project):
    env = _env_with(example_site)
    r = run_shiplint("check", "--format", "count", "--select", "EX001,KS101", ".", cwd=project, env=env)
    assert r.code == 1, r.err
    # KS101 fires on the Worker because the plugin declares where its pod template is
    assert r.out == "EX001 2\nKS101 1\n"
    r = run_shiplint("check", "--select", "KS101", "worker.yaml", cwd=project, env=env)
    assert "worker.yaml:13:18  warning  KS101" in r.out
    # without the plugin: no such format; the Worker's pod template is still recognised by its
    # shape (a mapping whose spec holds containers), at the same place
    r = run_shiplint("check", "--format", "count", ".", cwd=project)
    assert r.code == 2 and "unknown format 'count'" in r.err
    assert "worker.yaml:13:18  warning  KS101" in run_shiplint("check", "--select", "KS101", "worker.yaml", cwd=project).out


@pytest.mark.parametrize("how", ["option", "environment", "no-plugins"])
def test_plugin_can_be_disabled(example_site, project, how):
    if how == "option":
        args, env = ["--disable-plugin", "example"], _env_with(example_site)
    elif how == "environment":
        args, env = [], _env_with(example_site, SHIPLINT_DISABLE_PLUGINS="other, example")
    else:
        args, env = [], _env_with(example_site, SHIPLINT_NO_PLUGINS="1")
    r = run_shiplint("check", *args, "--format", "json", ".", cwd=project, env=env)
    assert r.code in (0, 1), (r.out, r.err)
    # no EX001 (the Worker's pod template is found by its shape with or without the plugin)
    assert not [f for f in r.json() if f["code"] == "EX001"]
    enabled = run_shiplint("check", "--format", "json", ".", cwd=project, env=_env_with(example_site)).json()
    assert {f["path"] for f in enabled if f["code"] == "EX001"} == {"deploy.yaml", "worker.yaml"}
    r = run_shiplint("check", *args, "--select", "EX001", ".", cwd=project, env=env)
    assert r.code == 2 and "unknown rule or prefix 'EX001'" in r.err
    if how == "environment":
        assert "EX001" not in run_shiplint("rules", cwd=project, env=env).out
        rows = [line.split() for line in run_shiplint("plugins", cwd=project, env=env).out.splitlines()]
        assert ["example", "0.3.1", "shiplint-example-plugin", "(disabled)"] in rows


def _hostile_repo(root: Path, marker: Path) -> None:
    """A repository that tries every way of getting its code loaded as a plugin."""
    payload = (
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('loaded')\n"
        "from shiplint.hookspecs import hookimpl\n"
        "@hookimpl\n"
        "def shiplint_reporters():\n"
        "    return {'evil': lambda report, options: 'pwned'}\n"
    )
    (root / "evil_plugin.py").write_text(payload)
    (root / "conftest.py").write_text(payload)
    (root / "shiplint_plugins.py").write_text(payload)
    dist = root / "evil_plugin-6.6.6.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: evil-plugin\nVersion: 6.6.6\n")
    (dist / "entry_points.txt").write_text("[shiplint]\nevil = evil_plugin\n")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "evil-plugin"\nversion = "6.6.6"\n\n'
        '[project.entry-points.shiplint]\nevil = "evil_plugin"\n'
    )
    (root / "setup.cfg").write_text("[options.entry_points]\nshiplint =\n    evil = evil_plugin\n")
    (root / "deploy.yaml").write_text(DEPLOYMENTS)


def test_plugins_are_never_loaded_from_the_scanned_repository(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    marker = tmp_path / "marker"
    _hostile_repo(repo, marker)
    # `python -m shiplint` puts the current directory first on sys.path: scanning from inside
    for args in (["plugins"], ["check", "."], ["check", "--format", "evil", "."]):
        r = run_shiplint(*args, cwd=repo)
        assert "evil" not in r.out and "pwned" not in r.out, (args, r.out)
        assert not marker.exists(), f"repository code ran during {args}"
    assert "unknown format 'evil'" in run_shiplint("check", "--format", "evil", ".", cwd=repo).err
    # and from outside
    r = run_shiplint("check", str(repo), cwd=tmp_path)
    assert not marker.exists() and "evil" not in r.out
    # control: the very same distribution, deliberately put on the path (installed), is a plugin
    r = run_shiplint("plugins", cwd=tmp_path, env=_env_with(repo))
    assert ["evil", "6.6.6", "evil-plugin"] in [line.split() for line in r.out.splitlines()]
    assert marker.exists()


def test_broken_plugin_is_a_usage_error_that_names_it(tmp_path):
    site = tmp_path / "site"
    dist = site / "broken_plugin-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[shiplint]\nbroken = broken_plugin\n")
    (site / "broken_plugin.py").write_text("raise RuntimeError('boom')\n")
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENTS)
    r = run_shiplint("check", "deploy.yaml", cwd=tmp_path, env=_env_with(site))
    assert r.code == 2
    assert "plugin 'broken' (broken-plugin 1.0) failed to load: RuntimeError: boom" in r.err
    assert "--disable-plugin broken" in r.err and "Traceback" not in r.err
    r = run_shiplint("check", "--select", "KS101", "deploy.yaml", cwd=tmp_path,
                     env=_env_with(site, SHIPLINT_DISABLE_PLUGINS="broken"))
    assert r.code == 0, r.err


# -- the plugin manager in-process -------------------------------------------------------------

class _Dup:
    """A plugin redefining a built-in code."""

    def __init__(self, rules):
        self._rules = rules

    from shiplint.hookspecs import hookimpl

    @hookimpl
    def shiplint_rules(self):
        return self._rules


def _plugins_with(obj, name="third"):
    from shiplint.plugins import Plugins

    p = Plugins(load_entry_points=False)
    p.pm.register(obj, name=name)
    return p


def test_duplicate_code_across_plugins_is_a_usage_error():
    from shiplint.core.errors import UsageError
    from shiplint.plugins import Plugins

    ks101 = Plugins(load_entry_points=False).rules()["KS101"]
    with pytest.raises(UsageError, match="rule KS101 is defined by both plugin 'builtin' and plugin 'third'"):
        _plugins_with(_Dup([ks101])).rules()


def test_plugin_returning_garbage_is_a_usage_error():
    from shiplint.core.errors import UsageError

    with pytest.raises(UsageError, match="plugin 'third': shiplint_rules\\(\\) must return Rule objects"):
        _plugins_with(_Dup(["not a rule"])).rules()


def test_plugin_rules_can_be_the_decorated_functions_and_get_the_plugin_name():
    from shiplint.core.findings import Hit
    from shiplint.registry.rule import rule

    meta = {
        "code": "TP001", "name": "always-fires", "level": "note", "target": "resource",
        "summary": "A test rule that fires on every resource",
        "rationale": "It exists to test the plugin manager.", "fix": "Nothing to fix.",
        "example": "kind: ConfigMap",
    }

    @rule("TP001", metadata=meta)
    def always(resource, ctx):
        yield Hit("hit", resource.anchor)

    rules = _plugins_with(_Dup([always]), name="tp").rules()
    assert rules["TP001"].plugin == "tp"
    assert list(rules) == sorted(rules)


def test_plugin_metadata_is_validated_at_import():
    from shiplint.core.errors import UsageError
    from shiplint.registry.rule import rule

    with pytest.raises(UsageError, match="invalid rule metadata TP002: level"):
        rule("TP002", metadata={"code": "TP002", "name": "x", "level": "fatal", "target": "resource",
                                "summary": "A test rule with a bad level", "rationale": "x" * 20,
                                "fix": "Nothing to fix.", "example": "x"})(lambda resource, ctx: ())
