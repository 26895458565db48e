"""Second-wave Kubernetes and Flux rules: the cases their fixtures do not pin (evidence across
namespaces and directories, options, Flux files named like kustomizations, reads confined to the
scan root)."""

from __future__ import annotations

from conftest import lint_files, lint_text

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}{ns}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
        - name: {name}
          image: ghcr.io/acme/{name}:1.0.0
"""
DENY_INGRESS_ONLY_DB = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: db{ns}}}
spec:
  podSelector: {{matchLabels: {{app: db}}}}
"""


def _write(tmp_path, files: dict):
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def test_ks704_needs_a_policy_in_the_namespace_unless_told_otherwise(tmp_path):
    _write(tmp_path, {"api.yaml": DEPLOY.format(name="api", ns=", namespace: app")})
    assert not lint_files([tmp_path], select=["KS704"], root=tmp_path).findings
    opts = {"rule_options": {"KS704": {"require-evidence": False}}}
    found = lint_files([tmp_path], select=["KS704"], root=tmp_path, **opts).findings
    assert [(f.path, f.region.line, f.region.column) for f in found] == [("api.yaml", 3, 18)]


def test_ks704_unset_namespace_evidence_is_per_directory(tmp_path):
    # two unrelated examples without a namespace: the policy of one is no evidence for the other
    _write(tmp_path, {
        "one/api.yaml": DEPLOY.format(name="api", ns=""),
        "one/policy.yaml": DENY_INGRESS_ONLY_DB.format(ns=""),
        "two/web.yaml": DEPLOY.format(name="web", ns=""),
    })
    found = lint_files([tmp_path], select=["KS704"], root=tmp_path).findings
    assert [f.path for f in found] == ["one/api.yaml"]


def test_ks705_evidence_and_empty_selector(tmp_path):
    _write(tmp_path, {"policy.yaml": DENY_INGRESS_ONLY_DB.format(ns=", namespace: app")})
    assert not lint_files([tmp_path], select=["KS705"], root=tmp_path).findings  # no workload scanned
    _write(tmp_path, {"api.yaml": DEPLOY.format(name="api", ns=", namespace: app")})
    found = lint_files([tmp_path], select=["KS705"], root=tmp_path).findings
    assert [(f.path, f.region.line) for f in found] == [("policy.yaml", 5)]
    assert "closest, Deployment 'api', fails app=db" in found[0].message


def test_ks901_names_the_aggregating_cluster_role(tmp_path):
    text = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-edit
  labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
rules:
  - apiGroups: [widgets.example.com]
    resources: ["*"]
    verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: edit}
aggregationRule:
  clusterRoleSelectors:
    - matchLabels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
rules: []
"""
    found = lint_text(tmp_path, text, "roles.yaml", select=["KS901"])
    assert [(f.region.line, f.region.column) for f in found] == [(8, 17)]
    assert "(aggregated into ClusterRole 'edit')" in found[0].message


def test_ks904_everyone_groups_always_fire_and_system_components_do_not(tmp_path):
    text = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: x}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: User, name: "system:kube-controller-manager"}
  - {kind: Group, name: "system:unauthenticated"}
  - {kind: User, name: "system:anonymous"}
"""
    found = lint_text(tmp_path, text, "b.yaml", select=["KS904"])
    assert [f.region.line for f in found] == [7, 8]


def test_ks611_unset_restart_policy_of_a_cronjob_fires(tmp_path):
    text = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: c
              image: busybox:1.36
"""
    found = lint_text(tmp_path, text, "c.yaml", select=["KS611"])
    assert [(f.region.line, f.region.column) for f in found] == [(9, 9)]


FLUX_KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: apps, namespace: flux-system}}
spec:
  interval: 10m
  path: {path}
  prune: true
  wait: true
  sourceRef: {{kind: GitRepository, name: flux-system}}
"""


def test_a_flux_kustomization_named_kustomization_yaml_is_linted_not_built(tmp_path):
    _write(tmp_path, {"clusters/prod/kustomization.yaml": FLUX_KS.format(path="./apps").replace("  prune: true\n", "")})
    # (KV105, the note that no CRD of the Flux kind is in the scan, is another matter)
    report = lint_files([tmp_path], root=tmp_path, ignore=["KV105"])
    codes = sorted(f.code for f in report.findings)
    assert "SL007" not in codes
    assert codes == ["FX101"]
    # given explicitly too
    report = lint_files([tmp_path / "clusters/prod/kustomization.yaml"], root=tmp_path, ignore=["KV105"])
    assert sorted(f.code for f in report.findings) == ["FX101"]


def test_fx103_never_reads_outside_the_scan_root(tmp_path):
    outside = tmp_path / "outside"
    _write(outside, {"secret.yaml": "kind: Secret\nstringData: {a: 'ENC[AES256_GCM,data:x]'}\nsops:\n  mac: ENC[x]\n"})
    repo = tmp_path / "repo"
    _write(repo, {"flux.yaml": FLUX_KS.format(path="../outside"), "inside/secret.yaml": (outside / "secret.yaml").read_text()})
    assert not lint_files([repo], select=["FX103"], root=repo).findings
    _write(repo, {"flux.yaml": FLUX_KS.format(path="./inside")})
    assert [f.code for f in lint_files([repo], select=["FX103"], root=repo).findings] == ["FX103"]


def test_fx105_marker_of_an_unscanned_namespace_is_not_judged(tmp_path):
    auto = """\
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageUpdateAutomation
metadata: {name: apps, namespace: flux-system}
spec:
  update: {path: ./apps, strategy: Setters}
"""
    marker = 'image: ghcr.io/acme/api:1.0.0 # {"$imagepolicy": "team-a:api"}\n'
    _write(tmp_path, {"auto.yaml": auto, "apps/values.yaml": marker})
    assert not lint_files([tmp_path], select=["FX105"], root=tmp_path).findings
    policy = "apiVersion: image.toolkit.fluxcd.io/v1beta2\nkind: ImagePolicy\nmetadata: {name: web, namespace: team-a}\n"
    _write(tmp_path, {"policy.yaml": policy})
    found = lint_files([tmp_path], select=["FX105"], root=tmp_path).findings
    assert [(f.path, f.region.line) for f in found] == [("auto.yaml", 5)]
    assert "team-a:api" in found[0].message
