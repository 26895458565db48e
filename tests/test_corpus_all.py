"""The whole public corpus in one run: every file of ``../shared/corpus`` — Dockerfiles,
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

from conftest import CORPUS, ROOT

KNOWN_RENDER_ERRORS = {
    "kustomize/kubernetes-sigs__kustomize/examples/transformerconfigs/images/kustomization.yaml",
}


def _helm() -> str | None:
    for cand in (os.environ.get("SHIPLINT_HELM"), str(ROOT / ".tools" / "bin" / "helm"), shutil.which("helm")):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


@pytest.fixture(scope="module")
def report():
    if not CORPUS.is_dir():
        pytest.skip("no ../shared/corpus")
    helm = _helm()
    if helm is None or not (shutil.which("kustomize") or shutil.which("kubectl")):
        if os.environ.get("CI"):
            pytest.fail("helm and kubectl are required in CI (.ci/tools.sh installs helm)")
        pytest.skip("helm or kubectl not installed")
    from shiplint.engine import Engine, Options

    return Engine(Options(root=str(CORPUS), helm_bin=helm)).run([str(CORPUS)])


def test_no_internal_error(report):
    internal = [n.message for n in report.notifications if n.kind == "internal-error"]
    assert not internal, internal[:10]


def test_every_kind_of_input_is_checked(report):
    files = set(report.files)
    assert len(files) > 600, len(files)
    for top in ("dockerfiles/", "kubernetes/", "kustomize/", "helm/", "rendered/"):
        assert any(f.startswith(top) for f in files), top
    codes = {f.code[:2] for f in report.findings}
    assert {"DF", "KS", "KZ"} <= codes


def test_parse_errors_are_only_dockerfile_templates_and_have_positions(report):
    sl001 = [f for f in report.findings if f.code == "SL001"]
    for f in sl001:
        assert f.region.line >= 1 and f.region.column >= 1
        assert f.path.startswith("dockerfiles/") and f.path.endswith(".template"), (f.path, f.message)
    assert len(sl001) >= 5  # the templates are reported, not skipped


def test_renders_that_fail_are_the_known_ones(report):
    for f in (f for f in report.findings if f.code == "SL007"):
        assert (f.region.line, f.region.column) == (1, 1)
        assert not f.message.count(str(CORPUS)), f.message
        if f.level == "warning":
            assert "not vendored" in f.message or "remote resource" in f.message, f.message
        else:
            assert f.path in KNOWN_RENDER_ERRORS, (f.path, f.message)


def test_nothing_unreadable_or_too_large(report):
    assert not [f for f in report.findings if f.code in ("SL003", "SL004")]
