"""Hostile input: each case sits next to a valid file whose findings must still be
reported; the hostile file gets a clear message with file and position (an SL001/SL003/SL004
finding, or nothing when it is valid but empty), the run goes on, the exit status follows the
usual rules and no traceback is printed.  Nothing read is ever executed."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, lint_files, run_shiplint

HOSTILE = FIXTURES / "hostile"
VALID_KS101 = ("valid.yaml", 8, 14)  # container 'web' uses nginx:latest, by tag


def _tree(tmp_path: Path, name: str, data: bytes | str | None = None) -> Path:
    """A directory holding the valid manifest and one hostile file ``name``."""
    shutil.copy(HOSTILE / "valid.yaml", tmp_path / "valid.yaml")
    if data is not None:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            target.write_text(data, encoding="utf-8", newline="")
        else:
            target.write_bytes(data)
    return tmp_path


def _run(first: Path, *extra_paths, **options):
    root = first if first.is_dir() else first.parent
    report = lint_files([first, *extra_paths], root=root, **options)
    internal = [n.message for n in report.notifications if n.kind == "internal-error"]
    assert not internal, internal
    valid = [(f.path, f.region.line, f.region.column) for f in report.findings if f.code == "KS101"]
    assert VALID_KS101 in valid, "the valid file's findings are still reported"
    return report


def _on(report, path: str, code: str | None = None):
    return [f for f in report.findings if f.path == path and (code is None or f.code == code)]


def _alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


# -- cases that are an SL001 with an exact position -----------------------------------------------

SL001_CASES = {
    # name: (file name, content, line, column, words of the message)
    "alias-bomb": ("bomb.yaml", _alias_bomb(), 7, 20, "alias bomb"),  # where the budget runs out
    "recursive-alias": ("rec.yaml", "a: &a [1, *a]\n", 1, 11, "recursive alias"),
    "flow-nesting-20000": ("flow.yaml", "a: " + "[" * 20000 + "\n", 1, 10004, "nesting deeper"),
    "nul-byte": ("bin.yaml", b"apiVersion: v1\nkind: Pod\x00\x01\x02\n", 2, 10, "NUL byte"),
    "elf-binary": ("Dockerfile", b"\x7fELF\x02\x01\x01\x00\x00\x00", 1, 8, "NUL byte"),
    "invalid-utf8": ("latin1.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: {k: café}\n".encode("latin-1"), 3, 14,
                     "invalid UTF-8 (byte 0xe9)"),
    "invalid-utf8-dockerfile": ("bad.Dockerfile", b"FROM alpine:3.19\nLABEL a=\xff\xfe\n", 2, 9, "invalid UTF-8"),
    "control-character": ("ctrl.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: {k: \"é\x1bz\"}\n", 3, 13,
                          "control characters are not allowed"),  # found by fuzzing: was 1:1
    "tab-indentation": ("tabs.yaml", (HOSTILE / "tabs.yaml").read_bytes(), 4, 1, "cannot start any token"),
    "unterminated-yaml-quote": ("quote.yaml", "apiVersion: v1\nkind: 'Pod\n", 3, 1, "unexpected end of stream"),
    "unterminated-heredoc": ("heredoc.Dockerfile", (HOSTILE / "heredoc.Dockerfile").read_bytes(), 2, 5,
                             "unterminated heredoc"),
}


@pytest.mark.parametrize("case", sorted(SL001_CASES))
def test_parse_error_has_file_and_position_and_the_run_goes_on(tmp_path, case):
    name, data, line, column, words = SL001_CASES[case]
    report = _run(_tree(tmp_path, name, data))
    sl = _on(report, name, "SL001")
    assert len(sl) == 1, [(f.code, f.message) for f in report.findings if f.path == name]
    assert (sl[0].region.line, sl[0].region.column) == (line, column), sl[0].message
    assert words in sl[0].message
    assert [n for n in report.notifications if n.path == name], "the problem is also a notification"


# -- cases that parse: no error, positions exact, nothing constructed -------------------------------


@pytest.mark.parametrize("text", [
    "- " * 5000 + "x\n",                                                    # 5,000 nested block sequences
    "".join("  " * i + "k:\n" for i in range(5000)) + "  " * 5000 + "v\n",  # 5,000 nested block maps
    "[" * 5000 + "]" * 5000 + "\n",                                         # 5,000 nested flow sequences
    "{a: " * 5000 + "1" + "}" * 5000 + "\n",                                # 5,000 nested flow maps
], ids=["block-seq", "block-map", "flow-seq", "flow-map"])
def test_deep_nesting_is_read_without_recursion_error(tmp_path, text):
    report = _run(_tree(tmp_path, "deep.yaml", text))
    assert not _on(report, "deep.yaml")


def test_multi_megabyte_lines(tmp_path):
    long_value = "x" * 4_000_000
    _tree(tmp_path, "long.yaml", f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata:\n  k: {long_value}\n")
    (tmp_path / "Dockerfile").write_text(f"FROM alpine:latest\nRUN echo {long_value}\nLABEL a=b\n")
    report = _run(tmp_path)
    assert not _on(report, "long.yaml")
    # positions after the long line are still exact
    assert [(f.region.line, f.region.column) for f in _on(report, "Dockerfile", "DF101")] == [(1, 6)]
    assert not _on(report, "Dockerfile", "SL001")


def test_crlf_line_endings_keep_exact_positions(tmp_path):
    shutil.copy(HOSTILE / "crlf.yaml", tmp_path / "crlf.yaml")
    shutil.copy(HOSTILE / "crlf.Dockerfile", tmp_path / "crlf.Dockerfile")
    report = _run(_tree(tmp_path, "x", None))
    lf = [(f.code, f.region.line, f.region.column, f.region.end_line, f.region.end_column)
          for f in _on(report, "valid.yaml")]
    crlf = [(f.code, f.region.line, f.region.column, f.region.end_line, f.region.end_column)
            for f in _on(report, "crlf.yaml")]
    assert crlf == lf  # the same manifest with CRLF: the same findings at the same positions
    df = {(f.code, f.region.line, f.region.column) for f in _on(report, "crlf.Dockerfile")}
    assert ("DF101", 1, 6) in df and not any(c == "SL001" for c, _, _ in df)


@pytest.mark.parametrize("name,text", [
    ("empty.yaml", ""),
    ("dashes.yaml", "---\n"),
    ("dashes-dots.yaml", "---\n...\n---\n"),
    ("scalar.yaml", "just a string\n"),
    ("list.yaml", "- 1\n- 2\n"),
    ("comment.yaml", "# nothing here\n"),
    ("empty.Dockerfile", ""),
    ("comments.Dockerfile", "# only a comment\n\n"),
])
def test_valid_files_without_objects_are_quietly_fine(tmp_path, name, text):
    report = _run(_tree(tmp_path, name, text))
    assert not _on(report, name)
    assert not [n for n in report.notifications if n.path == name]


def test_duplicate_keys_are_sl002_at_the_second_key(tmp_path):
    shutil.copy(HOSTILE / "duplicate-keys.yaml", tmp_path / "duplicate-keys.yaml")
    report = _run(_tree(tmp_path, "x", None))
    dup = _on(report, "duplicate-keys.yaml", "SL002")
    assert [(f.region.line, f.region.column) for f in dup] == [(7, 1)]
    assert "'data'" in dup[0].message and "line 5" in dup[0].message


def test_python_and_unknown_tags_are_never_constructed(tmp_path):
    shutil.copy(HOSTILE / "python-tags.yaml", tmp_path / "python-tags.yaml")
    report = _run(_tree(tmp_path, "x", None))
    assert not (tmp_path / "SHIPLINT_PWNED").exists()
    assert not Path("SHIPLINT_PWNED").exists()
    assert not _on(report, "python-tags.yaml", "SL001")
    # and through the CLI (a fresh process, the real loader path)
    r = run_shiplint("check", "python-tags.yaml", "--format", "json", cwd=tmp_path)
    assert r.code in (0, 1) and "Traceback" not in r.err
    assert not (tmp_path / "SHIPLINT_PWNED").exists()


def test_unterminated_quotes_in_a_dockerfile_are_what_buildkit_accepts(tmp_path):
    """BuildKit does not parse RUN's shell: an unterminated quote there (and a CMD that is not a
    JSON array, hence shell form) is not a parse error; the instructions around it are checked."""
    shutil.copy(HOSTILE / "quote.Dockerfile", tmp_path / "quote.Dockerfile")
    report = _run(_tree(tmp_path, "x", None))
    got = {(f.code, f.region.line) for f in _on(report, "quote.Dockerfile")}
    assert ("DF101", 1) in got and ("DF301", 3) in got and not any(c == "SL001" for c, _ in got)


# -- files that cannot be read -------------------------------------------------------------------


def test_missing_path_is_sl003_and_the_run_goes_on(tmp_path):
    report = _run(_tree(tmp_path, "x", None), tmp_path / "no-such.yaml", tmp_path / "gone")
    for name in ("no-such.yaml", "gone"):
        sl = _on(report, name, "SL003")
        assert len(sl) == 1 and "no such file" in sl[0].message and (sl[0].region.line, sl[0].region.column) == (1, 1)


def test_unreadable_file_is_sl003(tmp_path, monkeypatch):
    """Tests run as root, for whom chmod 000 denies nothing: the refusal is simulated at the
    system call the engine uses (``os.open``) for that one file."""
    _tree(tmp_path, "secret.yaml", "apiVersion: v1\nkind: ConfigMap\n")
    real_open = os.open
    target = str(tmp_path / "secret.yaml")

    def guarded(path, *args, **kwargs):
        if os.fspath(path) == target:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)
    report = _run(tmp_path)
    sl = _on(report, "secret.yaml", "SL003")
    assert len(sl) == 1 and "permission denied" in sl[0].message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_sl003_for_real(tmp_path):  # pragma: no cover - only as a non-root user
    _tree(tmp_path, "secret.yaml", "apiVersion: v1\nkind: ConfigMap\n")
    (tmp_path / "secret.yaml").chmod(0)
    try:
        report = _run(tmp_path)
    finally:
        (tmp_path / "secret.yaml").chmod(0o644)
    assert _on(report, "secret.yaml", "SL003")


def test_directory_argument_named_like_a_manifest_is_walked(tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "dir.yaml" / "Dockerfile").mkdir()
    report = _run(_tree(tmp_path, "x", None), tmp_path / "dir.yaml")
    assert not [f for f in report.findings if f.path.startswith("dir.yaml")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_and_device_are_refused_without_hanging(tmp_path):
    os.mkfifo(tmp_path / "fifo.yaml")  # nobody writes to it: reading would block forever
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")  # reading would never end
    report = _run(_tree(tmp_path, "x", None))
    fifo = _on(report, "fifo.yaml", "SL003")
    assert len(fifo) == 1 and "not a regular file" in fifo[0].message
    zero = _on(report, "zero.yaml", "SL003")  # met in the walk: leaves the tree, not followed
    assert len(zero) == 1 and "outside the scanned tree" in zero[0].message
    report = _run(tmp_path / "valid.yaml", tmp_path / "zero.yaml", tmp_path / "fifo.yaml")
    for name in ("zero.yaml", "fifo.yaml"):  # named on the command line: followed, then refused
        sl = _on(report, name, "SL003")
        assert len(sl) == 1 and "not a regular file" in sl[0].message


def test_symlink_loops_end(tmp_path):
    _tree(tmp_path, "x", None)
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")  # a directory loop: never followed
    (tmp_path / "sub" / "self").symlink_to(".")
    report = _run(tmp_path)
    for name in ("a.yaml", "b.yaml"):
        sl = _on(report, name, "SL003")
        assert len(sl) == 1 and "symbolic links" in sl[0].message, [f.message for f in sl]
    assert not [f for f in report.findings if f.path.startswith("sub/")]


def test_symlink_leaving_the_tree_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "creds.yaml").write_text("apiVersion: v1\nkind: Secret\nstringData: {token: hunter2-outside}\n")
    (tmp_path / "repo").mkdir()
    repo = _tree(tmp_path / "repo", "x", None)
    (repo / "link.yaml").symlink_to(outside / "creds.yaml")
    (repo / "inner.yaml").symlink_to("valid.yaml")  # inside the tree: followed
    report = lint_files([repo], root=repo)
    sl = _on(report, "link.yaml", "SL003")
    assert len(sl) == 1 and "outside the scanned tree" in sl[0].message
    assert _on(report, "inner.yaml", "KS101")
    # named explicitly, the user's choice is followed
    report = lint_files([repo / "link.yaml"], root=repo)
    assert not _on(report, "link.yaml", "SL003")


# -- size limit ----------------------------------------------------------------------------------


def test_file_over_the_size_limit_is_sl004_not_read(tmp_path):
    big = _tree(tmp_path, "big.yaml", "a: " + "x" * 5000 + "\n") / "big.yaml"
    report = _run(tmp_path, max_file_size=4096)
    sl = _on(report, "big.yaml", "SL004")
    assert len(sl) == 1 and f"{big.stat().st_size} bytes" in sl[0].message and "4096" in sl[0].message


def test_default_limit_is_50_mb_and_nothing_is_read(tmp_path):
    _tree(tmp_path, "huge.yaml", None)
    with open(tmp_path / "huge.yaml", "wb") as fh:  # sparse: 60 MB that take no disk space
        fh.truncate(60 * 1024 * 1024)
    report = _run(tmp_path)
    sl = _on(report, "huge.yaml", "SL004")
    assert len(sl) == 1 and "52428800-byte limit" in sl[0].message


def test_size_limit_from_the_configuration_file(tmp_path):
    _tree(tmp_path, "big.yaml", "a: " + "x" * 5000 + "\n")
    (tmp_path / ".shiplint.yaml").write_text("max-file-size: 4K\n")
    r = run_shiplint("check", ".", "--format", "json", cwd=tmp_path)
    assert r.code == 1 and "Traceback" not in r.err
    assert any(f["code"] == "SL004" and f["path"] == "big.yaml" for f in r.json())


# -- SL007: charts and kustomizations that cannot be rendered during a directory walk -----------


def _chart(root: Path, name: str, extra: str = "") -> Path:
    d = root / name
    (d / "templates").mkdir(parents=True)
    (d / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n{extra}")
    (d / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n")
    return d


def test_walk_meeting_a_chart_without_helm_reports_sl007_and_goes_on(tmp_path):
    _chart(_tree(tmp_path, "x", None), "api")
    report = _run(tmp_path, helm_bin=str(tmp_path / "no-such-helm"))
    sl = _on(report, "api/Chart.yaml", "SL007")
    assert len(sl) == 1 and sl[0].level == "warning" and (sl[0].region.line, sl[0].region.column) == (1, 1)
    assert "needs helm" in sl[0].message
    # the same chart named on the command line is a usage error (exit 2), as before
    r = run_shiplint("check", "api", "--helm-bin", str(tmp_path / "no-such-helm"), cwd=tmp_path)
    assert r.code == 2 and "Traceback" not in r.err


def test_walk_meeting_a_chart_with_unvendored_dependencies(tmp_path):
    _chart(_tree(tmp_path, "x", None), "web",
           "dependencies:\n- name: common\n  version: 2.x\n  repository: oci://registry.example/charts\n")
    # any executable stands for helm: the dependency check comes first and nothing is run
    r = run_shiplint("check", ".", "--format", "json", "--helm-bin", shutil.which("false") or "/bin/false",
                     cwd=tmp_path)
    assert r.code == 1 and "Traceback" not in r.err
    got = {(f["code"], f["path"], f["level"]) for f in r.json()}
    assert ("SL007", "web/Chart.yaml", "warning") in got and ("KS101", "valid.yaml", "warning") in got
    assert "not vendored" in r.err


def test_library_chart_is_not_rendered(tmp_path):
    _chart(_tree(tmp_path, "x", None), "lib", "type: library\n")
    report = _run(tmp_path, helm_bin=str(tmp_path / "no-such-helm"))
    assert not [f for f in report.findings if f.path.startswith("lib/")]


def test_walk_meeting_a_kustomization_without_kustomize(tmp_path):
    k = _tree(tmp_path, "x", None) / "overlay"
    k.mkdir()
    (k / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (k / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    report = _run(tmp_path, kustomize_bin="no-such-kustomize")
    sl = _on(report, "overlay/kustomization.yaml", "SL007")
    assert len(sl) == 1 and sl[0].level == "warning" and "neither kustomize nor kubectl" in sl[0].message
    r = run_shiplint("check", "overlay", "--kustomize-bin", "no-such-kustomize", cwd=tmp_path)
    assert r.code == 2 and "Traceback" not in r.err


def test_renderer_environment_has_no_network(tmp_path):
    """helm is handed a proxy that goes nowhere and its own empty homes (a fake helm records
    what it was given)."""
    (tmp_path / "repo").mkdir()
    _chart(_tree(tmp_path / "repo", "x", None), "api")
    record = tmp_path / "env.json"
    fake = tmp_path / "fake-helm"
    fake.write_text(f"#!{sys.executable}\nimport json, os\n"
                    f"json.dump(dict(os.environ), open({str(record)!r}, 'w'))\n"
                    "print('apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: x}')\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    lint_files([tmp_path / "repo"], root=tmp_path / "repo", helm_bin=str(fake))
    env = json.loads(record.read_text())
    for var in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY"):
        assert env[var] == "http://127.0.0.1:9"
    assert "NO_PROXY" not in env and "no_proxy" not in env
    assert env["HELM_PLUGINS"].startswith(env["HOME"].rsplit(os.sep, 1)[0])
    assert not env["HOME"].startswith(str(tmp_path))


# -- everything at once, through the CLI ---------------------------------------------------------


def _hostile_tree(root: Path) -> Path:
    for f in HOSTILE.iterdir():
        shutil.copy(f, root / f.name)
    for case, (name, data, *_rest) in SL001_CASES.items():
        target = root / case / name
        target.parent.mkdir()
        target.write_bytes(data if isinstance(data, bytes) else data.encode())
    (root / "deep.yaml").write_text("- " * 5000 + "x\n")
    (root / "loop.yaml").symlink_to("loop.yaml")
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "fifo.yaml")
    return root


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "gitlab", "junit", "markdown"])
def test_whole_hostile_tree_in_one_run(tmp_path, fmt):
    _hostile_tree(tmp_path)
    r = run_shiplint("check", ".", "--format", fmt, cwd=tmp_path)
    assert r.code == 1, r.err
    assert "Traceback" not in r.err and "internal" not in r.err
    assert "valid.yaml" in r.out
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(r.out)
    assert not (tmp_path / "SHIPLINT_PWNED").exists()


def test_renderer_committed_in_the_tree_is_never_run(tmp_path):
    """With ``.`` on PATH and the repository as working directory, a ``helm`` or ``kustomize``
    committed in it would be found first: relative PATH entries are skipped."""
    _chart(_tree(tmp_path, "x", None), "api")
    k = tmp_path / "overlay"
    k.mkdir()
    (k / "kustomization.yaml").write_text("resources: []\n")
    for name in ("helm", "kustomize", "kubectl"):
        evil = tmp_path / name
        evil.write_text(f"#!/bin/sh\ntouch {tmp_path}/PWNED-{name}\n")
        evil.chmod(0o755)
    r = run_shiplint("check", ".", "--format", "json", cwd=tmp_path,
                     env={"PATH": os.pathsep.join([".", "bin", os.path.dirname(sys.executable), "/nonexistent"])})
    assert "Traceback" not in r.err
    assert not list(tmp_path.glob("PWNED-*"))
    got = {(f["code"], f["path"]) for f in r.json()}
    assert ("SL007", "api/Chart.yaml") in got and ("SL007", "overlay/kustomization.yaml") in got


def test_render_larger_than_the_size_limit_is_not_read(tmp_path):
    (tmp_path / "repo").mkdir()
    _chart(_tree(tmp_path / "repo", "x", None), "api")
    fake = tmp_path / "fake-helm"
    fake.write_text(f"#!{sys.executable}\nimport sys\n"
                    "sys.stdout.write('apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: x}\\ndata:\\n')\n"
                    "sys.stdout.write(''.join(f'  k{i}: v\\n' for i in range(2000)))\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    report = _run(tmp_path / "repo", helm_bin=str(fake), max_file_size=8192)
    sl = _on(report, "api/Chart.yaml", "SL007")
    assert len(sl) == 1 and sl[0].level == "error" and "over the 8192-byte limit" in sl[0].message
    report = _run(tmp_path / "repo", helm_bin=str(fake))  # under the default limit: rendered, checked
    assert not _on(report, "api/Chart.yaml", "SL007")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_chart_yaml_and_kustomize_resource_do_not_hang(tmp_path):
    """A chart's Chart.yaml and a file a kustomization lists are read by shiplint (chart name,
    dependencies, source mapping) before any renderer: a FIFO there must not block."""
    _tree(tmp_path, "x", None)
    (tmp_path / "chart").mkdir()
    os.mkfifo(tmp_path / "chart" / "Chart.yaml")
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "kustomization.yaml").write_text("resources: [fifo.yaml]\n")
    os.mkfifo(tmp_path / "k" / "fifo.yaml")
    r = run_shiplint("check", ".", "--format", "json", "--helm-bin", str(tmp_path / "no-helm"), cwd=tmp_path)
    assert r.code == 1 and "Traceback" not in r.err
    assert any(f["path"] == "valid.yaml" for f in r.json())
