"""A place to run helm and kustomize on a tree that may be hostile.

helm and kustomize read what they are pointed at and follow symbolic links: a chart that
commits ``passwd -> /etc/passwd`` and reads it with ``.Files.Get`` would put the file into the
render, and from there into every output.  So a renderer never sees the scanned tree itself:

* **A private copy.**  The directories to render (a chart, or a kustomization and the bases and
  components it includes) are copied into a temporary directory.  Directories and regular files
  are copied; a symbolic link is recreated only when it resolves inside one of the copied trees
  (then it points at the copy); any other link is left out of the copy, as are FIFOs, sockets
  and devices and ``.git`` directories.  A tree reached through a symbolic link that leaves the
  directory the trees share is not copied at all.  The renders of one chart (its CI scenarios,
  values tracing) read one copy of it (:class:`TreeCopy`), each with its own homes and output.
* **A minimal environment.**  Nothing is inherited: ``HOME``, the ``XDG_*`` and ``HELM_*``
  directories and ``TMPDIR`` are fresh directories of the sandbox, ``PATH`` holds only the
  directory of the renderer's resolved binary, ``LANG=C``.  Proxy variables point at a closed
  port and git is told to use no protocol at all (``GIT_ALLOW_PROTOCOL``), as a second line.
* **No network.**  The renderer runs in a new network namespace (nothing but a loopback
  interface that is down) and a new PID namespace, set up by a small launcher started with this
  Python (``unshare(2)`` through ctypes: directly as root, else inside a new user namespace).
  Where the kernel refuses both (not Linux, user namespaces disabled), the renderer runs
  without them and only the environment keeps it offline.
* **Bounded.**  The renderer gets ``RLIMIT_AS`` (address space), ``RLIMIT_CPU``,
  ``RLIMIT_FSIZE`` (its output file) and no core dumps, and a wall-clock timeout.
* **Nothing left behind.**  The launcher leads a new session; the renderer is PID 1 of its PID
  namespace, so the kernel ends every process it started when it exits, and the whole process
  group is killed when the render ends or times out.  The renderer and the launcher also die with
  shiplint (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
import time

from shiplint.core.procwait import wait_pidfd

#: Seconds a render may take (wall clock, and CPU seconds of the renderer).
RENDER_TIMEOUT = 120
#: Address space of a renderer.  Go reserves about 1 GiB of address space before it allocates
#: anything; the renders of the whole corpus need less than 250 MB of memory.
MEMORY_LIMIT = 2 << 30
#: What a tree to render may hold, in bytes and in directory entries.
COPY_LIMIT = 512 << 20
ENTRY_LIMIT = 100_000
#: A proxy on a port nothing listens on (the discard port of the loopback address).
NO_NETWORK_PROXY = "http://127.0.0.1:9"
#: Directories never copied: a repository's own metadata is no input of a render.
_SKIPPED_DIRS = frozenset({".git"})

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000


class SandboxError(Exception):
    """The tree cannot be handed to a renderer (too large, or reached through a symlink)."""


def _within(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


# -- the private copy -------------------------------------------------------------------------


class _Copier:
    """Copies trees into ``dest`` under the rules of the module docstring."""

    def __init__(self, dest: str, limit: int = COPY_LIMIT, entries: int = ENTRY_LIMIT) -> None:
        self.dest = dest
        self.limit = limit
        self.entries = entries
        self.size = 0
        self.count = 0
        #: (original, real, copy) of each tree copied, the longest original first
        self.trees: list[tuple[str, str, str]] = []
        #: paths (of the original trees) left out of the copy
        self.dropped: list[str] = []
        self.refused: list[str] = []

    def copy(self, trees) -> None:
        tops: list[str] = []
        for t in sorted({os.path.normpath(os.path.abspath(t)) for t in trees}):
            if not any(_within(t, u) for u in tops):
                tops.append(t)
        if not tops:
            return
        anchor = os.path.commonpath(tops)
        real_anchor = os.path.realpath(anchor)
        base = os.path.join(self.dest, os.path.basename(anchor) or "root")
        for t in tops:
            rel = os.path.relpath(t, anchor)
            real = os.path.normpath(os.path.join(real_anchor, rel))
            if not os.path.isdir(t) or os.path.realpath(t) != real:
                self.refused.append(t)  # a symlinked base: it would bring in another tree
                continue
            self.trees.append((t, real, os.path.normpath(os.path.join(base, rel))))
        self.trees.sort(key=lambda x: -len(x[0]))
        for t, real, copy in self.trees:
            self._tree(t, copy)

    def _copy_of_real(self, real: str) -> str | None:
        for _, r, copy in self.trees:
            if _within(real, r):
                return copy + real[len(r):]
        return None

    def _tree(self, src: str, dst: str) -> None:
        os.makedirs(dst, mode=0o755, exist_ok=True)
        stack = [(src, dst)]
        while stack:
            sdir, ddir = stack.pop()
            try:
                with os.scandir(sdir) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                self.count += 1
                if self.count > self.entries:
                    raise SandboxError(f"the tree to render holds more than {self.entries} files")
                target = os.path.join(ddir, entry.name)
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISLNK(st.st_mode):
                    self._link(entry.path, target)
                elif stat.S_ISDIR(st.st_mode):
                    if entry.name in _SKIPPED_DIRS:
                        continue
                    os.mkdir(target, 0o755)
                    stack.append((entry.path, target))
                elif stat.S_ISREG(st.st_mode):
                    self._file(entry.path, target)
                else:
                    self.dropped.append(entry.path)

    def _link(self, path: str, target: str) -> None:
        real = os.path.realpath(path)
        copy = self._copy_of_real(real) if os.path.exists(real) else None
        if copy is None:
            self.dropped.append(path)  # leaves the trees (or dangles): not in the copy
            return
        os.symlink(os.path.relpath(copy, os.path.dirname(target)), target)

    def _file(self, path: str, target: str) -> None:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(path, flags)
        except OSError:
            self.dropped.append(path)  # unreadable (or swapped for a link): the renderer says so
            return
        with os.fdopen(fd, "rb") as src:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self.dropped.append(path)
                return
            mode = (st.st_mode & 0o755) | 0o644
            with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as out:
                while True:
                    chunk = src.read(1 << 20)
                    if not chunk:
                        break
                    self.size += len(chunk)
                    if self.size > self.limit:
                        raise SandboxError(f"the tree to render holds more than {self.limit} bytes")
                    out.write(chunk)


# -- the environment ----------------------------------------------------------------------------


def tool_env(tmp: str, binary: str | None = None) -> dict:
    """The whole environment of a renderer (nothing inherited): its homes, caches and plugin
    directories inside ``tmp``, ``PATH`` with the resolved binary's directory only."""
    dirs = {sub: os.path.join(tmp, sub) for sub in ("cache", "config", "data", "plugins", "home", "tmp")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    env = {
        "HOME": dirs["home"],
        "TMPDIR": dirs["tmp"],
        "LANG": "C",
        "LC_ALL": "C",
        "PATH": os.path.dirname(os.path.realpath(binary)) if binary else os.defpath,
        "XDG_CACHE_HOME": dirs["cache"],
        "XDG_CONFIG_HOME": dirs["config"],
        "XDG_DATA_HOME": dirs["data"],
        "HELM_CACHE_HOME": dirs["cache"],
        "HELM_CONFIG_HOME": dirs["config"],
        "HELM_DATA_HOME": dirs["data"],
        "HELM_PLUGINS": dirs["plugins"],
        "HELM_REGISTRY_CONFIG": os.path.join(dirs["config"], "registry.json"),
        "HELM_REPOSITORY_CONFIG": os.path.join(dirs["config"], "repositories.yaml"),
        "HELM_REPOSITORY_CACHE": os.path.join(dirs["cache"], "repository"),
        "KUSTOMIZE_PLUGIN_HOME": dirs["plugins"],
        "KUBECONFIG": os.path.join(tmp, "no-kubeconfig"),
        # git (which kubectl runs for remote bases) may use no transport at all, ssh included
        "GIT_ALLOW_PROTOCOL": "none",
        "GIT_SSH_COMMAND": "false",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    # a render never needs the network; whatever honours proxies goes to a closed local port
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env[var] = NO_NETWORK_PROXY
    return env


# -- running ------------------------------------------------------------------------------------

#: The launcher: run with ``python -I -S -c``; argv is status file, memory, CPU seconds, file
#: size limit, then the renderer's command.  It isolates itself (namespaces), then forks the
#: renderer, which becomes PID 1 of the new PID namespace, applies the limits and execs.
_LAUNCHER = r"""
import ctypes, os, resource, signal, sys
status, mem, cpu, fsize = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
argv = sys.argv[5:]
try:
    libc = ctypes.CDLL(None, use_errno=True)
    unshare, prctl = libc.unshare, libc.prctl
except (OSError, AttributeError):
    unshare = prctl = None
if prctl is not None:
    prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: end with shiplint
isolated = ""
if unshare is not None:
    uid, gid = os.getuid(), os.getgid()
    if unshare(%(net)d | %(pid)d) == 0:
        isolated = "net pid"
    elif unshare(%(user)d | %(net)d | %(pid)d) == 0:
        try:
            for name, text in (("setgroups", "deny"), ("uid_map", "%%d %%d 1" %% (uid, uid)),
                               ("gid_map", "%%d %%d 1" %% (gid, gid))):
                with open("/proc/self/" + name, "w") as fh:
                    fh.write(text)
        except OSError:
            pass
        isolated = "user net pid"
if status != "-":
    with open(status, "w") as fh:
        fh.write(isolated)
pid = os.fork()
if pid == 0:
    try:
        if prctl is not None:
            prctl(1, signal.SIGKILL, 0, 0, 0)
        limits = [(resource.RLIMIT_CORE, 0, 0), (resource.RLIMIT_AS, mem, mem), (resource.RLIMIT_CPU, cpu, cpu + 5)]
        if fsize > 0:
            limits.append((resource.RLIMIT_FSIZE, fsize, fsize))
        for what, soft, hard in limits:
            try:
                resource.setrlimit(what, (soft, hard))
            except (ValueError, OSError):
                pass
        os.execv(argv[0], argv)
    except OSError as exc:
        os.write(2, ("shiplint-sandbox: " + (exc.strerror or str(exc)) + "\n").encode())
    os._exit(127)
while True:
    try:
        _, st = os.waitpid(pid, 0)
        break
    except InterruptedError:
        pass
code = os.waitstatus_to_exitcode(st)
os._exit(code if code >= 0 else 128 - code)
""" % {"net": _CLONE_NEWNET, "pid": _CLONE_NEWPID, "user": _CLONE_NEWUSER}

#: What the launcher writes on standard error when the renderer cannot be executed.
EXEC_FAILED = "shiplint-sandbox: "


class Timeout(Exception):
    pass


def run(argv: list[str], cwd: str, env: dict, stdout, stderr, *, timeout: float = RENDER_TIMEOUT,
        memory: int = MEMORY_LIMIT, file_size: int | None = None, status: str | None = None) -> int:
    """Run ``argv`` isolated as described above; its exit status (128+N for signal N).
    Raises :class:`Timeout` (the process group is killed) or ``OSError``."""
    if os.name != "posix" or not sys.executable:
        # no launcher (no fork, no namespaces): the limits and the network namespace are not
        # available; the environment still keeps the renderer offline
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise Timeout() from None
    cmd = [sys.executable, "-I", "-S", "-c", _LAUNCHER, status or "-", str(memory), str(int(timeout)),
           str(file_size or 0), *argv]
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                            start_new_session=True)
    try:
        exited = _wait_unreaped(proc.pid, timeout)
    finally:
        # the group goes before the launcher is reaped: its number cannot have been reused
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
    if not exited:
        raise Timeout()
    return proc.returncode


def _wait_unreaped(pid: int, timeout: float) -> bool:
    """Wait until process ``pid`` (a child) exits, without reaping it; False on timeout."""
    exited = wait_pidfd(pid, timeout)
    if exited is not None:
        return exited
    if not hasattr(os, "waitid"):  # pragma: no cover - not Linux
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        return True
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is not None:
                return True
        except ChildProcessError:
            return True
        now = time.monotonic()
        if now >= deadline:
            return False
        time.sleep(min(pause, deadline - now))
        pause = min(pause * 2, 0.05)


def isolation() -> str:
    """What the launcher achieves on this machine: ``"net pid"``, ``"user net pid"`` or ``""``
    (for the documentation and the tests)."""
    with tempfile.TemporaryDirectory(prefix="shiplint-probe-") as tmp:
        status = os.path.join(tmp, "status")
        try:
            run([sys.executable, "-I", "-S", "-c", "pass"], tmp, {}, subprocess.DEVNULL, subprocess.DEVNULL,
                timeout=30, status=status)
            with open(status) as fh:
                return fh.read().strip()
        except (OSError, Timeout):
            return ""


def render_trees(argv: list[str], root: str) -> list[str]:
    """The directories a renderer reads, from its command: each directory ``argv`` names and,
    for a kustomization, the directories of the bases and components it includes (as the
    kustomization reader finds them from ``root``, the scan's root)."""
    from shiplint.model.kustomization import KUSTOMIZATION_NAMES, load_tree

    out: list[str] = []
    for arg in argv[1:]:
        if not (os.path.isabs(arg) and os.path.isdir(arg)):
            continue
        out.append(arg)
        if any(os.path.isfile(os.path.join(arg, n)) for n in KUSTOMIZATION_NAMES):
            node = load_tree(arg, root)
            if node is not None:
                out.extend(os.path.dirname(n.file) for n in node.walk())
    return out


# -- the sandbox as a whole -----------------------------------------------------------------------


class TreeCopy:
    """One private copy of the trees to render, shared by several renders of them (a chart's
    default render, its CI scenarios and the perturbed renders of values tracing): the copy is
    made by the first render that asks for it and removed when the copy is closed.  The renders
    only read it (``helm template`` writes nothing into the chart it renders; each render has
    its own homes, temporary directory and output in a sandbox of its own).  Use as a context
    manager, once every render that shares it has ended."""

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._dir: str | None = None
        self._copier: _Copier | None = None
        self._key: tuple | None = None
        self._error: Exception | None = None

    def copier(self, trees) -> "_Copier | None":
        """The copier holding ``trees`` (copied on the first call; the copy's error raised again
        on each), or None when the copy holds other trees (the caller copies them itself)."""
        key = tuple(sorted({os.path.normpath(os.path.abspath(t)) for t in trees}))
        with self._lock:
            if self._key is None:
                self._key = key
                self._dir = tempfile.mkdtemp(prefix="shiplint-render-")
                self._copier = _Copier(os.path.join(self._dir, "tree"))
                try:
                    self._copier.copy(trees)
                except (SandboxError, OSError) as exc:
                    self._error = exc
            if key != self._key:
                return None
            if self._error is not None:
                raise self._error
            return self._copier

    @property
    def dir(self) -> str | None:
        return self._dir

    def close(self) -> None:
        import shutil

        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> "TreeCopy":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Sandbox:
    """A temporary directory holding the copy of the trees, the renderer's homes and its output.
    With ``shared``, the copy of the trees is that :class:`TreeCopy` (made once for several
    renders); the rest is this sandbox's own."""

    def __init__(self, shared: TreeCopy | None = None) -> None:
        self.dir = tempfile.mkdtemp(prefix="shiplint-render-")
        self._shared = shared
        self._copier = _Copier(os.path.join(self.dir, "tree"))

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        import shutil

        shutil.rmtree(self.dir, ignore_errors=True)

    def copy(self, trees) -> None:
        if self._shared is not None:
            copier = self._shared.copier(trees)
            if copier is not None:
                self._copier = copier
                return
        self._copier.copy(trees)

    @property
    def temporary_dirs(self) -> list[str]:
        """The temporary directories a renderer's message may name (this sandbox's, and the
        shared copy's)."""
        shared = self._shared.dir if self._shared is not None and self._copier is not None \
            and self._shared._copier is self._copier else None
        return [self.dir] + ([shared] if shared else [])

    @property
    def refused(self) -> list[str]:
        """Trees not copied: reached through a symbolic link leaving the directory they share."""
        return self._copier.refused

    @property
    def dropped(self) -> list[str]:
        """Entries of the trees left out of the copy (links leaving it, FIFOs…)."""
        return self._copier.dropped

    def argument(self, arg: str, trees) -> str:
        """``arg`` with a path inside one of ``trees`` replaced by its copy; :class:`SandboxError`
        for a path of a tree that was not copied."""
        if not os.path.isabs(arg):
            return arg
        norm = os.path.normpath(arg)
        for orig, _, copy in self._copier.trees:
            if _within(norm, orig):
                return copy + norm[len(orig):]
        if any(_within(norm, os.path.normpath(os.path.abspath(t))) for t in trees):
            raise SandboxError("reached through a symbolic link that leaves the tree; not rendered")
        return arg

    def unmap(self, text: str) -> str:
        """Paths of the copy in ``text`` (a renderer's message) turned back into the originals."""
        import re

        for orig, _, copy in self._copier.trees:
            for c in sorted({copy, os.path.realpath(copy)}, key=len, reverse=True):
                # whole path components only: the copy of ``a`` is no prefix of that of ``ab``
                text = re.sub(re.escape(c) + r"(?![^/\s'\"`:,;()\[\]{}<>])", lambda m: orig, text)
        return text
