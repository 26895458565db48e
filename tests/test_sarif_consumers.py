"""SARIF as its consumers read it: the SARIF Multitool's "Sarif;Gh;Ghas" rules (a pure-Python
stand-in in sarif_consumers.py, and the Multitool itself when installed) and GitHub code
scanning's limits, on the corpus slice, a 30,000-result report and hostile file names."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from urllib.parse import unquote_to_bytes

import pytest

from conftest import CORPUS_SLICE, assert_valid_sarif, run_shiplint
from sarif_consumers import consumer_problems
from shiplint.core.findings import Finding, Location, Region
from shiplint.engine.options import Report
from shiplint.plugins import Plugins
from shiplint.reporters import sarif

HOSTILE_NAMES = ["a b.yaml", "#frag.yaml", "q?x=1.yaml", "[x].yaml", "%41.yaml", "100%.yaml",
                 "é-ü.yaml", "中文.yaml", "semi;colon.yaml", "colon:first.yaml", "tab\tname.yaml",
                 "plus+and&.yaml", "back\\slash.yaml"]
MANIFEST = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n"


def _multitool_problems(path) -> list[str]:
    """The real SARIF Multitool, when it is on PATH (``sarif`` from the .NET tool)."""
    tool = shutil.which("sarif")
    if tool is None:
        return []
    out = str(path) + ".validation.sarif"
    subprocess.run([tool, "validate", str(path), "--rule-kind", "Sarif;Gh;Ghas", "--output", out,
                    "--force"], capture_output=True, text=True, timeout=600)
    with open(out, encoding="utf-8") as fh:
        results = json.load(fh)["runs"][0].get("results", [])
    return [f"{r['ruleId']}: {r['message'].get('text', '')}" for r in results
            if r.get("level", "warning") in ("error", "warning")]


def assert_consumers_accept(log: dict, tmp_path=None) -> dict:
    assert_valid_sarif(log)
    problems = consumer_problems(log)
    assert not problems, problems[:10]
    if tmp_path is not None and shutil.which("sarif"):
        path = tmp_path / "out.sarif"
        path.write_text(json.dumps(log), encoding="utf-8")
        assert not _multitool_problems(path)
    return log


# -- the stand-in itself -----------------------------------------------------------------------

def _small_log(tmp_path) -> dict:
    (tmp_path / "pod.yaml").write_text(MANIFEST)
    r = run_shiplint("check", "--no-config", "--format", "sarif", "pod.yaml", cwd=tmp_path)
    return json.loads(r.out)


def test_stand_in_catches_what_the_consumers_reject(tmp_path):
    good = assert_consumers_accept(_small_log(tmp_path))
    res = lambda log: log["runs"][0]["results"][0]  # noqa: E731
    rule = lambda log: log["runs"][0]["tool"]["driver"]["rules"][0]  # noqa: E731
    breakages = {
        "SARIF1002": lambda log: res(log)["locations"][0]["physicalLocation"]["artifactLocation"].update(uri="a b#c"),
        "GH1005": lambda log: res(log)["locations"][0]["physicalLocation"]["artifactLocation"].update(uri="/abs/x"),
        "GH1003": lambda log: res(log)["locations"][0]["physicalLocation"]["region"].pop("startLine"),
        "SARIF1010": lambda log: res(log).update(ruleId="NOPE"),
        "SARIF2001": lambda log: res(log)["message"].update(text="no period"),
        "GHAS1015": lambda log: res(log).pop("partialFingerprints"),
        "GHAS2012": lambda log: rule(log).pop("fullDescription"),
        "precision": lambda log: rule(log)["properties"].pop("precision"),
        "problem.severity": lambda log: rule(log)["properties"].update({"problem.severity": "high"}),
        "security-severity": lambda log: rule(log)["properties"].update(tags=["style"]),
        "results": lambda log: log["runs"][0].update(results=log["runs"][0]["results"] * 25_001),
        "second run": lambda log: log["runs"].append(copy.deepcopy(log["runs"][0])),
        "not linked": lambda log: res(log).update(relatedLocations=[copy.deepcopy(res(log)["locations"][0]) | {
            "id": 0, "message": {"text": "x."}}]),
    }
    for name, breaks in breakages.items():
        log = copy.deepcopy(good)
        breaks(log)
        assert consumer_problems(log), name


# -- real inputs ---------------------------------------------------------------------------------

def test_corpus_slice(tmp_path):
    r = run_shiplint("check", str(CORPUS_SLICE), "--format", "sarif", "--fail-on", "never",
                     "--sarif-suppressed", "include")
    assert r.code == 0, r.err
    log = assert_consumers_accept(json.loads(r.out), tmp_path)
    run = log["runs"][0]
    assert len(run["results"]) > 100
    # every rule the run uses is described, with GitHub's properties
    assert {x["ruleId"] for x in run["results"]} <= {x["id"] for x in run["tool"]["driver"]["rules"]}


def test_hostile_file_names_round_trip(tmp_path):
    made = []
    for name in HOSTILE_NAMES:
        try:
            (tmp_path / name).write_text(MANIFEST)
        except OSError:  # a file system that refuses the name
            continue
        made.append(name)
    raw = os.path.join(os.fsencode(tmp_path), b"bad-\xff.yaml")  # not UTF-8
    with open(raw, "w") as fh:
        fh.write(MANIFEST)
    r = run_shiplint("check", "--no-config", "--format", "sarif", "--select", "KS101", ".", cwd=tmp_path)
    assert r.code == 1, r.err
    log = assert_consumers_accept(json.loads(r.out), tmp_path)
    uris = {x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in log["runs"][0]["results"]}
    decoded = {unquote_to_bytes(u) for u in uris}
    assert decoded == {n.encode() for n in made} | {b"bad-\xff.yaml"}


def test_rendered_positions_point_at_files(tmp_path):
    chart = CORPUS_SLICE / "helm"
    r = run_shiplint("check", str(chart), "--format", "sarif", "--fail-on", "never")
    log = assert_consumers_accept(json.loads(r.out), tmp_path)
    related = [loc for x in log["runs"][0]["results"] for loc in x.get("relatedLocations", [])]
    assert related, "the corpus charts give findings with rendered positions"
    for loc in related:
        uri = unquote_to_bytes(loc["physicalLocation"]["artifactLocation"]["uri"]).decode()
        assert os.path.isfile(os.path.join(os.getcwd(), uri)) or os.path.isfile(uri), uri


# -- GitHub's limits -------------------------------------------------------------------------------

def _big_report(n: int) -> Report:
    rules = Plugins().rules()
    findings = []
    for i in range(n):
        level = "error" if i % 1000 == 7 else "note" if i % 3 else "warning"
        f = Finding("KS101", "image-not-pinned-by-digest", level, f"finding {i}", f"dir{i % 50}/f{i}.yaml",
                    Region(1 + i % 400, 1), related=[Location(f"other{i}.yaml", Region(2, 1), "the other")])
        f.fingerprint = f"{i:032x}"
        findings.append(f)
    return Report(findings, {"KS101": rules["KS101"]}, [], [], ".")


def test_thirty_thousand_results_keep_the_most_severe_and_say_so(tmp_path):
    report = _big_report(30_000)
    log = assert_consumers_accept(sarif.build(report, {}), tmp_path)
    (run,) = log["runs"]
    assert len(run["results"]) == 25_000
    kept = [x["level"] for x in run["results"]]
    levels = [f.level for f in report.findings]
    for level in ("error", "warning"):  # every more severe one is kept
        assert kept.count(level) == levels.count(level) > 0
    assert kept.count("note") == 25_000 - levels.count("error") - levels.count("warning")
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any(n["message"]["text"].startswith("5000 more results left out") for n in notes)
    # no limit asked: every result
    assert len(sarif.build(report, {"sarif_max_results": 0})["runs"][0]["results"]) == 30_000


def test_limit_notice_on_stderr_and_the_exit_status_counts_everything(tmp_path):
    for i in range(3):
        (tmp_path / f"p{i}.yaml").write_text(MANIFEST)
    r = run_shiplint("check", "--no-config", "--select", "KS101", "--format", "sarif", "--sarif-max-results", "2",
                     ".", cwd=tmp_path)
    assert r.code == 1
    assert len(json.loads(r.out)["runs"][0]["results"]) == 2
    assert "1 more result left out of the SARIF run" in r.err


def test_every_rule_has_precision_severity_and_consistent_security_severity():
    # a run describes only the rules its results use: one result of every rule describes them all
    rules = Plugins().rules()
    findings = [Finding(code, rule.meta.name, rule.meta.level, "x", "Dockerfile", Region(1, 1, 1, 2))
                for code, rule in rules.items()]
    report = Report(findings, rules, [], [], ".")
    log = sarif.build(report, {})
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(report.rules)
    assert not consumer_problems(log)
    for meta in (r.meta for r in report.rules.values()):
        assert ("security" in meta.tags) == (meta.security_severity is not None), meta.code


@pytest.mark.parametrize("choice", ["include", "exclude"])
def test_suppressed_choice(tmp_path, choice):
    (tmp_path / "pod.yaml").write_text(MANIFEST.replace("image: nginx:1.25",
                                                        "image: nginx:1.25  # shiplint ignore=KS101 -- test"))
    r = run_shiplint("check", "--no-config", "--select", "KS101", "--format", "sarif",
                     f"--sarif-suppressed={choice}", ".", cwd=tmp_path)
    assert r.code == 0
    results = assert_consumers_accept(json.loads(r.out))["runs"][0]["results"]
    assert len(results) == (1 if choice == "include" else 0)
