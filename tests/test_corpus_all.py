"""The whole public corpus in one run, on the slice (tests/corpus) and on the full corpus when it
is there (``../shared/corpus`` or ``SHIPLINT_FULL_CORPUS``): every file — Dockerfiles,
manifests, Kustomize trees, Helm charts, renders — is processed without an internal error, every
parse error has a position, and the files that cannot be checked are exactly the known ones:

* SL001: Dockerfile templates of the official images (``Dockerfile*.template``, with ``{{ }}``
  or ``%%VAR%%``), which are not Dockerfiles until generated;
* SL007 (warning): charts whose dependencies are not vendored under ``charts/`` (shiplint never
  fetches them) and a kustomization naming a remote resource (no network);
* SL007 (error): one upstream kustomize example whose ``kustomizeconfig/`` directory is not part
  of the corpus copy.

helm comes from ``.tools/bin`` (``.ci/tools.sh``), kustomize from ``kubectl kustomize``.
"""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import ROOT, meets_figure

#: What each corpus holds (see conftest.meets_figure).  The slice's figures are measured by a run on
#: it: after changing tests/corpus, run ``SHIPLINT_FULL_CORPUS=none python -m pytest -s
#: tests/test_corpus_all.py`` and copy the figures it prints.
FIGURES = {
    # files: a chart or kustomization counts as the files it renders from, not as one input (468 → 704);
    # the files only an un-included Component lists, and generator data, are linted too (704 → 715)
    "slice": {"files": 715, "sl001": 10},
    "full": {"files": 1706, "sl001": 5},  # files: likewise (601 → 1706)
}

KNOWN_RENDER_ERRORS = {
    "kustomize/kubernetes-sigs__kustomize/examples/transformerconfigs/images/kustomization.yaml",
}


def _helm() -> str | None:
    for cand in (os.environ.get("SHIPLINT_HELM"), str(ROOT / ".tools" / "bin" / "helm"), shutil.which("helm")):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


@pytest.fixture(scope="module")
def report(corpus):
    name, root = corpus
    helm = _helm()
    if helm is None or not (shutil.which("kustomize") or shutil.which("kubectl")):
        if os.environ.get("CI"):
            pytest.fail("helm and kubectl are required in CI (.ci/tools.sh installs helm)")
        pytest.skip("helm or kubectl not installed")
    from shiplint.engine import Engine, Options

    report = Engine(Options(root=str(root), helm_bin=helm)).run([str(root)])
    print(f"\n{name}: files {len(report.files)}, sl001 {sum(f.code == 'SL001' for f in report.findings)}")
    return name, root, report


def test_no_internal_error(report):
    _, _, report = report
    internal = [n.message for n in report.notifications if n.kind == "internal-error"]
    assert not internal, internal[:10]


def test_every_kind_of_input_is_checked(report):
    name, _, report = report
    files = set(report.files)
    assert meets_figure(name, len(files), FIGURES[name]["files"]), len(files)
    for top in ("dockerfiles/", "kubernetes/", "kustomize/", "helm/", "rendered/"):
        assert any(f.startswith(top) for f in files), top
    codes = {f.code[:2] for f in report.findings}
    assert {"DF", "KS", "KZ"} <= codes


def test_parse_errors_are_only_dockerfile_templates_and_have_positions(report):
    name, _, report = report
    sl001 = [f for f in report.findings if f.code == "SL001"]
    for f in sl001:
        assert f.region.line >= 1 and f.region.column >= 1
        assert f.path.startswith("dockerfiles/") and f.path.endswith(".template"), (f.path, f.message)
    assert meets_figure(name, len(sl001), FIGURES[name]["sl001"])  # the templates are reported, not skipped


def test_renders_that_fail_are_the_known_ones(report):
    _, root, report = report
    for f in (f for f in report.findings if f.code == "SL007"):
        assert not f.message.count(str(root)), f.message
        if "is remote and would need the network" in f.message:  # at the remote entry
            assert f.level == "warning" and f.region.line > 1, f
            continue
        assert (f.region.line, f.region.column) == (1, 1)
        if f.level == "warning":
            assert "not vendored" in f.message, f.message
        else:
            assert f.path in KNOWN_RENDER_ERRORS, (f.path, f.message)


def test_nothing_unreadable_or_too_large(report):
    _, _, report = report
    assert not [f for f in report.findings if f.code in ("SL003", "SL004")]
