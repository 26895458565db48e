"""The pre-commit hooks, run for real: pre-commit installs shiplint from a git repository into its
own virtualenv and runs the hooks on a repository with a bad Dockerfile and a bad Deployment."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
# clean for every rule but DF101 / KS101 (tests/test_clean_fixtures.py checks their positions)
BAD_DF = (FIXTURES / "unpinned" / "Dockerfile").read_text()
BAD_DEPLOY = (FIXTURES / "unpinned" / "k8s" / "deploy.yaml").read_text()
UNPINNED = "FROM alpine:3.20\nUSER 10001\n"

#: What a checkout needs for `pip install .` (the hook repository pre-commit clones).
PROJECT_FILES = ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml", "src", "rules", "schemas")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
}


def _git(cwd, *args, env):
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=120)


def _env(tmp: Path) -> dict:
    gitconfig = tmp / "gitconfig"
    gitconfig.write_text("")
    # HOME stays: pip's download cache there spares re-downloading the dependencies each run
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_", "VIRTUAL_ENV"))}
    env.update(GIT_ENV, GIT_CONFIG_GLOBAL=str(gitconfig), PRE_COMMIT_HOME=str(tmp / "pc-cache"),
               NO_COLOR="1", PRE_COMMIT_COLOR="never")
    return env


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """A hook repository (a committed copy of this working tree: untracked and uncommitted
    changes included, whatever the state of the checkout) and a repository to lint."""
    tmp = tmp_path_factory.mktemp("precommit")
    env = _env(tmp)
    hooks = tmp / "shiplint-hooks"
    hooks.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, hooks / name, ignore=ignore)
        else:
            shutil.copy2(src, hooks / name)
    _git(hooks, "init", "-q", "-b", "main", env=env)
    _git(hooks, "add", ".", env=env)
    _git(hooks, "commit", "-q", "-m", "hooks", env=env)

    work = tmp / "work"
    files = {
        "Dockerfile": BAD_DF,
        "k8s/deploy.yaml": BAD_DEPLOY,
        # every Dockerfile naming convention
        "services/api/Dockerfile.prod": UNPINNED,
        "services/web/web.Dockerfile": UNPINNED,
        "services/job/job.dockerfile": UNPINNED,
        "Containerfile": UNPINNED,
        # not for shiplint: a BuildKit ignore file (Helm templates now go to shiplint, which renders
        # their chart: tests/test_precommit_render.py)
        "Dockerfile.dockerignore": "node_modules\n*.log\n",
        # YAML that is not Kubernetes is skipped quietly
        "config/settings.yml": "debug: true\n",
    }
    for rel, text in files.items():
        p = work / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    _git(work, "init", "-q", "-b", "main", env=env)
    _git(work, "add", ".", env=env)
    _git(work, "commit", "-q", "-m", "work", env=env)
    return hooks, work, env


def _pre_commit(*args, cwd, env):
    proc = subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout + proc.stderr


def _sections(output: str) -> dict[str, str]:
    """Each hook's printed output, by hook id (pre-commit prints '- hook id: ID' before it)."""
    parts = re.split(r"^- hook id: (\S+)$", output, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _finding_paths(text: str) -> set[str]:
    return set(re.findall(r"^\./(\S+):\d+:\d+\s", text, flags=re.M))


def test_try_repo_runs_all_three_hooks_and_fails_on_both_files(setup):
    hooks, work, env = setup
    code, out = _pre_commit("try-repo", str(hooks), "--all-files", "--verbose", cwd=work, env=env)
    assert code == 1, out
    sections = _sections(out)
    assert set(sections) == {"shiplint", "shiplint-dockerfile", "shiplint-k8s"}, out
    dockerfiles = {"Dockerfile", "services/api/Dockerfile.prod", "services/web/web.Dockerfile",
                   "services/job/job.dockerfile", "Containerfile"}

    everything = sections["shiplint"]
    assert "- exit code: 1" in everything
    assert _finding_paths(everything) == dockerfiles | {"k8s/deploy.yaml"}, everything
    assert "Dockerfile:4:6  warning  DF101 base-image-not-pinned" in everything
    assert "k8s/deploy.yaml:25:18  warning  KS101 image-not-pinned-by-digest" in everything
    # the ignore file was not handed to shiplint
    assert "dockerignore" not in everything and "SL001" not in everything

    assert _finding_paths(sections["shiplint-dockerfile"]) == dockerfiles
    assert _finding_paths(sections["shiplint-k8s"]) == {"k8s/deploy.yaml"}
    assert "KS101" in sections["shiplint-k8s"] and "DF101" not in sections["shiplint-k8s"]


def test_pre_commit_run_with_the_documented_config(setup):
    """`pre-commit run --all-files` as a user runs it, from a .pre-commit-config.yaml."""
    hooks, work, env = setup
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hooks, env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks.as_posix()}\n    rev: {rev}\n    hooks:\n      - id: shiplint\n"
    )
    code, out = _pre_commit("run", "--all-files", cwd=work, env=env)
    assert code == 1, out
    assert "Failed" in out
    assert "Dockerfile:9:6  warning  DF101" in out
    assert "k8s/deploy.yaml:37:18  warning  KS101" in out

    # once fixed (the bad files removed), the same hook passes
    for rel in ("Dockerfile", "k8s/deploy.yaml", "services", "Containerfile"):
        p = work / rel
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    code, out = _pre_commit("run", "--all-files", cwd=work, env=env)
    assert code == 0, out
    assert "Passed" in out
