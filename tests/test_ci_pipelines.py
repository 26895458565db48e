"""CI pipelines (GitHub Actions workflows, GitLab CI): how they are found, read and located, and
what the CI rules say of whole repositories, including the practice documents' own examples."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, lint_files, run_shiplint

CI_CODES = ["CI101", "CI102", "CI103", "CI104", "CI105", "CI106"]
SEEDS = ROOT.parent / "shared" / "seeds"  # the practice documents, when beside the checkout


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")


def _found(root: Path, select=None) -> list[tuple[str, str, int, int]]:
    report = lint_files([root], select=select or CI_CODES, root=root)
    return sorted((f.path, f.code, f.region.line, f.region.column) for f in report.findings if not f.suppressed)


def _line_of(text: str, needle: str, nth: int = 1) -> int:
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[nth - 1]


def _seed(prefix: str) -> str:
    files = sorted(SEEDS.glob(prefix + "_*.txt")) if SEEDS.is_dir() else []
    if not files:
        pytest.skip("practice documents not available")
    return files[0].read_text(encoding="utf-8")


def _bash_block_after(doc: str, heading: str) -> str:
    at = doc.index(heading)
    m = re.compile(r"```bash\n(.*?)```", re.S).search(doc, at)
    return m.group(1)


def _workflow_running(script: str, env: str = "") -> str:
    body = textwrap.indent(script.rstrip("\n"), " " * 10)
    return ("name: release\non:\n  push:\n    branches: [main]\njobs:\n  release:\n    runs-on: ubuntu-latest\n"
            f"{env}    steps:\n      - uses: actions/checkout@v4\n      - run: |\n{body}\n")


# -- the practice documents' examples ------------------------------------------------------------

def test_seed_workflow_pushes_unscanned_unsigned_without_sbom(tmp_path):
    """The workflow of the GitOps procedures builds and pushes a SHA tag and does nothing else:
    no scan before the push, no SBOM, no signature; its tag is immutable and its only action is
    first-party."""
    doc = _seed("003")
    m = re.search(r"```yaml\n(name: Build API Enrichment.*?)```", doc, re.S)
    text = m.group(1)
    _write(tmp_path, {".github/workflows/api-enrichment-build.yml": text})
    push = _line_of(text, "docker push")
    path = ".github/workflows/api-enrichment-build.yml"
    col = text.splitlines()[push - 1].index("docker push") + 1
    assert _found(tmp_path) == [(path, code, push, col) for code in ("CI101", "CI102", "CI103")]


def test_seed_cheat_sheet_scans_signs_and_pushes_a_sha_tag_cleanly(tmp_path):
    """The cheat sheet's sequence (build, SBOM, blocking scan, cosign, push of an immutable tag)
    run as one job gets no CI finding."""
    doc = _seed("000")
    script = _bash_block_after(doc, "## 13)")
    script = script[:script.index("# Kustomize")]
    env = "    env:\n      IMG: ghcr.io/acme/api\n      VER: ${{ github.sha }}\n"
    _write(tmp_path, {".github/workflows/release.yml": _workflow_running(script, env)})
    assert _found(tmp_path) == []


def test_seed_sections_push_before_scanning(tmp_path):
    """Sections 2.2, 3 and 4.1 in the order the document gives them push the multi-arch image with
    ``--push`` before the scan of section 3.1 runs: CI101 at ``--push``, and only that."""
    doc = _seed("000")
    script = "".join(_bash_block_after(doc, h) for h in ("### 2.2", "### 3.1", "### 3.2", "### 4.1"))
    text = _workflow_running(script, "    env:\n      VER: ${{ github.sha }}\n")
    _write(tmp_path, {".github/workflows/release.yml": text})
    line = _line_of(text, "--push")
    col = text.splitlines()[line - 1].index("--push") + 1
    assert _found(tmp_path) == [(".github/workflows/release.yml", "CI101", line, col)]


# -- discovery -----------------------------------------------------------------------------------

def test_only_workflow_and_gitlab_files_are_pipelines():
    from shiplint.inputs.discovery import classify_path

    assert classify_path(".github/workflows/release.yml") == "ci"
    assert classify_path("svc/.github/workflows/build.yaml") == "ci"
    assert classify_path(".gitlab-ci.yml") == "ci"
    assert classify_path(".github/dependabot.yml") == "yaml"
    assert classify_path(".github/workflows/scripts/matrix.json") is None
    assert classify_path("ci/build.gitlab-ci.yml") == "yaml"  # an include: read through its root
    assert classify_path("deploy/app.yaml") == "yaml"


def test_other_non_kubernetes_yaml_stays_quiet(tmp_path):
    _write(tmp_path, {
        ".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: docker\n    directory: /\n",
        "mkdocs.yml": "site_name: docs\nnav:\n  - index.md\n",
        ".github/workflows/release.yml": """\
            on: push
            jobs:
              r:
                runs-on: ubuntu-latest
                steps:
                  - run: docker push ghcr.io/acme/api:latest
            """,
    })
    report = lint_files([tmp_path], root=tmp_path)
    assert {f.path for f in report.findings} == {".github/workflows/release.yml"}
    assert not report.notifications


def test_broken_workflow_is_a_parse_finding_not_a_traceback(tmp_path):
    _write(tmp_path, {".github/workflows/bad.yml": "jobs:\n  a: [unclosed\n", ".gitlab-ci.yml": "- just\n- a list\n"})
    report = lint_files([tmp_path], root=tmp_path)
    assert [(f.path, f.code) for f in report.findings] == [(".github/workflows/bad.yml", "SL001")]
    assert not any(n.kind == "internal-error" for n in report.notifications)


# -- positions -----------------------------------------------------------------------------------

def test_words_in_block_folded_and_quoted_scalars_are_located():
    from shiplint.sources.shell import split_commands
    from shiplint.sources.yamlsrc import parse_yaml_stream, scalar_positions

    text = textwrap.dedent("""\
        steps:
          - run: |
              set -e

              docker push a/b:1   # comment
          - run: >-
              docker login
              -p x
          - run: "docker push c/d:2"
        """)
    lines = text.split("\n")
    steps = parse_yaml_stream(text)[0].data["steps"]
    found = []
    for step in steps:
        value = step["run"]
        pos = scalar_positions(lines, step.value_region("run"), value)
        for cmd in split_commands(value):
            for w in cmd.args:
                r = pos.region(w.start, w.end)
                found.append((w.value, r.line, r.column, lines[r.line - 1][r.column - 1:r.end_column - 1]))
    assert ("a/b:1", 5, 19, "a/b:1") in found
    assert ("-p", 8, 7, "-p") in found
    assert ("c/d:2", 9, 23, "c/d:2") in found


# -- reasoning across jobs -----------------------------------------------------------------------

def test_scan_in_a_needed_job_counts_but_not_in_a_parallel_one(tmp_path):
    _write(tmp_path, {".github/workflows/release.yml": """\
        on: push
        jobs:
          scan:
            runs-on: ubuntu-latest
            steps:
              - run: trivy fs --exit-code 1 .
          lint:
            runs-on: ubuntu-latest
            steps:
              - run: trivy fs --exit-code 1 .
          after-scan:
            needs: scan
            runs-on: ubuntu-latest
            steps:
              - run: docker buildx build --push -t ghcr.io/acme/a:${{ github.sha }} .
          parallel:
            runs-on: ubuntu-latest
            steps:
              - run: docker buildx build --push -t ghcr.io/acme/b:${{ github.sha }} .
        """})
    assert [(f[1], f[2]) for f in _found(tmp_path, ["CI101"])] == [("CI101", 19)]


def test_continue_on_error_and_or_true_neutralise_a_scan(tmp_path):
    _write(tmp_path, {".github/workflows/release.yml": """\
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: trivy image --exit-code 1 x
                continue-on-error: true
              - run: docker push ghcr.io/acme/a:${{ github.sha }}
          b:
            runs-on: ubuntu-latest
            steps:
              - run: grype x --fail-on high || true
              - run: docker push ghcr.io/acme/b:${{ github.sha }}
        """})
    report = lint_files([tmp_path], select=["CI101"], root=tmp_path)
    messages = sorted(f.message for f in report.findings)
    assert len(messages) == 2
    assert "continue-on-error" in messages[0] and "swallows" in messages[1]


def test_gitlab_stages_extends_and_local_includes(tmp_path):
    """A job's script comes from its ``extends:`` template in an included file; an earlier
    stage's blocking scan counts; findings point into the included file."""
    _write(tmp_path, {
        ".gitlab-ci.yml": """\
            include:
              - local: ci/templates.yml
            stages: [scan, publish]
            scan:
              stage: scan
              script: [trivy fs --exit-code 1 .]
            publish:
              extends: .push
              stage: publish
            late:
              extends: .push
              stage: .pre
            """,
        "ci/templates.yml": """\
            .push:
              script:
                - docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .
                - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"
            """,
    })
    assert _found(tmp_path, ["CI101"]) == [("ci/templates.yml", "CI101", 4, 7)]


def test_gitlab_includes_never_leave_the_tree(tmp_path):
    outside = tmp_path / "outside.yml"
    outside.write_text("evil:\n  script: [docker push x/y:latest]\n", encoding="utf-8")
    repo = tmp_path / "repo"
    _write(repo, {".gitlab-ci.yml": "include:\n  - local: ../outside.yml\n  - local: /../outside.yml\n"
                                    "ok:\n  script: [echo]\n"})
    (repo / "link.yml").symlink_to(outside)
    with open(repo / ".gitlab-ci.yml", "a", encoding="utf-8") as fh:
        fh.write("include: link.yml\n")
    assert _found(repo) == []


def test_suppression_comment_in_a_workflow(tmp_path):
    _write(tmp_path, {".github/workflows/release.yml": """\
        on: push
        jobs:
          r:
            runs-on: ubuntu-latest
            steps:
              # shiplint ignore=CI105 -- throwaway registry of the e2e cluster
              - run: docker login -p "$T" e2e.local
              - run: docker login -p "$T" other.local
        """})
    assert [(c, line) for _, c, line, _ in _found(tmp_path, ["CI105"])] == [("CI105", 8)]


def test_cli_sarif_reports_the_included_file(tmp_path):
    _write(tmp_path, {
        ".gitlab-ci.yml": "include: ci/login.yml\n",
        "ci/login.yml": "login:\n  script:\n    - docker login -u u --password=$PW registry.example\n",
    })
    res = run_shiplint("check", "--format", "sarif", "--select", "CI105", str(tmp_path), cwd=tmp_path)
    data = res.json()
    (result,) = data["runs"][0]["results"]
    loc = result["locations"][0]["physicalLocation"]
    assert result["ruleId"] == "CI105"
    assert loc["artifactLocation"]["uri"].endswith("ci/login.yml")
    assert loc["region"]["startLine"] == 3 and loc["region"]["startColumn"] == 25
    assert "$PW" not in result["message"]["text"]
