"""``extend:`` in a configuration file (ruff's semantics: the named file first, this file's keys
over it), and levels taken from the configuration governing each finding's file even when the
finding is resolved late (a ShellCheck batch) or moved by a render (a kustomize base).

Every run is the installed console script in a temporary repository, read as JSON."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from test_monorepo import DEPLOY, UNPINNED_DF, shiplint


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)  # the root is found by the .git entry alone
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def _findings(root: Path, *args, cwd: Path | None = None) -> dict[tuple, str]:
    """(path, code) → level of every finding of a JSON run."""
    result = shiplint("check", ".", "--format", "json", *args, cwd=cwd or root)
    assert result.code in (0, 1), result.err
    assert "Traceback" not in result.err
    out: dict[tuple, str] = {}
    for f in result.json():
        out.setdefault((f["path"], f["code"]), f["level"])
    return out


def _codes(found: dict, path: str) -> set[str]:
    return {code for p, code in found if p == path}


# -- extend chains --------------------------------------------------------------------------------

def test_a_chain_applies_the_farthest_file_first_and_each_over_the_one_before(tmp_path):
    root = _repo(tmp_path, {
        ".shiplint.yaml": """\
            extend: ci/strict.yaml
            ignore: [DF303]
            severity: {DF402: note}
            """,
        "ci/strict.yaml": """\
            extend: ./base.yaml
            severity: {DF102: error}
            """,
        "ci/base.yaml": """\
            ignore: [DF409]
            severity: {DF101: note, DF102: note, DF402: error}
            """,
        "Dockerfile": UNPINNED_DF,
    })
    found = _findings(root)
    assert found[("Dockerfile", "DF101")] == "note"  # from the farthest file
    assert found[("Dockerfile", "DF102")] == "error"  # the middle file over the farthest
    assert found[("Dockerfile", "DF402")] == "note"  # the extending file over both
    codes = _codes(found, "Dockerfile")
    assert "DF409" not in codes and "DF303" not in codes  # ignore adds to the extended ignore
    assert {"DF101", "DF102", "DF402", "DF201"} <= codes
    # without the chain, the rules the chain ignores do run
    assert {"DF409", "DF303"} <= _codes(_findings(root, "--no-config"), "Dockerfile")


def test_select_in_the_extending_file_starts_the_selection_afresh(tmp_path):
    root = _repo(tmp_path, {
        ".shiplint.yaml": "extend: base.yaml\nselect: [DF4]\n",
        "base.yaml": "select: [DF1]\nextend-select: [DF201]\nignore: [DF409]\n",
        "Dockerfile": UNPINNED_DF,
    })
    codes = _codes(_findings(root), "Dockerfile")
    assert codes and all(c.startswith("DF4") for c in codes)
    assert "DF409" in codes  # the extended ignore went with the extended selection


def test_per_file_ignores_replace_and_extend_per_file_ignores_add(tmp_path):
    files = {
        "base.yaml": 'per-file-ignores:\n  "a/*": [DF101]\n',
        "a/Dockerfile": UNPINNED_DF,
        "b/Dockerfile": UNPINNED_DF,
    }
    root = _repo(tmp_path / "replace", {**files, ".shiplint.yaml": 'extend: base.yaml\nper-file-ignores:\n  "b/*": [DF102]\n'})
    found = _findings(root)
    assert ("a/Dockerfile", "DF101") in found and ("b/Dockerfile", "DF102") not in found
    root = _repo(tmp_path / "add", {**files, ".shiplint.yaml": 'extend: base.yaml\nextend-per-file-ignores:\n  "b/*": [DF102]\n'})
    found = _findings(root)
    assert ("a/Dockerfile", "DF101") not in found and ("b/Dockerfile", "DF102") not in found
    assert ("a/Dockerfile", "DF102") in found and ("b/Dockerfile", "DF101") in found


def test_exclude_replaces_and_extend_exclude_adds(tmp_path):
    files = {"base.yaml": 'exclude: ["a/**"]\n', "a/Dockerfile": UNPINNED_DF, "b/Dockerfile": UNPINNED_DF,
             "c/Dockerfile": UNPINNED_DF}
    root = _repo(tmp_path / "replace", {**files, ".shiplint.yaml": 'extend: base.yaml\nexclude: ["b/**"]\n'})
    assert {p for p, _ in _findings(root)} == {"a/Dockerfile", "c/Dockerfile"}
    root = _repo(tmp_path / "add", {**files, ".shiplint.yaml": 'extend: base.yaml\nextend-exclude: ["b/**"]\n'})
    assert {p for p, _ in _findings(root)} == {"c/Dockerfile"}


def test_the_command_line_config_file_reads_its_chain(tmp_path):
    root = _repo(tmp_path, {
        "ci/lint.yaml": "extend: ../shared/base.yaml\nseverity: {DF102: error}\n",
        "shared/base.yaml": "select: [DF101, DF102]\nseverity: {DF101: note}\n",
        "Dockerfile": UNPINNED_DF,
    })
    assert _findings(root, "--config", "ci/lint.yaml") == {("Dockerfile", "DF101"): "note", ("Dockerfile", "DF102"): "error"}


def test_globs_anchored_at_an_extended_files_directory():
    from shiplint.core.paths import matches_globs

    # what an extended file in /r/shared wrote as "gen/**" and "../svc/**/old.yaml"
    assert matches_globs("/r/shared/gen/x/Dockerfile", "/r", ["/r/shared/gen/**"])
    assert not matches_globs("/r/gen/Dockerfile", "/r", ["/r/shared/gen/**"])
    assert matches_globs("/r/svc/old.yaml", "/r/svc", ["/r/svc/**/old.yaml"])  # ** is zero directories too
    assert matches_globs("/r/svc/a/b/old.yaml", "/r/svc", ["/r/svc/**/old.yaml"])
    # a relative glob is still matched relative to the configuration's directory
    assert matches_globs("/r/svc/legacy/Dockerfile", "/r/svc", ["legacy/*"])
    assert not matches_globs("/r/legacy/Dockerfile", "/r/svc", ["legacy/*"])


def test_paths_in_an_extended_file_stay_relative_to_it(tmp_path):
    root = _repo(tmp_path, {
        # the shared file lives in shared/: its paths are read from there, wherever it is used
        "shared/lint.yaml": """\
            exclude: ["generated/**"]
            per-file-ignores:
              "../svc/legacy/**": [DF102]
              "Dockerfile.dev": [DF101]
            baseline: known.json
            policies: [policies/]
            """,
        "shared/policies/.keep": "",
        "shared/generated/Dockerfile": UNPINNED_DF,
        ".shiplint.yaml": "extend: shared/lint.yaml\nfail-on: never\n",
        "generated/Dockerfile": UNPINNED_DF,  # not below shared/: not excluded
        "svc/legacy/Dockerfile": UNPINNED_DF,
        "svc/Dockerfile": UNPINNED_DF,
        "svc/Dockerfile.dev": UNPINNED_DF,  # a bare name matches wherever it was written
    })
    # the baseline named in shared/lint.yaml is written next to it: record svc/Dockerfile's DF201
    known = shiplint("check", "svc/Dockerfile", "--no-config", "--select", "DF201", "--write-baseline",
                     "shared/known.json", cwd=root)
    assert known.code == 0, known.err
    found = _findings(root)
    paths = {p for p, _ in found}
    assert "shared/generated/Dockerfile" not in paths
    assert "generated/Dockerfile" in paths
    assert ("svc/legacy/Dockerfile", "DF102") not in found and ("svc/legacy/Dockerfile", "DF101") in found
    assert ("svc/Dockerfile", "DF102") in found
    assert ("svc/Dockerfile.dev", "DF101") not in found and ("svc/Dockerfile.dev", "DF102") in found
    assert ("svc/Dockerfile", "DF201") not in found and ("svc/Dockerfile.dev", "DF201") in found
    # the same from the service directory: the chain is read from its own files' directories
    assert _findings(root, cwd=root / "svc") == {k: v for k, v in found.items() if k[0].startswith("svc/")}


def test_extend_with_home_expanded_and_a_pyproject_table(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "lint").mkdir(parents=True)
    (home / "lint" / "pyproject.toml").write_text('[tool.shiplint]\nignore = ["DF101"]\n')
    root = _repo(tmp_path, {".shiplint.yaml": "extend: ~/lint/pyproject.toml\n", "Dockerfile": UNPINNED_DF})
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    codes = _codes(_findings(root), "Dockerfile")
    assert "DF101" not in codes and "DF102" in codes


# -- nested configurations that extend ------------------------------------------------------------

def test_a_nested_file_extending_the_root_keeps_the_roots_settings_and_adds_its_own(tmp_path):
    root = _repo(tmp_path, {
        ".shiplint.yaml": "severity: {DF102: error}\nfail-on: note\n",
        "svc/.shiplint.yaml": "extend: ../.shiplint.yaml\nignore: [DF101]\n",
        "svc/Dockerfile": UNPINNED_DF,
        "Dockerfile": UNPINNED_DF,
    })
    result = shiplint("check", ".", "--format", "json", cwd=root)
    assert result.code == 1, result.err
    assert "run-wide" not in result.err  # the root's fail-on is the run's: nothing to warn about
    found = {(f["path"], f["code"]): f["level"] for f in result.json()}
    assert found[("svc/Dockerfile", "DF102")] == "error"  # inherited through extend
    assert ("svc/Dockerfile", "DF101") not in found and ("Dockerfile", "DF101") in found


def test_a_run_wide_key_reached_through_extend_from_a_nested_file_is_ignored_and_said(tmp_path):
    root = _repo(tmp_path, {
        ".shiplint.yaml": "fail-on: error\n",
        "shared/team.yaml": "severity: {DF102: note}\nfail-on: note\n",
        "svc/.shiplint.yaml": "extend: ../shared/team.yaml\n",
        "svc/Dockerfile": "FROM alpine:3.20\n",
    })
    result = shiplint("check", ".", "--format", "json", "--select", "DF102", cwd=root)
    assert "shared/team.yaml:2: fail-on: run-wide setting ignored in a nested configuration" in result.err
    assert result.err.count("run-wide") == 1
    assert result.code == 0  # the root's fail-on: error; a note does not fail the run


# -- errors -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("files, expected", [
    ({".shiplint.yaml": "select: [DF1]\nextend: a.yaml\n", "a.yaml": "extend: b.yaml\n", "b.yaml": "extend: a.yaml\n"},
     "b.yaml:1: extend: 'a.yaml' closes a cycle: a.yaml -> b.yaml -> a.yaml"),
    ({".shiplint.yaml": "extend: .shiplint.yaml\n"},
     ".shiplint.yaml:1: extend: '.shiplint.yaml' closes a cycle: .shiplint.yaml -> .shiplint.yaml"),
    ({".shiplint.yaml": "ignore: [DF101]\nextend: ci/missing.yaml\n"},
     ".shiplint.yaml:2: extend: 'ci/missing.yaml': no such configuration file (ci/missing.yaml"),
    ({".shiplint.yaml": "extend: ci\n", "ci/x.yaml": "{}\n"},
     ".shiplint.yaml:1: extend: 'ci' is a directory"),
    ({".shiplint.yaml": "extend: list.yaml\n", "list.yaml": "# a list\n- DF101\n"},
     "list.yaml:2: (top level): the configuration must be a mapping"),
    ({".shiplint.yaml": "extend: bad.yaml\n", "bad.yaml": "severity:\n  DF101: fatal\n"},
     "bad.yaml:2: severity.DF101: 'fatal' is not allowed"),
    ({".shiplint.yaml": "extend: bad.yaml\n", "bad.yaml": "ignore: [DF1O1]\n"},
     "bad.yaml:1: ignore[0]: unknown rule 'DF1O1'"),
    ({".shiplint.yaml": "extend: [a.yaml]\n"},
     ".shiplint.yaml:1: extend: ['a.yaml'] is not allowed; expected a string"),
])
def test_a_broken_chain_is_one_clear_error_naming_the_file(tmp_path, files, expected):
    root = _repo(tmp_path, {**files, "Dockerfile": UNPINNED_DF})
    result = shiplint("check", ".", cwd=root)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert expected in result.err


def test_a_broken_chain_below_a_nested_file_is_an_error_too(tmp_path):
    root = _repo(tmp_path, {"svc/.shiplint.yaml": "extend: ../nowhere.yaml\n", "svc/Dockerfile": UNPINNED_DF})
    result = shiplint("check", ".", cwd=root)
    assert result.code == 2 and "Traceback" not in result.err
    assert "svc/.shiplint.yaml:1: extend: '../nowhere.yaml': no such configuration file" in result.err


# -- levels from the configuration governing the finding's file -------------------------------

def _has_shellcheck() -> bool:
    try:
        from shiplint.rules.dockerfile import _shellcheck
    except ImportError:
        return False
    return _shellcheck.find_binary(None) is not None


@pytest.mark.skipif(not _has_shellcheck(), reason="ShellCheck is not installed")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_deferred_shellcheck_finding_takes_its_files_configuration(tmp_path, jobs):
    script = "FROM debian:bookworm-slim\nRUN echo $(date)\n"  # SC2046: a warning by default
    root = _repo(tmp_path, {
        # the root runs no ShellCheck at all; svc raises its findings to errors, tools lowers them
        ".shiplint.yaml": "ignore: [DF601]\n",
        "svc/.shiplint.yaml": "severity: {DF601: error}\n",
        "tools/.shiplint.yaml": "severity: {DF601: note}\n",
        "svc/Dockerfile": script,
        "tools/Dockerfile": script,
        "Dockerfile": script,
    })
    result = shiplint("check", ".", "--format", "json", "--jobs", jobs, cwd=root)
    assert result.code in (0, 1) and "failed" not in result.err, result.err
    levels = {f["path"]: f["level"] for f in result.json() if f["code"] == "DF601"}
    assert levels == {"svc/Dockerfile": "error", "tools/Dockerfile": "note"}


@pytest.mark.skipif(not _has_shellcheck(), reason="ShellCheck is not installed")
def test_a_deferred_shellcheck_finding_follows_its_files_per_file_ignores(tmp_path):
    script = "FROM debian:bookworm-slim\nRUN echo $1\n"
    root = _repo(tmp_path, {
        ".shiplint.yaml": "severity: {DF601: error}\n",
        "svc/.shiplint.yaml": 'per-file-ignores:\n  "old/*": [SC2086]\n',
        "svc/old/Dockerfile": script,
        "svc/Dockerfile": script,
        "Dockerfile": script,
    })
    found = _findings(root)
    assert found[("Dockerfile", "DF601")] == "error"
    assert found[("svc/Dockerfile", "DF601")] == "note"  # svc's file sets no severity: ShellCheck's level
    assert ("svc/old/Dockerfile", "DF601") not in found


@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None,
                    reason="no kustomize")
def test_a_finding_a_kustomize_render_moves_takes_the_configuration_of_its_new_file(tmp_path):
    root = _repo(tmp_path, {
        "base/deploy.yaml": DEPLOY.replace("NAME", "web"),
        "base/kustomization.yaml": "resources: [deploy.yaml]\n",
        "base/.shiplint.yaml": "severity: {KS101: error, KS102: note}\nignore: [KS201]\n",
        "overlay/kustomization.yaml": "resources: [../base]\nnamePrefix: prod-\n",
        "overlay/.shiplint.yaml": "severity: {KS101: note, KS102: error}\n",
    })
    for cwd in (root, root / "overlay"):  # the base read through the overlay's render either way
        found = _findings(root, cwd=cwd)
        assert found[("base/deploy.yaml", "KS101")] == "error"
        assert found[("base/deploy.yaml", "KS102")] == "note"
        assert ("base/deploy.yaml", "KS201") not in found


def test_json_of_an_extended_configuration_is_stable(tmp_path):
    """The same chain read from the root and from a service directory gives the same report."""
    root = _repo(tmp_path, {
        ".shiplint.yaml": "extend: conf/base.yaml\n",
        "conf/base.yaml": 'severity: {DF101: error}\nper-file-ignores:\n  "../svc/**": [DF102]\n',
        "svc/Dockerfile": UNPINNED_DF,
    })
    a = shiplint("check", ".", "--format", "json", cwd=root)
    b = shiplint("check", ".", "--format", "json", cwd=root / "svc")
    assert a.code == b.code == 1
    assert json.loads(a.out) == json.loads(b.out)
    assert {f["code"] for f in a.json()} >= {"DF101"} and "DF102" not in {f["code"] for f in a.json()}
