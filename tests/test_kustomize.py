"""Kustomize: overlays are rendered offline and findings land on the base or overlay files.

Rendering needs ``kustomize`` or ``kubectl`` (with its built-in kustomize) on PATH; tests that
render skip without one, except under CI where they fail.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, assert_valid_sarif, corpus_root, lint_files, run_shiplint

SEED = FIXTURES / "kustomize" / "deploy"


@pytest.fixture(scope="session")
def kustomize_bin() -> str:
    found = shutil.which("kustomize") or shutil.which("kubectl")
    if found is None:
        if __import__("os").environ.get("CI"):
            pytest.fail("kubectl or kustomize is required in CI")
        pytest.skip("neither kustomize nor kubectl is installed")
    return found


@pytest.fixture
def repo(tmp_path):
    shutil.copytree(SEED, tmp_path / "deploy")
    return tmp_path


K = "deploy/kustomize"


def _line(path: Path, needle: str) -> tuple[int, int]:
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return i, line.index(needle) + 1
    raise AssertionError(needle)


def _by_container(findings):
    return {f.message.split("'")[1]: f for f in findings if f.code == "KS101"}


def test_seed_prod_overlay_findings_land_on_base_and_overlay(repo, kustomize_bin):
    r = run_shiplint("check", f"{K}/overlays/prod", "--format", "sarif", cwd=repo)
    assert r.code == 1, r.err
    sarif = assert_valid_sarif(r.out)
    results = sarif["runs"][0]["results"]
    loc = {}
    for res in results:
        pl = res["locations"][0]["physicalLocation"]
        loc[(res["ruleId"], res["message"]["text"].split("'")[1])] = (
            pl["artifactLocation"]["uri"], pl["region"]["startLine"], pl["region"]["startColumn"],
            res["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] if "relatedLocations" in res else None)
    overlay = repo / K / "overlays/prod/kustomization.yaml"
    base = repo / K / "base/deployment.yaml"
    # the image set by the overlay's images: entry points at that entry
    rendered = f"{K}/overlays/prod/kustomization.yaml"  # the rendered position: on the file that renders
    assert loc[("KS101", "api")] == (f"{K}/overlays/prod/kustomization.yaml", *_line(overlay, '"1.3.0"'), rendered)
    # an image defined by the base points at the base file
    assert loc[("KS101", "proxy")] == (f"{K}/base/deployment.yaml", *_line(base, "docker.io/envoyproxy"), rendered)
    # a container added by the overlay's patch is linted (the render is after the patch) and
    # points at the patch operation in the overlay
    assert loc[("KS101", "log-shipper")][:3] == (f"{K}/overlays/prod/kustomization.yaml", *_line(overlay, "docker.io/fluent"))
    # KZ101: the images entry itself
    assert loc[("KZ101", "ghcr.io/acme/api")][:3] == (f"{K}/overlays/prod/kustomization.yaml", *_line(overlay, '"1.3.0"'))


def test_patched_resources_are_what_is_linted(repo, kustomize_bin):
    from shiplint.engine import Engine, Options

    engine = Engine(Options(root=str(repo)))
    resources = engine.check_inputs(engine.collect([str(repo / K / "overlays/prod")])).resources
    dep = next(r for r in resources if r.kind == "Deployment")
    assert dep.get(("spec", "replicas")) == 5
    api = dep.get(("spec", "template", "spec", "containers", 0))
    assert api["name"] == "api" and api["resources"]["limits"]["memory"] == "512Mi"
    assert dep.origin["type"] == "kustomize" and dep.origin["source"].path == f"{K}/base/deployment.yaml"
    # a finding on the patched field lands on the patch, not on the base
    from shiplint.inputs.render.origin import Item
    from shiplint.inputs.render.kustomize import locate

    path = ("spec", "template", "spec", "containers", Item(0, "api"), "resources", "limits", "memory")
    where = locate(dep, path, "value")
    overlay = repo / K / "overlays/prod/kustomization.yaml"
    assert (where.path, where.region.line) == (f"{K}/overlays/prod/kustomization.yaml", _line(overlay, 'memory: "512Mi"')[0])
    where = locate(dep, ("spec", "replicas"), "value")
    assert (where.path, where.region.line) == (f"{K}/overlays/prod/kustomization.yaml", _line(overlay, "value: 5")[0])
    where = locate(dep, ("metadata", "name"), "value")
    assert (where.path, where.region.line) == (f"{K}/base/deployment.yaml", _line(repo / K / "base/deployment.yaml", "name: api,")[0])


def test_name_prefix_and_namespace_of_an_overlay_are_followed(repo, kustomize_bin):
    report = lint_files([repo / K / "overlays/dev"], select=["KS101"], root=repo)
    got = _by_container(report.findings)
    assert set(got) == {"proxy"}, "the dev overlay pins api by digest"
    f = got["proxy"]
    assert (f.path, f.region.line) == (f"{K}/base/deployment.yaml", _line(repo / K / "base/deployment.yaml", "envoyproxy")[0])
    assert "app-dev/dev-api" in f.subject


def test_repository_scan_renders_overlays_not_bases(repo, kustomize_bin):
    from shiplint.engine import Engine, Options

    report = lint_files([repo], root=repo)
    # two renders, the base they share counted once among the files they checked
    assert sorted(report.files) == [f"{K}/base/deployment.yaml", f"{K}/base/kustomization.yaml", f"{K}/base/service.yaml",
                                    f"{K}/overlays/dev/kustomization.yaml", f"{K}/overlays/prod/kustomization.yaml"]
    assert [i.kind for i in Engine(Options(root=str(repo))).collect([str(repo)]) if "kustomiz" in i.display] == \
        ["kustomize", "kustomize"]  # the overlays are rendered; the base is not rendered or linted alone
    proxy = [f for f in report.findings if f.code == "KS101" and "'proxy'" in f.message]
    assert len(proxy) == 1, "a base finding reached through two overlays is reported once"
    assert {r.path for r in proxy[0].related} == {f"{K}/overlays/dev", f"{K}/overlays/prod"}
    kz = [f for f in report.findings if f.code == "KZ101"]
    assert len(kz) == 1 and kz[0].path == f"{K}/overlays/prod/kustomization.yaml"


def test_smp_patch_file_and_kustomization_without_extension(tmp_path, kustomize_bin):
    shutil.copytree(SEED / "kustomize/base", tmp_path / "base")
    (tmp_path / "staging").mkdir()
    (tmp_path / "staging/Kustomization").write_text(
        "resources: [../base]\nnameSuffix: -stg\npatches:\n  - path: proxy.yaml\n")
    (tmp_path / "staging/proxy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: app}\nspec:\n  template:\n    spec:\n"
        "      containers:\n      - name: proxy\n        image: docker.io/envoyproxy/envoy:v1.32.0\n")
    report = lint_files([tmp_path], select=["KS101"], root=tmp_path)
    assert sorted(report.files) == ["base/deployment.yaml", "base/kustomization.yaml", "base/service.yaml",
                                    "staging/Kustomization", "staging/proxy.yaml"]
    got = _by_container(report.findings)
    assert (got["proxy"].path, got["proxy"].region.line) == ("staging/proxy.yaml", 9)
    assert (got["api"].path, got["api"].region.line) == ("base/deployment.yaml", 14)


def test_remote_resource_is_not_fetched(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - https://example.com/app.yaml\n")
    # a renderer that would fail loudly if it were run
    report = lint_files([tmp_path], root=tmp_path, kustomize_bin=shutil.which("false") or "/bin/false")
    sl = [f for f in report.findings if f.code == "SL007"]  # render-failed: not attempted
    assert len(sl) == 1 and "resources entry 'https://example.com/app.yaml' is remote" in sl[0].message
    assert (sl[0].path, sl[0].region.line, sl[0].region.column, sl[0].level) == ("kustomization.yaml", 2, 5, "warning")


def test_missing_kustomize_is_a_usage_error(repo):
    r = run_shiplint("check", f"{K}/overlays/prod", "--kustomize-bin", "no-such-kustomize", cwd=repo)
    assert r.code == 2 and "kustomize" in r.err and "Traceback" not in r.err


def test_render_failure_is_a_finding_and_the_run_goes_on(tmp_path, kustomize_bin):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken/kustomization.yaml").write_text("resources: [missing.yaml]\n")
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n")
    report = lint_files([tmp_path], root=tmp_path)
    sl = [f for f in report.findings if f.code == "SL007"]  # render-failed
    assert len(sl) == 1 and sl[0].level == "error" and sl[0].path == "broken/kustomization.yaml" and "kustomize build broken failed" in sl[0].message
    assert str(tmp_path) not in sl[0].message
    assert any(f.path == "pod.yaml" and f.code == "KS101" for f in report.findings)


def test_render_writes_nothing_into_the_tree(repo, kustomize_bin):
    before = {p: p.stat().st_mtime_ns for p in repo.rglob("*")}
    lint_files([repo], root=repo)
    assert {p: p.stat().st_mtime_ns for p in repo.rglob("*")} == before


@pytest.mark.parametrize("overlay", [
    "kustomize/kubernetes-sigs__kustomize/examples/ldap/overlays/production",
    "kustomize/kubernetes-sigs__kustomize/examples/multibases",
    "kustomize/kubernetes-sigs__kustomize/examples/wordpress",
    "kustomize/kubernetes__ingress-nginx/deploy/grafana",
])
def test_corpus_overlays_map_to_existing_files(overlay, kustomize_bin):
    CORPUS = corpus_root(overlay)
    report = lint_files([CORPUS / overlay], root=CORPUS)
    assert not [f for f in report.findings if f.code == "SL001"], [f.message for f in report.findings]
    ks = [f for f in report.findings if f.code == "KS101"]
    assert ks
    for f in report.findings:
        p = CORPUS / f.path
        assert p.is_file(), f.path
        lines = p.read_text().splitlines()
        assert 1 <= f.region.line <= len(lines)
        assert f.path.startswith(overlay.split("/examples/")[0] if "/examples/" in overlay else overlay)
    for f in ks:
        line = (CORPUS / f.path).read_text().splitlines()[f.region.line - 1]
        assert "image" in line or "newTag" in line or "digest" in line, (f.path, line)


def test_corpus_multibases_reports_the_shared_base_once_in_sarif(kustomize_bin):
    CORPUS = corpus_root("kustomize/kubernetes-sigs__kustomize/examples/multibases")
    r = run_shiplint("check", "kustomize/kubernetes-sigs__kustomize/examples/multibases", "--format", "sarif",
                     "--select", "KS101", cwd=CORPUS)
    sarif = assert_valid_sarif(r.out)
    uris = [res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for res in sarif["runs"][0]["results"]]
    # relative to the repository root, which the corpus may lie below
    assert len(uris) == 1 and not uris[0].startswith(("/", "..")), uris
    assert uris[0].endswith("kustomize/kubernetes-sigs__kustomize/examples/multibases/base/pod.yaml"), uris
    related = sarif["runs"][0]["results"][0]["relatedLocations"]
    assert len(related) == 3  # dev, production and staging renders


def test_generated_config_map_maps_to_its_generator_entry(tmp_path, kustomize_bin):
    (tmp_path / "app").mkdir()
    (tmp_path / "app/kustomization.yaml").write_text(
        "namePrefix: shop-\nconfigMapGenerator:\n  - name: settings\n    literals: [MODE=prod]\n")
    from shiplint.engine import Engine, Options
    from shiplint.inputs.render.kustomize import locate

    engine = Engine(Options(root=str(tmp_path)))
    inputs = engine.collect([str(tmp_path / "app/kustomization.yaml")])  # an explicit kustomization file
    assert [i.kind for i in inputs] == ["kustomize"]
    resources = engine.check_inputs(inputs).resources
    cm = next(r for r in resources if r.kind == "ConfigMap")
    assert cm.name.startswith("shop-settings-")
    where = locate(cm, ("data", "MODE"), "value")
    assert (where.path, where.region.line) == ("app/kustomization.yaml", 3)
