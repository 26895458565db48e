"""Baselines: record today's findings, fail only on new ones, whatever moves around them."""

from __future__ import annotations

import json
from conftest import CLEAN_STAGE_TAIL, clean_container, clean_deployment, run_shiplint

# clean for every rule but DF101 / KS101 (tests/test_clean_fixtures.py): 2 + 2 findings, so the
# exit codes below are those of a repository whose only debt is what the baseline records
DOCKERFILE = "FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3.19\nCOPY --from=build /app /app\n" + CLEAN_STAGE_TAIL
DEPLOY = clean_deployment(("api", "ghcr.io/acme/api:1.3.0"), ("sidecar", "ghcr.io/acme/proxy:2"))
NEW_CONTAINER = clean_container("new", "ghcr.io/acme/new:1", port=8082)  # appends to DEPLOY's containers


def _legacy_repo(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "api.yaml").write_text(DEPLOY)
    return tmp_path


def test_adopt_on_a_legacy_repository(tmp_path):
    repo = _legacy_repo(tmp_path)
    assert run_shiplint("check", ".", cwd=repo).code == 1

    w = run_shiplint("check", "--write-baseline", "shiplint-baseline.json", ".", cwd=repo)
    assert w.code == 0, w.err
    assert "wrote 4 findings" in w.err
    assert run_shiplint("check", "--baseline", "shiplint-baseline.json", ".", cwd=repo).code == 0

    # lines inserted at the top of both files do not resurrect baselined findings
    (repo / "Dockerfile").write_text("# syntax=docker/dockerfile:1\n# build\n\n" + DOCKERFILE)
    (repo / "deploy" / "api.yaml").write_text("# deployed by Argo CD\n---\n" + DEPLOY)
    r = run_shiplint("check", "--baseline", "shiplint-baseline.json", ".", cwd=repo)
    assert r.code == 0, r.out

    # a new problem fails the build, and only the new finding is reported
    (repo / "deploy" / "api.yaml").write_text(
        "# deployed by Argo CD\n---\n" + DEPLOY + NEW_CONTAINER
    )
    r = run_shiplint("check", "--format", "json", "--baseline", "shiplint-baseline.json", ".", cwd=repo)
    assert r.code == 1
    found = r.json()
    assert [(f["code"], f["path"]) for f in found] == [("KS101", "deploy/api.yaml")]
    assert "'new'" in found[0]["message"]
    text = run_shiplint("check", "--baseline", "shiplint-baseline.json", ".", cwd=repo)
    assert "Found 1 finding" in text.out


def test_baseline_file_is_sorted_readable_and_line_free(tmp_path):
    repo = _legacy_repo(tmp_path)
    run_shiplint("check", "--write-baseline", "b.json", ".", cwd=repo)
    text = (repo / "b.json").read_text()
    data = json.loads(text)
    assert data["shiplint-baseline"] == 1
    entries = data["findings"]
    assert entries == sorted(entries, key=lambda e: (e["rule"], e["path"], e.get("subject", "")))
    assert {"rule": "KS101", "path": "deploy/api.yaml", "subject": "Deployment/app/api:containers[api].image"} in entries
    assert {"rule": "DF101", "path": "Dockerfile", "subject": "stage[build].from"} in entries
    # one finding per line: a fixed finding is a one-line diff
    lines = text.splitlines()
    assert len([ln for ln in lines if '"rule"' in ln]) == len(entries) == 4
    assert '"line"' not in text and '"column"' not in text and '"region"' not in text
    # writing it again gives the same bytes
    run_shiplint("check", "--write-baseline", "b.json", ".", cwd=repo)
    assert (repo / "b.json").read_text() == text


def test_repeated_identical_findings_are_counted(tmp_path):
    # the same objects repeated on purpose: only the rule under test, whatever else may flag that
    sel = ("--select", "KS101")
    (tmp_path / "d.yaml").write_text(DEPLOY + "---\n" + DEPLOY)
    run_shiplint("check", *sel, "--write-baseline", "b.json", ".", cwd=tmp_path)
    entries = json.loads((tmp_path / "b.json").read_text())["findings"]
    assert [e.get("count") for e in entries] == [2, 2]
    assert run_shiplint("check", *sel, "--baseline", "b.json", ".", cwd=tmp_path).code == 0
    (tmp_path / "d.yaml").write_text(DEPLOY + "---\n" + DEPLOY + "---\n" + DEPLOY)
    r = run_shiplint("check", *sel, "--format", "json", "--baseline", "b.json", ".", cwd=tmp_path)
    assert r.code == 1 and len(r.json()) == 2  # the third copy's two containers


def test_baseline_paths_are_relative_to_the_baseline_file(tmp_path):
    repo = _legacy_repo(tmp_path)
    run_shiplint("check", "--write-baseline", "b.json", ".", cwd=repo)
    # run from a subdirectory: paths in the output change, the baseline still matches
    r = run_shiplint("check", "--baseline", "../b.json", ".", "../Dockerfile", cwd=repo / "deploy")
    assert r.code == 0, r.out


def test_baseline_from_config_and_suppressed_findings_not_recorded(tmp_path):
    repo = _legacy_repo(tmp_path)
    (repo / "Dockerfile").write_text("# shiplint ignore=DF101 -- accepted\n" + DOCKERFILE)
    run_shiplint("check", "--write-baseline", ".shiplint-baseline.json", ".", cwd=repo)
    entries = json.loads((repo / ".shiplint-baseline.json").read_text())["findings"]
    assert len(entries) == 3  # the suppressed one is not in the baseline
    (repo / ".shiplint.yaml").write_text("baseline: .shiplint-baseline.json\n")
    assert run_shiplint("check", ".", cwd=repo).code == 0
    # removing the suppression brings the finding back: it was never baselined
    (repo / "Dockerfile").write_text(DOCKERFILE)
    assert run_shiplint("check", ".", cwd=repo).code == 1


def test_missing_or_broken_baseline_exits_2(tmp_path):
    repo = _legacy_repo(tmp_path)
    r = run_shiplint("check", "--baseline", "nope.json", ".", cwd=repo)
    assert r.code == 2 and "nope.json" in r.err and "--write-baseline" in r.err
    (repo / "bad.json").write_text('{\n  "shiplint-baseline": 1,\n  "findings": [,]\n}\n')
    r = run_shiplint("check", "--baseline", "bad.json", ".", cwd=repo)
    assert r.code == 2 and r.err.startswith("shiplint: error: bad.json:3: invalid baseline"), r.err
    (repo / "other.json").write_text('{"findings": []}')
    r = run_shiplint("check", "--baseline", "other.json", ".", cwd=repo)
    assert r.code == 2 and "not a shiplint baseline" in r.err
