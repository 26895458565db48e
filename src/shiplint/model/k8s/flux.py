"""Flux GitOps objects (``*.toolkit.fluxcd.io``) and what the Flux rules read from the
repository around them.

A Flux object is recognised by the group of its ``apiVersion``, never by its kind or file name:
a Flux ``Kustomization`` saved as ``kustomization.yaml`` is a Flux object, while
``kustomize.config.k8s.io`` files are kustomize's own.

The Flux rules resolve repository paths (a ``Kustomization``'s ``spec.path``, an
``ImageUpdateAutomation``'s ``spec.update.path``) from the scan root, which stands for the root
of the Git repository Flux reads.  Reads are bounded and confined to the scan root: a path that
leaves it, a symlink pointing out of it, a FIFO or a huge file is not read.
"""

from __future__ import annotations

import os
import re

from shiplint.core.fsutil import is_inside, read_regular
from shiplint.core.paths import walk

KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io"
HELM_GROUP = "helm.toolkit.fluxcd.io"
IMAGE_GROUP = "image.toolkit.fluxcd.io"
SOURCE_GROUP = "source.toolkit.fluxcd.io"
GROUPS = (KUSTOMIZE_GROUP, HELM_GROUP, IMAGE_GROUP, SOURCE_GROUP)

#: Files read below one path at most, and the largest file read (bytes): a repository is
#: usually far below both; beyond them the rules say nothing rather than guess.
MAX_FILES = 5000
MAX_FILE_BYTES = 2 << 20


def group_of(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def is_flux(resource, group: str, kind: str) -> bool:
    return resource.kind == kind and group_of(resource.api_version) == group


# -- versions ------------------------------------------------------------------------------------

_EXACT = re.compile(r"=?\s*v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")


def is_exact_version(version: str) -> bool:
    """An exact SemVer version (``1.2.3``, ``v1.2.3-rc.1``, ``=1.2.3``); a partial version
    (``1.2``) is a constraint that floats over patch releases."""
    return bool(_EXACT.fullmatch(version.strip()))


def substituted(value: str) -> bool:
    """A value Flux fills in at apply time (``${VERSION}`` post-build substitution) or an
    unrendered template: not judged."""
    return "${" in value or "{{" in value


# -- reading the repository ----------------------------------------------------------------------


def repository_root(root: str, display: str) -> str:
    """The root of the repository Flux reads, for an object of the file ``display``: the scan
    root when the file lies inside it, else (a directory scanned from elsewhere) the nearest
    directory above the file that holds ``.git``, else the scan root."""
    root = os.path.abspath(root)
    path = os.path.abspath(os.path.join(root, display)) if display else root
    if is_inside(path, (root,)):
        return root
    d = os.path.dirname(path)
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return root
        d = parent


def resolve(root: str, path) -> str | None:
    """The directory ``path`` (relative to the repository root ``root``, ``./`` allowed);
    ``None`` when it is not a string, leaves the root or is not a directory."""
    if not isinstance(path, str) or substituted(path):
        return None
    rel = path.strip().lstrip("/")
    target = os.path.normpath(os.path.join(root, rel or "."))
    if not is_inside(target, (root,)) or not os.path.isdir(target):
        return None
    return target


def texts_below(root: str, directory: str, suffixes=(".yaml", ".yml", ".json", ".env", ".ini")):
    """``(path relative to root, text)`` of the files below ``directory``, in a stable order;
    stops silently after :data:`MAX_FILES` files."""
    for n, path in enumerate(walk(directory)):
        if n >= MAX_FILES:
            return
        if not path.endswith(suffixes) or not is_inside(path, (root,)):
            continue
        try:
            text = read_regular(path, MAX_FILE_BYTES).decode("utf-8", "replace")
        except OSError:
            continue
        yield os.path.relpath(path, root).replace(os.sep, "/"), text


_SOPS_YAML = re.compile(r"(?m)^sops:\s*$")
_SOPS_MAC = re.compile(r"(?m)^\s+mac:\s*\S|\"mac\":\s*\"|^sops_mac=")


def is_sops_encrypted(text: str) -> bool:
    """Whether a file is SOPS-encrypted: ``ENC[…]`` values and the ``sops`` metadata (with its
    ``mac``) that SOPS writes in YAML, JSON, dotenv and INI files."""
    if "ENC[" not in text:
        return False
    return bool(_SOPS_MAC.search(text)) and (bool(_SOPS_YAML.search(text)) or '"sops"' in text or "sops_" in text)


_MARKER = re.compile(r"""\{\s*"\$imagepolicy"\s*:\s*"([^"]*)"\s*\}""")


def image_policy_markers(text: str) -> list[str]:
    """The ``NS:NAME`` each ``{"$imagepolicy": "NS:NAME[:tag|:name|:digest]"}`` marker names."""
    out = []
    for m in _MARKER.finditer(text):
        parts = m.group(1).split(":")
        out.append(":".join(parts[:2]))
    return out
