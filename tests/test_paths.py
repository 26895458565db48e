"""Output paths are relative: never an absolute path of the machine running the check.

Paths are relative to the repository root (SARIF's ``%SRCROOT%``; tests/test_monorepo.py), and
without one to the working directory (these trees have neither ``.git`` nor a configuration);
a file outside it is written with ``..`` (``../other/x.yaml``), never as ``/home/...``.  Messages
from helm and kustomize, which name absolute paths, are rewritten the same way.
"""

from __future__ import annotations

import json
import re
import shutil
import stat
import sys
from pathlib import Path

import pytest

from conftest import run_shiplint

FORMATS = ["text", "json", "sarif", "github", "gitlab", "junit"]


@pytest.fixture
def repo(tmp_path) -> Path:
    r = tmp_path / "work" / "repo"
    (r / "k8s").mkdir(parents=True)
    (r / "k8s" / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n")
    (r / "k8s" / "broken.yaml").write_text("a: [unclosed\n")
    (r / "Dockerfile").write_text("FROM alpine:3.19\nRUN apk add curl\n")
    chart = r / "charts" / "api"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: api\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    # a helm that fails naming the absolute path of the template, as the real one does
    fake = tmp_path / "fake-helm"
    fake.write_text(f"#!{sys.executable}\nimport sys\n"
                    f"sys.stderr.write('Error: template: api/templates/cm.yaml:1: bad at {chart}/templates/cm.yaml\\n')\n"
                    "sys.exit(1)\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    # a kustomization whose render fails on a missing file (kustomize names it absolutely)
    k = r / "deploy"
    k.mkdir()
    (k / "kustomization.yaml").write_text("resources: [missing/app.yaml]\n")
    return r


def _absolute_leaks(text: str, directory: Path) -> list[str]:
    """Occurrences of ``directory`` as an absolute path (not the tail of a ``../`` path)."""
    return [m.group() for m in re.finditer(r"(?<![.\w])" + re.escape(str(directory)), text)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_absolute_arguments_from_the_repository_give_repository_relative_paths(repo, fmt):
    fake = repo.parent.parent / "fake-helm"
    r = run_shiplint("check", repo, "--format", fmt, "--helm-bin", fake, cwd=repo)
    assert r.code == 1 and "Traceback" not in r.err
    assert str(repo.parent.parent) not in r.out + r.err  # nothing of the machine's directory layout
    for rel in ("k8s/pod.yaml", "k8s/broken.yaml", "Dockerfile", "charts/api/Chart.yaml"):
        assert rel in r.out, rel
    if fmt == "json":
        paths = {f["path"] for f in r.json()}
        assert "deploy/kustomization.yaml" in paths
        assert all(not p.startswith(("/", "..")) for p in paths), paths
        sl007 = [f["message"] for f in r.json() if f["code"] == "SL007" and f["path"] == "charts/api/Chart.yaml"]
        assert sl007 and "charts/api/templates/cm.yaml" in sl007[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_run_from_another_directory_writes_paths_with_dotdot(repo, fmt):
    elsewhere = repo.parent / "elsewhere"
    elsewhere.mkdir()
    fake = repo.parent.parent / "fake-helm"
    r = run_shiplint("check", repo, "--format", fmt, "--helm-bin", fake, cwd=elsewhere)
    assert r.code == 1 and "Traceback" not in r.err
    assert not _absolute_leaks(r.out + r.err, repo), (r.out + r.err)[:2000]
    assert "../repo/k8s/pod.yaml" in r.out
    if fmt == "sarif":
        for result in json.loads(r.out)["runs"][0]["results"]:
            for loc in result["locations"]:
                uri = loc["physicalLocation"]["artifactLocation"]["uri"]
                assert not uri.startswith(("/", "file:")), uri


def test_kustomize_error_naming_files_outside_the_root_is_relative(repo):
    if not (shutil.which("kustomize") or shutil.which("kubectl")):
        pytest.skip("neither kustomize nor kubectl installed")
    k = repo / "deploy"
    (k / "kustomization.yaml").write_text("resources: [app.yaml]\nconfigurations: [conf/kind.yaml]\n")
    (k / "app.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    elsewhere = repo.parent / "elsewhere"
    elsewhere.mkdir()
    r = run_shiplint("check", k, "--format", "json", cwd=elsewhere)
    assert "Traceback" not in r.err
    assert not _absolute_leaks(r.out + r.err, repo), r.out + r.err
    msgs = [f["message"] for f in r.json() if f["code"] == "SL007"]
    assert msgs and "../repo/deploy" in msgs[0]
