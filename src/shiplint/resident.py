"""The resident server behind ``shiplint server``: one warmed-up process per installation that
runs each command it is handed in a forked child.

Why a fork per request: the child starts with every module imported and the rule catalogue,
schemas and reporters loaded (the warm-up below), yet shares nothing with the previous request;
a run's state is that of a fresh process, as the engine assumes, and two hooks running at once
are two children.  The child takes the client's standard streams (passed as file descriptors),
working directory, environment and umask, so a command behaves as it would in the client's own
process; nothing of the scanned repository is imported or run, here as anywhere.

Who may connect: the socket lives in a directory only this user can enter, and on Linux the
peer's user id is checked too.  The server leaves when idle (``--idle-timeout``), when asked
(``shiplint server stop``), or when the installation it was started from changes on disk (a
``pip install``, an edited checkout): its next request is then refused as stale and the client
runs the command itself.
"""

from __future__ import annotations

import ast
import errno
import gc
import io
import json
import os
import select
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time

from shiplint.core import memo, rendezvous

#: how long a new server waits for an old one (still holding the lock) to leave
LOCK_WAIT = 3.0
DEFAULT_IDLE = 1800.0
#: seconds after a command started (it has its process) before the next one's is forked
SPARE_AFTER = 0.005


class ServerError(Exception):
    """A server cannot be started or reached here (one line, for the command line)."""


def _ensure_private_dir(path: str) -> None:
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise ServerError(f"cannot create {path}: {exc.strerror}") from None
    if not rendezvous.private_dir(path):
        raise ServerError(f"{path} is not a directory private to this user; not serving from it")


# -- what "the installation changed" means --------------------------------------------------------

def _install_dirs() -> list[str]:
    """Where distributions are installed for this interpreter, and the directory holding the
    shiplint package (``src`` of an editable checkout).  Not the rest of ``sys.path``: a
    script's own directory, such as ``/tmp``, changes all the time."""
    import site
    dirs = [os.path.dirname(rendezvous.package_dir())]
    try:
        dirs += site.getsitepackages()
    except AttributeError:
        pass
    user = getattr(site, "getusersitepackages", lambda: None)()
    if user:
        dirs.append(user)
    return sorted(set(dirs))


def _quick_stamp() -> tuple:
    """What is checked before each request: the directories distributions are installed in
    (installing or removing one, a plugin included, changes them)."""
    out = []
    for entry in _install_dirs():
        try:
            out.append(os.stat(entry).st_mtime_ns)
        except OSError:
            out.append(None)
    return tuple(out)


def _package_roots() -> list[str]:
    import shiplint.rules
    roots = {rendezvous.package_dir()}
    roots.update(os.path.abspath(p) for p in shiplint.rules.__path__)
    return sorted(roots)


def _stamp(roots=None) -> tuple:
    """Everything that makes a server stale, checked while it waits for requests (every two
    seconds): the install directories and every source file of the package (``roots``), since
    an editable checkout is edited in place."""
    out = list(_quick_stamp())
    for root in roots if roots is not None else _package_roots():
        for base, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".yaml", ".json")):
                    try:
                        out.append((name, os.stat(os.path.join(base, name)).st_mtime_ns))
                    except OSError:
                        out.append((name, None))
    return tuple(out)


# -- warm-up -------------------------------------------------------------------------------------

#: where each rule's documented example is written for the warm-up, by target (manifests
#: otherwise); charts and kustomizations are left out: the warm-up runs no renderer
_SAMPLE_NAMES = {"dockerfile": "Dockerfile", "compose": "compose.yaml", "ci": ".github/workflows/build.yml"}


def _warm_up_files(tmp: str) -> None:
    """Every rule's documented example (its ``example:``, shipped with the rule), each in a
    directory of its own: the code paths of the rules, models and parsers that real inputs
    take are then loaded (modules, compiled patterns, caches) before the first fork."""
    from shiplint.registry.loader import builtin_metadata

    for code, meta in builtin_metadata().items():
        text = meta.example or ""
        if (not text.strip() or "# file:" in text or meta.example_language == "text"
                or meta.target in ("kustomization", "chart")):
            continue
        name = _SAMPLE_NAMES.get(meta.target) or ("Dockerfile" if meta.example_language == "dockerfile"
                                                  else "manifest.yaml")
        path = os.path.join(tmp, code, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)


def warm_up(main) -> None:
    """Check the rules' examples once, in every format, so that the modules, rules, schemas
    and reporters a request needs are loaded before the first fork.  Nothing here depends on a
    client's environment or directory (no configuration is read)."""
    formats = ("text", "json", "sarif", "github", "gitlab", "junit", "markdown")
    with tempfile.TemporaryDirectory(prefix="shiplint-warm-") as tmp:
        try:
            _warm_up_files(tmp)
        except Exception:  # a failed warm-up only makes the first requests slower
            pass
        argv = ["check", "--no-config", "--jobs", "1", "--no-progress"]
        for fmt in formats:
            argv += ["--format", f"{fmt}:{os.path.join(tmp, 'report.' + fmt)}"]
        _quiet_run(main, argv + [tmp])


def _quiet_run(main, argv: list[str]) -> None:
    """``main(argv)`` with standard output and error sent to /dev/null, whatever it raises."""
    saved = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        try:
            main(argv)
        except SystemExit:
            pass
        except Exception:  # a failed warm-up only makes the first requests slower
            pass
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


#: what a spare process checks while it waits (see :func:`_fork_spare`)
_PRIME = {
    "Dockerfile": ("FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
                   "RUN apt-get update && apt-get install -y curl && pip install -r requirements.txt\n"
                   "COPY . .\nEXPOSE 8080\nCMD [\"python\", \"main.py\"]\n"),
    "deploy.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
                    "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
                    "      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n"
                    "        image: nginx:1.27\n"),
}


def _write_prime(directory: str) -> None:
    os.makedirs(directory, mode=0o700, exist_ok=True)
    for name, text in _PRIME.items():
        with open(os.path.join(directory, name), "w", encoding="utf-8") as fh:
            fh.write(text)


# -- the child: one request --------------------------------------------------------------------

def _recv_exact(sock, n: int) -> bytes:
    data = rendezvous.recv_exact(sock, n)
    if data is None:
        raise ConnectionError("the client left")
    return data


def _read_request(conn) -> tuple[dict, list[int]]:
    """The header and the three standard streams of a request."""
    msg, fds, _flags, _addr = socket.recv_fds(conn, 8, 3)
    if len(msg) < 8:
        msg += _recv_exact(conn, 8 - len(msg))
    size = int.from_bytes(msg[:8], "big")  # as the client writes it
    if size > 64 << 20:
        raise ConnectionError("request too large")
    # a Python literal (see shiplint.client): literal_eval builds values, it runs nothing
    header = ast.literal_eval(_recv_exact(conn, size).decode("utf-8"))
    if not isinstance(header, dict):
        raise ConnectionError("malformed request")
    return header, fds


def _stream(fd: int, encoding: str, errors: str, write: bool):
    raw = io.FileIO(fd, "w" if write else "r", closefd=False)
    tty = raw.isatty()
    buffered = io.BufferedWriter(raw) if write else io.BufferedReader(raw)
    return io.TextIOWrapper(buffered, encoding=encoding, errors=errors, line_buffering=write and tty)


def _become_client(header: dict, fds: list[int]) -> None:
    """Take on the client's streams, directory, environment and umask."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    streams = header.get("streams") or {}
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        encoding, errors = (streams.get(name) or ["utf-8", "strict"])[:2]
        setattr(sys, name, _stream(fd, encoding, errors, write=fd > 0))
    os.environ.clear()
    os.environ.update(header.get("env") or {})
    tempfile.tempdir = None  # recomputed from the client's TMPDIR
    if hasattr(time, "tzset"):
        time.tzset()
    os.umask(int(header.get("umask", 0o022)))
    os.chdir(header["cwd"])


def _child(conn, main) -> None:
    """Serve one request in a forked child, then leave with ``os._exit``."""
    code = 2
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        header, fds = _read_request(conn)
        if len(fds) != 3:
            raise ConnectionError("three standard streams expected")
        if header.get("protocol") != rendezvous.PROTOCOL or header.get("installation") != rendezvous.installation():
            conn.sendall(rendezvous.frame(b"R", 0))
            return
        _become_client(header, fds)
        conn.sendall(rendezvous.frame(b"A", os.getpid()))
        sys.argv = ["shiplint", *header.get("argv", [])]
        try:
            main(header.get("argv", []))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
            if exc.code is not None and not isinstance(exc.code, int):
                sys.stderr.write(f"{exc.code}\n")
        except KeyboardInterrupt:
            sys.stderr.write("shiplint: interrupted\n")
            code = 2
        for s in (sys.stdout, sys.stderr):
            try:
                s.flush()
            except (OSError, ValueError):
                pass
        conn.sendall(rendezvous.frame(b"X", code))
    except BaseException:  # the client sees the stream end and says so; never a traceback
        pass
    finally:
        os._exit(0)


# -- the parent: accept, fork, reap ------------------------------------------------------------

def _peer_is_us(conn) -> bool:
    if not hasattr(socket, "SO_PEERCRED"):
        return True  # the private directory is the only gate there
    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return False
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def _reap(children: set[int]) -> None:
    for pid in list(children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            children.discard(pid)


def _answer(conn, payload: dict) -> None:
    try:
        conn.sendall(json.dumps(payload).encode() + b"\n")
    except OSError:
        pass


def _lock(path: str):
    """Hold ``path`` locked for the server's life (the second server of an installation waits
    a little for the first to leave, then gives up)."""
    import fcntl
    fh = open(path, "a+")
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fh
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                fh.close()
                return None
            time.sleep(0.05)


def serve(main, idle_timeout: float = DEFAULT_IDLE, ready=None) -> int:
    """Warm up, listen, and serve until idle, stopped or stale: each request runs
    ``main(argv)`` (the command line's entry, which exits) in a child.  ``ready(path)`` is
    called once the socket accepts requests.  Returns an exit status."""
    if os.name != "posix" or not hasattr(socket, "send_fds"):
        raise ServerError("the resident server needs a POSIX system (Unix sockets that pass file descriptors)")
    directory = rendezvous.runtime_dir()
    _ensure_private_dir(directory)
    path = rendezvous.socket_path(directory)
    lock = _lock(path[:-len(".sock")] + ".lock")
    if lock is None:
        raise ServerError(f"another server already serves this installation ({path})")
    warm_up(main)
    import threading
    if threading.active_count() > 1:  # forking a process with threads is unsafe
        raise ServerError("the warm-up left threads running; not serving")
    stamp, quick = _stamp(), _quick_stamp()
    answers = path[:-len(".sock")] + ".answers"
    shutil.rmtree(answers, ignore_errors=True)  # a crashed server's: made by another build
    memo.use(answers)
    prime = path[:-len(".sock")] + ".prime"
    try:
        _write_prime(prime)
    except OSError:
        prime = None
    # the objects loaded so far live as long as the server: out of the collector's reach, a
    # forked child does not copy their pages by merely scanning them
    gc.freeze()
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    ident = os.stat(path).st_ino
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    started = last = time.monotonic()
    children: set[int] = set()
    served = 0
    spare = _fork_spare(listener, main, prime)
    if ready is not None:
        ready(path)
    try:
        while not stop:
            try:
                # without a spare, the next one is forked once the command just handed over
                # has its process
                readable, _, _ = select.select([listener], [], [], 2.0 if spare else SPARE_AFTER)
            except InterruptedError:
                continue
            _reap(children)
            if not readable and spare is None:
                spare = _fork_spare(listener, main, prime)
                continue
            if not readable:
                if not children and time.monotonic() - last > idle_timeout:
                    break
                # the whole walk costs milliseconds: done between requests, not before each
                if _stamp() != stamp:
                    break
                memo.prune(answers)
                continue
            conn, _ = listener.accept()
            last = time.monotonic()
            if not _peer_is_us(conn):
                conn.close()
                continue
            conn.settimeout(2.0)  # a client that connects and says nothing holds nobody up
            op = _peek_op(conn)
            if op == "status":
                _answer(conn, {"pid": os.getpid(), "socket": path, "uptime": round(last - started, 1),
                               "served": served, "running": len(children), "idle-timeout": idle_timeout,
                               "spare": spare[0] if spare else None,
                               "installation": rendezvous.installation().split("\0")})
                conn.close()
                continue
            if op == "stop":
                _answer(conn, {"stopped": os.getpid()})
                conn.close()
                break
            if _quick_stamp() != quick:
                conn.sendall(rendezvous.frame(b"S", 0))
                conn.close()
                break
            conn.settimeout(None)
            for _attempt in range(2):  # a spare that died meanwhile is replaced once
                pid, pair = spare or _fork_spare(listener, main)  # no priming: it waits
                spare = None
                children.add(pid)
                try:
                    socket.send_fds(pair, [b"r"], [conn.fileno()])
                    served += 1
                    break
                except OSError:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                finally:
                    pair.close()
            conn.close()
    finally:
        if spare is not None:
            spare[1].close()  # the spare reads the end of the pair and leaves
        try:
            if os.stat(path).st_ino == ident:
                os.unlink(path)
        except OSError:
            pass
        listener.close()
        memo.use(None)
        shutil.rmtree(answers, ignore_errors=True)
        if prime is not None:
            shutil.rmtree(prime, ignore_errors=True)
        lock.close()
    return 0


def _fork_spare(listener, main, prime: str | None = None):
    """A child forked ahead of its command, waiting for the connection of the next one: a fork
    of the warmed-up server takes milliseconds, which the command no longer waits for.
    Returns (pid, the parent's end of the pair the connection is passed through)."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        listener.close()
        ours.close()
        if prime is not None:
            # a forked process copies each page it writes, and Python writes (reference
            # counts) to every object it uses: a check of small files now copies the pages a
            # command's check uses, so that the command does not wait for it
            _quiet_run(main, ["check", "--no-config", "--jobs", "1", "--no-progress", "--format", "text", prime])
        try:
            _msg, fds, _flags, _addr = socket.recv_fds(theirs, 1, 1)
        except BaseException:
            fds = []
        if not fds:  # the server left without a command for it
            os._exit(0)
        theirs.close()
        _child(socket.socket(fileno=fds[0]), main)
    theirs.close()
    return pid, ours


def _peek_op(conn) -> str:
    """``run`` for a command (read by the child), or a control request answered here.  Control
    requests are one line of JSON, starting with ``{``; a run starts with its 8-byte length."""
    try:
        first = conn.recv(1, socket.MSG_PEEK)
    except OSError:
        return "gone"
    if first != b"{":
        return "run"
    line = b""
    while not line.endswith(b"\n") and len(line) < 4096:
        chunk = conn.recv(1)
        if not chunk:
            break
        line += chunk
    try:
        return str(json.loads(line).get("op", ""))
    except (ValueError, AttributeError):
        return "bad"


# -- what ``shiplint server status/stop`` send -------------------------------------------------

def control(op: str) -> dict | None:
    """Send a control request to this installation's server: its answer, or None when none
    runs."""
    directory = rendezvous.runtime_dir()
    if not rendezvous.private_dir(directory):
        return None
    path = rendezvous.socket_path(directory)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(5.0)
    try:
        sock.connect(path)
        sock.sendall(json.dumps({"op": op}).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        return json.loads(data) if data else None
    except (OSError, ValueError):
        return None
    finally:
        sock.close()


def start_detached(idle_timeout: float, wait: float = 20.0) -> dict | None:
    """Start a server in the background and wait until it answers: its status, or None."""
    rendezvous.spawn_server(idle_timeout)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        status = control("status")
        if status is not None:
            return status
        time.sleep(0.1)
    return None
