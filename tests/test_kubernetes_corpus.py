"""The public corpus's kubernetes/ and rendered/ in one run, on the slice (tests/corpus) and on
the full corpus when it is there: no crash, no internal error, real resources found, per-rule
counts printed (``pytest -s``)."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import meets_figure

#: What each corpus holds (see conftest.meets_figure).  The slice's figures are measured by a run on
#: it: after changing tests/corpus, run ``SHIPLINT_FULL_CORPUS=none python -m pytest -s
#: tests/test_kubernetes_corpus.py`` and copy the figures it prints.
FIGURES = {
    "slice": {"with_pods": 264},
    "full": {"with_pods": 301},
}


@pytest.fixture(scope="module")
def corpus_run(corpus):
    from shiplint.engine import Engine, Options

    _, CORPUS = corpus
    DIRS = [CORPUS / "kubernetes", CORPUS / "rendered"]
    engine = Engine(Options(root=str(CORPUS)))
    inputs = engine.collect([str(d) for d in DIRS])
    total = engine.check_inputs(inputs)
    total.findings.extend(engine.check_project(total.resources, total.notifications))
    report = engine.finish(engine.postprocess(total, inputs), [i.display for i in inputs])
    return report, total.resources


def test_no_internal_error(corpus_run):
    report, _ = corpus_run
    internal = [n.message for n in report.notifications if n.kind == "internal-error"]
    assert internal == []


def test_real_resources_are_found(corpus_run, corpus):
    name, root = corpus
    _, resources = corpus_run
    kinds = Counter(r.kind for r in resources)
    for kind in ("Deployment", "StatefulSet", "DaemonSet", "Job", "Pod", "ReplicationController", "Secret"):
        assert kinds[kind] > 0, kind
    with_pods = [r for r in resources if r.pod_template() is not None]
    print(f"\n{name}: with_pods {len(with_pods)}")
    assert meets_figure(name, len(with_pods), FIGURES[name]["with_pods"]), len(with_pods)
    assert sum(1 for r in with_pods for _ in r.containers()) > len(with_pods)
    # the corpus has no CronJob and no `kind: List` outside Helm template sources (which are not
    # parsed as manifests); those are covered by tests/test_k8s_model.py and the seed fixtures
    # a directory with a kustomization is linted through its render ("<dir> (kustomize build)")
    from shiplint.inputs.render.kustomize import LABEL, kustomization_file

    rendered = f" ({LABEL})"
    for r in resources:
        if r.path.endswith(rendered):
            assert kustomization_file(str(root / r.path[: -len(rendered)])), r.path
        else:
            assert r.path.endswith((".yaml", ".yml")), r.path


def test_findings_are_well_formed_and_counted(corpus_run):
    report, _ = corpus_run
    counts = Counter(f.code for f in report.findings)
    print("\nfindings per rule over the corpus:")
    for code in sorted(counts):
        print(f"  {code}: {counts[code]}")
    # the rules that the corpus certainly exercises
    for code in ("KS101", "KS201", "KS301", "KS401", "KS408", "KS409", "KS504", "KS601"):
        assert counts[code] > 0, code
    for f in report.findings:
        assert f.region.line >= 1 and f.region.column >= 1
        assert not f.path.startswith("/") and ".." not in f.path.split("/")
    # secret values of the corpus never reach a message
    for f in report.findings:
        if f.code in ("KS503", "KS504"):
            assert "****" in f.message or "not shown" in f.message
