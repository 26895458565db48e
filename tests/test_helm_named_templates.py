"""Findings on nodes a named template writes (``{{ include "app.container" . }}`` with its
``define`` in ``templates/_helpers.tpl``) land on the node's line in the file that defines it
when the template writes the field literally and only one included template can have written
it; otherwise on the calling template's key above the ``include``, as before.

The rendering tests run the helm the other Helm tests use (``.tools/bin``, PATH) and skip
when there is none; the tests of the text matching need no helm."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, lint_files
from test_helm import _find_helm
from shiplint.inputs.render.origin import Item, locate_through_includes, named_templates
from shiplint.sources.yamlsrc import parse_yaml_stream

CHART = FIXTURES / "helm" / "named"
HELPERS = CHART / "templates" / "_helpers.tpl"


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    helm = _find_helm()
    if helm is None:
        pytest.skip("helm is not installed (.ci/tools.sh puts it in .tools/bin)")
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(CHART, root / "named")
    report = lint_files([root / "named"], root=root, helm_bin=helm)
    assert not report.internal_errors and not [n for n in report.notifications if n.level == "error"]
    return report.findings


def _line(path: Path, needle: str, after: str | None = None) -> tuple[int, int]:
    """Line and column of the unique ``needle`` (after the line holding ``after``)."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    hits = [(i, line.index(needle)) for i, line in enumerate(lines) if i >= start and needle in line]
    assert hits, (needle, after)
    i, col = hits[0]
    return i + 1, col + 1


def _at(findings, code, container):
    out = [(f.path, f.region.line, f.region.column) for f in findings
           if f.code == code and f"container '{container}'" in f.message]
    assert len(out) == 1, (code, container, out)
    return out[0]


HELPERS_PATH = "named/templates/_helpers.tpl"


@pytest.mark.parametrize("code, container, needle, after", [
    # a container written whole in one named template
    ("KS101", "api", '"{{ .Values.image.repository }}', 'define "named.container"'),
    ("KS405", "api", "true", "privileged:"),
    ("KS403", "api", "securityContext:", 'define "named.container"'),
    ("KS201", "api", "api", 'define "named.container"'),
    # a pod spec included by a CronJob, its container included by the pod spec: two levels
    ("KS101", "worker", "busybox:1.36", 'define "named.worker"'),
    ("KS402", "worker", "true", "allowPrivilegeEscalation:"),
    ("KS301", "worker", "resources:", 'define "named.worker"'),
    # the field the finding is about is not written here, the node holding it is
    ("KS401", "tools", "securityContext:", 'define "named.tools"'),
])
def test_a_field_written_in_a_named_template_lands_on_its_line(findings, code, container, needle, after):
    assert _at(findings, code, container) == (HELPERS_PATH, *_line(HELPERS, needle, after))


def test_the_rendered_position_stays_a_related_location(findings):
    f = next(f for f in findings if f.code == "KS405" and "'api'" in f.message)
    assert f.related[0].message == "rendered by helm template"
    assert f.properties["rendered"]["path"] == "named"


def test_a_field_generated_inside_the_named_template_stays_on_the_include(findings):
    """``securityContext: {{ toYaml .Values… }}``: which line of values wrote ``privileged`` is
    not in the template; the finding keeps the calling template's key above the include."""
    assert _at(findings, "KS405", "tools") == ("named/templates/daemonset.yaml",
                                               *_line(CHART / "templates" / "daemonset.yaml", "containers:"))


def test_two_named_templates_that_could_have_written_the_node_keep_the_include(findings):
    """Both sidecars' names come from values: either template may have written either item."""
    job = CHART / "templates" / "job.yaml"
    for name in ("worker-a", "worker-b"):
        assert _at(findings, "KS101", name) == ("named/templates/job.yaml", *_line(job, "containers:"))


def test_objects_written_in_their_template_are_unchanged(findings):
    deployment = CHART / "templates" / "deployment.yaml"
    f = next(f for f in findings if f.code == "KS613")
    assert (f.path, f.region.line) == ("named/templates/deployment.yaml", _line(deployment, "replicas:")[0])


# -- the text matching, without helm ------------------------------------------------------------

HELPERS_TEXT = """{{- define "a.labels" -}}
app: a
{{- end }}
{{- define "a.container" -}}
{{- if .Values.on }}
- name: web
  image: nginx:1.27
{{- else }}
- name: web
  image: nginx:1.26
{{- end }}
{{- end }}
{{- define "a.inline" }}key: value{{ end }}
"""

CALLER = """apiVersion: v1
kind: Pod
spec:
  containers:
    {{- include "a.container" . | nindent 4 }}
"""


def test_define_bodies_are_matched_with_their_end():
    defines = named_templates([("_helpers.tpl", HELPERS_TEXT.splitlines())])
    assert sorted(defines) == ["a.container", "a.inline", "a.labels"]
    (_, lines, lo, hi), = defines["a.container"]
    assert (lo, hi) == (4, 11)  # the if/else/end inside the body does not end it
    (_, lines, lo, hi), = defines["a.inline"]
    assert lines[lo - 1:hi] == ['{{- define "a.inline" }}key: value{{ end }}']


def test_a_node_of_an_included_template_is_found_in_its_define():
    defines = named_templates([("_helpers.tpl", HELPERS_TEXT.splitlines())])
    lines = CALLER.splitlines()
    path = ("spec", "containers", Item(0, "web"), "image")
    rendered = parse_yaml_stream("spec:\n  containers:\n    - name: web\n      image: nginx:1.26\n")[0].data
    # the rendered object tells the branches apart
    found = locate_through_includes(lines, 0, len(lines), path, "value", defines, "nginx:1.26", rendered)
    assert found is not None and found[0] == "_helpers.tpl" and found[1].line == 10
    assert locate_through_includes(lines, 0, len(lines), path, "value", defines, "nginx:1.27")[1].line == 7
    # a field the template does not write: not certain, the caller keeps its own key
    assert locate_through_includes(lines, 0, len(lines), path[:3] + ("resources",), "key", defines) is None
    # a call of a template the chart does not define, or defines twice
    assert locate_through_includes(lines, 0, len(lines), path, "value", {}, "nginx:1.26") is None
    twice = {"a.container": defines["a.container"] * 2}
    assert locate_through_includes(lines, 0, len(lines), path, "value", twice, "nginx:1.26") is None
    # a node the caller writes itself is not looked for elsewhere
    assert locate_through_includes(lines, 0, len(lines), ("spec", "containers"), "key", defines) is None


def test_a_web_of_calls_costs_a_bounded_number_of_walks(monkeypatch):
    """Every template calls every other one and none writes the node: the lookup gives up after
    a bounded number of bodies instead of walking every chain of calls (10^5 here)."""
    import shiplint.inputs.render.origin as origin

    names = [f"t{i}" for i in range(10)]
    calls = "".join(f'{{{{- include "{n}" . }}}}\n' for n in names)
    text = "".join(f'{{{{- define "{n}" -}}}}\n{calls}{{{{- end }}}}\n' for n in names)
    defines = named_templates([("_helpers.tpl", text.splitlines())])
    caller = ("spec:\n" + calls).splitlines()
    walked = []
    real = origin.walk_template

    def counting(*args, **kwargs):
        walked.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(origin, "walk_template", counting)
    assert locate_through_includes(caller, 0, len(caller), ("spec", "containers"), "key", defines) is None
    assert len(walked) <= 100
