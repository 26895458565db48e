"""The inputs that tests of mechanisms (configuration, suppressions, baselines, CI formats) share
must stay clean for every rule but the image-pinning ones, with ALL rules enabled: when a new rule
fires on them, this test says so in one place (harden the input), instead of a dozen tests failing
on a changed count or exit code."""

from __future__ import annotations

import re

from conftest import CLEAN_STAGE_TAIL, FIXTURES, clean_container, clean_deployment, lint_files, lint_text

UNPINNED = FIXTURES / "unpinned"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]+)@(\d+):(\d+)")


def test_unpinned_fixture_reports_exactly_its_expectations():
    report = lint_files([UNPINNED], root=UNPINNED)
    got = sorted((f.path, f.code, f.region.line, f.region.column) for f in report.findings)
    want = sorted(
        (p.relative_to(UNPINNED).as_posix(), code, int(line), int(col))
        for p in UNPINNED.rglob("*") if p.is_file()
        for code, line, col in EXPECT.findall(p.read_text(encoding="utf-8"))
    )
    assert got == want


def test_clean_stage_tail_leaves_only_df101(tmp_path):
    text = "FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3.19\nCOPY --from=build /app /app\n" + CLEAN_STAGE_TAIL
    findings = lint_text(tmp_path, text, "Dockerfile")
    assert [(f.code, f.region.line, f.region.column) for f in findings] == [("DF101", 1, 6), ("DF101", 3, 6)]


def test_clean_deployment_leaves_only_ks101(tmp_path):
    text = clean_deployment(("api", "ghcr.io/acme/api:1.3.0"), ("sidecar", "ghcr.io/acme/proxy:2"))
    text += clean_container("late", "ghcr.io/acme/late:1", port=9000)
    findings = lint_text(tmp_path, text, "d.yaml")
    lines = text.splitlines()
    images = [i + 1 for i, line in enumerate(lines) if line.strip().startswith("image:")]
    assert len(images) == 3
    assert [(f.code, f.region.line) for f in findings] == [("KS101", n) for n in images]
