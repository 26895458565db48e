"""The label index of :class:`ResourceIndex` against a plain scan of every pod template.

Cross-resource rules look selectors up by (namespace, label key, value) instead of matching each
selector against every template; these tests build random scans (namespaces, typed YAML values,
``In``/``NotIn``/``Exists``/``DoesNotExist``, empty selectors, keys that controllers generate)
and check that every indexed answer is exactly the one the brute-force evaluation gives, in the
same order.
"""

from __future__ import annotations

import random

import pytest

from shiplint.model.k8s import selectors
from shiplint.model.k8s.index import ResourceIndex
from shiplint.model.k8s.model import Resource
from shiplint.sources.yamlsrc import parse_yaml_stream

KEYS = ["app", "tier", "team", "pod-template-hash", "job-name", "controller-revision-hash", "v"]
VALUES = ["a", "b", "c", "1", "true", "web-0", "j"]
KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet", "Pod"]
NAMESPACES = [None, "x", "y"]


def _labels(rng) -> str:
    picked = rng.sample(KEYS, rng.randint(0, 3))
    return "{" + ", ".join(f"{k}: {rng.choice(VALUES)}" for k in picked) + "}"


def _selector(rng) -> str:
    parts = []
    if rng.random() < 0.7:
        parts.append(f"matchLabels: {_labels(rng)}")
    if rng.random() < 0.5:
        exprs = []
        for _ in range(rng.randint(1, 2)):
            op = rng.choice(selectors.OPERATORS)
            values = "" if op in ("Exists", "DoesNotExist") else f", values: [{', '.join(rng.sample(VALUES, 2))}]"
            exprs.append(f"{{key: {rng.choice(KEYS)}, operator: {op}{values}}}")
        parts.append(f"matchExpressions: [{', '.join(exprs)}]")
    if rng.random() < 0.05:
        return "selector: [not, a, mapping]"
    return "selector: {" + ", ".join(parts) + "}"


def _scan(seed: int) -> str:
    rng = random.Random(seed)
    docs = []
    for i in range(rng.randint(5, 40)):
        ns = rng.choice(NAMESPACES)
        md = f"metadata: {{name: w{i}" + (f", namespace: {ns}" if ns else "") + "}"
        roll = rng.random()
        if roll < 0.55:
            kind = rng.choice(KINDS)
            tpl = f"{{metadata: {{labels: {_labels(rng)}}}, spec: {{containers: [{{name: c, image: i}}]}}}}"
            if kind == "Pod":
                docs.append(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: w{i}"
                            + (f", namespace: {ns}" if ns else "") + f", labels: {_labels(rng)}}}\n"
                            "spec: {containers: [{name: c, image: i}]}\n")
            elif kind == "CronJob":
                docs.append(f"apiVersion: batch/v1\nkind: CronJob\n{md}\n"
                            f"spec: {{jobTemplate: {{spec: {{template: {tpl}}}}}}}\n")
            else:
                docs.append(f"apiVersion: apps/v1\nkind: {kind}\n{md}\nspec: {{replicas: {rng.randint(0, 3)}, "
                            f"template: {tpl}}}\n")
        elif roll < 0.8:
            docs.append(f"apiVersion: policy/v1\nkind: PodDisruptionBudget\n{md}\n"
                        f"spec: {{maxUnavailable: 1, {_selector(rng)}}}\n" if rng.random() < 0.95 else
                        f"apiVersion: policy/v1\nkind: PodDisruptionBudget\n{md}\nspec: {{maxUnavailable: 1}}\n")
        else:
            docs.append(f"apiVersion: v1\nkind: Service\n{md}\nspec: {{selector: {_labels(rng)}}}\n")
    return "---\n".join(docs)


def _index(text: str) -> ResourceIndex:
    resources = [Resource(doc.data, "scan.yaml", doc.index) for doc in parse_yaml_stream(text)]
    return ResourceIndex(resources)


def _brute_templates(index, namespace, reqs):
    return [(r, pod) for r, pod in index.pod_templates(namespace)
            if selectors.matches(reqs, pod.labels, selectors.generated_labels(r))]


@pytest.mark.parametrize("seed", range(60))
def test_indexed_matching_is_the_brute_force_answer(seed):
    index = _index(_scan(seed))
    rng = random.Random(seed + 1000)
    selectors_seen = [r.get(("spec", "selector")) for r in index.of_kind("PodDisruptionBudget", "Service")]
    selectors_seen += [_selector_data(rng) for _ in range(10)]
    checked = 0
    for ns in ("", "x", "y", "z"):
        for sel in selectors_seen:
            for reqs in (selectors.label_selector_requirements(sel), selectors.map_requirements(sel)):
                got = index.templates_matching(ns, reqs)
                want = _brute_templates(index, ns, reqs) if reqs is not None else []
                assert [id(r) for r, _ in got] == [id(r) for r, _ in want], (ns, sel)
                checked += len(want)
    for r, pod in index.pod_templates():
        want = [p for p, reqs, has in index.pdbs()
                if has and reqs is not None and p.namespace == r.namespace
                and selectors.matches(reqs, pod.labels, selectors.generated_labels(r))]
        assert [id(p) for p in index.pdbs_selecting(pod)] == [id(p) for p in want]
        maybe = any(has and p.namespace == r.namespace
                    and (reqs is None or selectors.matches(reqs, pod.labels, selectors.generated_labels(r)))
                    for p, reqs, has in index.pdbs())
        assert index.pdb_may_select(pod) is maybe
    assert checked >= 0


def _selector_data(rng):
    return parse_yaml_stream(_selector(rng))[0].data["selector"]


def test_the_random_scans_do_exercise_matches():
    """The generator is not degenerate: some selectors match several templates, some none."""
    sizes = []
    for seed in range(60):
        index = _index(_scan(seed))
        for p, reqs, has in index.pdbs():
            if has and reqs is not None:
                sizes.append(len(index.templates_matching(p.namespace, reqs)))
    assert any(n >= 2 for n in sizes) and any(n == 0 for n in sizes)


@pytest.mark.parametrize("kind", KINDS + ["Service", "PodTemplate"])
def test_generated_keys_cover_every_controller_label(kind):
    """The index never narrows by a key a controller adds at run time: that set must be complete."""
    text = f"apiVersion: apps/v1\nkind: {kind}\nmetadata: {{name: n}}\nspec: {{replicas: 2}}\n"
    resource = Resource(parse_yaml_stream(text)[0].data, "k.yaml")
    assert set(selectors.generated_labels(resource)) <= selectors.GENERATED_KEYS


def test_lookup_requirement_prefers_the_fewest_values_and_skips_generated_keys():
    reqs = selectors.label_selector_requirements(parse_yaml_stream(
        "selector: {matchLabels: {pod-template-hash: h}, matchExpressions: "
        "[{key: tier, operator: In, values: [a, b]}, {key: app, operator: In, values: [x]}]}")[0].data["selector"])
    assert selectors.lookup_requirement(reqs).key == "app"
    only_generated = selectors.map_requirements({"pod-template-hash": "h"})
    assert selectors.lookup_requirement(only_generated) is None
