"""The wheel ships rules/ and schemas/, and an installed (non-editable) shiplint works."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile

import pytest

from conftest import FIXTURES, ROOT, build_wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return build_wheel(tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("dist"))


def test_wheel_contains_rules_and_schemas(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "shiplint/rules/dockerfile/DF101.yaml" in names
    assert "shiplint/rules/kubernetes/KS101.yaml" in names
    assert "shiplint/schemas/rule.schema.json" in names
    # every rule ships whole: its metadata and its check module, and the packs' helpers
    assert "shiplint/rules/dockerfile/DF101.py" in names
    shipped = {n[len("shiplint/rules/"):] for n in names if n.startswith("shiplint/rules/")}
    in_tree = {p.relative_to(ROOT / "rules").as_posix() for p in (ROOT / "rules").rglob("*")
               if p.suffix in (".yaml", ".py")}
    assert shipped == in_tree


def test_installed_wheel_runs(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(env_dir)
    py = env_dir / "bin" / "python"
    # install the wheel without touching the network: dependencies come from this interpreter's site
    site = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True).stdout.strip()
    target = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), site]), "NO_COLOR": "1"}
    work = tmp_path / "work"
    work.mkdir()
    (work / "Dockerfile").write_bytes((FIXTURES / "rules" / "DF101" / "bad.Dockerfile").read_bytes())
    r = subprocess.run([str(py), "-c", "import shiplint, sys; print(shiplint.__file__)"], env=env, capture_output=True, text=True)
    assert str(target) in r.stdout, r.stdout + r.stderr
    r = subprocess.run([str(py), "-m", "shiplint", "check", "."], cwd=work, env=env, capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert "DF101" in r.stdout
    r = subprocess.run([str(py), "-m", "shiplint", "explain", "DF101"], env=env, capture_output=True, text=True)
    assert r.returncode == 0 and "Why it matters" in r.stdout
    (work / "pod.yaml").write_bytes((FIXTURES / "rules" / "KS406" / "bad.yaml").read_bytes())
    r = subprocess.run([str(py), "-m", "shiplint", "check", "--select", "KS406", "pod.yaml"], cwd=work, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 1 and "KS406" in r.stdout, r.stdout + r.stderr
