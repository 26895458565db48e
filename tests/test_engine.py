"""The engine's contract with rules and reporters: a failure is reported, never silent, never
fatal to the other findings; per-run plugin data does not outlive the run."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import run_shiplint

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: nginx:latest
"""

PLUGIN = '''
from shiplint.findings import Hit
from shiplint.hookspecs import hookimpl
from shiplint.rule import rule

META = {"code": "BR001", "name": "always-raises", "level": "warning", "target": "resource",
        "summary": "A rule whose check raises", "rationale": "It exists to test error reporting.",
        "fix": "Nothing to fix.", "example": "kind: ConfigMap"}


@rule("BR001", metadata=META)
def always_raises(resource, ctx):
    raise ValueError("deliberate failure")
    yield


def broken_format(report, options):
    raise KeyError("no such field")


@hookimpl
def shiplint_rules():
    return [always_raises]


@hookimpl
def shiplint_reporters():
    return {"broken": broken_format}
'''


def _site(tmp_path: Path) -> dict:
    site = tmp_path / "site"
    dist = site / "broken_rule-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-rule\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[shiplint]\nbroken = broken_rule\n")
    (site / "broken_rule.py").write_text(PLUGIN)
    parts = [str(site)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
    return {"PYTHONPATH": os.pathsep.join(parts)}


def test_a_rule_that_raises_is_reported_in_every_format_and_exits_2(tmp_path):
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT)
    env = _site(tmp_path)
    for fmt in ("text", "json", "sarif", "github", "gitlab", "junit"):
        r = run_shiplint("check", "--no-config", "--format", fmt, "deploy.yaml", cwd=tmp_path, env=env)
        assert r.code == 2, (fmt, r.code, r.err)
        assert "rule BR001 failed on deploy.yaml: ValueError: deliberate failure" in r.err, fmt
        assert "Traceback" not in r.err
        # every other finding is still there
        assert "KS102" in r.out, fmt
    r = run_shiplint("check", "--no-config", "--format", "sarif", "deploy.yaml", cwd=tmp_path, env=env)
    run = json.loads(r.out)["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("BR001" in n["message"]["text"] for n in notes)
    assert run["invocations"][0]["executionSuccessful"] is False


def test_a_rule_that_raises_does_not_hide_behind_fail_on_never(tmp_path):
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT)
    r = run_shiplint("check", "--no-config", "--fail-on", "never", "deploy.yaml", cwd=tmp_path, env=_site(tmp_path))
    assert r.code == 2 and "BR001" in r.err


def test_a_reporter_that_raises_keeps_the_findings_and_exits_2(tmp_path):
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT)
    r = run_shiplint("check", "--no-config", "--ignore", "BR001", "--format", "broken", "deploy.yaml",
                     cwd=tmp_path, env=_site(tmp_path))
    assert r.code == 2
    assert "the broken reporter failed: KeyError" in r.err and "Traceback" not in r.err
    assert {f["code"] for f in json.loads(r.out)} >= {"KS102"}


def test_plugin_pod_template_paths_do_not_outlive_the_engine(tmp_path):
    from shiplint.engine import Engine, Options
    from shiplint.plugins import Plugins

    widget = tmp_path / "widget.yaml"
    # a Pod-like kind (its own spec holds the containers): nested templates are recognised by
    # their shape without any plugin, the object's root only when a plugin says so
    widget.write_text("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
                      "spec:\n  containers:\n    - name: c\n      image: nginx:latest\n")

    class PodPaths:
        from shiplint.hookspecs import hookimpl

        @hookimpl
        def shiplint_pod_template_paths(self):
            return {"Widget": ()}

    with_plugin = Plugins(load_entry_points=False)
    with_plugin.pm.register(PodPaths(), name="widgets")
    opts = dict(select=["KS102"], root=str(tmp_path))
    first = Engine(Options(**opts), with_plugin).run([str(widget)])
    assert [f.code for f in first.findings] == ["KS102"]
    # a later engine of the same process without that plugin knows nothing of Widgets
    second = Engine(Options(**opts), Plugins(load_entry_points=False)).run([str(widget)])
    assert second.findings == []
