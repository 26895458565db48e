"""The command line as CI users meet it: every flag a message suggests exists, a mistyped path
or a misplaced -f is a usage error, FORCE_COLOR, several reports in one run."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import click

from conftest import assert_valid_sarif, run_shiplint
from shiplint import cli

SRC = Path(cli.__file__).parent
#: Parts of shiplint that write messages to users (model/ and sources/ quote the flags of the
#: tools they parse, apt-get's or docker's, which are no suggestion)
MESSAGE_PARTS = ("cli.py", "config.py", "ruledocs.py", "progress.py", "engine", "inputs", "plugins", "registry",
                 "reporters", "core")
_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
#: Other tools' flags that shiplint passes to them (quoted in their command lines and docstrings)
OTHER_TOOLS = {"--include-crds": "helm template", "--enable-helm": "kustomize build"}
MANIFEST = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n"


def _cli_flags() -> set[str]:
    flags = set(cli.cli.context_settings["help_option_names"])
    commands = [cli.cli]
    for command in commands:
        commands.extend(getattr(command, "commands", {}).values())  # groups' subcommands too
        for param in command.params:
            if isinstance(param, click.Option):
                flags.update(o for o in param.opts + param.secondary_opts if o.startswith("--"))
    return flags


def _strings(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_every_suggested_flag_exists():
    flags = _cli_flags()
    assert {"--exclude", "--helm-bin", "--kustomize-bin", "--format", "--sarif-suppressed"} <= flags
    files = []
    for part in MESSAGE_PARTS:
        p = SRC / part
        files += [p] if p.is_file() else sorted(p.rglob("*.py"))
    unknown = []
    for path in files:
        for line, text in _strings(path):
            for flag in _FLAG.findall(text):
                if flag not in flags and flag not in OTHER_TOOLS:
                    unknown.append(f"{path.relative_to(SRC)}:{line}: {flag}")
    assert not unknown, unknown


def test_values_file_without_a_chart_is_a_usage_error(tmp_path):
    (tmp_path / "pod.yaml").write_text(MANIFEST)
    r = run_shiplint("check", "--no-config", "-f", "sarif", "pod.yaml", cwd=tmp_path)
    assert r.code == 2 and r.out == ""
    assert "-f/--values is for Helm chart renders, and no chart is scanned here" in r.err
    assert "--format" in r.err
    r = run_shiplint("check", "--no-config", "--set", "a=b", ".", cwd=tmp_path)
    assert r.code == 2 and "--set is for Helm chart renders" in r.err


def test_force_color(tmp_path):
    (tmp_path / "pod.yaml").write_text(MANIFEST)
    args = ("check", "--no-config", "--select", "KS101", ".")
    def out(*extra, **env):
        return run_shiplint(*args, *extra, cwd=tmp_path, env={"NO_COLOR": "", "FORCE_COLOR": "", **env}).out

    assert "\x1b[" not in out() and "\x1b[" in out(FORCE_COLOR="1")
    assert "\x1b[" not in out(FORCE_COLOR="1", NO_COLOR="1")
    assert "\x1b[" not in out("--color", "never", FORCE_COLOR="1")
    assert "\x1b[" not in out(FORCE_COLOR="0")


def test_several_reports_in_one_run(tmp_path):
    (tmp_path / "pod.yaml").write_text(MANIFEST)
    r = run_shiplint("check", "--no-config", "--select", "KS101", "--format", "text", "--format",
                     "sarif:shiplint.sarif", "--format", "junit:report.xml", ".", cwd=tmp_path)
    assert r.code == 1, r.err
    assert "KS101" in r.out and not r.out.lstrip().startswith("{")
    assert_valid_sarif(json.loads((tmp_path / "shiplint.sarif").read_text()))
    assert (tmp_path / "report.xml").read_text().startswith("<?xml")
    # two reports for standard output cannot be told apart: refused before anything runs
    r = run_shiplint("check", "--no-config", "--format", "text", "--format", "json", ".", cwd=tmp_path)
    assert r.code == 2 and "give each but one a file" in r.err
    r = run_shiplint("check", "--no-config", "--format", "nope:x.txt", ".", cwd=tmp_path)
    assert r.code == 2 and "unknown format 'nope'" in r.err and not (tmp_path / "x.txt").exists()
    # --output takes the bare one
    r = run_shiplint("check", "--no-config", "--select", "KS101", "--format", "json", "--format", "sarif:s.sarif",
                     "-o", "r.json", ".",
                     cwd=tmp_path)
    assert r.out == "" and json.loads((tmp_path / "r.json").read_text())[0]["code"] == "KS101"
