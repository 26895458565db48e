"""Findings on real repository layouts land on the file and line that cause them, once, and
never on patch fragments: kustomizations beside charts, patches nobody lists, components,
overlays sharing a base, ``if``/``else if``/``else`` templates, random names, file counts.

Each test builds a small repository as one holds these files (several files per layout)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import lint_files
from test_helm import helm  # noqa: F401  (the fixture)
from test_kustomize import kustomize_bin  # noqa: F401  (the fixture)


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    seen = 0
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == nth:
                return i
    raise AssertionError(f"{needle!r} not in {path}")


BASE_DEPLOYMENT = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: controller-manager
      namespace: system
      labels:
        control-plane: controller-manager
    spec:
      selector:
        matchLabels:
          control-plane: controller-manager
      replicas: 2
      template:
        metadata:
          labels:
            control-plane: controller-manager
        spec:
          automountServiceAccountToken: false
          securityContext:
            runAsNonRoot: true
            seccompProfile:
              type: RuntimeDefault
          containers:
            - name: manager
              image: controller:latest
              args: [--leader-elect]
              securityContext:
                allowPrivilegeEscalation: false
                readOnlyRootFilesystem: true
                capabilities:
                  drop: ["ALL"]
              livenessProbe:
                httpGet: {path: /healthz, port: 8081}
              readinessProbe:
                httpGet: {path: /readyz, port: 8081}
              resources:
                limits: {cpu: 500m, memory: 128Mi}
                requests: {cpu: 10m, memory: 64Mi}
    """


# -- a kustomization beside a Chart.yaml ----------------------------------------------------------


def test_patch_of_a_kustomization_beside_a_chart_is_not_linted_as_a_deployment(tmp_path, helm):  # noqa: F811
    # Argo CD's "kustomized-helm" plugin layout: helm renders the chart into all.yaml, then the
    # kustomization patches it; the patch file holds a partial Deployment
    repo = write(tmp_path, {
        "apps/guestbook/Chart.yaml": """
            apiVersion: v2
            name: guestbook
            version: 0.1.0
            """,
        "apps/guestbook/values.yaml": "replicaCount: 1\n",
        "apps/guestbook/templates/configmap.yaml": """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {{ .Release.Name }}-settings
            data:
              replicas: "{{ .Values.replicaCount }}"
            """,
        "apps/guestbook/kustomization.yaml": """
            namePrefix: kustomize-
            resources:
            - ./all.yaml
            patches:
            - overlays/guestbook-deployment.yaml
            - path: overlays/replicas.yaml
            """,
        "apps/guestbook/overlays/guestbook-deployment.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: release-name-guestbook
            spec:
              template:
                spec:
                  containers:
                    - name: guestbook
                      image: 'gcr.io/google-samples/gb-frontend:v5'
            """,
        "apps/guestbook/overlays/replicas.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: release-name-guestbook
            spec:
              replicas: 1
            """,
    })
    report = lint_files([repo], root=repo, helm_bin=helm)
    paths = sorted({f.path for f in report.findings})
    assert not [p for p in paths if "/overlays/" in p], paths


# -- patch fragments no kustomization lists -------------------------------------------------------


def test_unreferenced_patch_fragments_are_not_linted_as_objects(tmp_path, kustomize_bin):  # noqa: F811
    # kubebuilder's config/default: the cert-manager patch is commented out of the kustomization
    repo = write(tmp_path, {
        "config/manager/kustomization.yaml": "resources:\n- manager.yaml\n",
        "config/manager/manager.yaml": BASE_DEPLOYMENT,
        "config/default/kustomization.yaml": """
            namespace: demo-system
            namePrefix: demo-
            resources:
            - ../manager
            patches:
            - path: manager_metrics_patch.yaml
              target:
                kind: Deployment
            # Uncomment the patch if you enable cert-manager
            #- path: certmanager_metrics_manager_patch.yaml
            """,
        "config/default/manager_metrics_patch.yaml": """
            - op: add
              path: /spec/template/spec/containers/0/args/0
              value: --metrics-bind-address=:8443
            """,
        "config/default/certmanager_metrics_manager_patch.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: controller-manager
              namespace: system
            spec:
              template:
                spec:
                  containers:
                    - name: manager
                      volumeMounts:
                        - mountPath: /tmp/k8s-metrics-server/serving-certs
                          name: metrics-certs
                          readOnly: true
                  volumes:
                    - name: metrics-certs
                      secret:
                        secretName: metrics-server-cert
            """,
        "config/samples/delete_patch.yaml": """
            apiVersion: v1
            kind: Service
            metadata:
              name: legacy
            $patch: delete
            """,
        "config/samples/app.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: sample
            spec:
              selector:
                matchLabels: {app: sample}
              template:
                metadata:
                  labels: {app: sample}
                spec:
                  containers:
                    - name: app
                      image: nginx
            """,
    })
    report = lint_files([repo], root=repo)
    paths = {f.path for f in report.findings}
    assert "config/default/certmanager_metrics_manager_patch.yaml" not in paths
    assert "config/samples/delete_patch.yaml" not in paths
    # a complete object beside them is still linted, and the manager through the overlay, each
    # untagged/latest image on its own line
    ks102 = sorted((f.path, f.region.line) for f in report.findings if f.code == "KS102")
    assert ks102 == [("config/manager/manager.yaml", line_of(repo / "config/manager/manager.yaml", "image: controller")),
                     ("config/samples/app.yaml", line_of(repo / "config/samples/app.yaml", "image: nginx"))]


# -- Helm: if / else if / else ----------------------------------------------------------------------

EXPORTER_CHART = {
    "charts/exporter/Chart.yaml": """
        apiVersion: v2
        name: exporter
        version: 1.2.0
        appVersion: "0.9.1"
        """,
    "charts/exporter/values.yaml": """
        image:
          repository: ghcr.io/example/exporter
        broker:
          existingUserSecret: ~
          existingUserSecretKey: username
          user: guest
        hardened: false
        """,
    "charts/exporter/templates/_helpers.tpl": """
        {{- define "exporter.fullname" -}}
        {{ .Release.Name }}-{{ .Chart.Name }}
        {{- end -}}
        """,
    "charts/exporter/templates/secret.yaml": """
        apiVersion: v1
        kind: Secret
        metadata:
          name: {{ include "exporter.fullname" . }}
        type: Opaque
        stringData:
          BROKER_USER: {{ .Values.broker.user | quote }}
        """,
    "charts/exporter/templates/deployment.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ include "exporter.fullname" . }}
        spec:
          replicas: 2
          selector:
            matchLabels:
              app: exporter
          template:
            metadata:
              labels:
                app: exporter
            spec:
              containers:
                - name: exporter
                  image: "{{ .Values.image.repository }}:{{ .Chart.AppVersion }}"
                  {{- if .Values.hardened }}
                  securityContext:
                    runAsNonRoot: true
                    allowPrivilegeEscalation: false
                  {{- else }}
                  securityContext:
                    privileged: true
                  {{- end }}
                  env:
                    {{- if .Values.broker.existingUserSecret }}
                    - name: BROKER_USER
                      valueFrom:
                        secretKeyRef:
                          name: "{{ .Values.broker.existingUserSecret }}"
                          key: "{{ .Values.broker.existingUserSecretKey }}"
                    {{- else if .Values.broker.user }}
                    - name: BROKER_USER
                      valueFrom:
                        secretKeyRef:
                          name: {{ include "exporter.fullname" . }}
                          key: BROKER_USER
                    {{- else }}
                    - name: BROKER_USER
                      value: anonymous
                    {{- end }}
        """,
}


def test_if_else_if_else_findings_land_on_the_rendered_branch(tmp_path, helm):  # noqa: F811
    repo = write(tmp_path, EXPORTER_CHART)
    tpl = repo / "charts/exporter/templates/deployment.yaml"
    report = lint_files([repo / "charts/exporter"], root=repo, helm_bin=helm, select=["KS502", "KS405"])
    got = sorted((f.code, f.path, f.region.line) for f in report.findings)
    # default values render the `else if` env item and the `else` securityContext
    assert got == [
        ("KS405", "charts/exporter/templates/deployment.yaml", line_of(tpl, "privileged: true")),
        ("KS502", "charts/exporter/templates/deployment.yaml", line_of(tpl, "secretKeyRef:", nth=2)),
    ]
    # an existing Secret renders the `if` branch: the finding follows it
    report = lint_files([repo / "charts/exporter"], root=repo, helm_bin=helm, select=["KS502"],
                        helm_set=["broker.existingUserSecret=broker-creds"])
    assert [(f.path, f.region.line) for f in report.findings] == [
        ("charts/exporter/templates/deployment.yaml", line_of(tpl, "secretKeyRef:", nth=1))]


# -- Helm: names that change on every render --------------------------------------------------------

RANDOM_CHART = {
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 6.0.0\n",
    "charts/web/values.yaml": "image: ghcr.io/example/web:6.0.0\n",
    "charts/web/templates/_helpers.tpl": """
        {{- define "web.fullname" -}}
        {{ .Release.Name }}-web
        {{- end -}}
        """,
    "charts/web/templates/tests/grpc.yaml": """
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{ template "web.fullname" . }}-grpc-test-{{ randAlphaNum 5 | lower }}
          annotations:
            "helm.sh/hook": test-success
        spec:
          containers:
            - name: grpc-health-probe
              image: stefanprodan/grpc_health_probe:v0.3.0
              command: ['grpc_health_probe', '-addr=web:9999']
          restartPolicy: Never
        """,
    "charts/web/templates/migrate.yaml": """
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: "migrate-{{ uuidv4 }}"
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: {{ .Values.image }}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: backup-{{ now | date "20060102150405" }}-{{ randNumeric 4 }}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: backup
                  image: {{ .Values.image }}
        """,
}


def test_random_names_give_the_same_findings_and_fingerprints_on_every_run(tmp_path, helm):  # noqa: F811
    repo = write(tmp_path, RANDOM_CHART)

    def run():
        report = lint_files([repo / "charts/web"], root=repo, helm_bin=helm)
        return [(f.code, f.path, f.region.line, f.subject, f.message, f.fingerprint) for f in report.findings]

    first, second = run(), run()
    assert first and first == second
    grpc = repo / "charts/web/templates/tests/grpc.yaml"
    migrate = repo / "charts/web/templates/migrate.yaml"
    by_code = {(c, p, line): s for c, p, line, s, _m, _f in first}
    # still on the exact template lines, named by what stays the same
    assert by_code[("KS101", "charts/web/templates/tests/grpc.yaml", line_of(grpc, "image:"))].startswith(
        "Pod//release-name-web-grpc-test-<random>:")
    assert by_code[("KS101", "charts/web/templates/migrate.yaml", line_of(migrate, "image:"))].startswith(
        "Job//migrate-<random>:")
    assert by_code[("KS101", "charts/web/templates/migrate.yaml", line_of(migrate, "image:", nth=2))].startswith(
        "Job//backup-<random>-<random>:")


# -- Kustomize: components, and overlays sharing a base --------------------------------------------

SHOP = {
    "deploy/base/kustomization.yaml": """
        resources:
          - deployment.yaml
          - service.yaml
        """,
    "deploy/base/deployment.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: cart
          labels: {app: cart}
        spec:
          replicas: 3
          selector:
            matchLabels: {app: cart}
          template:
            metadata:
              labels: {app: cart}
            spec:
              automountServiceAccountToken: false
              securityContext:
                runAsNonRoot: true
                seccompProfile: {type: RuntimeDefault}
              containers:
                - name: cart
                  image: ghcr.io/example/cart:1.4.2
                  ports:
                    - containerPort: 8080
                  securityContext:
                    allowPrivilegeEscalation: false
                    capabilities: {drop: [ALL]}
                  livenessProbe: {httpGet: {path: /healthz, port: 8080}}
                  readinessProbe: {httpGet: {path: /ready, port: 8080}}
                  resources:
                    requests: {cpu: 50m, memory: 64Mi}
                    limits: {memory: 128Mi}
        """,
    "deploy/base/service.yaml": """
        apiVersion: v1
        kind: Service
        metadata:
          name: cart
        spec:
          selector: {app: cart}
          ports:
            - port: 80
              targetPort: 8080
        """,
    "deploy/components/hardening/kustomization.yaml": """
        apiVersion: kustomize.config.k8s.io/v1alpha1
        kind: Component
        images:
          - name: ghcr.io/example/cart
            digest: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
        patches:
          - path: read-only.yaml
        """,
    "deploy/components/hardening/read-only.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: cart
        spec:
          template:
            spec:
              containers:
                - name: cart
                  securityContext:
                    readOnlyRootFilesystem: true
        """,
    "deploy/components/metrics/kustomization.yaml": """
        apiVersion: kustomize.config.k8s.io/v1alpha1
        kind: Component
        patches:
          - path: exporter.yaml
        """,
    "deploy/components/metrics/exporter.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: cart
        spec:
          template:
            spec:
              containers:
                - name: exporter
                  image: prom/statsd-exporter:v0.26.0
        """,
    "deploy/components/canary/kustomization.yaml": """
        apiVersion: kustomize.config.k8s.io/v1alpha1
        kind: Component
        images:
          - name: ghcr.io/example/cart
            newTag: latest
        """,
    "deploy/overlays/dev/kustomization.yaml": """
        namespace: shop-dev
        namePrefix: dev-
        resources:
          - ../../base
        """,
    "deploy/overlays/staging/kustomization.yaml": """
        namespace: shop-staging
        namePrefix: staging-
        resources:
          - ../../base
        components:
          - ../../components/metrics
          - ../../components/canary
        """,
    "deploy/overlays/prod/kustomization.yaml": """
        namespace: shop
        resources:
          - ../../base
        components:
          - ../../components/hardening
          - ../../components/metrics
        """,
}


def test_overlays_sharing_a_base_report_its_line_once_and_components_are_traced(tmp_path, kustomize_bin):  # noqa: F811
    repo = write(tmp_path, SHOP)
    base = repo / "deploy/base/deployment.yaml"
    exporter = repo / "deploy/components/metrics/exporter.yaml"
    canary = repo / "deploy/components/canary/kustomization.yaml"
    report = lint_files([repo], root=repo, select=["KS605", "KS101", "KS102", "KS403"])
    got = sorted((f.code, f.path, f.region.line, len(f.related)) for f in report.findings
                 if not f.message.startswith("container 'exporter'"))
    assert got == [
        # the cart image: pinned by the hardening component in prod, by the base's tag in dev,
        # retagged 'latest' by the canary component in staging
        ("KS101", "deploy/base/deployment.yaml", line_of(base, "image: ghcr.io/example/cart"), 1),
        ("KS101", "deploy/components/canary/kustomization.yaml", line_of(canary, "newTag"), 1),
        ("KS102", "deploy/components/canary/kustomization.yaml", line_of(canary, "newTag"), 1),
        # the writable root filesystem: made read-only by the hardening component in prod only
        ("KS403", "deploy/base/deployment.yaml", line_of(base, "securityContext:", nth=2), 2),
        # no PodDisruptionBudget in any of the three namespaces: one finding, three renders
        ("KS605", "deploy/base/deployment.yaml", line_of(base, "name: cart"), 3),
    ]
    # the sidecar the metrics component adds: on the component's patch, once for two overlays
    side = sorted((f.code, f.path, f.region.line, len(f.related)) for f in report.findings
                  if f.message.startswith("container 'exporter'"))
    assert side == [("KS101", "deploy/components/metrics/exporter.yaml", line_of(exporter, "image:"), 2),
                    ("KS403", "deploy/components/metrics/exporter.yaml", line_of(exporter, "- name: exporter"), 2)]


# -- Output: files counted the same way on both sides of the summary --------------------------------


def test_summary_counts_files_with_findings_among_the_files_checked(tmp_path, helm, kustomize_bin):  # noqa: F811
    import re

    from shiplint.reporters.text import render as text_render

    repo = write(tmp_path, {**EXPORTER_CHART, **SHOP, "k8s/redis.yaml": """
        apiVersion: v1
        kind: Pod
        metadata:
          name: redis
        spec:
          containers:
            - name: redis
              image: redis
        """})
    report = lint_files([repo], root=repo, helm_bin=helm)
    checked = set(report.files)
    assert len(checked) == len(report.files)  # each file once, though three overlays share the base
    with_findings = {f.path for f in report.active()}
    assert with_findings <= checked
    # a chart counts as its files, a kustomization tree as its own, a plain manifest as itself
    assert {"charts/exporter/Chart.yaml", "charts/exporter/values.yaml", "charts/exporter/templates/_helpers.tpl",
            "charts/exporter/templates/deployment.yaml", "charts/exporter/templates/secret.yaml"} <= checked
    assert {"deploy/base/kustomization.yaml", "deploy/base/deployment.yaml", "deploy/base/service.yaml",
            "deploy/components/metrics/exporter.yaml", "deploy/overlays/prod/kustomization.yaml",
            "k8s/redis.yaml"} <= checked
    assert "charts/exporter" not in checked and "deploy/overlays/dev/kustomization.yaml" in checked
    summary = text_render(report, {}).strip().splitlines()[-1]
    m = re.search(r" in (\d+) files?; (\d+) files? checked", summary)
    assert m and (int(m[1]), int(m[2])) == (len(with_findings), len(checked)), summary
