"""The chart rules (HC101–HC106) on a chart laid out as community charts are: Chart.yaml with
dependencies and its lock, a nested values.yaml, templates with helpers and tests, vendored
subcharts.  Positions are pinned; credential defaults never reach an output."""

from __future__ import annotations

import json

import pytest

from conftest import lint_files, run_shiplint
from test_helm import helm  # noqa: F401  (the helm binary fixture)

CHART_YAML = """\
apiVersion: v2
name: shop
description: The acme shop
type: application
version: "2.1"
dependencies:
  - name: postgresql
    version: ~12.1.6
    repository: https://charts.bitnami.com/bitnami
    condition: postgresql.enabled
  - name: common
    version: 2.13.3
    repository: oci://registry-1.docker.io/bitnamicharts
  - name: ui
    version: ">=0.0.0"
    repository: file://../ui
"""

VALUES = """\
replicaCount: 2
image:
  repository: ghcr.io/acme/shop
  tag: ""
auth:
  # the default render creates no Secret from these; they ship as every release's defaults
  adminPassword: "Shop-Admin-2024!"
  existingSecret: ""
  secretKeys:
    adminPasswordKey: admin-password
postgresql:
  enabled: false
  auth:
    postgresPassword: ""
    password: changeme
payments:
  webhookSecret: '{{ .Values.global.webhookSecret }}'
  apiKey: <stripe-api-key>
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "shop.fullname" . }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
        - name: shop
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
"""

HELPERS = '{{- define "shop.fullname" -}}{{ .Release.Name }}-shop{{- end -}}\n'


@pytest.fixture
def repo(tmp_path):
    chart = tmp_path / "charts" / "shop"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(CHART_YAML)
    (chart / "values.yaml").write_text(VALUES)
    (chart / "templates" / "deployment.yaml").write_text(DEPLOYMENT)
    (chart / "templates" / "_helpers.tpl").write_text(HELPERS)
    for name, version in (("postgresql", "12.1.6"), ("common", "2.13.3"), ("ui", "0.3.0")):
        sub = chart / "charts" / name
        sub.mkdir(parents=True)
        extra = "type: library\n" if name == "common" else ""
        (sub / "Chart.yaml").write_text(f"apiVersion: v1\nname: {name}\nversion: {version}\n{extra}")
    return tmp_path


def _hc(report):
    return sorted((f.code, f.path, f.region.line, f.region.column) for f in report.findings if f.code.startswith("HC"))


def test_chart_rules_fire_at_their_positions(repo, helm):
    report = lint_files([repo], root=repo, helm_bin=helm)
    assert _hc(report) == [
        ("HC102", "charts/shop/Chart.yaml", 5, 10),     # "2.1": two numbers
        ("HC103", "charts/shop/Chart.yaml", 5, 1),      # no appVersion: on the version line
        ("HC104", "charts/shop/Chart.yaml", 8, 14),     # ~12.1.6: a range although vendored
        ("HC105", "charts/shop/values.yaml", 7, 18),    # auth.adminPassword
        ("HC105", "charts/shop/values.yaml", 15, 15),   # postgresql.auth.password: changeme
        ("HC106", "charts/shop/Chart.yaml", 2, 1),      # no templates/tests/
    ]
    # the vendored subcharts are the chart's data, not charts of their own (apiVersion v1 there)
    assert not any(f.code == "HC101" for f in report.findings)
    # the render ran beside the chart rules
    assert any(f.path == "charts/shop/templates/deployment.yaml" for f in report.findings)


def test_unlocked_dependency_and_lock_file(repo, helm):
    chart = repo / "charts" / "shop"
    (chart / "Chart.yaml").write_text(CHART_YAML.replace('"2.1"', "2.1.0\nappVersion: \"3.0.0\""))
    import shutil

    shutil.rmtree(chart / "charts" / "common")
    report = lint_files([repo], root=repo, helm_bin=helm, select=["HC104"])
    assert [(f.region.line, f.region.column) for f in report.findings] == [(9, 14), (12, 5)]
    assert "neither vendored under charts/ nor locked in Chart.lock" in report.findings[1].message
    (chart / "Chart.lock").write_text("dependencies:\n- name: postgresql\n  repository: "
                                      "https://charts.bitnami.com/bitnami\n  version: 12.1.6\n- name: common\n"
                                      "  repository: oci://registry-1.docker.io/bitnamicharts\n  version: 2.13.3\n"
                                      "digest: sha256:00\ngenerated: \"2024-05-02T10:11:12Z\"\n")
    report = lint_files([repo], root=repo, helm_bin=helm, select=["HC104"])
    assert [(f.region.line, f.region.column) for f in report.findings] == [(9, 14)]  # the range stays


def test_credential_defaults_never_printed(repo, helm):
    for fmt in ("text", "json", "sarif"):
        r = run_shiplint("check", ".", "--select", "HC105", "--helm-bin", helm, "--format", fmt, cwd=repo)
        assert r.code == 1, r.err
        out = r.out
        if fmt == "sarif":  # the rule's help quotes `changeme` as an example: look at the results
            out = json.dumps(json.loads(out)["runs"][0]["results"])
        assert "Shop-Admin-2024" not in out + r.err and "changeme" not in out + r.err
        assert "auth.adminPassword" in out and "postgresql.auth.password" in out


def test_inline_suppression_in_values(repo, helm):
    values = repo / "charts" / "shop" / "values.yaml"
    values.write_text(VALUES.replace("password: changeme",
                                     "password: changeme  # shiplint ignore=HC105 -- the demo database of the chart"))
    report = lint_files([repo], root=repo, helm_bin=helm, select=["HC105"])
    assert [(f.region.line, f.suppressed) for f in report.findings] == [(7, False), (15, True)]


def test_library_chart_needs_no_tests_nor_app_version(tmp_path, helm):
    lib = tmp_path / "common"
    (lib / "templates").mkdir(parents=True)
    (lib / "Chart.yaml").write_text("apiVersion: v2\nname: common\ntype: library\nversion: 2.13.3\n")
    (lib / "templates" / "_names.tpl").write_text(HELPERS)
    report = lint_files([tmp_path], root=tmp_path, helm_bin=helm, select=["HC"])
    assert _hc(report) == []


def test_test_hook_outside_tests_directory_counts(tmp_path, helm):
    chart = tmp_path / "api"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: api\nversion: 1.0.0\nappVersion: '1'\n")
    (chart / "templates" / "smoke.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: smoke\n  annotations:\n    \"helm.sh/hook\": test-success\n"
        "spec:\n  restartPolicy: Never\n  containers: [{name: c, image: 'busybox:1.36.1'}]\n")
    assert _hc(lint_files([tmp_path], root=tmp_path, helm_bin=helm, select=["HC106"])) == []


@pytest.mark.parametrize("version, ok", [
    ("1.0.0", True), ("0.0.0", True), ("1.2.3-rc.1+build.5", True), ("10.20.30", True),
    ("1.0", False), ("v1.8.0", False), ("1", False), ("01.2.3", False), ("1.2.3-", False), ("1.2.3.4", False),
])
def test_semver_is_strict(version, ok):
    from shiplint.model.helm import SEMVER

    assert bool(SEMVER.match(version)) is ok


@pytest.mark.parametrize("constraint, exact", [
    ("1.2.3", True), ("=1.2.3", True), ("v1.2.3", True), ("1.2.3-rc.1", True),
    ("^1.2.3", False), ("~1.2", False), ("1.2", False), ("1.2.x", False), ("1.2.*", False), (">=1.0.0", False),
    ("1.2.3 || 1.3.0", False), ("1.2.3 - 1.4.0", False), ("*", False),
])
def test_dependency_constraints(constraint, exact):
    from shiplint.model.helm import exact_version

    assert exact_version(constraint) is exact
