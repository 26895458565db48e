"""Finding the files to check and telling what each one is."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass

from shiplint.core.paths import display_path  # noqa: F401  (part of this module's interface)

#: Directories never walked into.
SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "vendor", "third_party", "__pycache__",
        ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
        ".terraform", "bower_components", ".idea", ".vscode", ".eggs", "site-packages",
    }
)

#: ``Dockerfile``, ``Dockerfile.prod``, ``Dockerfile-chroot``, ``Dockerfile_alpine``,
#: ``api.Dockerfile``/``api.dockerfile`` and the same with ``Containerfile`` (the ``-``
#: and ``_`` variants seen in public repositories).
_DOCKERFILE_RE = re.compile(
    r"^(?:Dockerfile|Containerfile)(?:[._-][^/]+)?$|^.+\.(?:Dockerfile|dockerfile|Containerfile|containerfile)$"
)


def classify_name(name: str) -> str | None:
    """``"dockerfile"``, ``"yaml"`` or ``None`` from a file's base name."""
    if name.endswith(".dockerignore"):  # BuildKit's per-Dockerfile ignore file
        return None
    if _DOCKERFILE_RE.match(name):
        return "dockerfile"
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    return None


@dataclass
class Input:
    """A file to check.  ``display`` is the repository-relative path used in every output."""

    display: str
    abspath: str | None  # None for standard input
    kind: str | None
    explicit: bool = False
    report: bool = True
    text: str | None = None  # preloaded content (standard input)


def is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


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
        if "/" not in pat and fnmatch.fnmatchcase(os.path.basename(path.rstrip("/")), pat):
            return True
        if pat.startswith("**/") and fnmatch.fnmatchcase(path, pat[3:]):
            return True
    return False
