"""Context for partial scans: what else a file given on its own must be checked with.

Pre-commit (and editors) hand shiplint individual files. A Service in ``svc.yaml`` is only
wrong if no workload anywhere matches its selector, and that workload usually sits in
``deploy.yaml`` next to it. So when a *file* is given, the cross-resource rules also consult:

* the other YAML manifests of the same directory;
* the raw resource files of every kustomization (``kustomization.yaml``, ``kustomization.yml``,
  ``Kustomization``) in its directory or a parent directory (up to the scan root or the
  repository's top) that includes the file, following ``resources``, ``bases`` and
  ``components`` entries into local files and directories recursively.

Those files are added as inputs with ``report=False``: they feed the project-wide index, but
their own findings (and notices) are dropped. Rendering charts and kustomizations is not done
here; the Helm/Kustomize layer can extend :func:`context_files`.
"""

from __future__ import annotations

import os

from shiplint.inputs.discovery import SKIP_DIRS, Input, classify_name, display_path
from shiplint.model.kustomization import (
    KUSTOMIZATION_NAMES, KNode, KustomizationReader, default_tops, kustomization_file,
)
#: Files of a chart or tooling that sit beside manifests but are not Kubernetes objects.
NOT_MANIFESTS = frozenset({"Chart.yaml", "values.yaml", "values.yml", ".pre-commit-config.yaml",
                           ".pre-commit-hooks.yaml", "skaffold.yaml", "docker-compose.yml",
                           "docker-compose.yaml", "compose.yaml", "compose.yml", "shiplint.yaml",
                           ".shiplint.yaml"}) | frozenset(KUSTOMIZATION_NAMES)
#: Bounds, so that a pathological tree cannot make a pre-commit run slow.
MAX_PARENT_LEVELS = 12
MAX_CONTEXT_FILES = 2000


def _is_manifest_name(name: str) -> bool:
    return classify_name(name) == "yaml" and name not in NOT_MANIFESTS


def sibling_manifests(directory: str) -> list[str]:
    """The YAML manifests directly in ``directory`` (sorted, absolute)."""
    try:
        with os.scandir(directory) as it:
            entries = sorted((e for e in it), key=lambda e: e.name)
    except OSError:
        return []
    out = []
    for e in entries:
        try:
            if e.is_file() and _is_manifest_name(e.name):
                out.append(os.path.abspath(e.path))
        except OSError:
            continue
    return out


def kustomization_files(kfile: str, reader: KustomizationReader) -> list[str]:
    """The raw resource files a kustomization includes, recursively (absolute paths).

    Remote entries and entries leading outside the reader's tree are skipped; so are patches
    and generators: they are not whole objects."""
    top = reader.load(os.path.dirname(os.path.abspath(kfile)))
    out: list[str] = []
    seen: set[str] = set()

    def visit(node: KNode) -> None:
        if node.file in seen:
            return
        seen.add(node.file)
        for entry in node.includes:
            if len(out) > MAX_CONTEXT_FILES:
                return
            if isinstance(entry, KNode):
                visit(entry)
            elif classify_name(os.path.basename(entry)) == "yaml":
                out.append(entry)

    if top is not None:
        visit(top)
    return out


def _stop_dirs(start: str, root: str | None):
    """``start`` and its parents, up to ``root`` (when below it) or the repository top."""
    current = os.path.abspath(start)
    root = os.path.abspath(root) if root else None
    inside_root = root is not None and (current == root or current.startswith(root.rstrip(os.sep) + os.sep))
    for _ in range(MAX_PARENT_LEVELS):
        yield current
        if inside_root and current == root:
            return
        if os.path.isdir(os.path.join(current, ".git")):
            return
        parent = os.path.dirname(current)
        if parent == current or os.path.basename(current) in SKIP_DIRS:
            return
        current = parent


def kustomize_patch_files(directories, root: str | None = None, levels: int = 2) -> set[str]:
    """Absolute paths of the files that kustomizations in ``directories`` (or up to ``levels``
    parents) use as patches: they hold partial objects, not resources to check as a whole."""
    out: set[str] = set()
    done: set[str] = set()
    readers: dict[tuple, KustomizationReader] = {}
    for d in directories:
        current = os.path.abspath(d)
        tops = default_tops(root or current, current)
        reader = readers.get(tops)
        if reader is None:
            reader = readers[tops] = KustomizationReader(root or current, tops)
        for _ in range(levels + 1):
            if current not in done:
                done.add(current)
                out.update(reader.patch_files(current))
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
    return out


def kustomize_patch_paths(resources, root: str) -> set[str]:
    """The paths (as resources carry them) of the scanned files that a nearby kustomization
    lists as patches; renders are not files and are left out."""
    base = os.path.abspath(root or ".")
    files: dict[str, str] = {}
    for r in resources:
        if r.path and not r.origin and r.path not in ("-", "<stdin>"):
            files.setdefault(os.path.normpath(os.path.join(base, r.path)), r.path)
    if not files:
        return set()
    patches = kustomize_patch_files({os.path.dirname(f) for f in files}, base)
    return {files[f] for f in patches & files.keys()}


def context_files(path: str, root: str | None = None) -> list[str]:
    """Files the cross-resource rules should consult when ``path`` is scanned on its own:
    the other manifests of its directory and the files of the kustomizations including it.
    ``path`` itself is never in the result."""
    path = os.path.abspath(path)
    directory = os.path.dirname(path)
    out: list[str] = []
    seen = {path}

    def add(f: str) -> None:
        if f not in seen and len(out) < MAX_CONTEXT_FILES:
            seen.add(f)
            out.append(f)

    for f in sibling_manifests(directory):
        add(f)
    base = root or directory
    reader = KustomizationReader(base, default_tops(base, directory))
    for d in _stop_dirs(directory, root):
        kfile = kustomization_file(d)
        if kfile is None:
            continue
        files = kustomization_files(kfile, reader)
        if path in files:
            for f in files:
                add(f)
    return out


def context_inputs(inputs: list[Input], seen: set, root: str, classify, excluded=None) -> list[Input]:
    """Context-only inputs (``report=False``) for the files given explicitly (and for standard
    input read under ``--stdin-filename``); ``seen`` holds the absolute paths already scanned
    and is updated."""
    out: list[Input] = []
    anchors = []
    for inp in inputs:
        if not inp.explicit or inp.kind != "yaml":
            continue
        if inp.abspath is not None:
            anchors.append(inp.abspath)
        elif inp.display not in ("<stdin>", "-"):
            anchor = os.path.abspath(os.path.join(root, inp.display))
            seen.add(anchor)  # its content comes from standard input
            anchors.append(anchor)
    for anchor in anchors:
        if not os.path.isdir(os.path.dirname(anchor)):
            continue
        for f in context_files(anchor, root):
            if f in seen or (excluded is not None and excluded(f)):
                continue
            seen.add(f)
            disp = display_path(f, root)
            kind = classify(disp)
            if kind != "yaml":
                continue
            out.append(Input(disp, f, kind, explicit=False, report=False))
    return out
