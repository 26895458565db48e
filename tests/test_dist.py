"""The distributions: ``python -m build`` makes an sdist and, from it, a wheel; their metadata
passes ``twine check``; the sdist carries the licence, the docs and the tests with everything they
read, and runs a part of its own test-suite from the unpacked archive (no ../shared beside it)."""

from __future__ import annotations

import email.parser
import hashlib
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, SARIF_SCHEMA

#: Top-level entries an sdist may hold (anything else, such as .venv, .tools or build, is a leak).
SDIST_TOP = {"PKG-INFO", "pyproject.toml", "setup.cfg", "MANIFEST.in", "LICENSE", "README.md", ".pre-commit-hooks.yaml",
             "action.yml", "Dockerfile", ".dockerignore", ".ci", "benchmarks", "docs", "examples", "rules", "schemas",
             "src", "tests"}
#: Trees shipped whole (less caches), and single files the sdist must have.
SDIST_TREES = ("docs", "examples", "rules", "schemas", "src", "tests", ".ci")
SDIST_FILES = ("LICENSE", "README.md", "pyproject.toml", ".pre-commit-hooks.yaml", "action.yml", "Dockerfile",
               ".dockerignore", ".ci/layer_tools.py")
#: Fast tests that between them read the fixtures, the schemas and the corpus slice.
SDIST_TESTS = ("tests/test_corpus_slice.py", "tests/test_dockerfile_corpus.py", "tests/test_formats.py",
               "tests/test_metadata.py", "tests/test_rule_fixtures.py")
JUNK = re.compile(r"(^|/)(__pycache__|\.pytest_cache|\.hypothesis)(/|$)|\.py[cod]$")
EGG_INFO = re.compile(r"(^|/)[^/]*\.egg-info(/|$)")  # setuptools' own, in every sdist it makes


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    out = tmp_path_factory.mktemp("dists")
    # no --sdist/--wheel: build makes the sdist, then the wheel from the unpacked sdist
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (sdist,) = out.glob("shiplint-*.tar.gz")
    (wheel,) = out.glob("shiplint-*.whl")
    return sdist, wheel


def _sdist_names(sdist: Path) -> set[str]:
    with tarfile.open(sdist) as tar:
        names = [m.name for m in tar.getmembers() if m.isfile()]
    prefix = names[0].split("/", 1)[0] + "/"
    assert all(n.startswith(prefix) for n in names)
    return {n[len(prefix):] for n in names}


def _tree(rel: str) -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / rel).rglob("*")
            if p.is_file() and not JUNK.search(p.relative_to(ROOT).as_posix())
            and not EGG_INFO.search(p.relative_to(ROOT).as_posix())}


def test_wheel_metadata_is_complete(dists):
    _, wheel = dists
    with zipfile.ZipFile(wheel) as whl:
        names = whl.namelist()
        (meta_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = email.parser.Parser().parsestr(whl.read(meta_name).decode())
        licence = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert licence and whl.read(licence[0]) == (ROOT / "LICENSE").read_bytes()
    assert meta["Metadata-Version"] in ("2.4", "2.5")
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["License"] is None  # the deprecated free-text field is gone
    classifiers = meta.get_all("Classifier")
    assert "Programming Language :: Python :: 3" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639: the expression says it
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert urls["Homepage"] == "https://github.com/shiplint/shiplint"
    assert {"Source", "Issues", "Documentation"} <= set(urls)
    assert {"kubernetes", "dockerfile", "helm", "sarif"} <= set(meta["Keywords"].split(","))
    assert meta["Description-Content-Type"] == "text/markdown"


def test_licence_is_the_apache_2_text():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    # the text as the ASF publishes it (LICENSE-2.0.txt), byte for byte
    assert hashlib.sha256(text.encode()).hexdigest() == "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"


def test_twine_check_passes(dists):
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dists)],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def test_sdist_has_docs_tests_fixtures_and_nothing_else(dists):
    sdist, _ = dists
    names = _sdist_names(sdist)
    assert {n.split("/", 1)[0] for n in names} <= SDIST_TOP
    assert not [n for n in names if JUNK.search(n)]
    for rel in SDIST_FILES:
        assert rel in names, rel
    for tree in SDIST_TREES:
        missing = _tree(tree) - names
        assert not missing, sorted(missing)[:10]
    for rel in ("docs/ci.md", "tests/conftest.py", "tests/schemas/sarif-schema-2.1.0.json",
                "tests/schemas/PROVENANCE.md", "tests/corpus/PROVENANCE.tsv", "tests/fixtures/rules/DF101/bad.Dockerfile"):
        assert rel in names, rel


def test_sarif_schema_is_the_documented_copy():
    note = (SARIF_SCHEMA.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    documented = re.search(r"\| sha256 \| `([0-9a-f]{64})`", note).group(1)
    assert hashlib.sha256(SARIF_SCHEMA.read_bytes()).hexdigest() == documented


def test_sdist_runs_its_own_tests(dists, tmp_path):
    """Unpacked where nothing is beside it, with the wheel built from it installed: part of the
    suite passes, corpus tests included (on the slice)."""
    sdist, wheel = dists
    alone = tmp_path / "alone"
    alone.mkdir()
    with tarfile.open(sdist) as tar:
        # the "data" filter refuses links and paths out of the target (where Python has it)
        tar.extractall(alone, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    (src,) = alone.iterdir()
    target = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    site = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True).stdout.strip()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), site]), "SHIPLINT_FULL_CORPUS": "none",
           "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    where = subprocess.run([sys.executable, "-c", "import shiplint; print(shiplint.__file__)"], cwd=src, env=env,
                           capture_output=True, text=True)
    assert where.stdout.startswith(str(target)), where.stdout + where.stderr
    proc = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", *SDIST_TESTS], cwd=src, env=env,
                          capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    summary = proc.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and "failed" not in summary and "error" not in summary, summary
    assert "test_dockerfile_corpus.py::test_corpus_lints_without_internal_errors[slice] PASSED" in proc.stdout
    assert int(re.search(r"(\d+) passed", summary).group(1)) > 100, summary
