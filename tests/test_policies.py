"""Declarative policies: YAML files around a JSON Schema, loaded with ``--policies DIR`` or the
configuration's ``policies:`` (``Options.policy_dirs``), reported like built-in rules."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import FIXTURES, ROOT, assert_valid_sarif, lint_files, run_shiplint

POLICIES = FIXTURES / "policies"

#: (path, code, line, column) of every finding of the fixture policies on the fixture manifests.
EXPECTED = {
    ("manifests/services.yaml", "ORG002", 7, 9),     # the `NodePort` value
    ("manifests/workloads.yaml", "ORG001", 6, 3),    # `labels:` of Deployment api (no team in it)
    ("manifests/workloads.yaml", "ORG001", 20, 1),   # `metadata:` of StatefulSet db (no labels at all)
}


def _positions(findings):
    return {(f.path, f.code, f.region.line, f.region.column) for f in findings}


def test_cli_policies_fire_on_the_right_nodes():
    r = run_shiplint("check", "--policies", "policies", "--select", "ORG", "manifests", cwd=POLICIES)
    assert r.code == 1, r.err
    assert "manifests/services.yaml:7:9  error    ORG002 no-nodeport-service  Service api in namespace shop is of type NodePort" in r.out
    assert "manifests/workloads.yaml:6:3  warning  ORG001 require-team-label  Deployment api has no team label" in r.out
    assert "manifests/workloads.yaml:20:1  warning  ORG001 require-team-label  StatefulSet db has no team label" in r.out
    # the labelled Deployment, the ClusterIP Service and the ConfigMap's `type: NodePort` data are fine
    assert "web" not in r.out and "settings" not in r.out
    assert "Found 3 findings (1 error, 2 warnings)" in r.out


def test_options_policy_dirs_as_filled_by_the_configuration():
    report = lint_files([POLICIES / "manifests"], root=POLICIES, select=["ORG"],
                        policy_dirs=[str(POLICIES / "policies")])
    assert _positions(report.findings) == EXPECTED
    by_code = {f.code: f for f in report.findings}
    assert by_code["ORG002"].subject == "Service/shop/api:spec.type"
    assert by_code["ORG002"].level == "error"
    assert report.rules["ORG001"].meta.summary == "Every workload names the team that owns it"


def test_policies_from_the_configuration_file(tmp_path):
    shutil.copytree(POLICIES / "manifests", tmp_path / "deploy")
    shutil.copytree(POLICIES / "policies", tmp_path / "ci" / "policies")
    # paths in the file are relative to its directory; select and severity may name policy rules
    (tmp_path / "ci" / "shiplint.yaml").write_text(
        "policies: [policies]\nselect: [ORG]\nseverity:\n  require-team-label: error\n")
    r = run_shiplint("check", "--config", "ci/shiplint.yaml", "--format", "json", "deploy", cwd=tmp_path)
    assert r.code == 1, r.err
    got = {(f["path"], f["code"], f["level"], f["region"]["line"], f["region"]["column"]) for f in r.json()}
    assert got == {
        ("deploy/services.yaml", "ORG002", "error", 7, 9),
        ("deploy/workloads.yaml", "ORG001", "error", 6, 3),
        ("deploy/workloads.yaml", "ORG001", "error", 20, 1),
    }
    # an invalid policy named by the configuration is reported like one given with --policies
    (tmp_path / "ci" / "policies" / "zz.yaml").write_text("id: ORG009\n")
    r = run_shiplint("check", "--config", "ci/shiplint.yaml", "deploy", cwd=tmp_path)
    assert r.code == 2 and "ci/policies/zz.yaml:1:1: invalid policy: (top level): 'name' is a required property" in r.err


def test_policy_findings_can_be_suppressed_inline(tmp_path):
    shutil.copytree(POLICIES / "policies", tmp_path / "policies")
    text = (POLICIES / "manifests" / "services.yaml").read_text()
    text = text.replace("  type: NodePort\n", "  type: NodePort  # shiplint ignore=no-nodeport-service -- legacy LB\n")
    (tmp_path / "services.yaml").write_text(text)
    r = run_shiplint("check", "--no-config", "--format", "sarif", "--sarif-suppressed", "include", "--select", "ORG",
                     "--policies", "policies",
                     "services.yaml", cwd=tmp_path)
    assert r.code == 0, (r.out, r.err)
    results = assert_valid_sarif(r.out)["runs"][0]["results"]
    assert [(x["ruleId"], x["suppressions"][0]["justification"]) for x in results] == [("ORG002", "legacy LB")]


def test_without_policies_the_rules_do_not_exist():
    r = run_shiplint("check", "--select", "ORG001", "manifests", cwd=POLICIES)
    assert r.code == 2
    assert "unknown rule or prefix 'ORG001'" in r.err


def test_sarif_carries_policy_rules_and_results():
    r = run_shiplint("check", "--format", "sarif", "--policies", "policies", "--select", "ORG", "manifests", cwd=POLICIES)
    assert r.code == 1, r.err
    run = assert_valid_sarif(r.out)["runs"][0]
    rules = {d["id"]: d for d in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"ORG001", "ORG002"}
    assert rules["ORG001"]["name"] == "require-team-label"
    assert rules["ORG001"]["defaultConfiguration"]["level"] == "warning"
    assert "team" in rules["ORG001"]["help"]["text"]
    assert "NodePort opens the same port" in rules["ORG002"]["fullDescription"]["text"]
    got = set()
    for res in run["results"]:
        loc = res["locations"][0]["physicalLocation"]
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        uri = loc["artifactLocation"]["uri"]
        prefix = POLICIES.relative_to(ROOT).as_posix() + "/"  # relative to the repository root
        assert uri.startswith(prefix), uri
        got.add((uri[len(prefix):], res["ruleId"], loc["region"]["startLine"], loc["region"]["startColumn"]))
    assert got == EXPECTED


def test_selection_and_severity_by_policy_code_and_name():
    r = run_shiplint("check", "--policies", "policies", "--select", "no-nodeport-service", "--format", "json", "manifests",
                     cwd=POLICIES)
    assert {f["code"] for f in r.json()} == {"ORG002"}
    r = run_shiplint("check", "--policies", "policies", "--ignore", "ORG", "--select", "ORG", "manifests", cwd=POLICIES)
    assert r.code == 0 and "No findings" in r.out


def test_rules_and_explain_accept_policies():
    r = run_shiplint("rules", "--policies", "policies", cwd=POLICIES)
    assert r.code == 0, r.err
    assert any(line.split()[:3] == ["ORG001", "require-team-label", "warning"] for line in r.out.splitlines())
    assert any(line.split()[:3] == ["ORG002", "no-nodeport-service", "error"] for line in r.out.splitlines())
    assert "ORG001" not in run_shiplint("rules", cwd=POLICIES).out
    data = run_shiplint("rules", "--format", "json", "--policies", "policies", cwd=POLICIES).json()
    org = {d["code"]: d for d in data if d["code"].startswith("ORG")}
    assert org["ORG002"]["plugin"] == "policy:policies/no-nodeport.yml"

    r = run_shiplint("explain", "ORG001", "--policies", "policies", cwd=POLICIES)
    assert r.code == 0, r.err
    assert r.out.startswith("ORG001 require-team-label (warning)")
    assert "Policy defined in policies/require-team-label.yaml:2 (target: workload; kinds: Deployment" in r.out
    assert "labels: {app: api, team: payments}" in r.out  # the good example
    r = run_shiplint("explain", "no-nodeport-service", "--policies", "policies", cwd=POLICIES)
    assert r.code == 0 and "ClusterIP Service behind the ingress" in r.out
    assert "Example that fires" not in r.out  # ORG002 has no example: no empty section
    assert run_shiplint("explain", "ORG001", cwd=POLICIES).code == 2


TARGETS_POLICIES = """\
id: ORG010
name: container-limits
severity: warning
summary: Every regular container sets resource limits
target: container
container_roles: [regular]
schema:
  required: [resources]
  properties:
    resources:
      required: [limits]
message: "container {container} of {kind} {name} has no limits (at {path})"
---
id: ORG011
name: no-service-account-token
severity: note
summary: Pods do not mount the service account token
target: pod-spec
schema:
  required: [automountServiceAccountToken]
  properties:
    automountServiceAccountToken: {const: false}
---
id: ORG012
name: no-node-ports
severity: note
summary: No Service port pins a nodePort
target: resource
kinds: [Service]
schema:
  properties:
    spec:
      properties:
        ports:
          items: {not: {required: [nodePort]}}
message: "{path} sets a nodePort"
"""

TARGETS_MANIFEST = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: ns
spec:
  automountServiceAccountToken: true
  initContainers:
    - name: init
      image: x
  containers:
    - name: a
      image: x
      resources: {requests: {cpu: 1}}
    - name: b
      image: x
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: c
              image: x
              resources: {limits: {cpu: 1}}
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  ports:
    - port: 80
    - port: 81
      nodePort: 30081
"""


def test_targets_pod_spec_container_and_resource(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "targets.yaml").write_text(TARGETS_POLICIES)
    (tmp_path / "m.yaml").write_text(TARGETS_MANIFEST)
    report = lint_files([tmp_path / "m.yaml"], root=tmp_path, select=["ORG"], policy_dirs=[str(tmp_path / "p")])
    got = {(f.code, f.region.line, f.region.column, f.message, f.subject) for f in report.findings}
    assert got == {
        # pod-spec: the value that breaks the schema
        ("ORG011", 7, 33, "Pod p: Pods do not mount the service account token", "Pod/ns/p:spec.automountServiceAccountToken"),
        # pod-spec with the field missing: the template's `spec:` key
        ("ORG011", 26, 9, "CronJob cj: Pods do not mount the service account token", "CronJob//cj:spec.jobTemplate.spec.template.spec"),
        # container: `resources` lacks limits → its key; no resources at all → the container's name
        ("ORG010", 14, 7, "container a of Pod p has no limits (at resources)", "Pod/ns/p:containers[a].resources"),
        ("ORG010", 15, 13, "container b of Pod p has no limits (at (root))", "Pod/ns/p:containers[b]"),
        # resource, one finding per failing item
        ("ORG012", 38, 7, "spec.ports[1] sets a nodePort", "Service//s:spec.ports[1]"),
    }


def _write_policy(tmp_path, body: str, name: str = "bad.yaml"):
    d = tmp_path / "pol"
    d.mkdir(exist_ok=True)
    (d / name).write_text(textwrap.dedent(body))
    (tmp_path / "m.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    return d


GOOD_HEAD = """\
id: ORG100
name: some-policy
severity: warning
summary: Something every object must do
"""

INVALID = [
    ("bad severity", GOOD_HEAD.replace("severity: warning", "severity: fatal") + "target: resource\nschema: {}\n",
     3, 11, "severity: 'fatal' is not one of error, warning, note"),
    ("unknown target", GOOD_HEAD + "target: deployment\nschema: {}\n",
     5, 9, "target: 'deployment' is not one of resource, workload, pod-spec, container"),
    ("bad schema", GOOD_HEAD + "target: resource\nschema:\n  properties:\n    spec: {type: strnig}\n",
     8, 18, "schema.properties.spec.type: not a valid JSON Schema: 'strnig' is not valid"),
    ("unknown placeholder", GOOD_HEAD + "target: resource\nschema: {}\nmessage: '{kind} {owner} is wrong'\n",
     7, 10, "unknown placeholder {owner}"),
    ("container placeholder outside container target", GOOD_HEAD + "target: workload\nschema: {}\nmessage: '{container}'\n",
     7, 10, "{container} needs target: container"),
    ("unbalanced brace", GOOD_HEAD + "target: resource\nschema: {}\nmessage: '{kind is wrong'\n",
     7, 10, "write {{ and }} for literal braces"),
    ("format spec", GOOD_HEAD + "target: resource\nschema: {}\nmessage: '{kind!r}'\n",
     7, 10, "placeholders are plain names"),
    ("unknown field", GOOD_HEAD + "target: resource\nschema: {}\nseverty: error\n",
     7, 1, "unknown field 'severty'"),
    ("missing schema", GOOD_HEAD + "target: resource\n",
     1, 1, "'schema' is a required property"),
    ("bad id", GOOD_HEAD.replace("ORG100", "org-1") + "target: resource\nschema: {}\n",
     1, 5, "id: 'org-1' is not a valid id"),
    ("remote reference", GOOD_HEAD + "target: resource\nschema:\n  $ref: https://example.com/s.json\n",
     7, 9, "only local references"),
    ("dangling reference", GOOD_HEAD + "target: resource\nschema:\n  $ref: '#/$defs/missing'\n",
     7, 9, "does not resolve"),
    ("container_roles outside container target", GOOD_HEAD + "target: pod-spec\ncontainer_roles: [init]\nschema: {}\n",
     6, 1, "container_roles: only applies to target: container"),
    ("duplicate key", GOOD_HEAD + "target: resource\nschema: {}\nseverity: error\n",
     7, 1, "key 'severity' repeats the one on line 3"),
    ("not a mapping", "- id: ORG100\n", 1, 1, "a policy is a mapping"),
    ("YAML syntax", GOOD_HEAD + "target: [resource\nschema: {}\n", 6, 7, "YAML: while parsing a flow sequence"),
    ("collides with a built-in rule", GOOD_HEAD.replace("ORG100", "KS101") + "target: resource\nschema: {}\n",
     1, 5, "id KS101 is already used by the built-in rule KS101"),
    ("collides with a built-in name", GOOD_HEAD.replace("some-policy", "duplicate-key") + "target: resource\nschema: {}\n",
     2, 7, "name 'duplicate-key' is already used by the built-in rule SL002"),
]


@pytest.mark.parametrize("body,line,column,reason", [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_invalid_policy_is_a_usage_error_with_position(tmp_path, body, line, column, reason):
    _write_policy(tmp_path, body)
    r = run_shiplint("check", "--policies", "pol", "m.yaml", cwd=tmp_path)
    assert r.code == 2, (r.out, r.err)
    assert r.err.startswith(f"shiplint: error: pol/bad.yaml:{line}:{column}: invalid policy: "), r.err
    assert reason in r.err
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1


def test_two_policies_with_one_id(tmp_path):
    body = GOOD_HEAD + "target: resource\nschema: {}\n"
    d = _write_policy(tmp_path, body, "a.yaml")
    (d / "b.yml").write_text(body.replace("some-policy", "other-policy"))
    r = run_shiplint("rules", "--policies", "pol", cwd=tmp_path)
    assert r.code == 2
    assert "pol/b.yml:1:5: invalid policy: id ORG100 is already used by the policy at pol/a.yaml:1" in r.err


def test_missing_policy_directory(tmp_path):
    r = run_shiplint("check", "--policies", "nowhere", ".", cwd=tmp_path)
    assert r.code == 2 and "policy directory 'nowhere' does not exist" in r.err


def test_policies_repeatable_files_and_non_yaml_ignored(tmp_path):
    one = tmp_path / "one"
    two = tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "a.yaml").write_text(GOOD_HEAD + "target: resource\nkinds: [ConfigMap]\nschema: {required: [data]}\n")
    (one / "notes.txt").write_text("id: not a policy\n")
    (one / ".hidden.yaml").write_text("not: [valid\n")
    (two / "b.yaml").write_text(GOOD_HEAD.replace("ORG100", "ORG200").replace("some-policy", "other")
                                + "target: resource\nkinds: [Secret]\nschema: false\n")
    (tmp_path / "m.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"
                                     "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n")
    r = run_shiplint("check", "--format", "json", "--select", "ORG", "--policies", "one", "--policies", "two", "m.yaml",
                     cwd=tmp_path)
    assert r.code == 1, r.err
    got = sorted((f["code"], f["region"]["line"], f["region"]["column"]) for f in r.json())
    # at the root of the object a finding points at its name
    assert got == [("ORG100", 3, 18), ("ORG200", 7, 18)]


def test_a_run_without_policies_does_not_import_jsonschema(tmp_path):
    (tmp_path / "m.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: NodePort}\n")
    code = (
        "import sys\n"
        "from shiplint.engine import Engine, Options\n"
        f"report = Engine(Options(root={str(tmp_path)!r})).run([{str(tmp_path)!r}])\n"
        "from shiplint.reporters import sarif\n"
        "sarif.render(report, {})\n"
        "print('jsonschema' in sys.modules, 'shiplint.registry.policies' in sys.modules)\n"
        f"Engine(Options(policy_dirs=[{str(POLICIES / 'policies')!r}]))\n"
        "print('jsonschema' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "False", "True"]


def test_policy_on_odd_documents_never_crashes(tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    (d / "labels.yaml").write_text((POLICIES / "policies" / "require-team-label.yaml").read_text()
                                   .replace("kinds: [Deployment, StatefulSet, DaemonSet, CronJob]", ""))
    (tmp_path / "m.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n  labels: [team]\n"
        "spec: {template: {spec: {containers: [{name: a, image: b}]}}}\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: x\nspec: {containers: []}\n"
        "---\napiVersion: v1\nkind: Pod\nspec: {containers: [{name: a}]}\n"
    )
    r = run_shiplint("check", "--format", "json", "--select", "ORG001", "--policies", "p", "m.yaml", cwd=tmp_path)
    assert r.code == 1, r.err
    got = sorted((f["region"]["line"], f["region"]["column"]) for f in r.json())
    # labels is a list (its key); metadata is a string (its value); no metadata at all (the kind)
    assert got == [(5, 3), (10, 11), (14, 7)]
    assert "failed" not in r.err
    assert json.loads(r.out)
