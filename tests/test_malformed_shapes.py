"""Objects of the wrong shape (a Pod whose ``spec:`` is a list, ``containers:`` written as a
mapping…): KV102 reports the malformed node in the default install through the built-in shape
table, the full schema takes over when the ``schemas`` extra is installed (never both on one
node), and the missing extra is said once on stderr when a check needed it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import lint_files, lint_text
from shiplint.model.k8s import apischema

# ``python -c`` with kubernetes_validate made unimportable, as in an install without the extra
HIDDEN = """
import sys
class _Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "kubernetes_validate":
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, _Hide())
from shiplint.cli import main
main()
"""

API = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels:
    app: api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.4.2
          ports:
            - containerPort: 8080
"""

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: api
  ports:
    - port: 80
      targetPort: 8080
"""

# a debugging Pod whose spec was pasted as a container list
DEBUG_POD = """apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  - name: debug
    image: busybox:1.36
"""

# `containers:` lost its dash: a mapping where the API wants a list
WORKER = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  replicas: 1
  selector:
    matchLabels:
      app: worker
  template:
    metadata:
      labels:
        app: worker
    spec:
      containers:
        name: worker
        image: ghcr.io/acme/worker:2.0.1
"""

EXPECTED_KV = [
    ("KV102", "deploy/debug-pod.yaml", 6, 3),
    ("KV102", "deploy/worker.yaml", 16, 9),
]
# the lines of the malformed nodes: no other rule may read them as a pod spec or a container
MALFORMED_LINES = {"deploy/debug-pod.yaml": range(5, 8), "deploy/worker.yaml": range(15, 18)}


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "deploy").mkdir(parents=True)
    for name, text in (("api.yaml", API), ("service.yaml", SERVICE), ("debug-pod.yaml", DEBUG_POD),
                       ("worker.yaml", WORKER)):
        (root / "deploy" / name).write_text(text)
    return root


def _run_hidden(cwd, *args):
    return subprocess.run([sys.executable, "-c", HIDDEN, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**__import__("os").environ, "NO_COLOR": "1"})


def _kv(findings):
    return sorted((f["code"], f["path"], f["region"]["line"], f["region"]["column"])
                  for f in findings if f["code"].startswith("KV"))


def _assert_nothing_else_inside_the_malformed_nodes(findings):
    for f in findings:
        if f["code"].startswith("KV") or f["path"] not in MALFORMED_LINES:
            continue
        assert f["region"]["line"] not in MALFORMED_LINES[f["path"]], f
        assert "container 'debug'" not in f["message"] and "container 'worker'" not in f["message"], f


def test_default_install_reports_the_malformed_nodes_and_fails(repo):
    r = _run_hidden(repo, "check", ".", "--format", "json")
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 1, r.stderr  # KV102 is an error: fails at the default --fail-on
    findings = json.loads(r.stdout)
    assert _kv(findings) == EXPECTED_KV
    messages = [f["message"] for f in findings if f["code"] == "KV102"]
    assert messages == [
        "Pod 'debug': spec: is a list, expected a mapping (the built-in shape of v1 Pod)",
        "Deployment 'worker': spec.template.spec.containers: is a mapping, expected a list "
        "(the built-in shape of apps/v1 Deployment)",
    ]
    _assert_nothing_else_inside_the_malformed_nodes(findings)
    # one note, not a finding, that says what the missing extra left unchecked
    notes = [line for line in r.stderr.splitlines() if "shiplint[schemas]" in line]
    assert len(notes) == 1, r.stderr
    assert "4 objects got only the built-in shape check" in notes[0]


def test_default_install_text_output_and_the_error_alone_still_fails(repo):
    r = _run_hidden(repo, "check", "deploy/debug-pod.yaml", "--select", "KV102", "--fail-on", "error")
    assert r.returncode == 1
    assert r.stdout.startswith("./deploy/debug-pod.yaml:6:3  error    KV102 wrong-type  Pod 'debug': spec: is a list")
    assert r.stderr.count("pip install 'shiplint[schemas]'") == 1


def test_with_the_schemas_the_full_check_reports_each_node_once(repo):
    report = lint_files([repo], root=repo)
    found = sorted((f.code, f.path, f.region.line, f.region.column) for f in report.findings if f.code.startswith("KV"))
    assert found == EXPECTED_KV
    assert all("Kubernetes" in f.message and "schema of" in f.message for f in report.findings if f.code == "KV102")
    assert not [n for n in report.notifications if "shiplint[schemas]" in n.message]


def test_no_note_when_no_object_needed_the_schemas(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM debian:bookworm-slim\nUSER 1000\n")
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n")
    r = _run_hidden(tmp_path, "check", ".")
    assert "shiplint[schemas]" not in r.stderr and "Traceback" not in r.stderr, r.stderr


def _hide(monkeypatch):
    monkeypatch.setattr(apischema, "schema_root", lambda: None)


POD = """apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {app: p}
spec:
  securityContext: {runAsNonRoot: true}
  initContainers:
    - name: init
      image: x:1
  containers:
    - name: app
      image: x:1
      env:
        - {name: A, value: b}
      ports:
        - containerPort: 80
      resources: {limits: {memory: 1Gi}}
      securityContext: {readOnlyRootFilesystem: true}
  volumes:
    - name: v
      emptyDir: {}
"""


def _swap(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# (what is malformed, the edit, where KV102 points, what it says)
CASES = [
    ("metadata", ("metadata:\n  name: p\n  labels: {app: p}\n", "metadata: [p]\n"), (3, 11), "metadata: is a list"),
    ("labels", ("labels: {app: p}", "labels: [app]"), (5, 11), "metadata.labels: is a list"),
    ("annotations", ("labels: {app: p}", "annotations: team"), (5, 16), "metadata.annotations: is a string"),
    ("spec", ("spec:\n  securityContext", "spec: x\nz:\n  securityContext"), (6, 7), "spec: is a string"),
    ("pod securityContext", ("securityContext: {runAsNonRoot: true}", "securityContext: [runAsNonRoot]"), (7, 20),
     "spec.securityContext: is a list"),
    ("initContainers", ("initContainers:\n    - name: init", "initContainers:\n      name: init"), (9, 7),
     "spec.initContainers: is a mapping"),
    ("a container item", ("    - name: init\n      image: x:1\n", "    - init\n"), (9, 7),
     "spec.initContainers[0]: is a string"),
    ("env", ("        - {name: A, value: b}", "          A: b"), (15, 11), "spec.containers[app].env: is a mapping"),
    ("an env item", ("- {name: A, value: b}", "- A=b"), (15, 11), "spec.containers[app].env[0]: is a string"),
    ("ports", ("        - containerPort: 80", "          containerPort: 80"), (17, 11),
     "spec.containers[app].ports: is a mapping"),
    ("resources", ("resources: {limits: {memory: 1Gi}}", "resources: [limits]"), (18, 18),
     "spec.containers[app].resources: is a list"),
    ("container securityContext", ("securityContext: {readOnlyRootFilesystem: true}", "securityContext: restricted"),
     (19, 24), "spec.containers[app].securityContext: is a string"),
    ("volumes", ("volumes:\n    - name: v\n      emptyDir: {}\n", "volumes: {name: v}\n"), (20, 12),
     "spec.volumes: is a mapping"),
]


@pytest.mark.parametrize("what, edit, where, says", CASES, ids=[c[0] for c in CASES])
def test_shape_table_points_where_the_full_schema_points(tmp_path, monkeypatch, what, edit, where, says):
    text = _swap(POD, *edit)
    with_schemas = lint_text(tmp_path, text, "pod.yaml", select=["KV"])
    _hide(monkeypatch)
    report = lint_files([tmp_path / "pod.yaml"], root=tmp_path)
    assert not report.internal_errors
    kv = [f for f in report.findings if f.code.startswith("KV")]
    assert [(f.code, f.region.line, f.region.column) for f in kv] == [("KV102", *where)], what
    assert f": {says}, expected" in kv[0].message
    # the built-in table and the upstream schema agree on the node (and on its identity)
    full = [f for f in with_schemas if f.code == "KV102"]
    assert [(f.region.line, f.region.column, f.subject) for f in full] == [(*where, kv[0].subject)]


def test_the_good_pod_and_null_fields_pass_the_shape_check(tmp_path, monkeypatch):
    _hide(monkeypatch)
    nulls = _swap(_swap(POD, "resources: {limits: {memory: 1Gi}}", "resources:"), "labels: {app: p}", "labels:")
    for text in (POD, nulls):
        assert [f.code for f in lint_text(tmp_path, text, "pod.yaml", select=["KV"])] == []


@pytest.mark.parametrize("text, where, says", [
    # every workload's pod template, whichever path holds it
    ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n"
     "    spec:\n      template: [x]\n", (8, 17), "spec.jobTemplate.spec.template: is a list"),
    ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  template:\n    spec: [x]\n", (6, 11),
     "spec.template.spec: is a list"),
    # a custom resource without its CRD: its metadata is still the API server's ObjectMeta
    ("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  labels: [a]\n", (5, 11),
     "metadata.labels: is a list"),
    ("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n  apiGroups: ['']\n",
     (5, 3), "rules: is a mapping"),
])
def test_shape_table_covers_other_kinds(tmp_path, monkeypatch, text, where, says):
    _hide(monkeypatch)
    kv = [f for f in lint_text(tmp_path, text, "m.yaml") if f.code == "KV102"]
    assert [(f.region.line, f.region.column) for f in kv] == [where]
    assert says in kv[0].message


def test_shape_table_names_only_definitions_it_has():
    """A misspelt name would silently accept anything: every reference must resolve."""
    data = apischema._data("api-shapes.json")
    names = set(data["defs"])
    refs = []

    def walk(spec):
        if isinstance(spec, str):
            refs.append(spec)
        elif isinstance(spec, list):
            for item in spec:
                walk(item)
        elif isinstance(spec, dict):
            for sub in spec.values():
                walk(sub)

    for fields in data["defs"].values():
        walk(fields)
    assert set(refs) <= names, set(refs) - names
    assert set(data["kinds"].values()) | {data["default"]} <= names
    assert all(len(key.split(" ")) == 2 for key in data["kinds"])


# -- a malformed node is malformed, not missing ---------------------------------------------------
# A realistic app: a Deployment partly hardened (spread, probes on a named port, pod-level
# runAsNonRoot and seccomp) with real findings left in it (a hard-coded secret, no memory
# request or limit, a writable root filesystem, an added NET_ADMIN, a bare sidecar), its
# PodDisruptionBudget and its Service.  Each mapping or list node in turn is swapped for a
# scalar and for the other kind of collection: KV102 must then be the only finding on that node,
# and every finding of the intact app outside the node must stay where it was.
APP = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  strategy:
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
        app: web
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app: web
      containers:
        - name: web
          image: ghcr.io/acme/web:2.1.0
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: DB_PASSWORD
              value: hunter2
          resources:
            requests:
              cpu: 100m
            limits:
              cpu: 500m
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
          readinessProbe:
            httpGet:
              path: /ready
              port: http
          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop:
                - ALL
              add:
                - NET_ADMIN
          volumeMounts:
            - name: tmp
              mountPath: /tmp
        - name: proxy
          image: envoyproxy/envoy:v1.30.1
      volumes:
        - name: tmp
          emptyDir: {}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: shop
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: web
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: http
"""


def _collection_nodes(text):
    """``(doc, path, key line, last line, is mapping, start offset, end offset)`` of every
    non-empty block mapping or list held under a key, the offsets spanning the key's value."""
    from shiplint.sources.yamlsrc import YMap, YSeq, parse_yaml_stream

    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(line, column):
        return starts[line - 1] + column - 1

    out = []

    def walk(doc, node, path):
        items = node.items() if isinstance(node, YMap) else enumerate(node) if isinstance(node, YSeq) else ()
        for key, value in items:
            if isinstance(node, YMap) and isinstance(value, (YMap, YSeq)) and value and value.region.line > \
                    node.key_region(key).line:  # block style: the value starts on the next line
                key_region, value_region = node.key_region(key), node.value_region(key)
                colon = text.index(":", offset(key_region.end_line, key_region.end_column)) + 1
                out.append((doc, path + (key,), key_region.line, value_region.end_line, isinstance(value, YMap),
                            colon, offset(value_region.end_line, value_region.end_column)))
            walk(doc, value, path + (key,))

    for doc in parse_yaml_stream(text):
        walk(doc.index, doc.data, ())
    return out


def _swaps():
    out = []
    for doc, path, line, last, is_map, start, end in _collection_nodes(APP):
        for wrong in (("restricted", "[restricted]") if is_map else ("x", "{x: 1}")):
            text = APP[:start] + " " + wrong + "\n" + APP[end:].removeprefix("\n")
            out.append(pytest.param(text, line, last, id=f"{doc}:{'.'.join(map(str, path))}={wrong}"))
    return out


def _findings(tmp_path, text):
    report = lint_files([_write(tmp_path, text)], root=tmp_path)
    assert not report.internal_errors, report.internal_errors
    return report.findings


def _write(tmp_path, text):
    target = tmp_path / "app.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def test_the_intact_app_has_real_findings_to_keep(tmp_path):
    codes = {f.code for f in _findings(tmp_path, APP)}
    # the swaps must have findings to lose and findings to keep
    assert {"KS101", "KS301", "KS302", "KS403", "KS406", "KS503", "KS201", "KS202"} <= codes
    assert not any(c.startswith("KV") for c in codes)


@pytest.mark.parametrize("text, line, last", _swaps())
def test_a_malformed_node_gets_kv102_alone_and_findings_elsewhere_stay(tmp_path, text, line, last):
    intact = _findings(tmp_path, APP)
    found = _findings(tmp_path, text)
    kv = [f for f in found if f.code == "KV102"]
    assert [f.region.line for f in kv] == [line], [(f.code, f.region.line, f.message) for f in found]
    assert not [f for f in found if f.code != "KV102" and f.region.line == line], \
        [(f.code, f.message) for f in found if f.region.line == line]
    # the node now holds one line: what followed it moved up
    moved = last - line

    def where(f):
        return f.code, f.region.line - moved if f.region.line > last else f.region.line, f.region.column

    outside = {where(f) for f in intact if not line <= f.region.line <= last}
    after = {(f.code, f.region.line, f.region.column) for f in found if f.code != "KV102"}
    assert outside == after, {"lost": outside - after, "new": after - outside}


def _pod(security_context: str, container_security_context: str = "") -> str:
    return ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
            f"  securityContext:{security_context}\n"
            "  containers:\n    - name: app\n      image: x:1\n"
            f"      securityContext:{container_security_context}\n")


def test_a_malformed_pod_security_context_leaves_what_containers_inherit_unjudged(tmp_path):
    """runAsNonRoot and seccompProfile come from the pod when the container does not set them:
    with the pod's securityContext a string, whether the container runs as root is unknown; the
    fields only a container has are still judged (true findings)."""
    found = lint_text(tmp_path, _pod(" restricted", " {}"), "pod.yaml", select=["KS4", "KV102"])
    assert sorted(f.code for f in found) == ["KS402", "KS403", "KS404", "KS409", "KV102"]
    assert [f.region.line for f in found if f.code == "KV102"] == [6]
    # the container setting its own value is judged as before
    found = lint_text(tmp_path, _pod(" restricted", " {runAsUser: 0}"), "pod.yaml", select=["KS401"])
    assert [(f.code, f.region.line) for f in found] == [("KS401", 10)]


def test_a_null_node_is_missing_not_malformed(tmp_path):
    """``securityContext:`` left empty is an absent field, as the API server reads it."""
    found = lint_text(tmp_path, _pod("", ""), "pod.yaml", select=["KS4", "KV102"])
    assert sorted(f.code for f in found) == ["KS401", "KS402", "KS403", "KS404", "KS409", "KS410"]


def test_the_model_names_the_malformed_node():
    from shiplint.core.findings import MalformedRegion
    from shiplint.model.k8s.model import resources_from_document
    from shiplint.sources.yamlsrc import parse_yaml_stream

    doc = parse_yaml_stream(_swap(_pod(" restricted", " [x]"), "image: x:1", "image: x:1\n      resources: 2"))[0]
    (res,) = resources_from_document(doc.data, "pod.yaml", 0)
    (c,) = res.containers()
    assert res.malformed_at(("spec", "securityContext", "runAsUser")) == ("spec", "securityContext")
    assert c.malformed_at(("resources", "limits", "memory")) == ("spec", "containers", 0, "resources")
    assert c.malformed_at(("livenessProbe", "httpGet")) is None  # missing, not malformed
    assert res.malformed_at(("spec", "containers", 0, "image")) is None
    where = c.missing_region(("securityContext", "readOnlyRootFilesystem"))
    assert isinstance(where, MalformedRegion) and where.line == 11
    # an inherited field the container does not set: the pod's malformed node
    doc = parse_yaml_stream(_pod(" restricted", " {readOnlyRootFilesystem: true}"))[0]
    (res,) = resources_from_document(doc.data, "pod.yaml", 0)
    (c,) = res.containers()
    where = c.missing_region(("securityContext", "runAsNonRoot"))
    assert isinstance(where, MalformedRegion) and where.line == 6
    assert not isinstance(c.missing_region(("securityContext", "allowPrivilegeEscalation")), MalformedRegion)
    # a shape-table verdict on the field itself (capabilities.drop is a list)
    doc = parse_yaml_stream(_pod(" {}", " {capabilities: {drop: ALL}}"))[0]
    (res,) = resources_from_document(doc.data, "pod.yaml", 0)
    (c,) = res.containers()
    assert isinstance(c.missing_region(("securityContext", "capabilities", "drop")), MalformedRegion)
    assert not isinstance(c.missing_region(("securityContext", "runAsNonRoot")), MalformedRegion)


def test_selectors_over_malformed_labels_are_not_judged(tmp_path):
    """A template whose labels are a list: the Service and the PodDisruptionBudget may well
    select its pods, and the workload's selector cannot be compared with them."""
    deployment = _swap(APP.split("---\n")[0], "      labels:\n        app: web\n    spec:", "      labels: [web]\n    spec:")
    service = APP.split("---\n")[2]
    found = lint_text(tmp_path, deployment + "---\n" + service, "app.yaml", select=["KS605", "KS609", "KS701", "KV102"])
    assert [(f.code, f.region.line) for f in found] == [("KV102", 19)]
    # intact, without the PodDisruptionBudget: KS605 is a true finding and stays
    found = lint_text(tmp_path, APP.split("---\n")[0], "app.yaml", select=["KS605"])
    assert [f.code for f in found] == ["KS605"]
