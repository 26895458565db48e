"""KV rules: validity against the Kubernetes API (schemas, scanned CRDs, removed/deprecated APIs)."""

from __future__ import annotations

import json
import os

import pytest

from conftest import lint_files, lint_text, run_shiplint
from shiplint.model.k8s import apischema

PDB_BETA = """apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: api
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: api}
"""

CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1alpha1
      served: true
      storage: false
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              x-kubernetes-preserve-unknown-fields: true
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, minimum: 1}
                mode: {type: string, enum: [fast, safe]}
                port: {x-kubernetes-int-or-string: true}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""


def _codes(findings):
    return sorted(f.code for f in findings)


def _at(findings, code):
    return [(f.region.line, f.region.column) for f in findings if f.code == code]


def test_custom_resource_typo_is_reported_at_the_field_when_its_crd_is_scanned(tmp_path):
    (tmp_path / "crd.yaml").write_text(CRD)
    (tmp_path / "widget.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 3\n"
        "  port: http\n  extra: {anything: [1, 2]}\n  sise: 4\n")
    report = lint_files([tmp_path], select=["KV"], root=tmp_path)
    assert [(f.code, f.path, f.region.line, f.region.column) for f in report.findings] == [
        ("KV101", "widget.yaml", 9, 3)]
    assert "unknown field 'sise'" in report.findings[0].message
    assert "CustomResourceDefinition" in report.findings[0].message


def test_crd_schema_values_required_and_other_served_versions(tmp_path):
    (tmp_path / "crd.yaml").write_text(CRD)
    (tmp_path / "widget.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  mode: quick\n"
        "---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: x\nspec:\n  size: 0\n"
        "---\napiVersion: example.com/v1alpha1\nkind: Widget\nmetadata:\n  name: yy\nspec:\n  free: form\n")
    findings = lint_files([tmp_path], select=["KV"], root=tmp_path).findings
    assert [(f.code, f.region.line) for f in findings] == [("KV103", 5), ("KV104", 6), ("KV104", 13)]


def test_without_its_crd_a_custom_resource_is_a_kv105_note(tmp_path):
    findings = lint_text(tmp_path, "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
                         "spec:\n  sise: 4\n", "w.yaml", select=["KV"])
    assert [(f.code, f.level, f.region.line) for f in findings] == [("KV105", "note", 2)]


@pytest.mark.parametrize("version, code, words", [
    ("1.29", "KV201", ["removed in Kubernetes 1.25", "policy/v1"]),
    ("1.24", "KV202", ["deprecated since Kubernetes 1.21", "removed in 1.25", "policy/v1"]),
])
def test_pdb_beta_by_target_version(tmp_path, version, code, words):
    findings = lint_text(tmp_path, PDB_BETA, "pdb.yaml", select=["KV"], kubernetes_version=version)
    assert _codes(findings) == [code]  # alone: no KV105, no schema checks against policy/v1
    assert _at(findings, code) == [(1, 13)]
    assert all(w in findings[0].message for w in words)


def test_pdb_beta_before_its_deprecation_is_quiet(tmp_path):
    assert lint_text(tmp_path, PDB_BETA, "pdb.yaml", select=["KV"], kubernetes_version="1.20") == []


def _json_codes(out: str) -> list:
    data = json.loads(out)
    return [f["code"] for f in (data["findings"] if isinstance(data, dict) else data)]


def test_kubernetes_version_from_cli_and_configuration(tmp_path):
    (tmp_path / "pdb.yaml").write_text(PDB_BETA)
    r = run_shiplint("check", "pdb.yaml", "--no-config", "--select", "KV", "--format", "json",
                     "--kubernetes-version", "1.24", cwd=tmp_path)
    assert _json_codes(r.out) == ["KV202"]
    (tmp_path / ".shiplint.yaml").write_text('kubernetes-version: "1.29"\nselect: [KV]\n')
    r = run_shiplint("check", "pdb.yaml", "--format", "json", cwd=tmp_path)
    assert _json_codes(r.out) == ["KV201"]
    r = run_shiplint("check", "pdb.yaml", "--format", "json", "--kubernetes-version", "1.24", cwd=tmp_path)
    assert _json_codes(r.out) == ["KV202"]  # the command line wins
    r = run_shiplint("check", "pdb.yaml", "--kubernetes-version", "latest", cwd=tmp_path)
    assert r.code == 2 and "kubernetes-version" in r.err


def test_removed_api_alone_even_with_field_errors(tmp_path):
    text = PDB_BETA.replace("  minAvailable: 1\n", "  minAvailable: 1\n  typo: x\n")
    assert _codes(lint_text(tmp_path, text, "pdb.yaml", select=["KV"])) == ["KV201"]


def test_one_finding_per_problem_no_cascade(tmp_path):
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n"
            "      image: x:1\n      ports: {containerPort: 80}\n      resources: [1, 2]\n")
    findings = lint_text(tmp_path, text, "p.yaml", select=["KV"])
    assert [(f.code, f.region.line) for f in findings] == [("KV102", 8), ("KV102", 9)]
    assert "expected a list" in findings[0].message


def test_sops_metadata_and_encrypted_values_are_not_judged(tmp_path):
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n"
            "  replicas: ENC[AES256_GCM,data:Mw==,iv:x,tag:y,type:int]\n  selector: {matchLabels: {a: b}}\n"
            "  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: a, image: 'x:1'}]\n"
            "sops:\n  version: 3.8.1\n  lastmodified: '2024-01-01T00:00:00Z'\n")
    assert lint_text(tmp_path, text, "d.yaml", select=["KV"]) == []


def test_secret_value_is_never_printed(tmp_path):
    text = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  password: hunter2-is-secret!\n"
    findings = lint_text(tmp_path, text, "s.yaml", select=["KV"])
    assert _codes(findings) == ["KV104"]
    assert "hunter2" not in findings[0].message


def test_kustomize_patches_are_not_validated_as_whole_objects(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: [deploy.yaml]\npatches:\n  - path: patch.yaml\n")
    (tmp_path / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n"
        "  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: a, image: 'x:1'}]\n")
    (tmp_path / "patch.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
                                         "spec:\n  replicas: 2\n")
    assert lint_files([tmp_path / "patch.yaml", tmp_path / "deploy.yaml"], select=["KV"], root=tmp_path).findings == []


def test_chart_render_findings_map_to_the_template(tmp_path):
    from test_helm import _find_helm

    helm = _find_helm() or pytest.skip("helm not installed")
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text("replicas: 2\n")
    (chart / "templates" / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n"
        "  replicas: {{ .Values.replicas }}\n  selector: {matchLabels: {app: demo}}\n  template:\n"
        "    metadata: {labels: {app: demo}}\n    spec:\n      containers:\n        - name: app\n"
        "          image: x:1\n          livenessprobe: {tcpSocket: {port: 80}}\n")
    report = lint_files([chart], select=["KV"], root=tmp_path, helm_bin=helm)
    assert [(f.code, f.path, f.region.line, f.region.column) for f in report.findings] == [
        ("KV101", "chart/templates/deploy.yaml", 14, 11)]
    assert "did you mean 'livenessProbe'" in report.findings[0].message


def test_without_the_schemas_validation_is_skipped_and_removals_still_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(apischema, "schema_root", lambda: None)
    text = PDB_BETA + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\n" \
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: 'x:1', typo: 1}]\n"
    assert _codes(lint_text(tmp_path, text, "m.yaml", select=["KV"])) == ["KV201"]


# -- the data tables -------------------------------------------------------------------------------

def _row_key(row):
    return (apischema.parse_version(row["removed"]) if row["removed"] else (999, 0), row["apiVersion"], row["kind"])


def test_lifecycle_table_is_sorted_unique_and_has_its_source():
    data = apischema._data("api-lifecycle.json")
    rows = data["apis"]
    assert "deprecation-guide" in data["_source"]
    assert rows == sorted(rows, key=_row_key)
    assert len({(r["apiVersion"], r["kind"]) for r in rows}) == len(rows)
    for r in rows:
        if r["removed"] and r["deprecated"]:
            assert apischema.parse_version(r["deprecated"]) < apischema.parse_version(r["removed"]), r


def test_lifecycle_table_is_complete_for_the_bundled_versions():
    """A beta or GA kind that one bundled minor serves and the next does not is in the table,
    removed at that minor; a removed row has no schema from its removal on."""
    versions = apischema.bundled_versions()
    assert versions, "the schemas extra is part of the test dependencies"
    table = apischema.lifecycle()["apis"]
    previous = None
    for v in versions:
        schemas = apischema.BuiltinSchemas(v)
        kinds = {k for k in schemas.kinds if not k[1].endswith("List")}
        for (api, kind), row in table.items():
            if row["removed"] is not None and row["removed"] <= v:
                assert (api, kind) not in kinds, f"{api} {kind} removed in {row['removed']} but served in {v}"
        if previous is not None:
            for api, kind in sorted(previous - kinds):
                if "alpha" in api:
                    continue  # alpha APIs are off by default and dropped without notice
                row = table.get((api, kind))
                assert row is not None and row["removed"] == v, f"{api} {kind} disappears in {v}"
        previous = kinds
    assert apischema.lifecycle()["newest"] >= versions[-1]


def test_enum_table_names_existing_fields():
    """Every definition exists in every bundled version, every field in the newest (a field
    added later, such as unhealthyPodEvictionPolicy in 1.26, is simply absent before)."""
    versions = apischema.bundled_versions()
    for v in versions:
        defs = apischema.BuiltinSchemas(v).compiler.defs
        for name, props in apischema.enum_table().items():
            assert name in defs, (v, name)
            if v == versions[-1]:
                for prop in props:
                    assert prop.rstrip("[]") in defs[name].get("properties", {}), (v, name, prop)


def test_target_version_selects_the_schema_set():
    versions = apischema.bundled_versions()
    assert apischema.schema_version_for((1, 99)) == versions[-1]
    assert apischema.schema_version_for((1, 1)) == versions[0]
    assert apischema.schema_version_for(versions[1]) == versions[1]
    with pytest.raises(ValueError):
        apischema.parse_version("one.two")
    assert os.path.isdir(apischema.schema_root())
