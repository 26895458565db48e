"""The resident server (``shiplint server``): a command it runs behaves as one run in the client's
own process (output, exit status, directory, environment, standard input, files written), and it
is used only where it should be."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from conftest import run_shiplint

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the server needs Unix sockets")

DOCKERFILE = ("FROM python:3.12-slim\n"
              "RUN apt-get update && apt-get install -y curl && cd $HOME && echo $UNQUOTED\n"
              "COPY . /app\nCMD python /app/main.py\n")
DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n"
              "    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
              "    spec:\n      containers:\n      - name: web\n        image: nginx:latest\n")


def _runtime_dir() -> str:
    # short: a Unix socket path has a limit of about 100 bytes
    return tempfile.mkdtemp(prefix="slr-", dir="/tmp" if os.path.isdir("/tmp") else None)


@contextlib.contextmanager
def _runtime_env(runtime: str):
    """This process's ``XDG_RUNTIME_DIR`` set to ``runtime`` (for the in-process helpers that
    compute the socket's path), then restored."""
    old = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = runtime
    try:
        yield
    finally:
        if old is None:
            del os.environ["XDG_RUNTIME_DIR"]
        else:
            os.environ["XDG_RUNTIME_DIR"] = old


class Server:
    def __init__(self, runtime: str) -> None:
        self.runtime = runtime
        self.env = {"XDG_RUNTIME_DIR": runtime, "SHIPLINT_SERVER": ""}

    def run(self, *args, mode: str = "", **kw):
        env = {**self.env, "SHIPLINT_SERVER": mode, **kw.pop("env", {})}
        return run_shiplint(*args, env=env, **kw)

    def served(self) -> int | None:
        r = self.run("server", "status")
        m = re.search(r"(\d+) requests served", r.out)
        return int(m.group(1)) if m else None

    def stop(self) -> None:
        self.run("server", "stop")


@pytest.fixture(scope="module")
def server():
    s = Server(_runtime_dir())
    started = s.run("server", "start", "--idle-timeout", "300")
    assert started.code == 0, started.err
    assert "shiplint server started" in started.out
    yield s
    s.stop()
    shutil.rmtree(s.runtime, ignore_errors=True)


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "deploy.yaml").write_text(DEPLOYMENT)
    return tmp_path


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_a_served_command_prints_what_the_same_command_prints_in_process(server, repo, fmt):
    before = server.served()
    here = server.run("check", "--format", fmt, ".", mode="off", cwd=repo)
    there = server.run("check", "--format", fmt, ".", cwd=repo)
    assert server.served() == before + 1
    assert (there.code, there.out, there.err) == (here.code, here.out, here.err)
    assert there.code == 1 and "DF101" in there.out


def test_directory_standard_input_and_exit_status_are_the_clients(server, repo):
    sub = repo / "k8s"
    here = server.run("check", "../Dockerfile", "deploy.yaml", mode="off", cwd=sub)
    there = server.run("check", "../Dockerfile", "deploy.yaml", cwd=sub)
    assert (there.code, there.out) == (here.code, here.out)
    assert "../Dockerfile:1:" in there.out or "Dockerfile:1:" in there.out

    piped = server.run("check", "-", "--stdin-filename", "Dockerfile", "--format", "json", stdin=DOCKERFILE, cwd=repo)
    alone = server.run("check", "-", "--stdin-filename", "Dockerfile", "--format", "json", stdin=DOCKERFILE,
                       cwd=repo, mode="off")
    assert piped.code == alone.code == 1
    assert piped.out == alone.out and json.loads(piped.out)

    usage = server.run("check", "--format", "nope", ".", cwd=repo)
    assert usage.code == 2 and usage.err == server.run("check", "--format", "nope", ".", cwd=repo, mode="off").err

    (repo / "clean.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n")
    assert server.run("check", "--select", "DF101", "clean.yaml", cwd=repo).code == 0


def test_workers_of_a_served_command_fold_as_in_process(server, repo):
    for i in range(6):
        (repo / "k8s" / f"app{i}.yaml").write_text(DEPLOYMENT.replace("name: web", f"name: web{i}"))
    here = server.run("check", "--jobs", "2", "--format", "json", ".", mode="off", cwd=repo)
    there = server.run("check", "--jobs", "2", "--format", "json", ".", cwd=repo)
    assert (there.code, there.out) == (here.code, here.out)
    assert len(json.loads(there.out)) > 6


def test_environment_is_the_clients(server, repo):
    colour = server.run("check", "Dockerfile", cwd=repo, env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    plain = server.run("check", "Dockerfile", cwd=repo, env={"NO_COLOR": "1"})
    assert "\x1b[" in colour.out
    assert "\x1b[" not in plain.out
    assert colour.out == server.run("check", "Dockerfile", cwd=repo, mode="off",
                                    env={"NO_COLOR": "", "FORCE_COLOR": "1"}).out


def test_reports_are_written_in_the_clients_directory(server, repo):
    r = server.run("check", "--format", "sarif:report.sarif", "--format", "text", ".", cwd=repo)
    assert r.code == 1
    report = json.loads((repo / "report.sarif").read_text())
    assert report["runs"][0]["results"]


def test_off_bypasses_a_running_server(server, repo):
    before = server.served()
    assert server.run("check", "Dockerfile", cwd=repo, mode="off").code == 1
    assert server.served() == before


def test_shellcheck_answers_are_kept_between_served_runs(server, repo):
    from shiplint.rules.dockerfile._shellcheck import find_binary

    if find_binary(None) is None:
        pytest.skip("no ShellCheck binary (pip install shiplint[shellcheck])")
    (repo / "Dockerfile").write_text(DOCKERFILE.replace("$UNQUOTED", f"$UNQUOTED_{time.time_ns()}"))
    first = server.run("check", "--stats", "--format", "json", "Dockerfile", cwd=repo)
    second = server.run("check", "--stats", "--format", "json", "Dockerfile", cwd=repo)

    def processes(r):
        line = next(x for x in r.err.splitlines() if x.startswith("shiplint-stats: "))
        return json.loads(line.split(": ", 1)[1]).get("tool_processes", 0)

    assert processes(first) >= 1
    assert processes(second) == 0
    assert first.out == second.out
    assert "SC2086" in second.out


def test_a_runtime_directory_others_can_enter_is_not_used(repo):
    runtime = _runtime_dir()
    try:
        s = Server(runtime)
        os.chmod(runtime, 0o700)
        os.makedirs(os.path.join(runtime, f"shiplint-{os.getuid()}"), mode=0o755)
        os.chmod(os.path.join(runtime, f"shiplint-{os.getuid()}"), 0o755)
        started = s.run("server", "run", "--idle-timeout", "5")
        assert started.code == 2
        assert "not a directory private to this user" in started.err
        # the command still runs, in its own process
        r = s.run("check", "Dockerfile", cwd=repo, mode="auto")
        assert r.code == 1 and "DF101" in r.out
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def test_auto_starts_a_server_that_serves_the_next_command_then_stop(repo):
    s = Server(_runtime_dir())
    try:
        first = s.run("check", "Dockerfile", cwd=repo, mode="auto")
        assert first.code == 1
        deadline = time.monotonic() + 60
        while s.served() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert s.served() == 0
        second = s.run("check", "Dockerfile", cwd=repo, mode="auto")
        assert (second.code, second.out) == (first.code, first.out)
        assert s.served() == 1
        stopped = s.run("server", "stop")
        assert "stopped" in stopped.out
        status = s.run("server", "status")
        assert status.code == 1 and "none running" in status.out
        assert not [p for p in Path(s.runtime).rglob("*.sock")]
    finally:
        s.stop()
        shutil.rmtree(s.runtime, ignore_errors=True)


def test_the_stamp_sees_an_edited_added_or_removed_source_file(tmp_path):
    from shiplint import resident

    (tmp_path / "a.py").write_text("x = 1\n")
    before = resident._stamp([str(tmp_path)])
    assert resident._stamp([str(tmp_path)]) == before
    os.utime(tmp_path / "a.py", ns=(1, 1))
    edited = resident._stamp([str(tmp_path)])
    assert edited != before
    (tmp_path / "b.yaml").write_text("{}\n")
    assert resident._stamp([str(tmp_path)]) != edited


def test_memo_keeps_nothing_unless_a_directory_is_set(tmp_path):
    from shiplint.core import memo

    assert not memo.active()
    memo.put("t", ["q"], [1])
    assert memo.get("t", ["q"]) is None
    try:
        memo.use(str(tmp_path / "answers"))
        memo.put("t", ["q", "é"], [{"a": 1}])
        assert memo.get("t", ["q", "é"]) == [{"a": 1}]
        assert memo.get("t", ["other"]) is None
        for i in range(20):
            memo.put("t", [i], i)
        memo.prune(str(tmp_path / "answers"), limit=10)
        assert len(list((tmp_path / "answers").iterdir())) == 5
        assert oct((tmp_path / "answers").stat().st_mode & 0o777) == oct(0o700)
    finally:
        memo.use(None)


@pytest.mark.parametrize("answer", [b"", b"R\0\0\0\0", b"S\0\0\0\0"])
def test_a_socket_that_refuses_or_says_nothing_leaves_the_command_to_the_client(repo, answer):
    import socket
    import threading

    from shiplint.core import rendezvous

    runtime = _runtime_dir()
    try:
        s = Server(runtime)
        directory = os.path.join(runtime, f"shiplint-{os.getuid()}")
        os.makedirs(directory, mode=0o700)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with _runtime_env(runtime):
            listener.bind(rendezvous.socket_path())
        listener.listen(1)
        seen = []

        def refuse():
            conn, _ = listener.accept()
            seen.append(conn.recv(8))
            if answer:
                conn.sendall(answer)
            conn.close()

        t = threading.Thread(target=refuse, daemon=True)
        t.start()
        r = s.run("check", "Dockerfile", cwd=repo)
        t.join(5)
        listener.close()
        assert seen, "the client did not try the socket"
        assert (r.code, r.out) == (1, s.run("check", "Dockerfile", cwd=repo, mode="off").out)
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def test_interrupting_the_client_interrupts_the_served_check(server, tmp_path):
    import signal
    import subprocess
    import sys

    docs = "".join(DEPLOYMENT.replace("name: web\n", f"name: web{i}\n", 1) + "---\n" for i in range(6000))
    (tmp_path / "many.yaml").write_text(docs)
    env = {**os.environ, **server.env, "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "shiplint", "check", "--jobs", "1", "many.yaml"], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)
    assert proc.poll() is None, "the check ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert b"interrupted" in err
    deadline = time.monotonic() + 10
    while ", 0 running" not in server.run("server", "status").out and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ", 0 running" in server.run("server", "status").out


def test_a_spare_process_that_died_is_replaced(server, repo):
    import signal

    from shiplint import resident

    deadline = time.monotonic() + 10
    status = None
    while time.monotonic() < deadline:
        with _runtime_env(server.runtime):
            status = resident.control("status")
        if status and status.get("spare"):
            break
        time.sleep(0.1)
    assert status and status["spare"], status
    os.kill(status["spare"], signal.SIGKILL)
    time.sleep(0.2)
    before = server.served()
    r = server.run("check", "Dockerfile", cwd=repo)
    assert r.code == 1 and "DF101" in r.out
    assert server.served() == before + 1
