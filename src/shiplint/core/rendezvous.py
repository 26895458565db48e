"""Where a resident server of this installation listens, and who may trust it: shared by the
client (:mod:`shiplint.client`, which must stay cheap to import) and the server
(:mod:`shiplint.resident`)."""

from __future__ import annotations

import os
import sys

#: the version of the request format: a server refuses, before running anything, a request of
#: another version or from another installation (the client then runs the command itself)
PROTOCOL = 1

def runtime_dir() -> str:
    """The per-user directory of the sockets: under ``XDG_RUNTIME_DIR`` when it is set (a
    tmpfs only this user reads), else the temporary directory."""
    base = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or "/tmp"
    return os.path.join(base, f"shiplint-{os.getuid()}")


def private_dir(path: str) -> bool:
    """Whether ``path`` is a directory of ours that nobody else can enter: a socket in a
    directory another user controls could be theirs, and would receive our streams and
    environment."""
    import stat

    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def package_dir() -> str:
    """The directory of the ``shiplint`` package this code runs from."""
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def installation() -> str:
    """What a server must have been started from to serve this command: the interpreter and
    its environment, the package directory, the version and ``PYTHONPATH`` (two virtual
    environments, two checkouts, or a plugin found through ``PYTHONPATH``, never share a
    server)."""
    from shiplint import __version__

    return "\0".join((os.path.realpath(sys.executable), sys.prefix, package_dir(), __version__,
                      os.environ.get("PYTHONPATH", "")))


def socket_path(directory: str | None = None) -> str:
    """The socket of this installation's server, named by a checksum of :func:`installation`
    (FNV-1a: no module to import; a collision only makes the server refuse the request)."""
    key = 0x811C9DC5
    for byte in installation().encode("utf-8", "surrogateescape"):
        key = ((key ^ byte) * 0x01000193) & 0xFFFFFFFF
    return os.path.join(directory or runtime_dir(), f"{key:08x}.sock")


def recv_exact(sock, n: int) -> bytes | None:
    """Exactly ``n`` bytes from ``sock``, or None when it closes first."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def frame(tag: bytes, number: int) -> bytes:
    """One answer of the server to a command: a tag byte (``A`` accepted, with the pid of the
    process that runs it; ``X`` its exit status; ``R`` refused; ``S`` stale) and a signed
    32-bit number."""
    return tag + number.to_bytes(4, "big", signed=True)


def read_frame(sock) -> tuple[bytes, int] | None:
    """The next :func:`frame` from ``sock``, or None when it closes first."""
    data = recv_exact(sock, 5)
    if data is None:
        return None
    return data[:1], int.from_bytes(data[1:], "big", signed=True)


def spawn_server(idle_timeout: float | None = None) -> None:
    """Start ``shiplint server run`` for this installation, detached from this process and
    its terminal, from ``/`` (``python -m`` puts the working directory on ``sys.path``, and
    ``shiplint.__main__`` drops only that).  Raises the ``OSError`` of the start."""
    import subprocess

    argv = [sys.executable, "-m", "shiplint", "server", "run"]
    if idle_timeout is not None:
        argv += ["--idle-timeout", str(idle_timeout)]
    subprocess.Popen(argv, cwd="/", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
