"""Kubernetes rules on the inputs where real repositories showed them wrong or silent: each test
writes a small repository (manifests, a chart, a kustomization, as a repository holds them) and
pins the exact findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, lint_files

PIN = "@sha256:" + "ab" * 32
SECURE = """\
          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
            seccompProfile: {type: RuntimeDefault}
"""


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return tmp_path


def _found(tmp_path, select, **options):
    report = lint_files([tmp_path], select=select, root=tmp_path, **options)
    assert not [n for n in report.notifications if n.kind == "internal-error"]
    return sorted((f.path, f.code, f.region.line, f.region.column) for f in report.findings)


def _helm() -> str | None:
    binary = ROOT / ".tools" / "bin" / "helm"
    return str(binary) if binary.is_file() else None


JOBSET = """\
apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata:
  name: pytorch
spec:
  replicatedJobs:
  - name: leader
    replicas: 1
    template:
      spec:
        backoffLimit: 0
        template:
          spec:
            restartPolicy: Never
            containers:
            - name: pytorch
              image: ghcr.io/acme/trainer:2.1""" + PIN + """
              securityContext:
                privileged: true
  - name: workers
    replicas: 1
    template:
      spec:
        parallelism: 4
        template:
          spec:
            restartPolicy: Never
            hostNetwork: true
            containers:
            - name: pytorch
              image: ghcr.io/acme/trainer:2.1""" + PIN + """
"""


def test_pod_templates_nested_in_custom_resources_are_checked(tmp_path):
    _repo(tmp_path, {
        "examples/pytorch/jobset.yaml": JOBSET,
        "examples/pytorch/README.md": "Run with kubectl apply -f jobset.yaml\n",
        # a CRD's schema mentions containers but holds no pod template
        "config/crd/jobsets.yaml": (
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
            "metadata: {name: jobsets.jobset.x-k8s.io}\nspec:\n  group: jobset.x-k8s.io\n"
            "  names: {kind: JobSet, plural: jobsets}\n  scope: Namespaced\n  versions:\n"
            "  - name: v1alpha2\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n"
            "        type: object\n        properties:\n          spec:\n            type: object\n"
            "            properties:\n              containers: {type: array, items: {type: object}}\n"
        ),
    })
    found = _found(tmp_path, ["KS405", "KS407", "KS402", "KS201"])
    assert found == [
        ("examples/pytorch/jobset.yaml", "KS402", 18, 15),  # leader: securityContext without it
        ("examples/pytorch/jobset.yaml", "KS402", 30, 21),  # workers: no securityContext at all
        ("examples/pytorch/jobset.yaml", "KS405", 19, 29),  # leader: privileged
        ("examples/pytorch/jobset.yaml", "KS407", 28, 26),  # workers: hostNetwork
    ]  # the Job pods run to completion: no probe rule (KS201)
    report = lint_files([tmp_path / "examples"], select=["KS402"], root=tmp_path)
    subjects = {f.fingerprint for f in report.findings}
    assert len(subjects) == 2  # the two same-named containers keep distinct identities


def test_sops_sealed_and_external_secrets_are_not_plaintext(tmp_path):
    _repo(tmp_path, {
        ".sops.yaml": "creation_rules:\n  - path_regex: .*secret.*\\.yaml\n    encrypted_regex: ^(data|stringData)$\n",
        "apps/api/secret.enc.yaml": (
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-db\ntype: Opaque\n"
            "stringData:\n  password: ENC[AES256_GCM,data:8bX1kq==,iv:abc=,tag:def=,type:str]\n"
            "sops:\n  kms: []\n  lastmodified: \"2024-05-01T10:00:00Z\"\n  mac: ENC[AES256_GCM,data:zz==,iv:a=,tag:b=,type:str]\n  version: 3.8.1\n"
        ),
        "apps/api/sealed.yaml": (
            "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: api-token\nspec:\n"
            "  encryptedData:\n    token: AgBy3i4OJSWK+PiTySYZZA==\n  template:\n    metadata: {name: api-token}\n"
        ),
        "apps/api/external.yaml": (
            "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata:\n  name: api-keys\nspec:\n"
            "  secretStoreRef: {name: vault, kind: ClusterSecretStore}\n  target: {name: api-keys}\n"
            "  data:\n  - secretKey: key\n    remoteRef: {key: api/keys, property: key}\n"
        ),
        # a Secret the SealedSecret controller wrote, exported from a cluster
        "apps/api/exported.yaml": (
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-token\n  ownerReferences:\n"
            "  - apiVersion: bitnami.com/v1alpha1\n    kind: SealedSecret\n    name: api-token\n    uid: 1\n"
            "data:\n  token: c2VjcmV0\n"
        ),
        # the one real plaintext Secret
        "apps/worker/secret.yaml": (
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: worker\ntype: Opaque\n"
            "stringData:\n  password: hunter2\n"
        ),
    })
    assert _found(tmp_path, ["KS504"]) == [("apps/worker/secret.yaml", "KS504", 6, 1)]


@pytest.mark.skipif(_helm() is None, reason="helm not installed in .tools/bin")
def test_chart_secrets_filled_from_values_are_not_committed(tmp_path):
    _repo(tmp_path, {
        "charts/rabbitmq-exporter/Chart.yaml": "apiVersion: v2\nname: rabbitmq-exporter\nversion: 1.2.0\n",
        "charts/rabbitmq-exporter/values.yaml": (
            "rabbitmq:\n  user: guest\n  password: guest\nextraSecrets:\n  SMTP_PASSWORD: changeme\n"
        ),
        "charts/rabbitmq-exporter/templates/_helpers.tpl": (
            '{{- define "exporter.fullname" -}}{{ .Release.Name }}-exporter{{- end }}\n'
        ),
        "charts/rabbitmq-exporter/templates/secret.yaml": (
            "{{- if .Values.rabbitmq.password }}\n"
            "apiVersion: v1\n"
            "kind: Secret\n"
            "metadata:\n"
            '  name: {{ include "exporter.fullname" . }}\n'
            "type: Opaque\n"
            "data:\n"
            "  RABBIT_PASSWORD: {{ .Values.rabbitmq.password | b64enc }}\n"
            "  RABBIT_USER: {{ .Values.rabbitmq.user | b64enc }}\n"
            "  {{- range $k, $v := .Values.extraSecrets }}\n"
            "  {{ $k }}: {{ $v | b64enc }}\n"
            "  {{- end }}\n"
            "stringData:\n"
            "  exporter.ini: |\n"
            "    [rabbit]\n"
            "    user = {{ .Values.rabbitmq.user }}\n"
            "{{- end }}\n"
            "---\n"
            "apiVersion: v1\n"
            "kind: Secret\n"
            "metadata:\n"
            '  name: {{ include "exporter.fullname" . }}-static\n'
            "stringData:\n"
            "  webhook-token: 4f9a1c2e7b\n"
        ),
    })
    found = _found(tmp_path, ["KS504"], helm_bin=_helm())
    # only the literal value written in the template: the expressions are supplied at install
    assert found == [("charts/rabbitmq-exporter/templates/secret.yaml", "KS504", 23, 1)]


@pytest.mark.skipif(_helm() is None, reason="helm not installed in .tools/bin")
def test_kustomize_digest_written_as_new_tag_is_an_invalid_reference(tmp_path):
    _repo(tmp_path, {
        "base/kustomization.yaml": "resources: [deployment.yaml]\n",
        "base/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n"
            "  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n"
            "    spec:\n      containers:\n      - name: api\n        image: ghcr.io/acme/api:1.0.0\n"
        ),
        "overlays/prod/kustomization.yaml": (
            "resources: [../../base]\nimages:\n- name: ghcr.io/acme/api\n"
            '  newTag: "@sha256:' + "2d" * 32 + '"\n'
        ),
        "overlays/staging/kustomization.yaml": (
            "resources: [../../base]\nimages:\n- name: ghcr.io/acme/api\n"
            '  digest: sha256:' + "2d" * 32 + "\n"
        ),
    })
    # the overlays are scanned from the repository root (their base lies outside the overlays)
    report = lint_files([tmp_path / "overlays"], select=["KZ101", "KS103"], root=tmp_path)
    found = sorted((f.path, f.code, f.region.line, f.region.column) for f in report.findings)
    # the newTag line; the rendered 'ghcr.io/acme/api:@sha256:…' is refused as well (KS103)
    assert ("overlays/prod/kustomization.yaml", "KZ101", 4, 11) in found
    assert {(p, c) for p, c, _, _ in found} == {("overlays/prod/kustomization.yaml", "KZ101"),
                                               ("overlays/prod/kustomization.yaml", "KS103")}


def test_service_account_with_automount_off_and_explicit_true(tmp_path):
    _repo(tmp_path, {
        "deploy/serviceaccount.yaml": (
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  namespace: shop\n"
            "automountServiceAccountToken: false\n"
        ),
        "deploy/web.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n"
            "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
            "    spec:\n      serviceAccountName: web\n      containers:\n      - name: web\n"
            "        image: ghcr.io/acme/web:1.0\n"
        ),
        "deploy/operator.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: operator\n  namespace: shop\nspec:\n"
            "  selector: {matchLabels: {app: operator}}\n  template:\n    metadata: {labels: {app: operator}}\n"
            "    spec:\n      serviceAccountName: operator\n      automountServiceAccountToken: true\n"
            "      containers:\n      - name: operator\n        image: ghcr.io/acme/operator:1.0\n"
        ),
        # runs as the namespace's default ServiceAccount, which keeps automounting
        "deploy/cron.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\n  namespace: shop\nspec:\n"
            "  selector: {matchLabels: {app: cart}}\n  template:\n    metadata: {labels: {app: cart}}\n"
            "    spec:\n      containers:\n      - name: cart\n        image: ghcr.io/acme/cart:1.0\n"
        ),
    })
    assert _found(tmp_path, ["KS409"]) == [("deploy/cron.yaml", "KS409", 10, 5)]


def test_private_keys_in_env_whatever_the_armour(tmp_path):
    key_body = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
    _repo(tmp_path, {
        "k8s/git-sync.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: git-sync}\nspec:\n"
            "  selector: {matchLabels: {app: git-sync}}\n  template:\n    metadata: {labels: {app: git-sync}}\n"
            "    spec:\n      containers:\n      - name: sync\n        image: ghcr.io/acme/git-sync:4.2\n"
            "        env:\n        - name: GIT_SSH_IDENTITY\n          value: |\n"
            "            ---BEGIN OPENSSH PRIVATE KEY---\n            " + key_body + "\n"
            "            ---END OPENSSH PRIVATE KEY---\n"
            "        - name: TLS_KEY\n          value: \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIB\\n-----END EC PRIVATE KEY-----\"\n"
            "        - name: CA_CERT\n          value: \"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\"\n"
        ),
    })
    found = _found(tmp_path, ["KS503"])
    assert found == [("k8s/git-sync.yaml", "KS503", 14, 18), ("k8s/git-sync.yaml", "KS503", 19, 18)]
    report = lint_files([tmp_path], select=["KS503"], root=tmp_path)
    assert all(key_body not in f.message and "MHcC" not in f.message for f in report.findings)


def test_pdb_with_both_min_available_and_max_unavailable(tmp_path):
    _repo(tmp_path, {
        "deploy/api.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 3\n"
            "  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n"
            "    spec:\n      containers:\n      - name: api\n        image: ghcr.io/acme/api:1.0\n"
        ),
        "deploy/pdb.yaml": (
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: api}\nspec:\n"
            "  minAvailable: 1\n  maxUnavailable: 1\n  selector: {matchLabels: {app: api}}\n"
        ),
    })
    report = lint_files([tmp_path], select=["KS606"], root=tmp_path)
    assert [(f.path, f.code, f.level, f.region.line, f.region.column) for f in report.findings] == [
        ("deploy/pdb.yaml", "KS606", "error", 6, 3)]


def test_hook_jobs_deleted_by_argo_cd_and_ingress_tls_from_the_controller(tmp_path):
    _repo(tmp_path, {
        "pre-post-sync/pre-sync-job.yaml": (
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: before-\n  annotations:\n"
            "    argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/hook-delete-policy: HookSucceeded\n"
            "spec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n"
            "      - name: sleep\n        image: alpine:3.20\n"
        ),
        "pre-post-sync/post-sync-job.yaml": (
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: after\n  annotations:\n"
            "    argocd.argoproj.io/hook: PostSync\n    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation\n"
            "spec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n"
            "      - name: sleep\n        image: alpine:3.20\n"
        ),
        "release-cluster/frontend-ingress.yaml": (
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: frontend-ingress\n  annotations:\n"
            "    kubernetes.io/ingress.global-static-ip-name: shop\n"
            "    networking.gke.io/managed-certificates: shop-cert\n"
            "    networking.gke.io/v1beta1.FrontendConfig: https-redirect\n"
            "spec:\n  defaultBackend:\n    service: {name: frontend, port: {number: 80}}\n"
        ),
        "release-cluster/frontend-config.yaml": (
            "apiVersion: networking.gke.io/v1beta1\nkind: FrontendConfig\nmetadata: {name: https-redirect}\n"
            "spec:\n  redirectToHttps: {enabled: true}\n"
        ),
        "release-cluster/admin-ingress.yaml": (
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: admin\nspec:\n"
            "  rules:\n  - host: admin.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n"
            "        backend: {service: {name: admin, port: {number: 80}}}\n"
        ),
    })
    assert _found(tmp_path, ["KS801", "KS702"]) == [
        ("pre-post-sync/post-sync-job.yaml", "KS801", 8, 1),
        ("release-cluster/admin-ingress.yaml", "KS702", 4, 9),
    ]
