"""Kubernetes single-object rules: the hardened workload, the seeds' examples, tricky cases."""

from __future__ import annotations

import re

import pytest

from conftest import FIXTURES, lint_files, lint_text

SEEDS = FIXTURES / "seeds" / "k8s"
#: Cross-resource rules are developed separately (KS604-KS609, KS701-KS703).
CROSS_RESOURCE = re.compile(r"KS60[4-9]|KS7\d\d")


def hits(findings, code=None):
    return sorted((f.code, f.region.line, f.region.column) for f in findings if code is None or f.code == code)


def lines(findings, code):
    return sorted({f.region.line for f in findings if f.code == code})


# -- the hardened workload ----------------------------------------------------------------------
def test_hardened_deployment_produces_no_finding():
    report = lint_files([FIXTURES / "hardened"], root=FIXTURES / "hardened")
    assert report.files == ["deployment.yaml"]
    left = [f"{f.code}@{f.region.line}: {f.message}" for f in report.findings if not CROSS_RESOURCE.match(f.code)]
    assert left == []
    assert not [n for n in report.notifications if n.kind == "internal-error"]


def test_hardened_deployment_breaks_when_a_practice_is_removed(tmp_path):
    text = (FIXTURES / "hardened" / "deployment.yaml").read_text()
    broken = text.replace("maxUnavailable: 0", "maxUnavailable: 1").replace(
        "automountServiceAccountToken: false", "# automountServiceAccountToken left out")
    findings = lint_text(tmp_path, broken, "d.yaml", select=["KS"])
    codes = {f.code for f in findings if not CROSS_RESOURCE.match(f.code)}
    assert codes == {"KS601", "KS409"}


# -- the seeds' examples ------------------------------------------------------------------------
def seed(name, select=None):
    path = SEEDS / name
    return lint_files([path], select=select, root=SEEDS).findings


def test_seed_000_5_1_secret_and_deployment():
    f = seed("seed000_5.1_config.yaml")
    assert hits(f, "KS504") == [("KS504", 13, 1)]  # stringData of db-creds
    assert hits(f, "KS502") == [("KS502", 35, 26)]  # secretKeyRef of DB_USER
    assert hits(f, "KS101") == [("KS101", 29, 16)]  # ghcr.io/acme/api:1.3.0
    assert lines(f, "KS601") == [20]  # no strategy: the default 25% (points at `spec:`)
    assert not hits(f, "KS409")  # the seed sets automountServiceAccountToken: false
    assert not hits(f, "KS501")  # envFrom only from a ConfigMap
    assert not hits(f, "KS204")


def test_seed_000_8_migration_job_loads_the_whole_secret():
    f = seed("seed000_8_migration_job.yaml")
    assert hits(f, "KS501") == [("KS501", 20, 13)]
    assert not hits(f, "KS801") and not hits(f, "KS802")  # ttl and delete policy are set
    assert not hits(f, "KS201") and not hits(f, "KS202")  # a Job: no probe rules
    assert not hits(f, "KS101")  # image tag is an unrendered Helm expression


def test_seed_000_8_template_that_parses_is_linted_in_directory_scans():
    """A Helm template outside a chart whose YAML parses (the action sits inside a scalar) is
    linted in a walk as when named: skipping every file with a '{{' would let one hide."""
    report = lint_files([SEEDS], root=SEEDS, select=["KS501", "KS101"])
    assert "seed000_8_migration_job.yaml" in report.files
    got = [(f.code, f.region.line, f.region.column) for f in report.findings
           if f.path == "seed000_8_migration_job.yaml"]
    assert got == [("KS501", 20, 13)]


def test_seed_001_configurable_app():
    f = seed("seed001_3_configurable_app.yaml")
    assert hits(f, "KS504") == [("KS504", 7, 1)]
    assert hits(f, "KS501") == [("KS501", 47, 11)]
    assert lines(f, "KS201") == [29]  # no readinessProbe; the liveness probe is there
    assert not hits(f, "KS202") and not hits(f, "KS203")  # initialDelaySeconds: 5
    assert not hits(f, "KS204")  # probe on 8080, containerPort 8080
    assert not hits(f, "KS301") and not hits(f, "KS302")


def test_seed_002_4_1_hardcoded_credentials():
    f = seed("seed002_4.1_compose_as_k8s.yaml")
    assert hits(f, "KS503") == [("KS503", 14, 18), ("KS503", 23, 18)]
    for finding in f:
        assert "password@" not in finding.message
        assert not re.search(r"\bpassword\b(?!@)", finding.message.replace("embedded password", ""))
    url = next(x for x in f if x.code == "KS503" and x.region.line == 14)
    assert "DATABASE_URL" in url.message and "app:****@db:5432" in url.message


def test_seed_002_6_3_web_app():
    f = seed("seed002_6.3_web_app.yaml")
    assert hits(f, "KS203") == [("KS203", 42, 32)]  # liveness waits 30 s, no startupProbe
    assert hits(f, "KS504") == [("KS504", 64, 1)]
    assert hits(f, "KS502") == [("KS502", 28, 13)]
    assert not hits(f, "KS201") and not hits(f, "KS202") and not hits(f, "KS204")
    assert not [x for x in f if "c3VwZXJz" in x.message or "cG9zdGdy" in x.message]


def test_seed_002_7_3_secure_pod_passes_the_security_rules():
    f = seed("seed002_7.3_secure_pod.yaml", select=["KS401", "KS402", "KS403", "KS404", "KS405", "KS406", "KS407"])
    assert f == []


def test_seed_004_workloads():
    f = seed("seed004_1.3_1.4_workloads.yaml")
    assert hits(f, "KS601") == [("KS601", 15, 23)]  # maxUnavailable: 1
    assert hits(f, "KS102") == [("KS102", 45, 16)]  # fluentd:latest
    assert hits(f, "KS801") == [("KS801", 51, 1)]  # the Job, not the CronJob
    # Jobs and CronJobs get no probe rules; the Deployment and DaemonSet do
    assert lines(f, "KS201") == [25, 44] and lines(f, "KS202") == [25, 44]
    # the CronJob's containers get the container rules
    assert 74 in lines(f, "KS401") and 75 in lines(f, "KS101")


def test_seed_004_helm_test_pod():
    f = seed("seed004_3.9_helm_test.yaml")
    assert hits(f, "KS802") == [("KS802", 8, 5)]
    assert hits(f, "KS102") == [("KS102", 12, 12)]
    assert not hits(f, "KS201")  # restartPolicy: Never


# -- tricky cases -------------------------------------------------------------------------------
DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{ name: d }}
spec:
  template:
    spec:
      containers:
        - name: c
{body}
"""


def container(body: str) -> str:
    return DEPLOY.format(body="\n".join("          " + line for line in body.strip("\n").splitlines()))


def test_untrusted_registry_is_inactive_by_default_and_matches_prefixes(tmp_path):
    text = container("image: docker.io/someone/api:1.0")
    assert lint_text(tmp_path, text, "a.yaml", select=["KS104"]) == []
    opts = {"rule_options": {"KS104": {"trusted-registries": ["ghcr.io/acme"]}}}
    (f,) = lint_text(tmp_path, text, "a.yaml", select=["KS104"], **opts)
    assert (f.region.line, f.region.column) == (9, 18)
    for image, trusted in [("ghcr.io/acme/api:1", True), ("ghcr.io/acme", True), ("ghcr.io/acmex/api:1", False),
                           ("GHCR.IO/acme/api:1", True), ("nginx:1.27", False)]:
        got = lint_text(tmp_path, container(f"image: {image}"), "a.yaml", select=["KS104"], **opts)
        assert (got == []) is trusted, image
    hub = {"rule_options": {"untrusted-registry": {"trusted-registries": "docker.io"}}}
    assert lint_text(tmp_path, container("image: nginx:1.27"), "a.yaml", select=["KS104"], **hub) == []


def test_runtime_socket_is_an_error_unless_the_severity_is_configured(tmp_path):
    text = """\
apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  containers: [{ name: c, image: x }]
  volumes:
    - { name: s, hostPath: { path: /run/containerd/containerd.sock } }
    - { name: l, hostPath: { path: /var/log/pods } }
    - { name: v, hostPath: { path: /var/ } }
"""
    found = lint_text(tmp_path, text, "p.yaml", select=["KS408"])
    assert [(f.region.line, f.level) for f in found] == [(7, "error"), (8, "warning"), (9, "error")]
    lowered = lint_text(tmp_path, text, "p.yaml", select=["KS408"], severity={"KS408": "note"})
    assert {f.level for f in lowered} == {"note"}


def test_numeric_probe_port_mismatch_is_a_note(tmp_path):
    text = container("""
image: x
ports: [{ name: http, containerPort: 8080 }]
livenessProbe: { httpGet: { port: 8081 } }
readinessProbe: { tcpSocket: { port: metrics } }
startupProbe: { grpc: { port: 8080 } }
""")
    found = lint_text(tmp_path, text, "d.yaml", select=["KS204"])
    assert [(f.region.line, f.level) for f in found] == [(11, "note"), (12, "warning")]


def test_probe_rules_skip_init_ephemeral_and_batch_containers(tmp_path):
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata: { name: d }
spec:
  template:
    spec:
      initContainers: [{ name: i, image: x }]
      ephemeralContainers: [{ name: e, image: x }]
      containers:
        - name: c
          image: x
          readinessProbe: { exec: { command: [true] } }
          livenessProbe: { exec: { command: [true] } }
"""
    assert lint_text(tmp_path, text, "d.yaml", select=["KS201", "KS202", "KS203"]) == []
    # but the image and security rules do see init and ephemeral containers
    found = lint_text(tmp_path, text, "d.yaml", select=["KS102", "KS403"])
    assert sorted((f.code, f.region.line) for f in found) == [("KS102", 7), ("KS102", 8), ("KS102", 11),
                                                         ("KS403", 7), ("KS403", 8), ("KS403", 10)]


def test_hardcoded_secret_never_prints_the_value(tmp_path):
    secret = "Zx9-super-SECRET-value"
    text = container(f"""
image: x
env:
  - {{ name: GITHUB_TOKEN, value: "{secret}" }}
  - {{ name: REDIS_URL, value: "redis://:{secret}@redis:6379/0" }}
  - {{ name: NOT_A_SECRET_URL, value: "https://user@example.com/x" }}
  - {{ name: TOKEN_FILE, value: "relative/not/absolute" }}
  - {{ name: PWD, value: "/workdir" }}
  - {{ name: ETCD_TOKEN, value: INSERT_ETCD_TOKEN_HERE }}
""")
    found = lint_text(tmp_path, text, "d.yaml", select=["KS503"])
    assert [(f.region.line, f.region.column) for f in found] == [(11, 44), (12, 41)]
    for f in found:
        assert secret not in f.message
    assert "redis://:****@redis:6379" in found[1].message


def test_credential_patterns_option(tmp_path):
    text = container('image: x\nenv: [{ name: MY_PIN, value: "4242-abc" }, { name: DB_PASSWORD, value: hunter2 }]')
    opts = {"rule_options": {"KS503": {"credential-patterns": ["(?i)pin$"]}}}
    found = lint_text(tmp_path, text, "d.yaml", select=["KS503"], **opts)
    assert [f.message.split("'")[3] for f in found] == ["MY_PIN"]


def test_invalid_credential_pattern_is_reported_not_crashing(tmp_path):
    from shiplint.engine import Engine, Options

    path = tmp_path / "d.yaml"
    path.write_text(container('image: x\nenv: [{ name: A, value: b }]'))
    engine = Engine(Options(select=["KS503"], root=str(tmp_path),
                            rule_options={"KS503": {"credential-patterns": ["("]}}))
    report = engine.run([str(path)])
    assert report.findings == []
    (note,) = report.notifications
    assert note.kind == "internal-error" and "credential-patterns" in note.message


def test_rollout_defaults_and_int_or_string(tmp_path):
    def dep(strategy: str) -> str:
        return f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{ name: d }}\nspec:\n  replicas: 1\n{strategy}"

    cases = {
        "": ["KS601"],
        "  strategy: {}\n": ["KS601"],
        "  strategy: { rollingUpdate: { maxUnavailable: 0 } }\n": [],
        "  strategy: { rollingUpdate: { maxUnavailable: '0%', maxSurge: 0 } }\n": ["KS602"],
        "  strategy: { rollingUpdate: { maxUnavailable: '25%' } }\n": ["KS601"],
        "  strategy: { rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } }\n": ["KS601"],
        "  strategy: { type: Recreate }\n": ["KS603"],
        "  strategy: { rollingUpdate: { maxUnavailable: '{{ .Values.x }}' } }\n": [],
    }
    for strategy, expected in cases.items():
        found = lint_text(tmp_path, dep(strategy), "d.yaml", select=["KS601", "KS602", "KS603"])
        assert sorted(f.code for f in found) == expected, strategy


def test_implicit_max_unavailable_message_is_true_of_small_replica_counts(tmp_path):
    def dep(replicas: str) -> str:
        return f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{ name: d }}\nspec:\n{replicas}  selector: {{}}\n"

    (f,) = lint_text(tmp_path, dep("  replicas: 1\n"), "d.yaml", select=["KS601"])
    assert "rounds down to no pod at 1 replica(s)" in f.message and "may be unavailable" not in f.message
    for replicas in ("  replicas: 4\n", ""):  # unset: an autoscaler or an overlay sets the count
        (f,) = lint_text(tmp_path, dep(replicas), "d.yaml", select=["KS601"])
        assert "the default 25% of its pods may be unavailable" in f.message, replicas


def test_implicit_max_unavailable_points_at_the_deepest_existing_node(tmp_path):
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec:\n  strategy:\n    type: RollingUpdate\n"
    (f,) = lint_text(tmp_path, text, "d.yaml", select=["KS601"])
    assert (f.region.line, f.region.column) == (5, 3)
    (f,) = lint_text(tmp_path, "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\n", "d.yaml", select=["KS601"])
    assert (f.region.line, f.region.column) == (3, 19)  # no spec at all: the object's name


def test_custom_resource_with_pod_template_gets_container_rules(tmp_path):
    text = """\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: r }
spec:
  template:
    spec:
      containers:
        - name: c
          image: nginx
          securityContext: { privileged: true }
"""
    found = lint_text(tmp_path, text, "r.yaml", select=["KS102", "KS405", "KS202", "KS601"])
    assert [(f.code, f.region.line) for f in found] == [("KS202", 8), ("KS102", 9), ("KS405", 10)]


def test_malformed_workloads_do_not_crash(tmp_path):
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata: [not, a, map]
spec:
  strategy: Recreate
  template:
    spec:
      securityContext: 3
      containers:
        - just-a-string
        - name: 7
          image: [1, 2]
          securityContext: { capabilities: { add: SYS_ADMIN, drop: ALL } }
          env: { a: b }
          envFrom: [{ secretRef: x }]
          livenessProbe: { httpGet: { port: [1] }, initialDelaySeconds: "60" }
          resources: { requests: 1, limits: [] }
      volumes: [{ name: v, hostPath: /etc }, 3]
---
apiVersion: v1
kind: Secret
metadata: { name: s }
data: [a, b]
"""
    from shiplint.engine import Engine, Options

    path = tmp_path / "m.yaml"
    path.write_text(text)
    report = Engine(Options(select=["KS"], root=str(tmp_path))).run([str(path)])
    assert [n.message for n in report.notifications if n.kind == "internal-error"] == []
    assert report.findings  # the container is still judged
