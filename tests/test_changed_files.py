"""Files named one by one (pre-commit) stand for the chart or kustomizations that render them
(src/shiplint/inputs/changed.py); kustomize's Helm inflation is never run."""

from __future__ import annotations

import os
import stat
import textwrap
from pathlib import Path

import pytest

from conftest import lint_files
from shiplint.inputs.changed import KustomizationGraph, owning_chart, repository_root
from test_untrusted import HELM, needs_helm, needs_kustomize


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"))


def found(report) -> list[tuple]:
    return sorted((f.code, f.path, f.region.line, f.region.column) for f in report.findings)


DEPLOY = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27
    """
PRIVILEGED_PATCH = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      template:
        spec:
          containers:
            - name: web
              securityContext:
                privileged: true
    """


@pytest.fixture
def overlays(tmp_path):
    """base ← mid ← top (with a component), and staging ← base; a repository of its own."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, {
        "base/kustomization.yaml": "resources: [deploy.yaml]\n",
        "base/deploy.yaml": DEPLOY,
        "comp/kustomization.yaml": """
            apiVersion: kustomize.config.k8s.io/v1alpha1
            kind: Component
            patches:
              - path: privileged.yaml
            """,
        "comp/privileged.yaml": PRIVILEGED_PATCH,
        "mid/kustomization.yaml": "resources: [../base]\n",
        "top/kustomization.yaml": "resources: [../mid]\ncomponents: [../comp]\n",
        "staging/kustomization.yaml": "resources: [../base]\n",
        "plain/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    })
    return tmp_path


def test_a_file_maps_to_the_top_kustomizations_through_includers(overlays):
    graph = KustomizationGraph(str(overlays))
    tops = lambda rel: [os.path.relpath(k, overlays) for k in graph.tops_for(str(overlays / rel))]  # noqa: E731
    assert tops("base/deploy.yaml") == ["staging/kustomization.yaml", "top/kustomization.yaml"]
    assert tops("base/kustomization.yaml") == ["staging/kustomization.yaml", "top/kustomization.yaml"]
    assert tops("comp/privileged.yaml") == ["top/kustomization.yaml"]
    assert tops("top/kustomization.yaml") == ["top/kustomization.yaml"]
    assert tops("plain/cm.yaml") == []


@needs_kustomize
def test_a_component_patch_is_reported_where_it_sets_the_value(overlays):
    report = lint_files([overlays / "comp" / "privileged.yaml"], select=["KS101", "KS405"], root=overlays)
    # the unpinned image of the unchanged base is in the render, and left to the base's own commits
    assert found(report) == [("KS405", "comp/privileged.yaml", 11, 25)]
    report = lint_files([overlays / "base" / "deploy.yaml"], select=["KS101", "KS405"], root=overlays)
    # the base through both overlays (its own line once: the two renders find it at one place)
    assert {x for x in found(report)} == {("KS101", "base/deploy.yaml", 14, 18)}


@needs_kustomize
def test_a_directory_scanned_with_a_file_reports_everything(overlays):
    report = lint_files([overlays / "comp" / "privileged.yaml", overlays / "base"], select=["KS101", "KS405"],
                        root=overlays)
    assert ("KS101", "base/deploy.yaml", 14, 18) in found(report)


def test_the_search_stays_in_the_repository(tmp_path):
    repo, outside = tmp_path / "repo", tmp_path / "other"
    (repo / ".git").mkdir(parents=True)
    write(tmp_path, {
        "repo/base/kustomization.yaml": "resources: [deploy.yaml]\n",
        "repo/base/deploy.yaml": DEPLOY,
        "other/kustomization.yaml": "resources: [../repo/base]\n",  # outside the repository
        "Chart.yaml": "apiVersion: v2\nname: above\nversion: 1.0.0\n",  # above the repository
        "repo/templates/x.yaml": "kind: ConfigMap\n",
    })
    assert repository_root(str(repo / "base" / "deploy.yaml"), str(tmp_path)) == str(repo)
    assert repository_root(str(outside / "kustomization.yaml"), str(repo)) is None  # outside the scan root
    graph = KustomizationGraph(repository_root(str(repo / "base" / "deploy.yaml"), str(tmp_path)))
    assert graph.tops_for(str(repo / "base" / "deploy.yaml")) == [str(repo / "base" / "kustomization.yaml")]
    assert owning_chart(str(repo / "templates" / "x.yaml"), str(repo)) is None


CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    "chart/values.yaml": "hostNetwork: false\n",
    "chart/ci/host-values.yaml": "hostNetwork: true\n",
    "chart/templates/pod.yaml": """
        apiVersion: v1
        kind: Pod
        metadata:
          name: demo
        spec:
          hostNetwork: {{ .Values.hostNetwork }}
          containers:
            - name: app
              image: nginx:1.27
        """,
    "chart/manifest.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: beside}\n",
}


def test_chart_files_map_to_their_chart(tmp_path):
    write(tmp_path, {**CHART, "chart/charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
                     "chart/charts/sub/templates/_helpers.tpl": "{{- define \"x\" }}{{ end }}\n"})
    chart = str(tmp_path / "chart")
    for rel in ("templates/pod.yaml", "values.yaml", "Chart.yaml", "ci/host-values.yaml",
                "charts/sub/templates/_helpers.tpl"):
        assert owning_chart(os.path.join(chart, rel), str(tmp_path)) == chart, rel
    assert owning_chart(os.path.join(chart, "manifest.yaml"), str(tmp_path)) is None  # beside, not chart data


@needs_helm
def test_ci_scenarios_render_when_the_commit_changes_them(tmp_path):
    write(tmp_path, CHART)
    chart = tmp_path / "chart"
    # a template change renders the default values only: hostNetwork is off there
    report = lint_files([chart / "templates" / "pod.yaml"], select=["KS407"], root=tmp_path, helm_bin=HELM)
    assert found(report) == []
    # the scenario's own commit renders it: the template line, the scenario named
    report = lint_files([chart / "ci" / "host-values.yaml"], select=["KS407"], root=tmp_path, helm_bin=HELM)
    assert found(report) == [("KS407", "chart/templates/pod.yaml", 6, 16)]
    assert "ci/host-values.yaml" in report.findings[0].message
    # the manifest beside the chart is not the chart's: linted on its own, no render
    report = lint_files([chart / "manifest.yaml"], select=["KS407", "SL007"], root=tmp_path, helm_bin="/nonexistent")
    assert found(report) == [] and report.files == ["chart/manifest.yaml"]


def test_kustomize_helm_inflation_is_reported_at_its_entry_and_never_run(tmp_path):
    """kustomize inflates helmCharts only with --enable-helm, running helm itself (and fetching
    the chart when it is not in the chart home): shiplint never lets it, and says so where the
    entry is; the kustomization's own files are still linted."""
    marker = tmp_path / "kustomize-ran"
    fake = tmp_path / "bin" / "kustomize"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    write(tmp_path, {
        "k/kustomization.yaml": """
            resources: [deploy.yaml]
            helmCharts:
              - name: demo
                releaseName: demo
            """,
        "k/deploy.yaml": DEPLOY,
        "k/charts/demo/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    })
    for paths in ([tmp_path / "k"], [tmp_path / "k" / "deploy.yaml"]):
        report = lint_files(paths, select=["SL007", "KS101"], root=tmp_path, kustomize_bin=str(fake))
        # the chart under k/charts/ is a chart input of its own (reported as not rendered when
        # helm is missing); what is asserted here is the kustomization's helmCharts entry
        notices = [f for f in report.findings if f.code == "SL007" and f.path == "k/kustomization.yaml"]
        assert len(notices) == 1, [(f.path, f.region.line, f.message) for f in notices]
        (sl,) = notices
        assert (sl.path, sl.region.line, sl.region.column, sl.level) == ("k/kustomization.yaml", 3, 11, "warning")
        assert "helmCharts entry 'demo' inflates a Helm chart" in sl.message
        assert ("KS101", "k/deploy.yaml", 14, 18) in found(report)  # linted directly
        assert not marker.exists()
