"""CI values scenarios (``ci/*-values.yaml``, the chart-testing convention): each is rendered
beside the default render; a finding is reported once per template location, with the
scenarios that produce it named; ``--no-ci-values`` turns it off."""

from __future__ import annotations

import json

import pytest

from conftest import lint_files, run_shiplint
from test_helm import helm  # noqa: F401  (the helm binary fixture)

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      {{- with .Values.hostNetwork }}
      hostNetwork: {{ . }}
      {{- end }}
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
"""

VALUES = """\
image:
  repository: nginx
  tag: "1.27"
hostNetwork: false
securityContext:
  allowPrivilegeEscalation: true
"""


@pytest.fixture
def chart(tmp_path):
    c = tmp_path / "web"
    (c / "templates").mkdir(parents=True)
    (c / "ci").mkdir()
    (c / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: '1.27'\n")
    (c / "values.yaml").write_text(VALUES)
    (c / "templates" / "deployment.yaml").write_text(DEPLOYMENT)
    (c / "ci" / "host-network-values.yaml").write_text("hostNetwork: true\n")
    (c / "ci" / "replicas-values.yaml").write_text("image:\n  tag: \"1.27.1\"\n")
    (c / "ci" / "notes.txt").write_text("not a scenario\n")
    return c


def _by_code(report, code):
    return [f for f in report.findings if f.code == code]


def test_scenario_only_finding_names_its_scenario(chart, helm):
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=["KS407", "KS402"])
    [host] = _by_code(report, "KS407")
    assert (host.path, host.region.line) == ("web/templates/deployment.yaml", 13)
    assert "(only with CI scenario ci/host-network-values.yaml)" in host.message
    # the scenario's file also sets the value: the message names its key
    assert host.message.endswith("(set by hostNetwork in web/ci/host-network-values.yaml:1)")
    assert ("web/ci/host-network-values.yaml", "CI scenario ci/host-network-values.yaml") in \
        [(r.path, r.message) for r in host.related]
    # the default render's finding is reported once, the scenarios that repeat it as related locations
    [esc] = _by_code(report, "KS402")
    assert "only with" not in esc.message and esc.path == "web/templates/deployment.yaml"
    assert {r.path for r in esc.related if (r.message or "").startswith("CI scenario")} == {
        "web/ci/host-network-values.yaml", "web/ci/replicas-values.yaml"}


def test_scenarios_turned_off(chart, helm):
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=["KS407", "KS402"], helm_ci_values=False)
    assert [f.code for f in report.findings] == ["KS402"]
    assert not any((r.message or "").startswith("CI scenario") for r in report.findings[0].related)
    r = run_shiplint("check", "web", "--helm-bin", helm, "--select", "KS407", "--no-ci-values", "--format", "json",
                     cwd=chart.parent)
    assert r.code == 0, r.out + r.err


def test_scenario_that_fails_to_render_is_reported(chart, helm):
    (chart / "ci" / "broken-values.yaml").write_text("image: [unclosed\n")
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=["SL007", "KS407"])
    failed = _by_code(report, "SL007")
    assert len(failed) == 1 and "ci/broken-values.yaml" in failed[0].message
    assert failed[0].path == "web/Chart.yaml"
    assert len(_by_code(report, "KS407")) == 1  # the other scenarios still ran


def test_scenario_in_sarif(chart, helm):
    r = run_shiplint("check", "web", "--helm-bin", helm, "--select", "KS407", "--format", "sarif", cwd=chart.parent)
    [result] = json.loads(r.out)["runs"][0]["results"]
    assert "ci/host-network-values.yaml" in result["message"]["text"]
    related = [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in result.get("relatedLocations", [])]
    assert "web/ci/host-network-values.yaml" in related
