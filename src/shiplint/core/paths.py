"""Repository paths: the relative form every output uses, the directory walk, glob matching."""

from __future__ import annotations

import fnmatch
import os

#: Directories never walked into.
SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "vendor", "third_party", "__pycache__",
        ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
        ".terraform", "bower_components", ".idea", ".vscode", ".eggs", "site-packages",
    }
)

def is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def display_path(abspath: str, root: str) -> str:
    """Repository-relative path with forward slashes; never an absolute path."""
    rel = os.path.relpath(abspath, root)
    return rel.replace(os.sep, "/")


def walk(directory: str, excluded=None):
    """Yield files below ``directory`` in a stable order, skipping vendored trees.

    Symlinked directories are not followed (no loops); symlinked files are returned."""
    stack = [directory]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name in SKIP_DIRS or is_virtualenv(entry.path):
                    continue
                if excluded and excluded(entry.path + "/"):
                    continue
                subdirs.append(entry.path)
            else:
                yield entry.path
        stack.extend(reversed(subdirs))


def matches_any(path: str, patterns) -> bool:
    """``fnmatch`` a repository-relative path against glob patterns (``**`` allowed)."""
    for pat in patterns:
        pat = pat.rstrip("/")
        if fnmatch.fnmatchcase(path, pat) or fnmatch.fnmatchcase(path, pat + "/*"):
            return True
        # "a/**/b" also matches "a/b": ``**`` stands for zero directories too, as in .gitignore
        if "/**/" in pat and fnmatch.fnmatchcase(path, pat.replace("/**/", "/")):
            return True
        if "/" not in pat and fnmatch.fnmatchcase(os.path.basename(path.rstrip("/")), pat):
            return True
        if pat.startswith("**/") and fnmatch.fnmatchcase(path, pat[3:]):
            return True
    return False


def _absolute_glob(pattern: str) -> bool:
    return pattern.startswith("/") or (len(pattern) > 2 and pattern[1] == ":" and pattern[2] == "/")


def matches_globs(abspath: str, base: str, patterns) -> bool:
    """:func:`matches_any` for the file ``abspath``, with the patterns relative to ``base``; a
    pattern anchored at an absolute directory (written in a configuration that another one
    extends) is matched against the absolute path instead."""
    relative = display_path(abspath, base)
    absolute = os.path.normpath(abspath).replace(os.sep, "/")
    return any(matches_any(absolute if _absolute_glob(p) else relative, [p]) for p in patterns)
