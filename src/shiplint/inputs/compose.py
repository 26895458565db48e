"""Which files Compose reads together, read from the tree.

A base file (``compose.yaml``, ``docker-compose.yml``…) is merged with the override file Compose
picks up beside it (``compose.override.yaml``, ``docker-compose.override.yml``); an override file
checked on its own is merged onto its base the same way, so that each file is judged as Compose
runs it.  Projects named in the configuration (``compose-projects``: lists of files, as
``docker compose -f a -f b``) take precedence; the first file's directory is the project's.  Sibling files are read only inside the scanned
tree, within the size limit; one that cannot be read or parsed is left out (it is reported when
it is checked itself)."""

from __future__ import annotations

import os
import posixpath
import re

from shiplint.core.errors import ParseError
from shiplint.core.fsutil import is_inside, read_regular
from shiplint.model.compose import (ComposeFile, ComposeProject, base_for_override, build_project, load_file,
                                    override_names, sibling_display)
from shiplint.sources.yamlsrc import YamlDocument, parse_yaml_stream

#: Names that Compose tooling gives to stack files deployed with ``docker stack deploy``.
_STACK_NAME = re.compile(r"(?i)^docker-stack[^/]*\.ya?ml$")


def first_document(docs: list) -> YamlDocument | None:
    """The document Compose reads: the first one that parsed."""
    return next((d for d in docs if isinstance(d, YamlDocument)), None)


def _read_sibling(abspath: str, display: str, root: str | None, limit: int) -> ComposeFile | None:
    if not os.path.isfile(abspath) or (root and not is_inside(abspath, [root])):
        return None
    try:
        text = read_regular(abspath, limit).decode("utf-8", "replace")
    except OSError:
        return None
    doc = first_document([d for d in parse_yaml_stream(text) if not isinstance(d, ParseError)])
    return load_file(display, doc.data) if doc is not None else None


def _configured(abspath: str, projects) -> list[str] | None:
    """The configured project (absolute paths, in order) that holds this file, if any."""
    here = os.path.normpath(abspath)
    for files in projects or ():
        if here in [os.path.normpath(f) for f in files]:
            return list(files)
    return None


def _display(path: str, root: str | None) -> str:
    rel = os.path.relpath(path, root) if root else path
    return rel.replace(os.sep, "/")


def load_project(inp, doc: YamlDocument | None, root: str | None, limit: int, projects=None) -> ComposeProject:
    """The project the input belongs to, its own file parsed already as ``doc``."""
    own = load_file(inp.display, doc.data if doc is not None else None)
    name = posixpath.basename(inp.display)
    stack = bool(_STACK_NAME.match(name))
    if inp.abspath is None:
        return build_project([own], None, root, stack)
    base_dir = os.path.dirname(inp.abspath)
    configured = _configured(inp.abspath, projects)
    if configured:
        files = []
        for path in configured:
            if os.path.normpath(path) == os.path.normpath(inp.abspath):
                files.append(own)
            else:
                sib = _read_sibling(path, _display(path, root), root, limit)
                if sib is not None:
                    files.append(sib)
        return build_project(files, os.path.dirname(configured[0]), root, stack)
    files = [own]
    for other in override_names(name):
        sib = _read_sibling(os.path.join(base_dir, other), sibling_display(inp.display, other), root, limit)
        if sib is not None:
            files.append(sib)
            break
    bases = base_for_override(name)
    for base in bases:
        sib = _read_sibling(os.path.join(base_dir, base), sibling_display(inp.display, base), root, limit)
        if sib is not None:
            files.insert(0, sib)
            break
    # an override with no base beside it only adds to services defined elsewhere: what it does
    # not set is not known to be missing
    return build_project(files, base_dir, root, stack, fragment=bool(bases) and len(files) == 1)
