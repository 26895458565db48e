"""The Kubernetes model: resources, pod templates of every workload kind, containers."""

from __future__ import annotations

import pytest

from shiplint.model.k8s.model import (
    deepest_region,
    int_or_percent,
    missing_region,
    resources_from_document,
)
from shiplint.sources.yamlsrc import parse_yaml_stream


def resources(text: str, path: str = "m.yaml"):
    out = []
    for doc in parse_yaml_stream(text):
        out.extend(resources_from_document(doc.data, path, doc.index))
    return out


@pytest.mark.parametrize(
    "kind,api,nest",
    [
        ("Pod", "v1", "spec"),
        ("Deployment", "apps/v1", "spec.template.spec"),
        ("StatefulSet", "apps/v1", "spec.template.spec"),
        ("DaemonSet", "apps/v1", "spec.template.spec"),
        ("ReplicaSet", "apps/v1", "spec.template.spec"),
        ("ReplicationController", "v1", "spec.template.spec"),
        ("Job", "batch/v1", "spec.template.spec"),
        ("CronJob", "batch/v1", "spec.jobTemplate.spec.template.spec"),
        ("Rollout", "argoproj.io/v1alpha1", "spec.template.spec"),
    ],
)
def test_every_workload_kind_has_its_pod_template(kind, api, nest):
    text = f"apiVersion: {api}\nkind: {kind}\nmetadata: {{ name: w, namespace: ns }}\n"
    indent = 0
    for part in nest.split("."):
        text += " " * indent + part + ":\n"
        indent += 2
    text += " " * indent + "initContainers: [{ name: init, image: 'i:1' }]\n"
    text += " " * indent + "containers: [{ name: app, image: 'a:1' }]\n"
    (res,) = resources(text)
    pod = res.pod_template()
    assert pod is not None, kind
    assert pod.spec_path == tuple(nest.split("."))
    got = [(c.role, c.name, c.image) for c in res.containers()]
    assert got == [("init", "init", "i:1"), ("regular", "app", "a:1")]
    assert res.identity == f"{kind}/ns/w"


def test_objects_without_pod_templates():
    text = """\
apiVersion: v1
kind: Service
metadata: { name: s }
spec: { template: { spec: {} } }
---
apiVersion: example.com/v1
kind: Widget
metadata: { name: w }
spec:
  template: { metadata: {}, spec: { replicas: 3 } }
"""
    for res in resources(text):
        assert res.pod_template() is None
        assert list(res.containers()) == []


def test_list_items_are_resources_with_their_positions():
    text = """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: { name: a }
  - not-a-mapping
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: b }
    spec:
      template:
        spec:
          containers: [{ name: c, image: "x:1" }]
"""
    out = resources(text)
    assert [(r.kind, r.name, r.item_index) for r in out] == [("ConfigMap", "a", 0), ("Deployment", "b", 2)]
    dep = out[1]
    (c,) = dep.containers()
    assert (c.region_at(("image",)).line, c.region_at(("image",)).column) == (14, 42)
    assert dep.anchor.line == 10


def test_resource_view_fields():
    (res,) = resources("""\
apiVersion: apps/v1
kind: Deployment
metadata:
  generateName: api-
  namespace: prod
  labels: { app: api }
  annotations: { team: core }
spec: {}
""")
    assert (res.api_version, res.kind, res.name, res.namespace) == ("apps/v1", "Deployment", "api-", "prod")
    assert res.labels == {"app": "api"} and res.annotations == {"team": "core"}
    assert res.path == "m.yaml" and res.doc_index == 0


def test_effective_security_context_container_wins():
    (res,) = resources("""\
apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  securityContext: { runAsUser: 0, runAsNonRoot: true }
  containers:
    - name: a
      image: x
      securityContext: { runAsUser: 1000 }
    - name: b
      image: x
""")
    a, b = res.containers()
    assert a.effective("runAsUser") == (1000, ("spec", "containers", 0, "securityContext", "runAsUser"))
    assert b.effective("runAsUser") == (0, ("spec", "securityContext", "runAsUser"))
    assert b.effective("runAsNonRoot")[0] is True
    assert b.effective("seccompProfile") == (None, None)
    assert res.region_at(b.effective("runAsUser")[1]).line == 5


def test_roles_and_probe_applicability():
    (dep, job, pod) = resources("""\
apiVersion: apps/v1
kind: Deployment
metadata: { name: d }
spec:
  template:
    spec:
      initContainers: [{ name: i, image: x }]
      containers: [{ name: c, image: x }]
      ephemeralContainers: [{ name: e, image: x }]
---
apiVersion: batch/v1
kind: Job
metadata: { name: j }
spec:
  template:
    spec:
      containers: [{ name: c, image: x }]
---
apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  restartPolicy: Never
  containers: [{ name: c, image: x }]
""")
    roles = {c.name: (c.role, c.gets_probe_rules) for c in dep.containers()}
    assert roles == {"i": ("init", False), "c": ("regular", True), "e": ("ephemeral", False)}
    assert [c.gets_probe_rules for c in job.containers()] == [False]
    assert [c.gets_probe_rules for c in pod.containers()] == [False]
    assert [c.subject for c in dep.containers()] == [
        "Deployment//d:initContainers[i]", "Deployment//d:containers[c]", "Deployment//d:ephemeralContainers[e]"]


def test_missing_region_points_at_the_deepest_existing_key():
    (res,) = resources("""\
apiVersion: apps/v1
kind: Deployment
metadata: { name: d }
spec:
  strategy:
    type: RollingUpdate
  template:
    spec:
      containers:
        - name: c
          image: x
          securityContext:
            runAsUser: 3
        - image: y
""")
    r = res.missing_region(("spec", "strategy", "rollingUpdate", "maxUnavailable"))
    assert (r.line, r.column) == (5, 3)  # the `strategy` key
    c, unnamed = res.containers()
    r = c.missing_region(("securityContext", "readOnlyRootFilesystem"))
    assert (r.line, r.column) == (12, 11)  # the container's `securityContext` key
    r = c.missing_region(("resources", "limits", "memory"))
    assert (r.line, r.column) == (10, 17)  # nothing inside the container: its name
    r = unnamed.missing_region(("resources",))
    assert r.line == 14  # no name: the container item itself
    assert missing_region(res.data, ("nope",)) is None
    assert deepest_region(res.data, ("spec", "strategy", "type")).column == 11


def test_ports_probes_and_image_text():
    (res,) = resources("""\
apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  os: { name: windows }
  containers:
    - name: c
      image: " ghcr.io/a/b:1 "
      ports: [{ name: http, containerPort: 8080 }, { containerPort: "9090" }, oops]
      readinessProbe: { httpGet: { port: http } }
    - name: t
      image: "repo:{{ .Values.tag }}"
""")
    c, t = res.containers()
    assert c.port_names == {"http"} and c.port_numbers == {8080, 9090}
    assert [name for name, _ in c.probes()] == ["readinessProbe"]
    assert c.image_text == "ghcr.io/a/b:1" and t.image_text is None
    assert res.pod_template().is_windows


@pytest.mark.parametrize(
    "value,expected",
    [(0, (0, False)), (3, (3, False)), ("25%", (25, True)), ("0%", (0, True)), ("2", (2, False)),
     (True, None), ("x%", None), (None, None), (1.5, None)],
)
def test_int_or_percent(value, expected):
    assert int_or_percent(value) == expected


def test_non_kubernetes_documents_are_not_resources():
    text = "name: chart\nversion: 1.0.0\n---\n- a\n---\nkind: Thing\n"
    assert resources(text) == []
