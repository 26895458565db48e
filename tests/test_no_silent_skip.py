"""Every file a scan classifies as a manifest, Dockerfile, chart or kustomization input is linted
or reported: the limits of the skips the engine makes for charts, kustomizations and templates
(the hostile versions of these trees are in tests/test_untrusted.py)."""

from __future__ import annotations

from pathlib import Path

from conftest import lint_files

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  hostPID: true
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: true
"""
CHART = "apiVersion: v2\nname: {name}\nversion: 0.1.0\n"


def _tree(root: Path, files: dict) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def _lint(root: Path, **options):
    return lint_files([root], root=root, **options)


def _paths(report, prefix="KS"):
    return {f.path for f in report.findings if f.code.startswith(prefix)}


def test_template_that_parses_outside_a_chart_is_linted_and_one_that_does_not_is_a_note(tmp_path):
    root = _tree(tmp_path, {
        "quoted.yaml": POD.format(name="a").replace("nginx:1.27", '"{{ .Values.image }}"'),
        "real.yaml": "{{- if .Values.on }}\n" + POD.format(name="b") + "{{- end }}\n",
    })
    report = _lint(root)
    assert _paths(report) == {"quoted.yaml"}
    notes = [n for n in report.notifications if n.path == "real.yaml"]
    assert notes and notes[0].level == "note" and "Helm template" in notes[0].message


def test_a_file_in_a_chart_templates_dir_is_a_template_even_when_it_parses(tmp_path):
    """Scanning a chart's templates/ alone (its Chart.yaml not in the scan)."""
    root = _tree(tmp_path, {
        "chart/Chart.yaml": CHART.format(name="c"),
        "chart/templates/pod.yaml": POD.format(name="a").replace("nginx:1.27", '"{{ .Values.image }}"'),
    })
    report = lint_files([root / "chart" / "templates"], root=root)
    assert _paths(report) == set()
    assert [n.path for n in report.notifications] == ["chart/templates/pod.yaml"]


def test_chart_keeps_its_own_top_level_files(tmp_path):
    """values*.yaml, Chart.yaml and Chart.lock are the chart's; a manifest beside them is not."""
    root = _tree(tmp_path, {
        "chart/Chart.yaml": CHART.format(name="c") + "type: library\n",
        "chart/values.yaml": POD.format(name="in-values"),
        "chart/values-prod.yaml": POD.format(name="in-values-prod"),
        "chart/pod.yaml": POD.format(name="beside"),
        "chart/Dockerfile": "FROM alpine:3.20\nRUN apk add curl\n",
    })
    report = _lint(root)
    assert _paths(report) == {"chart/pod.yaml"}
    assert any(f.path == "chart/Dockerfile" for f in report.findings)


def test_chart_that_cannot_render_gets_its_plain_manifests_linted(tmp_path):
    root = _tree(tmp_path, {
        "chart/Chart.yaml": CHART.format(name="c") + "dependencies:\n  - name: db\n    version: 1.0.0\n",
        "chart/templates/plain.yaml": POD.format(name="plain"),
        "chart/templates/tpl.yaml": "{{- if .Values.on }}\n" + POD.format(name="tpl") + "{{- end }}\n",
        "chart/crds/pod.yaml": POD.format(name="crd-dir"),
    })
    report = _lint(root)
    assert _paths(report) == {"chart/templates/plain.yaml", "chart/crds/pod.yaml"}
    sl007 = [f for f in report.findings if f.code == "SL007"]
    assert [(f.path, f.level) for f in sl007] == [("chart/Chart.yaml", "warning")]


def test_failing_overlays_lint_a_shared_base_once_and_patches_only_as_patches(tmp_path):
    base = "resources: [pod.yaml]\n"
    overlay = ("resources:\n  - ../base\n  - https://example.com/x.yaml\n"
               "patches:\n  - path: patch.yaml\n")
    patch = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n"  # partial; a duplicate key
    root = _tree(tmp_path, {
        "base/kustomization.yaml": base,
        "base/pod.yaml": POD.format(name="a"),
        "one/kustomization.yaml": overlay, "one/patch.yaml": patch,
        "two/kustomization.yaml": overlay, "two/patch.yaml": patch,
    })
    report = _lint(root)
    on_pod = [f for f in report.findings if f.path == "base/pod.yaml"]
    assert on_pod and len(on_pod) == len({(f.code, f.region) for f in on_pod})  # each once
    for overlay_dir in ("one", "two"):
        on_patch = [f.code for f in report.findings if f.path == f"{overlay_dir}/patch.yaml"]
        assert on_patch == ["SL002"]  # syntax only: a partial Pod is not checked as a Pod
        remote = [f for f in report.findings if f.code == "SL007" and f.path == f"{overlay_dir}/kustomization.yaml"]
        assert [(f.region.line, f.level) for f in remote] == [(3, "warning")]


def test_kustomization_that_fails_to_render_gets_its_files_linted(tmp_path):
    root = _tree(tmp_path, {
        "k/kustomization.yaml": "resources: [pod.yaml, missing.yaml]\n",
        "k/pod.yaml": POD.format(name="a"),
    })
    report = _lint(root)
    assert _paths(report) == {"k/pod.yaml"}
    assert [f.level for f in report.findings if f.code == "SL007"] == ["error"]


def test_generator_data_used_as_a_resource_too_is_linted_once_through_the_render(tmp_path):
    root = _tree(tmp_path, {
        "k/kustomization.yaml": "resources: [pod.yaml]\nconfigMapGenerator:\n  - name: c\n    files: [pod.yaml]\n",
        "k/pod.yaml": POD.format(name="a"),
    })
    report = _lint(root)
    on_pod = [f for f in report.findings if f.path == "k/pod.yaml" and f.code.startswith("KS")]
    assert on_pod and len(on_pod) == len({(f.code, f.region) for f in on_pod})
    assert all(f.related for f in on_pod)  # from the render, not linted a second time directly


def test_committed_render_is_linted_as_a_plain_file(tmp_path):
    root = _tree(tmp_path, {
        "chart/Chart.yaml": CHART.format(name="api"),
        "chart/templates/pod.yaml": POD.format(name="a"),
        "out/render.yaml": "---\n# Source: api/templates/pod.yaml\n" + POD.format(name="a"),
    })
    report = lint_files([root / "out"], root=root)
    assert _paths(report) == {"out/render.yaml"}
