"""The ``shiplint`` command's entry: hand the command line to a resident server when one runs
for this installation, else run it in this process.

A pre-commit hook starts a new interpreter per commit; most of a one-file check is spent
importing shiplint and loading its rules, not checking.  ``shiplint server start`` (or
``SHIPLINT_SERVER=auto``) keeps one warmed-up process per installation; this module, which
imports nothing but the standard library's cheapest modules, passes it the arguments, the
working directory, the environment and the three standard streams themselves (file descriptors
over a Unix socket), so the output, colours, exit status and standard input are those of a run
in this process.

``SHIPLINT_SERVER``: unset, use a server if one is running; ``auto``, also start one in the
background when none is (this run is checked here); ``off``, never use one.
"""

from __future__ import annotations

import os
import sys

from shiplint.core.rendezvous import (PROTOCOL, installation, private_dir, read_frame, runtime_dir, socket_path,
                                      spawn_server)

OFF = ("0", "off", "no", "false", "never")
ANSWER_TIMEOUT = 10.0  # seconds
AUTO = ("1", "on", "yes", "true", "auto")


def server_mode() -> str:
    """``off``, ``auto`` or ``use`` (a running server only) from ``SHIPLINT_SERVER``."""
    value = os.environ.get("SHIPLINT_SERVER", "").strip().lower()
    if value in OFF:
        return "off"
    return "auto" if value in AUTO else "use"


def request(argv: list[str], path: str) -> int | None:
    """Run ``argv`` in the server listening at ``path``: its exit status, or None when no server
    took the request (none listening, a stale one, standard streams that cannot be passed), in
    which case nothing was run and the caller runs the command itself."""
    # the C module: ``socket`` itself costs a few milliseconds of imports (enum, selectors);
    # the header is a Python literal and the numbers plain bytes (rendezvous.frame), so that
    # neither ``json`` nor ``struct`` is imported either (a one-file check through the server takes about 10 ms)
    import _socket as socket

    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    except (OSError, AttributeError):
        return None
    try:
        umask = os.umask(0)
        os.umask(umask)
        streams = {}
        for name in ("stdin", "stdout", "stderr"):
            s = getattr(sys, name)
            streams[name] = [getattr(s, "encoding", None) or "utf-8", getattr(s, "errors", None) or "strict"]
        try:
            header = repr({
                "protocol": PROTOCOL, "op": "run", "installation": installation(), "argv": argv,
                "cwd": os.getcwd(), "env": dict(os.environ), "umask": umask, "streams": streams,
            }).encode("utf-8")
            message = len(header).to_bytes(8, "big") + header
            fds = b"".join(fd.to_bytes(4, sys.byteorder, signed=True) for fd in (0, 1, 2))
            # a server that does not take the request within this time is treated as absent
            sock.settimeout(ANSWER_TIMEOUT)
            sock.connect(path)
            sent = sock.sendmsg([message], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
            sock.sendall(message[sent:])
            answer = read_frame(sock)
        except (OSError, AttributeError, UnicodeError):
            # no server, a deleted working directory, a closed standard stream that cannot be
            # passed: nothing ran there, the command runs here
            return None
        if answer is None or answer[0] != b"A":  # stale, refused or gone before it started
            return None
        sock.settimeout(None)  # the check itself takes as long as it takes
        pid = answer[1]
        while True:
            try:
                status = read_frame(sock)
                break
            except KeyboardInterrupt:
                # the check runs in the server's process: interrupt it there, then wait for it
                # to say how it ended
                try:
                    os.kill(pid, 2)
                except OSError:
                    pass
        if status is None or status[0] != b"X":
            sys.stderr.write("shiplint: the resident server stopped before the check ended "
                             "(run again with SHIPLINT_SERVER=off to check in this process)\n")
            return 2
        return status[1]
    finally:
        sock.close()


def start_in_background() -> None:
    """Start a server for this installation, detached, for the next command (this one is
    checked in its own process meanwhile).  The server's lock makes a second start a no-op."""
    try:
        spawn_server()
    except OSError:
        pass


def main() -> None:
    argv = sys.argv[1:]
    if os.name == "posix" and not argv[:1] == ["server"]:
        mode = server_mode()
        if mode != "off":
            directory = runtime_dir()
            private = private_dir(directory)
            if private:
                path = socket_path(directory)
                if os.path.exists(path):
                    code = request(argv, path)
                    if code is not None:
                        sys.exit(code)
            # a directory another user could enter is never served from: no server to start
            if mode == "auto" and (private or not os.path.lexists(directory)):
                start_in_background()
    from shiplint.cli import main as run_here
    run_here(argv)


if __name__ == "__main__":  # pragma: no cover
    main()
