"""Answers of external tools kept between the runs a resident server forks.

Some checks ask another program (ShellCheck) a question whose answer depends only on the
question and the program: the same script and options, the same binary, the same comments.  A
pre-commit hook asks the same questions commit after commit, and starting the program costs more
than the rest of a one-file check.  The resident server names a directory private to its user
(see :mod:`shiplint.resident`); while one is set, such answers are kept there, one file per
question, named by a hash of everything the answer depends on.  A plain run sets none and keeps
nothing: nothing is written to disk behind a CI job's back.
"""

from __future__ import annotations

import json
import os

_directory: str | None = None
#: files kept at most; the server removes the oldest beyond it while idle
LIMIT = 4096


def use(directory: str | None) -> None:
    """Keep answers in ``directory`` (created private to this user), or nowhere (None)."""
    global _directory
    if directory is not None:
        import hashlib  # noqa: F401  loaded now, in the server, not in each command's fork

        os.makedirs(directory, mode=0o700, exist_ok=True)
    _directory = directory


def active() -> bool:
    return _directory is not None


def _path(namespace: str, key) -> str | None:
    if _directory is None:
        return None
    import hashlib

    digest = hashlib.sha256(json.dumps([namespace, key], ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()
    return os.path.join(_directory, f"{namespace}-{digest}.json")


def get(namespace: str, key):
    """The answer kept for ``key`` (any JSON-serialisable value), or None."""
    path = _path(namespace, key)
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def put(namespace: str, key, answer) -> None:
    """Keep ``answer`` (JSON-serialisable) for ``key``; a failure to write only costs speed."""
    path = _path(namespace, key)
    if path is None:
        return
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(answer, fh)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass


def prune(directory: str, limit: int = LIMIT) -> None:
    """Remove the oldest answers beyond ``limit`` files (least recently written first)."""
    try:
        entries = [e for e in os.scandir(directory) if e.is_file(follow_symlinks=False)]
    except OSError:
        return
    if len(entries) <= limit:
        return
    entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime_ns)
    for e in entries[:len(entries) - limit // 2]:
        try:
            os.unlink(e.path)
        except OSError:
            pass
