"""Cross-resource rules (KS604-KS609, KS701-KS703) and partial scans.

The rule fixtures (tests/fixtures/rules/KS6xx|KS7xx) pin the basic cases; this module covers the
tricky ones: namespaces, matchExpressions, List items, CronJob templates, autoscaler minimums,
percentages, controller-generated labels, and files given one by one (pre-commit) with the
rest of their directory or kustomization as context.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from conftest import FIXTURES, lint_files, run_shiplint

XRES = ["KS604", "KS605", "KS606", "KS607", "KS608", "KS609", "KS701", "KS702", "KS703"]
APP = FIXTURES / "app"
BLUEGREEN = FIXTURES / "seeds" / "bluegreen"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def lint(root: Path, paths=None, select=None):
    paths = [root / p for p in paths] if paths else [root]
    return lint_files(paths, select=select or XRES, root=root)


def codes(report, code=None):
    return sorted((f.code, f.path, f.region.line, f.region.column) for f in report.findings
                  if code is None or f.code == code)


def deployment(name, labels, replicas=None, ns=None, kind="Deployment", selector=None):
    md = f"  name: {name}\n" + (f"  namespace: {ns}\n" if ns else "")
    rep = f"  replicas: {replicas}\n" if replicas is not None else ""
    sel = selector or labels
    return (f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n{md}spec:\n{rep}"
            f"  selector:\n    matchLabels: {sel}\n  template:\n    metadata:\n      labels: {labels}\n"
            f"    spec:\n      containers:\n        - name: c\n          image: ghcr.io/acme/x:1.0.0\n")


def service(name, selector, ns=None):
    md = f"  name: {name}\n" + (f"  namespace: {ns}\n" if ns else "")
    return f"apiVersion: v1\nkind: Service\nmetadata:\n{md}spec:\n  selector: {selector}\n  ports:\n    - port: 80\n"


def pdb(name, selector_yaml, body="maxUnavailable: 1", ns=None):
    md = f"  name: {name}\n" + (f"  namespace: {ns}\n" if ns else "")
    return (f"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n{md}spec:\n  {body}\n"
            f"  selector:\n{textwrap.indent(textwrap.dedent(selector_yaml).strip(), '    ')}\n")


def hpa(name, target, min_replicas=None, kind="Deployment", ns=None):
    md = f"  name: {name}\n" + (f"  namespace: {ns}\n" if ns else "")
    mn = f"  minReplicas: {min_replicas}\n" if min_replicas is not None else ""
    return (f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n{md}spec:\n"
            f"  scaleTargetRef: {{apiVersion: apps/v1, kind: {kind}, name: {target}}}\n{mn}  maxReplicas: 10\n")


# -- the acceptance cases ------------------------------------------------------------------

def test_bluegreen_switch_that_forgot_the_service_is_caught():
    report = lint(BLUEGREEN)
    hits = [f for f in report.findings if f.code == "KS701"]
    assert [(f.path, f.region.line, f.region.column, f.region.end_column) for f in hits] == [
        ("service.yaml", 10, 32, 36)]  # the value `blue`
    assert "track=green" in hits[0].message and "api-green" in hits[0].message
    assert [f.code for f in report.findings] == ["KS701"]


def test_bluegreen_caught_when_only_the_service_file_is_given():
    report = lint(BLUEGREEN, ["service.yaml"])
    assert codes(report) == [("KS701", "service.yaml", 10, 32)]
    assert report.files == ["service.yaml"]


def test_bluegreen_deployment_file_alone_reports_nothing_on_the_service():
    report = lint(BLUEGREEN, ["api-green.yaml"])
    assert codes(report) == []
    assert report.files == ["api-green.yaml"]


def test_correct_multi_file_application_has_no_cross_resource_finding():
    report = lint(APP)
    assert codes(report) == []
    assert len(report.files) == 7


@pytest.mark.parametrize("name", sorted(p.name for p in APP.glob("*.yaml")))
def test_each_file_of_the_application_alone_has_no_false_positive(name):
    report = lint_files([APP / name], select=None, root=APP)
    assert [f for f in report.findings if f.code in XRES] == []
    # context files are consulted, never reported on: every finding is on the file given
    assert {f.path for f in report.findings} <= {name}
    assert report.files == [name]


def test_without_context_the_application_files_would_be_flagged(tmp_path):
    """Guards the previous test: alone in a directory, service.yaml and hpa.yaml are flagged."""
    write(tmp_path, {"service.yaml": (APP / "service.yaml").read_text(),
                     "hpa.yaml": (APP / "hpa.yaml").read_text(),
                     "other.yaml": deployment("unrelated", "{app: unrelated}", 2, ns="shop")})
    report = lint(tmp_path, ["service.yaml", "hpa.yaml"])
    assert {f.code for f in report.findings} == {"KS701", "KS607"}


# -- namespaces --------------------------------------------------------------------------------------

def test_namespaces_are_compared_as_written(tmp_path):
    write(tmp_path, {
        "deploy.yaml": deployment("api", "{app: api}", 2, ns="prod") + "---\n" + deployment("web", "{app: web}", 2),
        "svc.yaml": service("api", "{app: api}", ns="staging") + "---\n" + service("api", "{app: api}"),
        "ok.yaml": service("web", "{app: web}") + "---\n" + service("api2", "{app: api}", ns="prod"),
    })
    report = lint(tmp_path, select=["KS701"])
    # staging: no pod template at all there (no evidence) -> silent; unset: web only -> flagged
    assert codes(report) == [("KS701", "svc.yaml", 16, 19)]


def test_default_namespace_is_not_the_unset_namespace(tmp_path):
    write(tmp_path, {
        "deploy.yaml": deployment("api", "{app: api}", 3, ns="default"),
        "pdb.yaml": pdb("api", "matchLabels: {app: api}"),
    })
    assert codes(lint(tmp_path, select=["KS605"])) == [("KS605", "deploy.yaml", 4, 9)]
    write(tmp_path, {"pdb.yaml": pdb("api", "matchLabels: {app: api}", ns="default")})
    assert codes(lint(tmp_path, select=["KS605"])) == []


def test_hpa_in_another_namespace_does_not_count(tmp_path):
    write(tmp_path, {
        "deploy.yaml": deployment("api", "{app: api}", ns="a"),
        "hpa.yaml": hpa("api", "api", 2, ns="b"),
    })
    report = lint(tmp_path, select=["KS604", "KS607"])
    assert codes(report) == [("KS604", "deploy.yaml", 4, 9)]  # b holds no Deployment: no KS607 evidence


# -- selectors -------------------------------------------------------------------------------------

def test_pdb_match_expressions(tmp_path):
    write(tmp_path, {
        "deploy.yaml": deployment("api", "{app: api, tier: backend}", 3)
        + "---\n" + deployment("web", "{app: web, tier: frontend, canary: 'yes'}", 3)
        + "---\n" + deployment("db", "{app: db}", 3),
        "pdb.yaml": pdb("backend", """
            matchExpressions:
              - {key: tier, operator: In, values: [backend, batch]}
              - {key: canary, operator: DoesNotExist}
        """) + "---\n" + pdb("web", """
            matchExpressions:
              - {key: tier, operator: NotIn, values: [backend]}
              - {key: canary, operator: Exists}
        """) + "---\n" + pdb("db", """
            matchLabels: {app: db}
            matchExpressions:
              - {key: app, operator: NotIn, values: [db]}
        """),
    })
    assert codes(lint(tmp_path, select=["KS605"])) == [("KS605", "deploy.yaml", 36, 9)]  # db: contradictory budget


def test_unknown_operator_is_a_maybe_not_a_finding(tmp_path):
    write(tmp_path, {
        "deploy.yaml": deployment("api", "{app: api}", 3),
        "pdb.yaml": pdb("api", "matchExpressions:\n  - {key: app, operator: Matches, values: [a.*]}"),
    })
    assert codes(lint(tmp_path, select=["KS605", "KS606"])) == []


def test_label_values_typed_by_yaml_compare_as_strings(tmp_path):
    write(tmp_path, {
        "deploy.yaml": deployment("api", "{app: api, v: 2, on: true}", 2),
        "svc.yaml": service("api", "{app: api, v: '2', on: 'true'}"),
    })
    assert codes(lint(tmp_path, select=["KS701"])) == []


def test_list_items_and_cronjob_templates_are_pod_templates(tmp_path):
    write(tmp_path, {
        "list.yaml": """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent}
                spec:
                  selector: {matchLabels: {app: agent}}
                  template:
                    metadata: {labels: {app: agent}}
                    spec:
                      containers:
                        - name: agent
                          image: ghcr.io/acme/agent:1.0.0
              - apiVersion: batch/v1
                kind: CronJob
                metadata: {name: nightly}
                spec:
                  schedule: "0 1 * * *"
                  jobTemplate:
                    spec:
                      template:
                        metadata: {labels: {app: nightly}}
                        spec:
                          restartPolicy: Never
                          containers:
                            - name: n
                              image: ghcr.io/acme/n:1.0.0
              - apiVersion: v1
                kind: Service
                metadata: {name: stale}
                spec:
                  selector: {app: gone}
            """,
        "svc.yaml": service("agent", "{app: agent}") + "---\n" + service("nightly", "{app: nightly}"),
    })
    report = lint(tmp_path, select=["KS701"])
    assert codes(report) == [("KS701", "list.yaml", 33, 23)]  # `gone`


def test_controller_generated_pod_labels_are_known(tmp_path):
    """Per-pod Services of a StatefulSet select statefulset.kubernetes.io/pod-name."""
    sts = deployment("redis", "{app: redis}", 3, kind="StatefulSet")
    write(tmp_path, {
        "sts.yaml": sts,
        "svc.yaml": service("redis-0", "{app: redis, statefulset.kubernetes.io/pod-name: redis-0}")
        + "---\n" + service("redis-2", "{app: redis, statefulset.kubernetes.io/pod-name: redis-2}")
        + "---\n" + service("redis-3", "{app: redis, statefulset.kubernetes.io/pod-name: redis-3}"),
    })
    report = lint(tmp_path, select=["KS701"])
    assert codes(report) == [("KS701", "svc.yaml", 24, 62)]  # ordinal 3 of a 3-replica set


def test_pods_of_an_operator_custom_resource_are_not_flagged(tmp_path):
    write(tmp_path, {
        "operator.yaml": deployment("prometheus-operator", "{app: prometheus-operator}", 2),
        "prometheus.yaml": """
            apiVersion: monitoring.coreos.com/v1
            kind: Prometheus
            metadata:
              name: main
            spec:
              replicas: 2
            """,
        "svc.yaml": service("prometheus", "{app.kubernetes.io/name: prometheus, prometheus: main}")
        + "---\n" + service("typo", "{app: prometheus-operatr}"),
    })
    assert codes(lint(tmp_path, select=["KS701"])) == [("KS701", "svc.yaml", 15, 19)]


def test_selector_template_mismatch_points_at_the_failing_requirement(tmp_path):
    write(tmp_path, {"d.yaml": deployment("api", "{app: api, track: green}", 2, selector="{app: api, track: blue}")})
    report = lint(tmp_path, select=["KS609"])
    assert codes(report) == [("KS609", "d.yaml", 8, 36)]
    assert "track=blue" in report.findings[0].message


# -- replicas, autoscalers, budgets ------------------------------------------------------------------

def test_hpa_min_replicas_drives_missing_pdb(tmp_path):
    write(tmp_path, {
        "deploy.yaml": deployment("api", "{app: api}") + "---\n" + deployment("web", "{app: web}"),
        "hpa.yaml": hpa("api", "api", 2) + "---\n" + hpa("web", "web"),  # web: minReplicas defaults to 1
    })
    report = lint(tmp_path)
    assert codes(report) == [("KS605", "deploy.yaml", 4, 9)]


def test_keda_scaled_object_counts_as_an_autoscaler(tmp_path):
    write(tmp_path, {
        "deploy.yaml": deployment("worker", "{app: worker}", 1),
        "keda.yaml": """
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata: {name: worker}
            spec:
              scaleTargetRef: {name: worker}
            """,
    })
    report = lint(tmp_path)
    assert codes(report) == [("KS608", "deploy.yaml", 6, 13)]


@pytest.mark.parametrize("body,fires", [
    ("minAvailable: 100%", True),
    ("minAvailable: '100%'", True),
    ("minAvailable: 50%", False),
    ("maxUnavailable: 0%", True),
    ("maxUnavailable: 0", True),
    ("maxUnavailable: 1", False),
    ("maxUnavailable: 10%", False),
    ("minAvailable: 3", False),   # 2 + 2 pods selected: one may go
    ("minAvailable: 4", True),
    ("minAvailable: 9", True),
])
def test_pdb_values(tmp_path, body, fires):
    write(tmp_path, {
        "deploy.yaml": deployment("a", "{app: shop, part: a}", 2) + "---\n" + deployment("b", "{app: shop, part: b}", 2),
        "pdb.yaml": pdb("shop", "matchLabels: {app: shop}", body),
    })
    report = lint(tmp_path, select=["KS606"])
    assert bool(codes(report)) is fires
    if fires:
        assert codes(report) == [("KS606", "pdb.yaml", 6, len("  ") + len(body.split(":")[0]) + 3)]


def test_pdb_min_available_uses_the_autoscaler_minimum(tmp_path):
    write(tmp_path, {
        "deploy.yaml": deployment("api", "{app: api}"),
        "hpa.yaml": hpa("api", "api", 2),
        "pdb.yaml": pdb("api", "matchLabels: {app: api}", "minAvailable: 2"),
    })
    report = lint(tmp_path, select=["KS606"])
    assert codes(report) == [("KS606", "pdb.yaml", 6, 17)]
    assert report.findings[0].related[0].path == "deploy.yaml"


def test_pdb_selecting_a_daemonset_is_not_judged_on_counts(tmp_path):
    write(tmp_path, {
        "ds.yaml": deployment("agent", "{app: agent}", kind="DaemonSet"),
        "pdb.yaml": pdb("agent", "matchLabels: {app: agent}", "minAvailable: 1"),
    })
    assert codes(lint(tmp_path, select=["KS606"])) == []


def test_templated_replicas_are_not_judged(tmp_path):
    write(tmp_path, {"d.yaml": deployment("api", "{app: api}", "'{{ .Values.replicas }}'")})
    assert codes(lint(tmp_path, ["d.yaml"], select=["KS604", "KS605"])) == []


# -- Ingress -------------------------------------------------------------------------------------------

def test_ingress_backends_in_every_form(tmp_path):
    write(tmp_path, {
        "svc.yaml": service("web", "{app: web}", ns="shop"),
        "ing.yaml": """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: shop, namespace: shop}
            spec:
              tls: [{hosts: [a.example.com], secretName: a}]
              defaultBackend: {service: {name: web, port: {number: 80}}}
              rules:
                - host: a.example.com
                  http:
                    paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
                      - {path: /x, pathType: Prefix, backend: {serviceName: wbe, servicePort: 80}}
            """,
    })
    assert codes(lint(tmp_path)) == [("KS703", "ing.yaml", 12, 65)]  # `wbe`


# -- partial scans ---------------------------------------------------------------------------------------

def test_kustomization_context_reaches_other_directories(tmp_path):
    write(tmp_path, {
        "app/kustomization.yaml": """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
              - workloads/deploy.yaml
              - network
            patches:
              - path: patches/replicas.yaml
            """,
        "app/workloads/deploy.yaml": deployment("api", "{app: api}", 2),
        "app/network/kustomization.yaml": "resources: [svc.yaml]\n",
        "app/network/svc.yaml": service("api", "{app: api}"),
        "app/patches/replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 1\n",
        "elsewhere/deploy.yaml": deployment("other", "{app: other}", 1),
    })
    report = lint(tmp_path, ["app/network/svc.yaml"], select=["KS701"])
    assert codes(report) == []
    # a named file a kustomization reads stands for the kustomization's render: its files are checked
    assert report.files == ["app/kustomization.yaml", "app/patches/replicas.yaml", "app/workloads/deploy.yaml",
                            "app/network/kustomization.yaml", "app/network/svc.yaml"]
    # the patch is applied, never linted as a whole object: the render's single replica is its line
    report = lint(tmp_path, ["app/workloads/deploy.yaml", "app/patches/replicas.yaml", "app/network/svc.yaml"])
    assert codes(report) == [("KS604", "app/patches/replicas.yaml", 5, 13)]
    # and a selector typo is still caught in a partial scan
    write(tmp_path, {"app/network/svc.yaml": service("api", "{app: apii}")})
    report = lint(tmp_path, ["app/network/svc.yaml"], select=["KS701"])
    assert codes(report) == [("KS701", "app/network/svc.yaml", 6, 19)]  # `apii`


def test_context_files_are_neither_reported_nor_noticed(tmp_path):
    write(tmp_path, {
        "svc.yaml": service("api", "{app: api}"),
        "deploy.yaml": deployment("api", "{app: api}", 1),
        "broken.yaml": "apiVersion: v1\nkind: [unclosed\n",
    })
    report = lint_files([tmp_path / "svc.yaml"], select=None, root=tmp_path)
    assert report.findings == []
    assert report.notifications == []
    assert report.files == ["svc.yaml"]


def test_a_file_given_explicitly_is_reported_even_if_also_context(tmp_path):
    write(tmp_path, {
        "svc.yaml": service("api", "{app: api}"),
        "deploy.yaml": deployment("api", "{app: api}", 1),
    })
    report = lint(tmp_path, ["svc.yaml", "deploy.yaml"])
    assert codes(report) == [("KS604", "deploy.yaml", 6, 13)]
    assert sorted(report.files) == ["deploy.yaml", "svc.yaml"]


def test_context_is_not_read_when_no_cross_resource_rule_is_selected(tmp_path):
    write(tmp_path, {"svc.yaml": service("api", "{app: api}"), "broken.yaml": "a: [\n"})
    from shiplint.engine import Engine, Options

    inputs = Engine(Options(select=["KS101"], root=str(tmp_path))).collect([str(tmp_path / "svc.yaml")])
    assert [i.display for i in inputs] == ["svc.yaml"]
    inputs = Engine(Options(select=["KS701"], root=str(tmp_path))).collect([str(tmp_path / "svc.yaml")])
    assert [(i.display, i.report) for i in inputs] == [("svc.yaml", True), ("broken.yaml", False)]


def test_context_files_helper(tmp_path):
    from shiplint.inputs.context import context_files

    write(tmp_path, {
        "k/kustomization.yaml": "resources:\n  - a.yaml\n  - sub\n  - https://example.com/x.yaml\n",
        "k/a.yaml": "kind: ConfigMap\n",
        "k/values.yaml": "x: 1\n",
        "k/notes.txt": "x\n",
        "k/sub/kustomization.yml": "resources: [../sub/b.yaml]\n",
        "k/sub/b.yaml": "kind: ConfigMap\n",
        "k/sub/c.yaml": "kind: ConfigMap\n",
    })
    got = context_files(str(tmp_path / "k" / "sub" / "b.yaml"), str(tmp_path))
    rel = sorted(os.path.relpath(p, tmp_path) for p in got)
    assert rel == ["k/a.yaml", "k/sub/c.yaml"]
    # c.yaml is listed by no kustomization: only its directory is context
    got = context_files(str(tmp_path / "k" / "sub" / "c.yaml"), str(tmp_path))
    assert sorted(os.path.relpath(p, tmp_path) for p in got) == ["k/sub/b.yaml"]


def test_stdin_without_a_name_is_checked_on_its_own(tmp_path):
    text = service("api", "{app: api, track: blue}", ns="app") + "---\n" + deployment("api-green", "{app: api, track: green}", 2, ns="app")
    r = run_shiplint("check", "--format", "json", "--select", "KS701", "-", cwd=tmp_path, stdin=text)
    assert r.code == 1, r.err
    assert [(f["code"], f["path"], f["region"]["line"]) for f in json.loads(r.out)] == [("KS701", "<stdin>", 7)]


def test_stdin_with_a_name_uses_its_directory_as_context():
    text = (BLUEGREEN / "service.yaml").read_text().replace("track: blue", "track: green")
    name = str(BLUEGREEN.relative_to(FIXTURES.parent.parent) / "service.yaml")
    r = run_shiplint("check", "--format", "json", "--select", ",".join(XRES), "--stdin-filename", name, "-",
                     cwd=FIXTURES.parent.parent, stdin=text)
    assert r.code == 0, r.out + r.err
    r = run_shiplint("check", "--format", "json", "--select", ",".join(XRES), "--stdin-filename", name, "-",
                     cwd=FIXTURES.parent.parent, stdin=(BLUEGREEN / "service.yaml").read_text())
    assert [(f["code"], f["path"]) for f in json.loads(r.out)] == [("KS701", name)]


def test_cli_single_file_of_the_application_is_clean_of_cross_resource_findings():
    root = FIXTURES.parent.parent
    r = run_shiplint("check", "--format", "json", "--select", ",".join(XRES),
                     str((APP / "service.yaml").relative_to(root)), str((APP / "ingress.yaml").relative_to(root)), cwd=root)
    assert r.code == 0, r.out + r.err
    assert json.loads(r.out) == []


# -- selector helpers ---------------------------------------------------------------------------------

def test_selector_helpers():
    from shiplint.model.k8s import selectors as s

    assert s.label_value(True) == "true" and s.label_value(2) == "2" and s.label_value(None) == ""
    reqs = s.label_selector_requirements({"matchLabels": {"a": 1}, "matchExpressions": [
        {"key": "b", "operator": "In", "values": ["x", "y"]}, {"key": "c", "operator": "DoesNotExist"}]})
    assert s.matches(reqs, {"a": "1", "b": "y"}) is True
    assert s.matches(reqs, {"a": "1", "b": "y", "c": ""}) is False
    assert s.matches(reqs, {"a": "1"}) is False
    assert s.label_selector_requirements({"matchExpressions": "nope"}) is None
    assert s.matches(s.label_selector_requirements({}), {"anything": "x"}) is True
    assert s.matches(None, {}) is None


def test_malformed_objects_never_break_the_rules(tmp_path):
    write(tmp_path, {"weird.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: 5, labels: [a, b]}
        spec: {replicas: "3", selector: [x], template: {metadata: {labels: nope}, spec: {containers: 1}}}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: s}
        spec: [1, 2]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: svc}
        spec: {selector: {app: null, 1: 2}, type: ClusterIP}
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: p}
        spec: {minAvailable: [1], maxUnavailable: {a: 1}, selector: {matchLabels: [1], matchExpressions: [{key: a, operator: In, values: x}]}}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: h}
        spec: {scaleTargetRef: x, minReplicas: true}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: h2}
        spec: {scaleTargetRef: {kind: [Deployment], name: {a: b}}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: i}
        spec: {tls: "yes", rules: [1, {http: {paths: [{backend: {service: {name: 3}}}, 7]}}], defaultBackend: []}
        ---
        apiVersion: v1
        kind: List
        items: [1, {kind: Pod}, {apiVersion: v1, kind: Pod, metadata: {labels: {app: x}}, spec: {containers: []}}]
        """})
    report = lint(tmp_path)
    assert [n for n in report.notifications if n.kind == "internal-error"] == []
    assert report.notifications == []


def test_findings_of_context_renders_do_not_surface():
    """A Helm render given alone has the other renders of its directory as context; their
    findings must not surface (they were only consulted)."""
    from conftest import corpus_root

    corpus = corpus_root("rendered/helm/grafana.yaml")
    report = lint_files([corpus / "rendered" / "helm" / "grafana.yaml"], select=["KS604"], root=corpus)
    assert report.files == ["rendered/helm/grafana.yaml"]
    assert report.findings, "the grafana render runs one replica"
    assert {f.path for f in report.findings} == {"rendered/helm/grafana.yaml"}
