"""Lint every file of the corpus's dockerfiles/ in one engine run (the slice in tests/corpus, and
the full corpus when it is there).

No rule may fail (no internal-error notification), the template files (``{{ }}``,
``%%VAR%%``) give SL001 and nothing else, no other file gives SL001, and the per-rule counts are
printed to the test log (``pytest -s`` or the captured output of a failure).

Every file is passed as a Dockerfile, including names directory discovery does not classify
(``Dockerfile-chroot``, ``Dockerfile_alpine``, ``*.template``).
"""

from __future__ import annotations

import collections
import re

import pytest

from conftest import meets_figure

TEMPLATE = re.compile(r"\{\{|%%[A-Z0-9_]+%%")

#: What each corpus holds (see conftest.meets_figure); "df_rules" (how many DF rules fire) is a
#: lower bound on both, with a margin for rule changes (19 of them fire on the slice, 20 on the
#: full corpus, at the time of writing).  The slice's figures are measured by a run on it: after changing
#: tests/corpus, run ``SHIPLINT_FULL_CORPUS=none python -m pytest -s tests/test_dockerfile_corpus.py``
#: and copy the figures it prints.
FIGURES = {
    "slice": {"files": 137, "templates": 10, "df_rules": 16},
    "full": {"files": 201, "templates": 8, "df_rules": 15},
}


def _run(DOCKERFILES):  # the dockerfiles/ directory of one corpus
    from shiplint.inputs.discovery import Input
    from shiplint.engine import Engine, Options

    files = sorted(p for p in DOCKERFILES.rglob("*") if p.is_file())
    engine = Engine(Options(select=["DF", "SL"], root=str(DOCKERFILES)))
    inputs = [Input(str(p.relative_to(DOCKERFILES)), str(p), "dockerfile", explicit=True) for p in files]
    total = engine.check_inputs(inputs)
    report = engine.finish((total.findings, total.notifications), [i.display for i in inputs])
    return files, report


@pytest.fixture(scope="module")
def corpus_run(corpus):
    name, root = corpus
    return (name, root / "dockerfiles", *_run(root / "dockerfiles"))


def test_corpus_lints_without_internal_errors(corpus_run):
    name, _, files, report = corpus_run
    assert meets_figure(name, len(files), FIGURES[name]["files"]), len(files)
    internal = [n.message for n in report.notifications if n.kind == "internal-error"]
    assert internal == []
    counts = collections.Counter(f.code for f in report.findings)
    print(f"\n{name}: {len(files)} Dockerfiles, {len(report.findings)} findings, "
          f"{len([c for c in counts if c.startswith('DF')])} DF rules fire")
    for code in sorted(counts):
        print(f"  {code} {report.rules[code].name:<28} {counts[code]}")
    # the corpus exercises most rules
    assert len([c for c in counts if c.startswith("DF")]) >= FIGURES[name]["df_rules"]


def test_templates_give_sl001_only_and_nothing_else_does(corpus_run):
    name, dockerfiles, files, report = corpus_run
    templates = {
        str(p.relative_to(dockerfiles)) for p in files
        if TEMPLATE.search(p.read_text(encoding="utf-8", errors="replace"))
    }
    assert meets_figure(name, len(templates), FIGURES[name]["templates"]), len(templates)
    by_file = collections.defaultdict(set)
    for f in report.findings:
        by_file[f.path].add(f.code)
    for path in templates:
        assert by_file[path] == {"SL001"}, path
    parse_errors = {f.path for f in report.findings if f.code == "SL001"}
    assert parse_errors == templates
    for f in report.findings:
        if f.code == "SL001":
            assert f.region.line >= 1 and f.region.column >= 1 and f.message


def test_corpus_findings_point_inside_their_files(corpus_run):
    _, dockerfiles, files, report = corpus_run
    lengths = {str(p.relative_to(dockerfiles)): p.read_text(encoding="utf-8", errors="replace").splitlines() for p in files}
    for f in report.findings:
        lines = lengths[f.path]
        assert 1 <= f.region.line <= f.region.end_line <= max(1, len(lines)), f
        if f.region.line == f.region.end_line and f.code != "SL001":
            assert 1 <= f.region.column <= f.region.end_column <= len(lines[f.region.line - 1]) + 1, f
