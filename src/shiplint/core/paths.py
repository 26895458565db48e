"""How a file of the scanned tree is named in every output."""

from __future__ import annotations

import os


def display_path(abspath: str, root: str) -> str:
    """Repository-relative path with forward slashes; never an absolute path."""
    rel = os.path.relpath(abspath, root)
    return rel.replace(os.sep, "/")
