"""docs/ci.md: every snippet parses, names real options and hooks, and the documented commands
produce the files the CI configuration hands to GitHub and GitLab."""

from __future__ import annotations

import io
import json
import re
import shlex

import pytest
from ruamel.yaml import YAML

from conftest import FIXTURES, ROOT, assert_valid_sarif, run_shiplint

DOC = ROOT / "docs" / "ci.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


def _blocks(lang: str) -> list[str]:
    return [body for kind, body in FENCE.findall(DOC.read_text(encoding="utf-8")) if kind == lang]


def _load(text: str):
    return YAML(typ="safe", pure=True).load(io.StringIO(text))


YAML_DOCS = [_load(b) for b in _blocks("yaml")]


def _find(pred):
    found = [d for d in YAML_DOCS if pred(d)]
    assert found, "snippet not found in docs/ci.md"
    return found


def github_workflow() -> dict:
    (wf,) = _find(lambda d: isinstance(d, dict) and "jobs" in d)
    return wf


def gitlab_job() -> dict:
    (job,) = _find(lambda d: isinstance(d, dict) and "shiplint" in d and "script" in (d["shiplint"] or {}))
    return job["shiplint"]


def precommit_configs() -> list[dict]:
    return _find(lambda d: isinstance(d, dict) and "repos" in d)


def _shell_lines() -> list[str]:
    """Every command line in the docs: `run:` steps, GitLab `script:` items, sh blocks."""
    lines: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("run", "script") and isinstance(v, str):
                    lines.extend(v.splitlines())
                elif k == "script" and isinstance(v, list):
                    lines.extend(x for x in v if isinstance(x, str))
                else:
                    walk(v)
        elif isinstance(node, list):
            for x in node:
                walk(x)

    walk(YAML_DOCS)
    for block in _blocks("sh"):
        lines.extend(block.splitlines())
    return lines


def shiplint_commands() -> list[list[str]]:
    """The arguments after `shiplint check` of each documented invocation."""
    out = []
    for line in _shell_lines():
        for segment in re.split(r"\|\||&&|[|;]", line):
            words = shlex.split(segment, comments=True)
            if words[:2] == ["shiplint", "check"]:
                out.append(words[2:])
    return out


def _help_options() -> set[str]:
    r = run_shiplint("check", "--help")
    assert r.code == 0
    return set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", r.out))


def _option_names(args: list[str]) -> list[str]:
    return [a.split("=", 1)[0] for a in args if a.startswith("-") and a != "-"]


def _opt(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_every_yaml_snippet_parses():
    assert len(YAML_DOCS) == len(_blocks("yaml")) >= 5
    assert all(d is not None for d in YAML_DOCS)


def test_documented_commands_use_real_options_and_formats():
    options = _help_options()
    commands = shiplint_commands()
    assert len(commands) >= 5
    for args in commands:
        unknown = [o for o in _option_names(args) if o not in options]
        assert not unknown, f"shiplint check {' '.join(args)}: unknown {unknown}"
        if "--format" in args:
            assert _opt(args, "--format") in {"text", "json", "sarif", "github", "gitlab", "junit"}
    for cfg in precommit_configs():  # hook args go to `shiplint check` too
        for repo in cfg["repos"]:
            for hook in repo["hooks"]:
                unknown = [o for o in _option_names(hook.get("args", [])) if o not in options]
                assert not unknown, unknown


def test_github_workflow_uploads_sarif_always_with_the_right_permission():
    wf = github_workflow()
    assert wf["permissions"]["security-events"] == "write"
    (job,) = wf["jobs"].values()
    steps = job["steps"]
    upload = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    assert len(upload) == 1 and "always()" in upload[0]["if"]
    lint = [s for s in steps if "shiplint check" in s.get("run", "")]
    assert len(lint) == 1 and steps.index(lint[0]) < steps.index(upload[0])
    args = shlex.split(lint[0]["run"])[2:]
    assert _opt(args, "--format") == "sarif"
    assert _opt(args, "--output") == upload[0]["with"]["sarif_file"]


def _bad_repo(tmp_path):
    # the documented commands run unchanged (all rules): inputs clean for every rule but DF101 and
    # KS101 (tests/test_clean_fixtures.py), so the exit codes and rule sets below are exact
    (tmp_path / "Dockerfile").write_text((FIXTURES / "unpinned" / "Dockerfile").read_text())
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "deploy.yaml").write_text((FIXTURES / "unpinned" / "k8s" / "deploy.yaml").read_text())
    return tmp_path


def test_the_github_commands_work_as_documented(tmp_path):
    _bad_repo(tmp_path)
    wf = github_workflow()
    (job,) = wf["jobs"].values()
    (lint,) = [s for s in job["steps"] if "shiplint check" in s.get("run", "")]
    args = shlex.split(lint["run"])[2:]
    r = run_shiplint("check", *args, cwd=tmp_path)
    assert r.code == 1  # the gate; the upload step runs anyway thanks to if: always()
    sarif = assert_valid_sarif((tmp_path / _opt(args, "--output")).read_text())
    assert {x["ruleId"] for x in sarif["runs"][0]["results"]} == {"DF101", "KS101"}
    assert sarif["runs"][0]["automationDetails"]["id"] == _opt(args, "--sarif-category") + "/"

    (step,) = _find(lambda d: isinstance(d, list) and any("--format github" in s.get("run", "") for s in d))
    r = run_shiplint("check", *shlex.split(step[0]["run"])[2:], cwd=tmp_path)
    assert r.code == 1
    assert r.out.startswith("::warning file=Dockerfile,line=4,")
    assert "file=k8s/deploy.yaml,line=25," in r.out


def test_gitlab_job_declares_the_reports_the_script_writes(tmp_path):
    job = gitlab_job()
    assert job["artifacts"]["when"] == "always"
    reports = job["artifacts"]["reports"]
    commands = [shlex.split(s)[2:] for s in job["script"] if s.startswith("shiplint check")]
    by_format = {_opt(a, "--format"): a for a in commands}
    assert set(by_format) == {"gitlab", "junit"}
    assert reports["codequality"] == _opt(by_format["gitlab"], "--output")
    assert reports["junit"] == _opt(by_format["junit"], "--output")

    _bad_repo(tmp_path)
    codes = []
    for args in commands:  # run the script, in order, as GitLab would
        codes.append(run_shiplint("check", *args, cwd=tmp_path).code)
    assert codes == [0, 1]  # the test report never fails; the code-quality run is the gate
    cq = json.loads((tmp_path / reports["codequality"]).read_text())
    assert {(i["check_name"], i["location"]["path"]) for i in cq} == {("DF101", "Dockerfile"), ("KS101", "k8s/deploy.yaml")}
    assert "<testsuites" in (tmp_path / reports["junit"]).read_text()


def test_precommit_snippets_name_hooks_that_exist():
    manifest = _load((ROOT / ".pre-commit-hooks.yaml").read_text())
    ids = {h["id"] for h in manifest}
    assert ids == {"shiplint", "shiplint-dockerfile", "shiplint-k8s"}
    used = set()
    for cfg in precommit_configs():
        for repo in cfg["repos"]:
            assert repo["repo"].startswith("https://") and repo["rev"]
            used |= {h["id"] for h in repo["hooks"]}
    assert used and used <= ids
    text = DOC.read_text()
    for hook_id in ids:  # the table of hooks is complete
        assert f"| `{hook_id}` |" in text
    (try_repo,) = [line for line in _shell_lines() if line.startswith("pre-commit try-repo")]
    assert shlex.split(try_repo)[3] in ids


@pytest.mark.parametrize("hook_id", ["shiplint", "shiplint-dockerfile", "shiplint-k8s"])
def test_hooks_run_shiplint_check_serially(hook_id):
    manifest = {h["id"]: h for h in _load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = manifest[hook_id]
    assert hook["entry"] == "shiplint check" and hook["language"] == "python"
    assert hook["require_serial"] is True and hook.get("pass_filenames", True) is True
