"""Values tracing: a finding on a chart names the values key (file, line, column) that sets the
offending value, found by rendering the chart once more with the candidate keys perturbed
(src/shiplint/inputs/render/values_trace.py)."""

from __future__ import annotations

import json
import re

import pytest

from conftest import assert_valid_sarif, lint_files, run_shiplint
from test_helm import helm  # noqa: F401  (the helm binary fixture)
from test_sarif_consumers import assert_consumers_accept

HELPERS = """\
{{/* Expand the name of the chart. */}}
{{- define "web.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "web.fullname" -}}
{{- printf "%s-%s" .Release.Name (include "web.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "web.labels" -}}
app.kubernetes.io/name: {{ include "web.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "web.containerSecurityContext" -}}
{{- toYaml .Values.controller.containerSecurityContext }}
{{- end }}
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.fullname" . }}
  labels:
    {{- include "web.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.controller.replicaCount }}
  selector:
    matchLabels:
      {{- include "web.labels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "web.labels" . | nindent 8 }}
    spec:
      automountServiceAccountToken: false
      hostPID: {{ .Values.debug.hostPID | default false }}
      {{- with .Values.controller.podSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          securityContext:
            {{- include "web.containerSecurityContext" . | nindent 12 }}
          resources:
            {{- toYaml .Values.controller.resources | nindent 12 }}
        {{- range .Values.sidecars }}
        - name: {{ .name }}
          image: {{ .image }}
          securityContext:
            privileged: {{ .privileged | default false }}
            runAsNonRoot: true
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
          resources:
            limits: {memory: 64Mi}
            requests: {cpu: 5m, memory: 32Mi}
        {{- end }}
        - name: agent
          image: busybox:1.36
          securityContext:
            privileged: true
            runAsNonRoot: true
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
          resources:
            limits: {memory: 64Mi}
            requests: {cpu: 5m, memory: 32Mi}
"""

VALUES = """\
# Default values for web.
nameOverride: ""

image:
  repository: nginx
  tag: ""

controller:
  replicaCount: 2
  podSecurityContext:
    runAsNonRoot: false
  containerSecurityContext:
    allowPrivilegeEscalation: true
    readOnlyRootFilesystem: false
    capabilities:
      drop: [ALL]
  resources:
    limits: {memory: 128Mi}
    requests: {cpu: 10m, memory: 64Mi}

sidecars:
  - name: metrics
    image: prom/exporter:v1.0.0
    privileged: true

debug:
  hostPID: true
"""

SECURITY = ["KS401", "KS402", "KS403", "KS405", "KS407", "KS410"]


@pytest.fixture
def chart(tmp_path):
    c = tmp_path / "web"
    (c / "templates").mkdir(parents=True)
    (c / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 1.2.0\nappVersion: \"1.27\"\n")
    (c / "values.yaml").write_text(VALUES)
    (c / "templates" / "_helpers.tpl").write_text(HELPERS)
    (c / "templates" / "deployment.yaml").write_text(DEPLOYMENT)
    return c


def _at(text: str, line_text: str) -> tuple[int, int]:
    """(line, column) of the key on the one line of ``text`` that is ``line_text``."""
    [n] = [i for i, line in enumerate(text.splitlines(), 1) if line == line_text]
    return n, len(line_text) - len(line_text.lstrip()) + 1


def _values_keys(f) -> list[tuple[str, int, int, str]]:
    return [(r.path, r.region.line, r.region.column, r.message) for r in f.related
            if (r.message or "").startswith(("values key ", "values block "))]


def _one(report, code: str, container: str):
    found = [f for f in report.findings if f.code == code and f"'{container}'" in f.message]
    assert len(found) == 1, [f.message for f in report.findings]
    return found[0]


def test_insecure_defaults_name_their_values_lines(chart, helm):
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=SECURITY)
    cases = [  # rule, container, values key, values line: through include+toYaml, with, range, default
        ("KS403", "web", "controller.containerSecurityContext.readOnlyRootFilesystem", "    readOnlyRootFilesystem: false"),
        ("KS402", "web", "controller.containerSecurityContext.allowPrivilegeEscalation",
         "    allowPrivilegeEscalation: true"),
        ("KS401", "web", "controller.podSecurityContext.runAsNonRoot", "    runAsNonRoot: false"),
        ("KS405", "metrics", "sidecars[0].privileged", "    privileged: true"),
    ]
    for code, container, key, line_text in cases:
        f = _one(report, code, container)
        line, col = _at(VALUES, line_text)
        assert _values_keys(f) == [("web/values.yaml", line, col, f"values key {key}")], (code, f.related)
        assert f.message.endswith(f"(set by {key} in web/values.yaml:{line})"), f.message
        assert f.path == "web/templates/deployment.yaml"  # the primary location stays on the template
        assert f.properties["values"] == [{"key": key, "path": "web/values.yaml", "line": line, "column": col,
                                           "block": False}]
    [host] = [f for f in report.findings if f.code == "KS407"]  # through `| default false`
    assert _values_keys(host) == [("web/values.yaml", *_at(VALUES, "  hostPID: true"), "values key debug.hostPID")]


def test_template_literal_names_no_values_key(chart, helm):
    """The agent's ``privileged: true`` is written in the template: the equal ``true`` of
    sidecars[0].privileged is a candidate, but perturbing it does not change this node."""
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=["KS405"])
    agent = _one(report, "KS405", "agent")
    assert _values_keys(agent) == [] and "set by" not in agent.message
    assert "values" not in agent.properties


def test_missing_setting_names_the_values_block(chart, helm):
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=["KS410"])
    web = _one(report, "KS410", "web")
    line, col = _at(VALUES, "  containerSecurityContext:")
    assert _values_keys(web) == [("web/values.yaml", line, col, "values block controller.containerSecurityContext")]
    assert f"the block comes from controller.containerSecurityContext in web/values.yaml:{line}" in web.message
    # the sidecar's securityContext is the template's own: no block named
    assert _values_keys(_one(report, "KS410", "metrics")) == []


def test_values_file_given_by_the_user_is_named(chart, helm, tmp_path):
    prod = tmp_path / "prod.yaml"
    prod_text = ("controller:\n  containerSecurityContext:\n    allowPrivilegeEscalation: false\n"
                 "    # still writable\n    readOnlyRootFilesystem: false\n")
    prod.write_text(prod_text)
    report = lint_files([chart], root=tmp_path, helm_bin=helm, select=SECURITY, helm_values=[str(prod)])
    ro = _one(report, "KS403", "web")
    line, col = _at(prod_text, "    readOnlyRootFilesystem: false")
    assert _values_keys(ro) == [("prod.yaml", line, col, "values key controller.containerSecurityContext.readOnlyRootFilesystem")]
    assert ro.message.endswith(f"in prod.yaml:{line})")
    # the override fixed allowPrivilegeEscalation; what it does not set still comes from values.yaml
    assert not [f for f in report.findings if f.code == "KS402"]
    root_user = _one(report, "KS401", "web")
    assert _values_keys(root_user)[0][:2] == ("web/values.yaml", _at(VALUES, "    runAsNonRoot: false")[0])
    # the mapping the user's file merged into is no longer equal to a values block of one file:
    # the sidecar's stays traced to values.yaml
    assert _values_keys(_one(report, "KS405", "metrics"))[0][0] == "web/values.yaml"


def test_set_overrides_are_not_attributed_to_a_file(chart, helm):
    """A value given with --set wins over every values file: the perturbed file cannot change it,
    so no file is named."""
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=["KS403"],
                        helm_set=["controller.containerSecurityContext.readOnlyRootFilesystem=false"])
    assert _values_keys(_one(report, "KS403", "web")) == []


def test_one_extra_render_and_only_with_findings(chart, helm, monkeypatch):
    from shiplint.inputs.render import values_trace

    calls = []
    real = values_trace._render
    monkeypatch.setattr(values_trace, "_render", lambda *a, **k: calls.append(a) or real(*a, **k))
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=SECURITY)
    assert any(_values_keys(f) for f in report.findings)
    assert len(calls) == 1  # every candidate of every finding in one perturbed render
    calls.clear()
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=["KS204"])  # fires nowhere here
    assert report.findings == [] and calls == []


def test_a_batch_that_breaks_the_render_is_split(chart, helm, monkeypatch):
    """A template that compares a value's type (``eq … false``) fails with a string sentinel:
    the batch is split and the other candidates are still confirmed."""
    from shiplint.inputs.render import values_trace

    (chart / "templates" / "configmap.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict\ndata:\n"
        "  mode: {{ if eq .Values.strict false }}relaxed{{ else }}strict{{ end }}\n")
    (chart / "values.yaml").write_text(VALUES + "strict: false\n")
    calls = []
    real = values_trace._render
    monkeypatch.setattr(values_trace, "_render", lambda *a, **k: calls.append(real(*a, **k)) or calls[-1])
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=["KS403"])
    assert calls[0] is None and len(calls) > 1 and len(calls) <= values_trace.MAX_RENDERS
    ro = _one(report, "KS403", "web")
    assert [k[3] for k in _values_keys(ro)] == ["values key controller.containerSecurityContext.readOnlyRootFilesystem"]


def test_budget_spent_means_no_trace_and_no_error(chart, helm, monkeypatch):
    from shiplint.inputs.render import values_trace

    monkeypatch.setattr(values_trace, "TRACE_BUDGET", 0.0)
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=SECURITY)
    assert report.findings and not any(_values_keys(f) for f in report.findings)
    assert not [n for n in report.notifications if n.level == "error"]


def test_turned_off(chart, helm):
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=["KS403"], helm_values_trace=False)
    assert _values_keys(_one(report, "KS403", "web")) == []
    r = run_shiplint("check", "web", "--helm-bin", helm, "--select", "KS403", "--no-values-trace", cwd=chart.parent)
    assert r.code == 1 and "set by" not in r.out


def test_text_and_sarif_name_the_key(chart, helm, tmp_path):
    line, col = _at(VALUES, "    readOnlyRootFilesystem: false")
    r = run_shiplint("check", "web", "--helm-bin", helm, "--select", "KS403", cwd=chart.parent)
    assert f"(set by controller.containerSecurityContext.readOnlyRootFilesystem in web/values.yaml:{line})" in r.out
    assert f"↳ ./web/values.yaml:{line}:{col} (values key controller.containerSecurityContext.readOnlyRootFilesystem)" \
        in r.out
    r = run_shiplint("check", "web", "--helm-bin", helm, "--select", "KS403", "--format", "sarif", cwd=chart.parent)
    log = assert_consumers_accept(assert_valid_sarif(r.out), tmp_path)
    [result] = log["runs"][0]["results"]
    related = result["relatedLocations"]
    [values] = [loc for loc in related if loc["physicalLocation"]["artifactLocation"]["uri"] == "web/values.yaml"]
    assert values["physicalLocation"]["region"]["startLine"] == line
    assert values["physicalLocation"]["region"]["startColumn"] == col
    text = result["message"]["text"]
    assert f"values.yaml:{line}" in text
    # linked from the message, as every related location
    assert re.search(r"\[values key controller\.containerSecurityContext\.readOnlyRootFilesystem\]\(%d\)" % values["id"],
                     text), text
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "web/templates/deployment.yaml"


def test_fix_leaves_the_chart_alone_and_names_the_values_keys(chart, helm):
    before = {p: p.read_bytes() for p in chart.rglob("*") if p.is_file()}
    line = _at(VALUES, "    readOnlyRootFilesystem: false")[0]
    for flag in ("--fix", "--diff"):
        r = run_shiplint("check", "web", "--helm-bin", helm, "--select", ",".join(SECURITY), "--unsafe-fixes", flag,
                         cwd=chart.parent)
        assert {p: p.read_bytes() for p in chart.rglob("*") if p.is_file()} == before
        assert "templates and renders are never edited" in r.err
        assert f"controller.containerSecurityContext.readOnlyRootFilesystem (web/values.yaml:{line})" in r.err, r.err
        if flag == "--diff":
            assert r.out == ""


def test_json_lists_the_values_keys(chart, helm):
    r = run_shiplint("check", "web", "--helm-bin", helm, "--select", "KS402", "--format", "json", cwd=chart.parent)
    [f] = json.loads(r.out)
    line, col = _at(VALUES, "    allowPrivilegeEscalation: true")
    assert {"path": "web/values.yaml", "region": {"line": line, "column": col, "end_line": line,
                                                  "end_column": col + len("allowPrivilegeEscalation")},
            "message": "values key controller.containerSecurityContext.allowPrivilegeEscalation"} in f["related"]


def test_ci_scenario_that_sets_the_value_is_named(chart, helm):
    (chart / "ci").mkdir()
    scenario = "controller:\n  containerSecurityContext:\n    privileged: true\n"
    (chart / "ci" / "privileged-values.yaml").write_text(scenario)
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=["KS405"])
    web = _one(report, "KS405", "web")
    line, col = _at(scenario, "    privileged: true")
    assert _values_keys(web) == [("web/ci/privileged-values.yaml", line, col,
                                  "values key controller.containerSecurityContext.privileged")]
    assert "(only with CI scenario ci/privileged-values.yaml)" in web.message
    assert web.message.endswith(f"(set by controller.containerSecurityContext.privileged in "
                                f"web/ci/privileged-values.yaml:{line})")


def test_values_linked_out_of_the_chart_are_not_read(chart, helm, tmp_path):
    """helm's sandboxed copy leaves out a values.yaml that links outside the chart; tracing does
    not read it either (its keys would be named in messages)."""
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(VALUES)
    (chart / "values.yaml").unlink()
    (chart / "values.yaml").symlink_to(outside)
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=SECURITY)
    assert not any(_values_keys(f) for f in report.findings)
    assert not any("elsewhere" in f.message for f in report.findings)


def test_a_perturbed_name_does_not_lose_the_object(chart, helm):
    """The container's name comes from values and is part of the image: perturbing it renames
    the container in the perturbed render, which is then found by position."""
    (chart / "templates" / "deployment.yaml").write_text(
        DEPLOYMENT.replace("        - name: web\n", "        - name: {{ .Values.controller.containerName }}\n"))
    values = VALUES.replace("  repository: nginx\n", "  repository: example/web\n").replace(
        "  replicaCount: 2\n", "  replicaCount: 2\n  containerName: web\n")
    (chart / "values.yaml").write_text(values)
    report = lint_files([chart], root=chart.parent, helm_bin=helm, select=["KS101", "KS403"])
    image = _one(report, "KS101", "web")
    assert [k[3] for k in _values_keys(image)] == ["values key image.repository"]
    assert [k[1] for k in _values_keys(_one(report, "KS403", "web"))] == \
        [_at(values, "    readOnlyRootFilesystem: false")[0]]
