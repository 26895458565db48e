"""A monorepo as a CI job and a developer see it: output locations relative to the repository
root wherever shiplint runs, and each service's own ``.shiplint.yaml`` applied to its files.

The runs use the installed console script (``shiplint``), as a user would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import Result, assert_valid_sarif

UNPINNED_DF = "FROM alpine\nRUN apk add curl\n"
DEPLOY = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: NAME}
    spec:
      selector: {matchLabels: {app: NAME}}
      template:
        metadata: {labels: {app: NAME}}
        spec:
          containers:
          - name: NAME
            image: nginx
    """)


def _console_script() -> list[str]:
    script = Path(sys.executable).parent / "shiplint"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "shiplint"]


def shiplint(*args, cwd) -> Result:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_SERVER_URL", None)
    proc = subprocess.run([*_console_script(), *map(str, args)], cwd=cwd, capture_output=True, env=env, timeout=300)
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


@pytest.fixture
def mono(tmp_path) -> Path:
    r = tmp_path / "mono"
    r.mkdir()
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(r)], check=True, capture_output=True)
    else:  # the root is found by the .git entry alone, never by running git
        (r / ".git").mkdir()
    (r / ".shiplint.yaml").write_text("severity:\n  DF101: error\nfail-on: warning\n")
    a = r / "svc-a"
    (a / "k8s").mkdir(parents=True)
    # svc-a relaxes the root's rules: its own file replaces the root's for the files below it
    (a / ".shiplint.yaml").write_text(textwrap.dedent("""\
        ignore: [DF101]
        severity:
          KS101: note
        per-file-ignores:
          "k8s/legacy.yaml": [KS102]
        """))
    (a / "Dockerfile").write_text(UNPINNED_DF)
    (a / "k8s" / "deploy.yaml").write_text(DEPLOY.replace("NAME", "a"))
    (a / "k8s" / "legacy.yaml").write_text(DEPLOY.replace("NAME", "legacy"))
    b = r / "svc-b"
    (b / "k8s").mkdir(parents=True)
    (b / "Dockerfile").write_text(UNPINNED_DF)
    (b / "k8s" / "deploy.yaml").write_text(DEPLOY.replace("NAME", "b"))
    return r


def _locations(result: Result) -> list[tuple]:
    assert result.code in (0, 1), result.err
    return sorted((f["path"], f["region"]["line"], f["region"]["column"], f["code"], f["level"]) for f in result.json())


def _sarif_locations(result: Result) -> list[tuple]:
    assert result.code in (0, 1), result.err
    data = assert_valid_sarif(result.out)
    run = data["runs"][0]
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    out = []
    for res in run["results"]:
        phys = res["locations"][0]["physicalLocation"]
        assert phys["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        out.append((phys["artifactLocation"]["uri"], phys["region"]["startLine"], res["ruleId"], res["level"]))
    return sorted(out)


def _under(locations, prefix):
    return [loc for loc in locations if loc[0].startswith(prefix)]


def test_root_and_service_runs_give_the_same_root_relative_locations(mono):
    from_root = _locations(shiplint("check", "--format", "json", ".", cwd=mono))
    from_svc = _locations(shiplint("check", "--format", "json", ".", cwd=mono / "svc-a"))
    explicit = _locations(shiplint("check", "--format", "json", "Dockerfile", "k8s/deploy.yaml", "k8s/legacy.yaml",
                                   cwd=mono / "svc-a"))
    named = _locations(shiplint("check", "--format", "json", "svc-a", cwd=mono))
    assert from_svc and all(p.startswith("svc-a/") for p, *_ in from_svc), from_svc
    assert _under(from_root, "svc-a/") == from_svc == explicit == named
    assert _under(from_root, "svc-b/")  # the root run sees the other service too
    sarif_root = _sarif_locations(shiplint("check", "--format", "sarif", ".", cwd=mono))
    sarif_svc = _sarif_locations(shiplint("check", "--format", "sarif", ".", cwd=mono / "svc-a"))
    assert _under(sarif_root, "svc-a/") == sarif_svc
    assert {u for u, *_ in sarif_svc} == {"svc-a/Dockerfile", "svc-a/k8s/deploy.yaml", "svc-a/k8s/legacy.yaml"}


@pytest.mark.parametrize("cwd", [".", "svc-a"])
def test_the_nested_configuration_governs_the_files_below_it(mono, cwd):
    found = _locations(shiplint("check", "--format", "json", mono, cwd=mono / cwd))
    codes = {(p, code): level for p, _l, _c, code, level in found}
    # the root's configuration: DF101 raised to an error, KS101 a warning
    assert codes[("svc-b/Dockerfile", "DF101")] == "error"
    assert codes[("svc-b/k8s/deploy.yaml", "KS101")] == "warning"
    assert ("svc-b/k8s/deploy.yaml", "KS102") in codes
    # svc-a's: DF101 ignored, KS101 lowered to a note, KS102 off in its legacy file only
    assert ("svc-a/Dockerfile", "DF101") not in codes
    assert ("svc-a/Dockerfile", "DF102") in codes
    assert codes[("svc-a/k8s/deploy.yaml", "KS101")] == "note"
    assert ("svc-a/k8s/deploy.yaml", "KS102") in codes
    assert ("svc-a/k8s/legacy.yaml", "KS102") not in codes


def test_the_command_line_wins_over_a_nested_configuration(mono):
    found = _locations(shiplint("check", "--format", "json", "--select", "DF101,KS101,DF102", "--ignore", "DF102",
                                ".", cwd=mono))
    # --select replaces each file's selection, --ignore adds to each file's ignore (svc-a's DF101 stays off)
    assert {(p, code) for p, _l, _c, code, _lv in found} == {
        ("svc-a/k8s/deploy.yaml", "KS101"), ("svc-a/k8s/legacy.yaml", "KS101"),
        ("svc-b/Dockerfile", "DF101"), ("svc-b/k8s/deploy.yaml", "KS101"),
    }
    # the command line chose the rules; the levels are still each file's configuration's
    assert {(p, lv) for p, _l, _c, code, lv in found if code == "KS101"} == {
        ("svc-a/k8s/deploy.yaml", "note"), ("svc-a/k8s/legacy.yaml", "note"), ("svc-b/k8s/deploy.yaml", "warning")}
    # --config names the one file every file takes: no nested configuration then
    found = _locations(shiplint("check", "--format", "json", "--config", ".shiplint.yaml", ".", cwd=mono))
    assert ("svc-a/Dockerfile", "DF101", "error") in {(p, c, lv) for p, _l, _c, c, lv in found}


@pytest.mark.parametrize("fmt, expected", [
    ("text", "./svc-a/Dockerfile:1:6"),
    ("github", "file=svc-a/Dockerfile,line=1"),
    ("gitlab", '"path": "svc-a/Dockerfile"'),
    ("junit", "svc-a/Dockerfile"),
    ("markdown", "svc-a/Dockerfile"),
])
def test_every_format_names_the_file_from_the_root(mono, fmt, expected):
    r = shiplint("check", "--format", fmt, ".", cwd=mono / "svc-a")
    assert r.code == 1, r.err
    assert expected in r.out
    assert "./Dockerfile" not in r.out and '"Dockerfile"' not in r.out and "file=Dockerfile" not in r.out


def test_a_baseline_matches_wherever_it_was_written(mono):
    w = shiplint("check", "--write-baseline", "baseline.json", ".", cwd=mono)
    assert w.code == 0, w.err
    recorded = json.loads((mono / "baseline.json").read_text())["findings"]
    assert any(e["path"] == "svc-a/Dockerfile" for e in recorded)
    r = shiplint("check", "--format", "json", "--baseline", "../baseline.json", ".", cwd=mono / "svc-a")
    assert r.code == 0 and r.json() == [], r.out
    # written from the service, read from the root
    w = shiplint("check", "--write-baseline", "svc-a.baseline.json", ".", cwd=mono / "svc-a")
    assert w.code == 0, w.err
    r = shiplint("check", "--format", "json", "--baseline", "svc-a/svc-a.baseline.json", "svc-a", cwd=mono)
    assert r.code == 0 and r.json() == [], r.out


def test_a_run_wide_setting_in_a_nested_configuration_is_said_to_be_ignored(mono):
    (mono / "svc-a" / ".shiplint.yaml").write_text("fail-on: never\nignore: [DF101]\n")
    r = shiplint("check", "--format", "json", ".", cwd=mono)
    assert r.code == 1  # the root's fail-on: warning
    assert "svc-a/.shiplint.yaml:1: fail-on: run-wide setting ignored in a nested configuration" in r.err


def test_nested_configurations_with_several_jobs(mono):
    # enough bytes to spread the run over worker processes
    (mono / "svc-a" / "k8s" / "big.yaml").write_text("# padding\n" * 40_000 + DEPLOY.replace("NAME", "big"))
    one = _locations(shiplint("check", "--format", "json", "--jobs", "1", ".", cwd=mono))
    two = _locations(shiplint("check", "--format", "json", "--jobs", "2", ".", cwd=mono))
    assert one == two
    assert ("svc-a/Dockerfile", "DF101") not in {(p, c) for p, _l, _col, c, _lv in two}


def test_sarif_settings_from_the_configuration(mono):
    (mono / "svc-b" / "Dockerfile").write_text("# shiplint ignore=DF101 -- accepted\n" + UNPINNED_DF)
    (mono / ".shiplint.yaml").write_text("sarif-suppressed: include\nsarif-category: mono\nsarif-max-results: 3\n")
    r = shiplint("check", "--format", "sarif", "svc-b", cwd=mono)
    run = json.loads(r.out)["runs"][0]
    assert run["automationDetails"]["id"] == "mono/"
    assert len(run["results"]) == 3
    r = shiplint("check", "--format", "sarif", "--sarif-max-results", "0", "svc-b", cwd=mono)
    results = json.loads(r.out)["runs"][0]["results"]
    assert any(res.get("suppressions") for res in results)  # included, as the configuration says
    (mono / ".shiplint.yaml").write_text("sarif-suppressed: hide\n")
    r = shiplint("check", "--format", "sarif", "svc-b", cwd=mono)
    assert r.code == 2 and "sarif-suppressed" in r.err


def test_a_cross_resource_rule_selected_only_in_a_nested_configuration(mono):
    (mono / ".shiplint.yaml").write_text("select: [DF]\n")
    (mono / "svc-a" / ".shiplint.yaml").write_text("select: [KS604]\n")
    found = _locations(shiplint("check", "--format", "json", ".", cwd=mono))
    assert {(p, code) for p, _l, _c, code, _lv in found if code.startswith("KS")} == {
        ("svc-a/k8s/deploy.yaml", "KS604"), ("svc-a/k8s/legacy.yaml", "KS604")}
    assert ("svc-b/Dockerfile", "DF101") in {(p, code) for p, _l, _c, code, _lv in found}
