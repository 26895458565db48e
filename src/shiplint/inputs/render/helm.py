"""Helm: render chart directories offline and map rendered documents back to their templates.

Two ways in:

* a chart directory (``shiplint check charts/api``, or a walk that meets a ``Chart.yaml``) is
  rendered with ``helm template`` — temporary ``HELM_*`` homes, no plugins, no post-renderer,
  no ``helm dependency update``, no cluster, a timeout — and its ``templates/``, ``charts/``
  and ``crds/`` files are never linted as plain YAML;
* a render (``helm template … | shiplint check -`` or a committed rendered file) is recognised
  by its ``# Source: <chart>/templates/<file>`` comments; the chart is the ``--chart`` directory
  or the one in the working tree whose ``Chart.yaml`` has that name.

Each rendered document gets an ``origin``: the template file and the part of it (between
``---`` lines) that produced the document; :mod:`shiplint.inputs.render.origin` then finds the offending
key in the template text.  Nothing from the scanned tree is executed: templates are data for
helm.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
from functools import partial

from shiplint.inputs.discovery import Input, display_path, walk
from shiplint.core.errors import UsageError
from shiplint.core.findings import Location, Region
from shiplint.inputs.render.origin import (Rendered, RenderFailed, locate_in_template, locate_through_includes,
                                          named_templates, stable_name, template_name, walk_template)
from shiplint.inputs.render.sandbox import RENDER_TIMEOUT

DEFAULT_RELEASE = "release-name"
LABEL = "helm template"

_SOURCE_RE = re.compile(r"^# Source: (\S.*?)\s*$")
_SEPARATOR_RE = re.compile(r"^---(?:\s|$)")
_TOP_KIND_RE = re.compile(r"^kind:\s*[\"']?([A-Za-z0-9_.-]+)[\"']?\s*(?:#.*)?$")
_TOP_START_RE = re.compile(r"^(?:apiVersion|kind)\s*:")
#: Files of a chart directory that are chart data, not manifests.
CHART_SUBDIRS = ("templates", "charts", "crds")
#: A chart's own files at its top (helm reads them as the chart's metadata and values).
_CHART_FILE_RE = re.compile(r"^(?:Chart\.(?:yaml|lock)|requirements\.(?:yaml|lock)|values(?:[._-][^/]*)?\.ya?ml)$")


def is_chart_file(name: str) -> bool:
    """Whether a file at the top of a chart directory is the chart's own (``Chart.yaml``,
    ``Chart.lock``, ``requirements.yaml``, ``values*.yaml``).  Any other file there — a manifest,
    a Dockerfile — is not part of the chart and is linted as what it is: a ``Chart.yaml``
    (a library chart, or one without templates) must not hide the files beside it.  A
    ``.helmignore`` pattern does not hide a file either: it is the scanned tree's own say."""
    return bool(_CHART_FILE_RE.match(name))


class RenderError(Exception):
    """helm (or kustomize) could not render; the message is the tool's, trimmed."""


class CannotRender(UsageError):
    """This machine cannot render the chart (helm missing, dependencies not vendored): exit 2
    for a chart the user named, an SL007 warning for one met in a directory walk."""


# -- finding helm and charts -----------------------------------------------------------------


def which(name: str) -> str | None:
    """``name`` on PATH, skipping relative entries (``.``, ``bin``): with the scanned repository
    as working directory they would run a ``helm`` committed in it."""
    dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and os.path.isabs(d)]
    return shutil.which(name, path=os.pathsep.join(dirs)) if dirs else None


def find_helm(options) -> str | None:
    if options.helm_bin:
        path = options.helm_bin
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.abspath(path)
        return shutil.which(path)
    return which("helm")


def read_small(path: str, limit: int = 1 << 20) -> str | None:
    """The text of a regular file of at most ``limit`` bytes, else None (a FIFO or
    ``/dev/zero`` named ``Chart.yaml`` or listed by a kustomization must not hang the run)."""
    from shiplint.core.fsutil import read_regular

    try:
        return read_regular(path, limit).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def special_file(top: str, root: str) -> str | None:
    """The first file below ``top`` (symlinks resolved, symlinked directories not entered) that
    is not a regular file — a FIFO, a device, a socket — as a path relative to ``root``.  helm
    and kustomize read every file they are pointed at and would block on a FIFO."""
    import stat

    for current, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(current, d))]
        for name in files:
            path = os.path.join(current, name)
            try:
                mode = os.stat(path).st_mode
            except OSError:
                continue  # dangling link: the renderer reports it
            if not stat.S_ISREG(mode):
                return display_path(path, root)
    return None


def read_chart_yaml(chart_dir: str) -> dict:
    """``Chart.yaml`` as plain data ({} when unreadable)."""
    from shiplint.sources.yamlsrc import parse_yaml_stream

    text = read_small(os.path.join(chart_dir, "Chart.yaml"))
    if text is None:
        return {}
    docs = parse_yaml_stream(text)
    for doc in docs:
        data = getattr(doc, "data", None)
        if isinstance(data, dict):
            return data
    return {}


def chart_dependencies(chart_dir: str) -> list[dict]:
    deps = read_chart_yaml(chart_dir).get("dependencies")
    if not isinstance(deps, list):  # apiVersion v1 charts keep them in requirements.yaml
        from shiplint.sources.yamlsrc import parse_yaml_stream

        text = read_small(os.path.join(chart_dir, "requirements.yaml"))
        docs = parse_yaml_stream(text) if text is not None else []
        data = getattr(docs[0], "data", None) if docs else None
        deps = data.get("dependencies") if isinstance(data, dict) else None
    return [d for d in deps or () if isinstance(d, dict) and isinstance(d.get("name"), str)]


def missing_dependencies(chart_dir: str) -> list[str]:
    """Declared dependencies not vendored under ``charts/`` (as a directory or an archive);
    helm refuses to render without them and shiplint never fetches them."""
    charts = os.path.join(chart_dir, "charts")
    present: set[str] = set()
    archives: list[str] = []
    try:
        entries = sorted(os.listdir(charts))
    except OSError:
        entries = []
    for entry in entries:
        full = os.path.join(charts, entry)
        if os.path.isdir(full):
            name = read_chart_yaml(full).get("name")
            present.add(name if isinstance(name, str) else entry)
        elif entry.endswith((".tgz", ".tar.gz")):
            archives.append(entry)
    missing = []
    for dep in chart_dependencies(chart_dir):
        name = dep["name"]
        if name in present or any(a.startswith(name + "-") for a in archives):
            continue
        missing.append(name)
    return missing


class ChartIndex:
    """Charts of the working tree by name (for renders that name their chart in ``# Source:``)."""

    def __init__(self, root: str, explicit: str | None = None) -> None:
        self.root = root
        self.explicit = explicit
        self._by_name: dict[str, list[str]] | None = None

    def by_name(self) -> dict[str, list[str]]:
        if self._by_name is None:
            out: dict[str, list[str]] = {}
            for f in walk(self.root):
                if os.path.basename(f) == "Chart.yaml":
                    d = os.path.dirname(f)
                    name = read_chart_yaml(d).get("name")
                    if isinstance(name, str):
                        out.setdefault(name, []).append(d)
            for dirs in out.values():  # the shallowest first (a chart before vendored copies)
                dirs.sort(key=lambda d: (d.count(os.sep), d))
            self._by_name = out
        return self._by_name

    def resolve(self, source: str, chart_dir: str | None = None) -> str | None:
        """The file in the tree that ``# Source: api/charts/db/templates/x.yaml`` names."""
        parts = [p for p in source.split("/") if p]
        if len(parts) < 2 or ".." in parts:
            return None
        rest = parts[1:]
        tops = [chart_dir] if chart_dir else []
        if self.explicit and self.explicit != chart_dir:
            tops.append(self.explicit)
        for top in tops:  # the chart rendered (or given with --chart): its name may differ
            cand = os.path.join(top, *rest)
            if os.path.isfile(cand):
                return cand
        # the chart by name, then each subchart in the path by name (vendored as an archive in the
        # render, but present in the tree as its own chart)
        for i in range(0, len(parts) - 1, 2):
            name = parts[i]
            tail = parts[i + 1:]
            if i and parts[i - 1] != "charts":
                continue
            for d in self.by_name().get(name, ()):
                cand = os.path.join(d, *tail)
                if os.path.isfile(cand):
                    return cand
        return None


# -- collecting inputs -------------------------------------------------------------------------


def group_inputs(inputs: list[Input], root: str, options=None) -> list[Input]:
    """Turn each chart directory met (a ``Chart.yaml``) into one ``helm-chart`` input and drop
    the chart's own files (templates, subcharts, CRDs, values) from plain YAML linting.
    With ``options``, a chart that cannot be rendered (no helm, dependencies not vendored)
    is a :class:`UsageError` now, before anything else is rendered (the engine passes none and
    preflights only the charts the user named)."""
    charts = []
    for inp in inputs:
        if inp.abspath and os.path.basename(inp.abspath) == "Chart.yaml":
            charts.append(os.path.dirname(inp.abspath))
    if not charts:
        return inputs
    chart_set = set(charts)

    def owner(path: str) -> str | None:
        """The chart whose data ``path`` is (the outermost one)."""
        found = None
        d = os.path.dirname(path)
        while True:
            if d in chart_set:
                rel = os.path.relpath(path, d).split(os.sep)
                if rel[0] in CHART_SUBDIRS or (len(rel) == 1 and is_chart_file(rel[0])):
                    found = d
            parent = os.path.dirname(d)
            if parent == d:
                return found
            d = parent

    out: list[Input] = []
    added: set[str] = set()
    for inp in inputs:
        if inp.abspath is None or inp.kind not in ("yaml", None):  # a Dockerfile is never chart data
            out.append(inp)
            continue
        top = owner(inp.abspath)
        if top is None:
            out.append(inp)
            continue
        if top in added:
            continue
        added.add(top)
        out.append(Input(display_path(top, root), top, "helm-chart", explicit=inp.explicit))
        if options is not None:
            preflight(top, display_path(top, root), options)
    return out


def chart_files(chart_dir: str, root: str) -> list[str]:
    """The display paths of a chart's own files (those :func:`group_inputs` takes from plain
    linting): what a run reports as checked for the chart, since findings land on them."""
    out = []
    for f in walk(chart_dir):
        rel = os.path.relpath(f, chart_dir).split(os.sep)
        if len(rel) == 1 or rel[0] in CHART_SUBDIRS:
            out.append(display_path(f, root))
    return out


def plain_manifests(chart_dir: str) -> list[str]:
    """The YAML files of a chart's ``templates/`` and ``crds/`` (its subcharts' included) that
    hold no template action: they render to themselves, so when the chart cannot be rendered
    they are linted directly (the templated ones are covered by the render failure's report).
    Symlinks leaving the chart are left out; files are read bounded, regular only."""
    from shiplint.core.fsutil import is_inside
    from shiplint.inputs.discovery import classify_name
    from shiplint.inputs.reading import looks_like_template

    out = []
    for f in walk(chart_dir):
        parts = os.path.relpath(f, chart_dir).split(os.sep)
        if not any(p in ("templates", "crds") for p in parts[:-1]) or classify_name(parts[-1]) != "yaml":
            continue
        if not is_inside(f, (chart_dir,)):
            continue
        text = read_small(f, 50 << 20)
        if text is not None and not looks_like_template(text):
            out.append(f)
    return out


# -- rendering ----------------------------------------------------------------------------------


def run_tool(argv: list[str], what: str, root: str | None = None, limit: int | None = None,
             trees: list[str] | None = None, timeout: float | None = None, shared=None) -> str:
    """Run a renderer in a sandbox (:mod:`shiplint.inputs.render.sandbox`): on a private copy of
    ``trees`` (the directories it reads: a chart, a kustomization and its bases; by default the
    directories ``argv`` names, with the bases of a kustomization among them), offline, bounded,
    with nothing left running.  Returns its standard output, or raises :class:`RenderError`
    (whose message names paths relative to ``root``, never the sandbox).  The output goes to a
    file first: a render larger than ``limit`` bytes (``max-file-size``) is stopped and refused
    without being read into memory (a ``range`` over a huge list).  ``shared``: a
    :class:`~shiplint.inputs.render.sandbox.TreeCopy` of the trees, made once for the renders
    of one chart."""
    from shiplint.inputs.render import sandbox

    timeout = RENDER_TIMEOUT if timeout is None else timeout  # the module setting as it is now

    def shown(path: str) -> str:
        return display_path(path, root) if root else path

    if trees is None:
        trees = sandbox.render_trees(argv, root or os.getcwd())
    with sandbox.Sandbox(shared) as box:
        tmp = box.dir
        try:
            box.copy(trees)
            if box.refused:
                raise sandbox.SandboxError(f"{shown(box.refused[0])} is a symbolic link to a directory "
                                           "outside the tree")
            args = argv[:1] + [box.argument(a, trees) for a in argv[1:]]
        except sandbox.SandboxError as exc:
            raise RenderError(f"{what} not run: {exc}") from None
        except OSError as exc:
            raise RenderError(f"{what} not run: cannot copy the tree: {exc.strerror or exc}") from None
        out_path, err_path = os.path.join(tmp, ".stdout"), os.path.join(tmp, ".stderr")
        try:
            with open(out_path, "wb") as out, open(err_path, "wb") as errf:
                code = sandbox.run(args, tmp, sandbox.tool_env(tmp, argv[0]), out, errf, timeout=timeout,
                                   file_size=limit + 1 if limit is not None else None)
        except sandbox.Timeout:
            raise RenderError(f"{what} did not finish within {timeout:g} s") from None
        except OSError as exc:
            raise RenderError(f"{what} could not be run: {exc.strerror or exc}") from None
        with open(err_path, "rb") as fh:
            stderr = fh.read(65536)
        size = os.path.getsize(out_path)
        if limit is not None and size > limit:
            raise RenderError(f"{what} output is over the {limit}-byte limit (max-file-size); not read")
        if code == 0:
            with open(out_path, "rb") as fh:
                stdout = fh.read()
        else:
            err = stderr.decode("utf-8", "replace").strip()
            if code == 127 and err.startswith(sandbox.EXEC_FAILED):
                raise RenderError(f"{what} could not be run: {err[len(sandbox.EXEC_FAILED):].strip()}")
            if "out of memory" in err or "cannot allocate memory" in err.lower():
                raise RenderError(f"{what} ran out of memory (limit: {sandbox.MEMORY_LIMIT >> 20} MiB of address space)")
            if code == 128 + getattr(signal, "SIGXCPU", 24):
                raise RenderError(f"{what} used more than {RENDER_TIMEOUT} s of CPU time")
            err = box.unmap(err)
            for t in {p for d in box.temporary_dirs for p in (d, os.path.realpath(d))}:
                err = err.replace(t, "<tmp>")
            err = re.sub(r"\s+", " ", err)
            err = re.sub(r"^E\d{4} [\d:.]+ +\d+ \S+\] \"command failed\" err=", "", err)  # kubectl's log prefix
            if root:
                err = err.replace(root.rstrip(os.sep) + os.sep, "")
                err = _relative_paths(err, root)  # no absolute path of this machine
            message = f"{what} failed: {err[:500] or f'exit status {code}'}"
            if box.dropped:  # what the renderer may have missed
                left = ", ".join(shown(p) for p in box.dropped[:3]) + (", …" if len(box.dropped) > 3 else "")
                message += f" (left out of the copy the renderer saw, as links leaving the tree or special files: {left})"
            raise RenderError(message)
    return stdout.decode("utf-8", "replace")


_ABS_PATH_RE = re.compile(r"(?<![\w.~/-])(/[^\s'\"`:,;()\[\]{}<>]+)")


def _relative_paths(text: str, root: str) -> str:
    """Absolute paths in a tool's message (files outside ``root``, such as a kustomize base in
    another directory) rewritten relative to ``root``."""

    def rel(m: re.Match) -> str:
        path = m.group(1)
        top = path.split("/", 2)[1] if path.count("/") >= 1 else ""
        if not top or not os.path.isdir(os.sep + top):  # not a path of this machine (a URL part…)
            return path
        return display_path(path, root)

    return _ABS_PATH_RE.sub(rel, text)


def preflight(chart_dir: str, display: str, options) -> str:
    """The helm binary to render ``chart_dir`` with; :class:`UsageError` (exit 2) when helm is
    missing or the chart's dependencies are not vendored."""
    helm = find_helm(options)
    if helm is None:
        raise CannotRender(
            f"{display}: rendering this Helm chart needs helm, which was not found"
            + (f" at {options.helm_bin!r}" if options.helm_bin else " on PATH")
            + " (install helm, pass --helm-bin, or --exclude the chart)")
    missing = missing_dependencies(chart_dir)
    if missing:
        raise CannotRender(
            f"{display}: chart dependencies not vendored under charts/: {', '.join(missing)} "
            f"(run 'helm dependency build {display}' first; shiplint renders offline)")
    return helm


def render_chart(chart_dir: str, display: str, options, root: str | None = None,
                 timeout: float | None = None, shared=None) -> str:
    """``helm template`` of ``chart_dir``; ``shared``: the copy of the chart its other renders
    use (see :func:`run_tool`)."""
    helm = preflight(chart_dir, display, options)
    argv = [helm, "template", options.release_name or DEFAULT_RELEASE, chart_dir, "--include-crds"]
    if options.namespace:
        argv += ["--namespace", options.namespace]
    for values in options.helm_values:
        if not os.path.isfile(values):
            raise UsageError(f"values file {values!r} not found")
        argv += ["--values", os.path.abspath(values)]
    for s in options.helm_set:
        argv += ["--set", s]
    return run_tool(argv, f"helm template {display}", root, getattr(options, "max_file_size", None),
                    timeout=timeout, shared=shared)


# -- mapping renders to templates ---------------------------------------------------------------


def has_source_comments(text: str) -> bool:
    return text.startswith("# Source: ") or "\n# Source: " in text


def source_lines(text: str) -> list[tuple[int, str]]:
    """``(line, source)`` of each ``# Source:`` comment (1-based lines), and ``(line, "")`` for
    each ``---`` (a document boundary that ends the previous source)."""
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        m = _SOURCE_RE.match(line)
        if m:
            out.append((i, m.group(1)))
        elif _SEPARATOR_RE.match(line):
            out.append((i, ""))
    return out


def _sections(lines: list[str]) -> list[tuple[int, int, str | None]]:
    """``(lo, hi, kind)`` of each ``---``-separated part of a template (0-based, hi exclusive);
    ``kind`` is the literal top-level kind, ``""`` when templated, ``None`` when absent."""
    bounds = [-1] + [i for i, line in enumerate(lines) if _SEPARATOR_RE.match(line)] + [len(lines)]
    out = []
    for a, b in zip(bounds, bounds[1:]):
        lo, hi = a + 1, b
        kind = None
        for i in range(lo, hi):
            if lines[i].startswith("kind:"):
                m = _TOP_KIND_RE.match(lines[i])
                kind = m.group(1) if m and "{{" not in lines[i] else ""
                break
        out.append((lo, hi, kind))
    return out


def _resource_start(lines: list[str], lo: int, hi: int) -> int:
    for i in range(lo, hi):
        if _TOP_START_RE.match(lines[i]):
            return i
    for i in range(lo, hi):
        s = lines[i].strip()
        if s and not s.startswith(("#", "{{")):
            return i
    return lo


class _Defines:
    """The named templates of a chart and of its subcharts (Helm shares one namespace of
    names between them), read once, when a finding first needs them."""

    def __init__(self, chart_dir: str, root: str) -> None:
        self.chart_dir, self.root = chart_dir, root
        self._found: dict | None = None

    def __call__(self) -> dict:
        if self._found is None:
            from shiplint.core.fsutil import is_inside

            files = []
            for f in walk(self.chart_dir):
                parts = os.path.relpath(f, self.chart_dir).split(os.sep)
                if "templates" not in parts[:-1] or not is_inside(f, (self.chart_dir,)):
                    continue
                text = read_small(f, 1 << 20)
                if text is not None and "define" in text:
                    files.append((display_path(f, self.root), text.splitlines()))
            self._found = named_templates(files)
        return self._found


def _chart_top(path: str) -> str | None:
    """The outermost chart a template file belongs to (a subchart's parent, whose templates
    share its named templates)."""
    d = os.path.dirname(path)
    while os.path.basename(d) != "templates":
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent
    top = os.path.dirname(d)
    while (os.path.basename(os.path.dirname(top)) == "charts"
           and os.path.isfile(os.path.join(os.path.dirname(os.path.dirname(top)), "Chart.yaml"))):
        top = os.path.dirname(os.path.dirname(top))
    return top


class _Templates:
    def __init__(self, root: str) -> None:
        self.root = root
        self._cache: dict[str, tuple[list[str], list] | None] = {}

    def get(self, path: str):
        if path not in self._cache:
            text = read_small(path, 50 << 20)  # regular files only, bounded
            if text is None:
                self._cache[path] = None
            else:
                lines = text.splitlines()
                self._cache[path] = (lines, _sections(lines))
        return self._cache[path]


def annotate(resources, text: str, index: ChartIndex, root: str, chart_dir: str | None = None) -> None:
    """Fill each rendered resource's ``origin`` from the ``# Source:`` comments."""
    marks = source_lines(text)
    templates = _Templates(root)
    seen: dict[tuple[str, str], int] = {}
    resolved: dict[str, str | None] = {}
    defines: dict[str, _Defines] = {}
    for res in sorted(resources, key=lambda r: (r.region.line, r.region.column)):
        start = res.region.line
        source = ""
        for line, src in reversed(marks):
            if line < start:
                source = src
                break
        if not source:
            continue
        if source not in resolved:
            resolved[source] = index.resolve(source, chart_dir)
        path = resolved[source]
        origin = {"type": "helm", "source": source, "file": None}
        res.origin = origin
        if path is None:
            continue
        tpl = templates.get(path)
        if tpl is None:
            continue
        lines, sections = tpl
        key = (source, res.kind)
        j = seen.get(key, 0)
        seen[key] = j + 1
        literal = [s for s in sections if s[2] == res.kind]
        if literal:
            lo, hi, _ = literal[min(j, len(literal) - 1)]
        else:
            templated = [s for s in sections if s[2] in ("", None) and any(x.strip() for x in lines[s[0]:s[1]])]
            lo, hi, _ = templated[0] if templated else (0, len(lines), None)
        origin.update(file=display_path(path, root), lines=lines, lo=lo, hi=hi,
                      start=_resource_start(lines, lo, hi),
                      value_is_expression=partial(value_is_expression, lines, lo, hi),
                      stable_name=stable_name(res.name, template_name(lines, lo, hi)))
        top = chart_dir or _chart_top(path)
        if top is not None:
            if top not in defines:
                defines[top] = _Defines(top, root)
            origin["defines"] = defines[top]


def value_is_expression(lines: list[str], lo: int, hi: int, path: tuple) -> bool:
    """Whether the rendered value at ``path`` (keys and list indexes) comes from a template
    expression rather than from literal text of the template: its key is generated (``range``,
    ``toYaml``), or its value holds ``{{ … }}`` (on the key's line or in the block below it).
    Rules ask it through :meth:`shiplint.model.k8s.model.Resource.from_template_expression`."""
    from shiplint.inputs.render.origin import Item

    steps = tuple(Item(s, None) if isinstance(s, int) else s for s in path)
    key = locate_in_template(lines, lo, hi, steps, "key") if steps else None
    if key is None or key.line != key.end_line:
        return True
    text = lines[key.line - 1]
    if text[key.column - 1 : key.end_column - 1] != str(path[-1]):
        return True  # the deepest literal key is a parent: this one is generated
    if "{{" in text[key.end_column - 1 :]:
        return True
    indent = key.column - 1
    for line in lines[key.line : hi]:
        if not line.strip():
            continue
        if len(line) - len(line.lstrip()) <= indent:
            break
        if "{{" in line:
            return True
    return False


def locate(res, path: tuple, part: str) -> Location | None:
    o = res.origin
    if not o or o.get("type") != "helm" or not o.get("file"):
        return None
    lines, lo, hi = o["lines"], o["lo"], o["hi"]
    from shiplint.inputs.render.origin import Item

    value = res.get(tuple(s.index if isinstance(s, Item) else s for s in path)) if part == "value" else None
    region = None
    if path:
        walked = walk_template(lines, lo, hi, path, part, value, res.data)
        defines = o.get("defines")
        if walked.found < len(path) and defines is not None:
            # a node written by a named template (``include "app.container"``): its line in the
            # file that defines it, when that is certain; else the include line's key
            found = locate_through_includes(lines, lo, hi, path, part, defines(), value, res.data, walked=walked)
            if found is not None:
                return Location(found[0], found[1])
        region = walked.region
    if region is None:
        i = o["start"]
        text = lines[i].rstrip() if i < len(lines) else ""
        region = Region(i + 1, 1, i + 1, max(1, len(text)) + (1 if text else 0))
    return Location(o["file"], region)


# -- what the engine calls ------------------------------------------------------------------------


def render_input(inp: Input, options, root: str, index: ChartIndex, shared=None):
    """Render a chart directory: a :class:`Rendered` whose findings land on the templates, a
    :class:`RenderFailed`, or ``None`` for a library chart (it renders nothing by design; its
    named templates are checked through the charts that include them).  A chart the user named
    that cannot be rendered here raises :class:`CannotRender`.  ``shared``: the copy of the
    chart its other renders use (see :func:`run_tool`)."""
    chart_dir = inp.abspath
    chart_yaml = display_path(os.path.join(chart_dir, "Chart.yaml"), root)
    if read_chart_yaml(chart_dir).get("type") == "library":
        return None
    special = special_file(chart_dir, root)
    if special is not None:  # never hand helm a FIFO or a device
        return RenderFailed(f"chart not rendered: {special} is not a regular file (a FIFO, socket or device)", chart_yaml)
    try:
        text = render_chart(chart_dir, inp.display, options, root, shared=shared)
    except CannotRender as exc:
        if inp.explicit:
            raise
        return RenderFailed(f"chart not rendered: {exc}", chart_yaml, "warning")
    except RenderError as exc:
        return RenderFailed(str(exc), chart_yaml)
    # the rendered positions are shown on the chart directory (a CI scenario's display names its
    # values file too, which is no path)
    return Rendered(f"{inp.display} ({LABEL})", text, display_path(chart_dir, root), LABEL,
                    Location(chart_yaml, Region(1, 1)), locate,
                    lambda resources: annotate(resources, text, index, root, chart_dir))


def rendered_stream(inp: Input, text: str, options, root: str, index: ChartIndex) -> Rendered:
    """A helm render given on standard input or as a file: findings map to its chart."""
    chart_dir = None
    if options.chart_dir:
        chart_dir = os.path.abspath(options.chart_dir)
        if not os.path.isfile(os.path.join(chart_dir, "Chart.yaml")):
            raise UsageError(f"--chart {options.chart_dir!r}: no Chart.yaml there")
    fallback = None
    if inp.abspath is None and not options.stdin_filename:
        # standard input without a name: unmapped findings go to the chart, when there is one
        top = chart_dir
        if top is None:
            names = {m[1].split("/", 1)[0] for m in source_lines(text) if m[1]}
            dirs = [d for n in names for d in index.by_name().get(n, ())[:1]]
            top = dirs[0] if len(dirs) == 1 else None
        if top is not None:
            fallback = Location(display_path(os.path.join(top, "Chart.yaml"), root), Region(1, 1))
    return Rendered(inp.display, text, inp.display, LABEL, fallback, locate,
                    lambda resources: annotate(resources, text, index, root, chart_dir))
