"""Helm: charts are rendered offline and findings land on the templates in the repository.

Tests that render need the helm binary: ``SHIPLINT_HELM``, ``.tools/bin/helm`` (installed by
``.ci/tools.sh``) or ``helm`` on PATH.  Without it they skip, except under CI where they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, assert_valid_sarif, corpus_root, lint_files, run_shiplint

CHART = FIXTURES / "helm" / "api"


def _find_helm() -> str | None:
    for cand in (os.environ.get("SHIPLINT_HELM"), str(ROOT / ".tools" / "bin" / "helm"), shutil.which("helm")):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


@pytest.fixture(scope="session")
def helm() -> str:
    found = _find_helm()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("helm is required in CI: .ci/tools.sh installs it into .tools/bin/helm")
        pytest.skip("helm not installed (run .ci/tools.sh, or set SHIPLINT_HELM)")
    return found


@pytest.fixture
def repo(tmp_path):
    """A repository with the seed chart under charts/api and one plain manifest."""
    shutil.copytree(CHART, tmp_path / "charts" / "api")
    return tmp_path


def _line_of(path: Path, needle: str) -> tuple[int, int]:
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return i, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in {path}")


def _render(helm: str, chart: Path, *args) -> str:
    return subprocess.run([helm, "template", "api", str(chart), *args], capture_output=True, text=True,
                          check=True).stdout


def _results(sarif: dict) -> list[dict]:
    return sarif["runs"][0]["results"]


def _loc(result: dict, key="locations", i=0):
    loc = result[key][i]["physicalLocation"]
    return loc["artifactLocation"]["uri"], loc["region"]["startLine"], loc["region"]["startColumn"]


# -- chart directories ---------------------------------------------------------------------------


def test_chart_finding_lands_on_template_image_line_in_sarif(repo, helm):
    r = run_shiplint("check", "charts/api", "--helm-bin", helm, "--format", "sarif", cwd=repo)
    assert r.code == 1, r.err
    sarif = assert_valid_sarif(r.out)
    tpl = repo / "charts/api/templates/deployment.yaml"
    line, col = _line_of(tpl, '"{{ .Values.image.repository }}')
    rendered = _render(helm, repo / "charts/api", "--include-crds")
    rline, rcol = _line_of_text(rendered, 'image: "ghcr.io/acme/api:1.3.0"')
    api = [x for x in _results(sarif) if x["ruleId"] == "KS101" and "'api'" in x["message"]["text"]]
    assert len(api) == 1
    assert _loc(api[0]) == ("charts/api/templates/deployment.yaml", line, col)
    # the rendered position is the related location: on the chart's file (the rendered text is
    # no file), its line in the message, and linked from the result's message
    related = api[0]["relatedLocations"][0]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "charts/api/Chart.yaml"
    assert "region" not in related["physicalLocation"]
    assert related["message"]["text"] == f"rendered by helm template, line {rline} of the rendered manifests."
    # then the values keys that set the image (see test_values_trace.py), each linked too
    links = re.findall(r"\[([^\]]*)\]\((\d+)\)", api[0]["message"]["text"].split(" See ", 1)[1])
    assert links[0] == ("rendered by helm template", "0")
    assert [text for text, _ in links[1:]] == ["values key image.repository", "values key image.tag"]
    assert [int(i) for _, i in links] == list(range(len(api[0]["relatedLocations"])))


def _line_of_text(text: str, needle: str) -> tuple[int, int]:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i, line.index(needle) + 1
    raise AssertionError(needle)


def test_second_container_and_subchart_map_to_their_templates(repo, helm):
    report = lint_files([repo / "charts/api"], select=["KS101"], root=repo, helm_bin=helm)
    got = {f.message.split("'")[1]: (f.path, f.region.line) for f in report.findings}
    assert got["metrics"] == ("charts/api/templates/deployment.yaml",
                              _line_of(repo / "charts/api/templates/deployment.yaml", ".Values.metrics.image")[0])
    assert got["worker"] == ("charts/api/charts/worker/templates/job.yaml", 12)
    for f in report.findings:
        assert (repo / f.path).is_file()
        assert f.related and f.related[0].path == "charts/api"


def test_text_output_shows_template_and_rendered_positions(repo, helm):
    r = run_shiplint("check", "charts/api", "--helm-bin", helm, "--format", "text", cwd=repo)
    line, _ = _line_of(repo / "charts/api/templates/deployment.yaml", '"{{ .Values.image.repository }}')
    assert f"charts/api/templates/deployment.yaml:{line}:16" in r.out
    assert "↳ ./charts/api:" in r.out and "rendered by helm template" in r.out


def test_directory_scan_renders_chart_and_never_lints_templates_as_yaml(repo, helm):
    (repo / "k8s").mkdir()
    (repo / "k8s" / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n")
    report = lint_files([repo], root=repo, helm_bin=helm)
    # the chart counts as the files it renders from, where its findings land
    assert {"charts/api/Chart.yaml", "charts/api/values.yaml", "charts/api/templates/deployment.yaml",
            "charts/api/charts/worker/templates/job.yaml", "k8s/pod.yaml"} <= set(report.files)
    assert "charts/api" not in report.files
    assert not any(f.code == "SL001" for f in report.findings), [f.message for f in report.findings]
    # the chart's own files are judged by the chart rules (HC…), the render by the resource rules
    assert {f.code[:2] for f in report.findings if f.path == "charts/api/Chart.yaml"} == {"HC"}
    paths = {f.path for f in report.findings} - {"charts/api/Chart.yaml"}
    assert paths == {"charts/api/templates/deployment.yaml", "charts/api/charts/worker/templates/job.yaml",
                     "k8s/pod.yaml"}


def test_values_files_and_set_are_passed_to_helm(repo, helm):
    digest = "sha256:" + "ab" * 32
    (repo / "prod.yaml").write_text(f"metrics:\n  image: ghcr.io/acme/metrics@{digest}\n")
    r = run_shiplint("check", "charts/api", "--helm-bin", helm, "--format", "json", "-f", "prod.yaml",
                     "--set", f"image.digest={digest}", "--set", "worker.image=", "--release-name", "prod",
                     "--namespace", "shop", "--select", "KS101", cwd=repo)
    assert r.code == 0, (r.out, r.err)
    assert r.json() == []


def test_render_is_isolated_and_writes_nothing_into_the_tree(repo, tmp_path_factory):
    """A stand-in helm records its arguments and environment: temporary homes, no plugins,
    no dependency update, run outside the repository, and the tree is left unchanged."""
    bindir = tmp_path_factory.mktemp("bin")
    fake = bindir / "helm"
    fake.write_text(
        "#!/bin/sh\n"
        "echo '# Source: api/templates/cm.yaml'\n"
        "echo 'apiVersion: v1'\necho 'kind: ConfigMap'\necho 'metadata: {name: x}'\necho 'data:'\n"
        "echo \"  args: '$*'\"\necho \"  cwd: '$(pwd)'\"\n"
        "echo \"  plugins: '$HELM_PLUGINS'\"\necho \"  cache: '$HELM_CACHE_HOME'\"\n"
        "echo \"  config: '$HELM_CONFIG_HOME'\"\necho \"  data: '$HELM_DATA_HOME'\"\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    before = {p: p.stat().st_mtime_ns for p in repo.rglob("*")}
    from shiplint.engine import Engine, Options

    engine = Engine(Options(root=str(repo), helm_bin=str(fake)))
    resources = engine.check_inputs(engine.collect([str(repo / "charts/api")])).resources
    data = resources[0].data["data"]
    assert "--include-crds" in data["args"] and "dependency" not in data["args"]
    assert "--post-renderer" not in data["args"]
    for key in ("cwd", "plugins", "cache", "config", "data"):
        assert data[key] and not data[key].startswith(str(repo)), (key, data[key])
        assert not os.path.exists(data[key]), "temporary directories are removed"
    assert {p: p.stat().st_mtime_ns for p in repo.rglob("*")} == before


# -- errors ------------------------------------------------------------------------------------


def test_missing_helm_is_a_usage_error(repo):
    r = run_shiplint("check", "charts/api", "--helm-bin", str(repo / "no-such-helm"), cwd=repo)
    assert r.code == 2
    assert "helm" in r.err and "charts/api" in r.err and "Traceback" not in r.err


def test_unvendored_dependencies_are_a_usage_error(tmp_path):
    shutil.copytree(FIXTURES / "helm" / "needs-deps", tmp_path / "needs-deps")
    # any executable stands for helm: the dependency check comes first and nothing is run
    r = run_shiplint("check", "needs-deps", "--helm-bin", shutil.which("true") or "/bin/true", cwd=tmp_path)
    assert r.code == 2
    assert "common" in r.err and "helm dependency build needs-deps" in r.err


def test_template_error_is_a_finding_and_the_run_goes_on(repo, helm):
    (repo / "charts/api/templates/broken.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ required \"set .Values.mustHave\" .Values.mustHave }}\n")
    (repo / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n")
    report = lint_files([repo], root=repo, helm_bin=helm)
    sl = [f for f in report.findings if f.code == "SL007"]  # render-failed
    assert len(sl) == 1 and sl[0].path == "charts/api/Chart.yaml" and sl[0].level == "error"
    assert "helm template charts/api failed" in sl[0].message and "mustHave" in sl[0].message
    assert str(repo) not in sl[0].message
    assert any(f.path == "pod.yaml" for f in report.findings)


# -- renders as input ------------------------------------------------------------------------------


def test_stdin_render_points_at_templates_with_rendered_position_related(repo, helm):
    rendered = _render(helm, repo / "charts/api")
    r = run_shiplint("check", "-", "--format", "sarif", cwd=repo, stdin=rendered)
    sarif = assert_valid_sarif(r.out)
    line, col = _line_of(repo / "charts/api/templates/deployment.yaml", '"{{ .Values.image.repository }}')
    rline, rcol = _line_of_text(rendered, '"ghcr.io/acme/api:1.3.0"')
    api = [x for x in _results(sarif) if x["ruleId"] == "KS101" and "'api'" in x["message"]["text"]][0]
    assert _loc(api) == ("charts/api/templates/deployment.yaml", line, col)
    assert _loc(api, "relatedLocations") == ("%3Cstdin%3E", rline, rcol)  # a URI: percent-encoded
    # text output shows both positions
    t = run_shiplint("check", "--stdin-filename", "render.yaml", "-", cwd=repo, stdin=rendered)
    assert f"charts/api/templates/deployment.yaml:{line}:{col}" in t.out
    assert f"render.yaml:{rline}:{rcol}" in t.out


def test_chart_option_names_the_chart_of_a_render(repo, helm):
    rendered = _render(helm, repo / "charts/api")
    (repo / "charts/api").rename(repo / "charts/api-renamed")  # the tree no longer has it by path
    r = run_shiplint("check", "--chart", "charts/api-renamed", "--stdin-filename", "out.yaml", "-",
                     "--format", "json", cwd=repo, stdin=rendered)
    paths = {f["path"] for f in r.json()}
    assert paths == {"charts/api-renamed/templates/deployment.yaml",
                     "charts/api-renamed/charts/worker/templates/job.yaml"}


def test_render_without_chart_in_tree_stays_on_the_render(tmp_path, helm):
    rendered = _render(helm, CHART)
    r = run_shiplint("check", "--stdin-filename", "render.yaml", "-", "--format", "json", cwd=tmp_path, stdin=rendered)
    assert {f["path"] for f in r.json()} == {"render.yaml"}


def test_render_on_stdin_maps_to_corpus_chart():
    """A real render (online boutique) piped in beside its chart: no helm needed."""
    CORPUS = corpus_root("rendered/helm/onlineboutique.yaml")
    text = (CORPUS / "rendered/helm/onlineboutique.yaml").read_text()
    r = run_shiplint("check", "--no-config", "--select", "KS101", "--stdin-filename", "boutique.yaml", "-",
                     "--format", "json", cwd=CORPUS, stdin=text)
    findings = r.json()
    assert len(findings) >= 10
    for f in findings:
        # relative to the repository root, which the corpus may lie below
        assert not f["path"].startswith(("/", "..")), f["path"]
        assert "helm/GoogleCloudPlatform__microservices-demo/helm-chart/templates/" in f["path"], f["path"]
        base = next(b for b in (CORPUS, *CORPUS.parents) if (b / f["path"]).is_file())
        assert (base / f["path"]).samefile(CORPUS / f["path"][f["path"].index("helm/"):])
        lines = (base / f["path"]).read_text().splitlines()
        assert "image:" in lines[f["region"]["line"] - 1]
        assert f["related"][0]["path"] == "boutique.yaml"


def test_committed_render_file_is_not_mapped_to_a_chart():
    """In a scanned tree, '# Source:' comments are the tree's own say: the render's findings
    stay on it (a forged comment must not move them onto a chart)."""
    CORPUS = corpus_root("rendered/helm/onlineboutique.yaml")
    report = lint_files([CORPUS / "rendered/helm/onlineboutique.yaml"], select=["KS101"], root=CORPUS)
    assert len(report.findings) >= 10
    assert {f.path for f in report.findings} == {"rendered/helm/onlineboutique.yaml"}


# -- real-world charts --------------------------------------------------------------------------------


@pytest.mark.parametrize("chart", [
    "helm/GoogleCloudPlatform__microservices-demo/helm-chart",
    "helm/cert-manager__cert-manager/deploy/charts/cert-manager",
    "helm/prometheus-community__helm-charts/charts/kube-state-metrics",
    "helm/prometheus-community__helm-charts/charts/alertmanager",
    "helm/prometheus-community__helm-charts/charts/prometheus-node-exporter",
])
def test_corpus_charts_map_to_existing_template_lines(chart, helm):
    CORPUS = corpus_root(chart)
    report = lint_files([CORPUS / chart], root=CORPUS, helm_bin=helm)
    assert not [f for f in report.findings if f.code == "SL001"], [f.message for f in report.findings]
    ks = [f for f in report.findings if f.code == "KS101"]
    assert ks, "the default values use tags: KS101 fires"
    for f in report.findings:
        assert f.path.startswith(chart + "/"), f.path
        lines = (CORPUS / f.path).read_text().splitlines()
        assert 1 <= f.region.line <= len(lines)
    for f in ks:
        assert "image" in (CORPUS / f.path).read_text().splitlines()[f.region.line - 1]


def test_corpus_chart_with_vendored_dependency_and_sarif(tmp_path, helm):
    """bitnami/redis needs bitnami/common: vendored into charts/, it renders offline."""
    CORPUS = corpus_root("helm/bitnami__charts/bitnami/redis")
    shutil.copytree(CORPUS / "helm/bitnami__charts/bitnami/redis", tmp_path / "redis")
    shutil.copytree(CORPUS / "helm/bitnami__charts/bitnami/common", tmp_path / "redis/charts/common")
    r = run_shiplint("check", "redis", "--helm-bin", helm, "--format", "sarif", cwd=tmp_path)
    assert r.code == 1, r.err
    sarif = assert_valid_sarif(r.out)
    results = _results(sarif)
    assert results
    for res in results:
        uri, line, _ = _loc(res)
        assert uri.startswith("redis/") and (tmp_path / uri).is_file()
        assert 1 <= line <= len((tmp_path / uri).read_text().splitlines())
    assert any(_loc(x)[0] == "redis/templates/master/application.yaml" for x in results)
