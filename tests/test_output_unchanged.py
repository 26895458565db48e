"""Every output format of the corpus slice is the same with the label index of the
cross-resource rules as with the plain scans it replaced (kept here as the reference: every
selector evaluated against every pod template, autoscalers and budgets searched in full)."""

from __future__ import annotations

import pytest

from conftest import CORPUS_SLICE, FIXTURES
from shiplint.engine import Engine, Options
from shiplint.model.k8s import selectors
from shiplint.model.k8s.index import ResourceIndex

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")


class BruteForceIndex(ResourceIndex):
    """The index answering every question by a full scan, as before the lookups."""

    built = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).built += 1

    def templates_matching(self, namespace, requirements):
        if requirements is None:
            return []
        return [(r, pod) for r, pod in self.pod_templates(namespace)
                if selectors.matches(requirements, pod.labels, selectors.generated_labels(r))]

    def autoscalers_of(self, resource):
        return [a for a in self.autoscalers() if a.namespace == resource.namespace
                and a.target_kind == resource.kind and a.target_name == resource.name]

    def pdbs_selecting(self, pod):
        ns = pod.resource.namespace
        return [r for r, reqs, has in self.pdbs() if r.namespace == ns and has and reqs is not None
                and selectors.matches(reqs, pod.labels, selectors.generated_labels(pod.resource))]

    def pdb_may_select(self, pod):
        ns = pod.resource.namespace
        return any(r.namespace == ns and has and (reqs is None or selectors.matches(
            reqs, pod.labels, selectors.generated_labels(pod.resource))) for r, reqs, has in self.pdbs())

    def has_kind_near(self, kind, resource):
        if resource.namespace:
            return self.has_kind_in(kind, resource.namespace)
        return any(self.same_scope(resource, r) for r in self.of_kind(kind))


def _render(fmt, report):
    import importlib

    return importlib.import_module(f"shiplint.reporters.{fmt}").render(report, {})


def _outputs(root, paths):
    report = Engine(Options(root=str(root), jobs=1)).run([str(p) for p in paths])
    return {fmt: _render(fmt, report) for fmt in FORMATS}, report


@pytest.mark.parametrize("where", ["corpus", "fixtures"])
def test_every_format_is_unchanged_by_the_index(where, monkeypatch):
    root, paths = (CORPUS_SLICE, [CORPUS_SLICE]) if where == "corpus" else (FIXTURES, [FIXTURES / "rules"])
    indexed, report = _outputs(root, paths)
    monkeypatch.setattr("shiplint.model.k8s.index.ResourceIndex", BruteForceIndex)
    before = BruteForceIndex.built
    reference, _ = _outputs(root, paths)
    assert BruteForceIndex.built > before  # the reference did run
    for fmt in FORMATS:
        assert indexed[fmt] == reference[fmt], fmt
    # the comparison covers the rules whose lookups changed
    fired = {f.code for f in report.findings}
    assert ({"KS605", "KS701"} if where == "corpus" else {"KS605", "KS606", "KS701", "KS705"}) <= fired
