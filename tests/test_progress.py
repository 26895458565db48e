"""Progress on standard error: only on a terminal, never on stdout, never through a pipe."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tempfile
import sys

import pytest

from shiplint.progress import AUTO_MIN_FILES, Progress

pty = pytest.importorskip("pty")

UNPINNED = "FROM alpine:3.20\nUSER 10001\n"


def _tree(tmp_path, n: int):
    for i in range(n):
        d = tmp_path / f"svc{i:03d}"
        d.mkdir()
        (d / "Dockerfile").write_text(UNPINNED)
    return tmp_path


def _run(args, cwd, stderr_tty: bool):
    """Run the CLI with stdout on a pipe and stderr on a pseudo-terminal (or a pipe)."""
    cmd = [sys.executable, "-m", "shiplint", "check", "--select", "DF101", *args]  # one rule: a known count
    env = {**os.environ, "NO_COLOR": "1"}
    if not stderr_tty:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, env=env, timeout=300, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout.decode(), p.stderr.decode()
    master, slave = pty.openpty()
    try:
        # stdout goes to a file: a pipe that nobody reads while we drain the terminal would fill
        # up and block the child on a long report
        out_file = tempfile.TemporaryFile()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out_file, stderr=slave, env=env, stdin=subprocess.DEVNULL)
        os.close(slave)
        slave = None
        chunks = []
        while True:  # read the terminal until the child closes it (EIO on Linux)
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        p.wait(timeout=300)
        out_file.seek(0)
        out = out_file.read().decode()
        out_file.close()
        return p.returncode, out, b"".join(chunks).decode()
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)


def test_progress_appears_on_a_terminal_and_is_erased(tmp_path):
    _tree(tmp_path, 3)
    code, out, err = _run(["--progress", "."], tmp_path, stderr_tty=True)
    assert code == 1
    assert "[3/3] files checked" in err
    # the line is erased at the end: the last thing on the terminal is a carriage return
    assert err.endswith("\r") and err.rstrip("\r").endswith(" ")
    assert "] files checked" not in out and "\r" not in out  # stdout has the report only
    assert out.count("DF101") == 3


def test_auto_shows_progress_for_long_runs_only(tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    _tree(small, 3)
    code, out, err = _run(["."], small, stderr_tty=True)
    assert code == 1 and out.count("DF101") == 3
    assert "files checked]" not in err and "[" not in err

    big = tmp_path / "big"
    big.mkdir()
    _tree(big, AUTO_MIN_FILES)
    code, out, err = _run(["."], big, stderr_tty=True)
    assert code == 1
    assert f"[{AUTO_MIN_FILES}/{AUTO_MIN_FILES}] files checked" in err
    assert "] files checked" not in out

    code, out, err = _run(["--no-progress", "."], big, stderr_tty=True)
    assert "files checked" not in err


@pytest.mark.parametrize("flag", [[], ["--progress"]])
def test_never_when_stderr_is_not_a_terminal(tmp_path, flag):
    _tree(tmp_path, AUTO_MIN_FILES)
    code, out, err = _run([*flag, "--format", "json", "."], tmp_path, stderr_tty=False)
    assert code == 1
    assert "files checked" not in err and "\r" not in err
    assert len(json.loads(out)) == AUTO_MIN_FILES


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_updates_are_throttled_but_the_first_and_last_are_drawn():
    now = [0.0]
    stream = _Tty()
    p = Progress(stream, None, min_files=10, clock=lambda: now[0])
    for done in range(1, 51):
        p(done, 50)
    frames = [f for f in stream.getvalue().split("\r") if f]
    assert [f.strip() for f in frames] == ["[ 1/50] files checked", "[50/50] files checked"]
    now[0] = 1.0
    p.close()
    assert stream.getvalue().endswith("\r" + " " * len("[50/50] files checked") + "\r")


def test_time_lets_intermediate_updates_through():
    now = [0.0]
    stream = _Tty()
    p = Progress(stream, True, clock=lambda: now[0])
    for done in range(1, 5):
        p(done, 4)
        now[0] += 1.0
    frames = [f.strip() for f in stream.getvalue().split("\r") if f.strip()]
    assert frames == ["[1/4] files checked", "[2/4] files checked", "[3/4] files checked", "[4/4] files checked"]


def test_nothing_for_a_non_terminal_stream_even_when_forced():
    stream = io.StringIO()
    p = Progress(stream, True)
    p(1, 1)
    p.close()
    assert stream.getvalue() == ""


def test_a_closed_terminal_does_not_break_the_run():
    class Broken(_Tty):
        def write(self, s):
            raise OSError("gone")

    p = Progress(Broken(), True)
    p(1, 2)
    p(2, 2)
    p.close()
    assert p.enabled is False
