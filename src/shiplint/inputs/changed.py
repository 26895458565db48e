"""Changed files → what renders them, and which findings to report on a change.

pre-commit (and editors, and scripts listing what git says changed) hand shiplint the
files a commit touches, one by one.  Most of them are not objects on their own: a template, a
``values.yaml`` or ``_helpers.tpl`` only means something in its chart's render, a patch or a base
resource only in the overlays that include it.  :func:`expand` replaces each such file by what
renders it:

* a file of a chart — under ``templates/``, ``charts/`` or ``crds/``, a top-level chart file
  (``Chart.yaml``, ``Chart.lock``, ``values*.yaml``) or a ``ci/*-values.yaml`` scenario — by its
  chart: the nearest directory above it holding a ``Chart.yaml``, the outermost one when that
  chart is vendored under another chart's ``charts/``;
* a file a kustomization reads (resource, patch, component, generator data, or the
  kustomization file itself) by the top kustomizations that include it, following includers of
  includers: every kustomization of the repository is read (as data, by the one kustomization
  reader), and those nothing includes are rendered;
* any other file (a complete manifest, a Dockerfile, a workflow) is left as it is.

The search never leaves the repository: the nearest directory above the file holding ``.git``,
and never above the scan root (a file outside the scan root is not mapped).

Which findings are reported (:meth:`ChangeSet.keep`), once renders have been mapped back to
the files that define what they produce:

* every finding on a changed file (the template line, the patch line, the base resource line),
  or with a related location in one (a values line a finding names);
* for a chart a changed file belongs to, every finding on the chart's files: a value or a helper
  changes what any template produces, and the chart is the unit helm renders;
* for a kustomization, only those (and the ones on the render itself, such as a failed
  render): a finding the overlay places on an unchanged base file belongs to that file, which
  other overlays share; reporting it on every overlay commit would bury the change.

The renders themselves are the usual ones (offline, sandboxed helm and kustomize).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from shiplint.core.fsutil import is_inside
from shiplint.core.paths import display_path, walk
from shiplint.inputs.discovery import Input
from shiplint.model.kustomization import KUSTOMIZATION_NAMES, KustomizationReader

#: Directories of a chart whose files are chart data (as helm reads them).
_CHART_DATA_DIRS = ("templates", "charts", "crds")


def repository_root(path: str, root: str) -> str | None:
    """The nearest directory above ``path`` holding ``.git`` (a directory, or the file a
    worktree has), not above ``root``; ``root`` when there is none below it; None when ``path``
    lies outside ``root``."""
    root = os.path.abspath(root)
    if not is_inside(os.path.abspath(path), (root,)):
        return None
    d = os.path.dirname(os.path.abspath(path))
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if d == root or parent == d:
            return root
        d = parent


def _is_chart_top_file(name: str) -> bool:
    from shiplint.inputs.render.helm import is_chart_file

    return is_chart_file(name)


def owning_chart(path: str, area: str) -> str | None:
    """The chart directory whose render ``path`` feeds (see the module docstring), looking no
    higher than ``area``; None when it feeds none."""
    found = None
    d = os.path.dirname(path)
    while is_inside(d, (area,)):
        if os.path.isfile(os.path.join(d, "Chart.yaml")):
            rel = os.path.relpath(path, d).split(os.sep)
            scenario = len(rel) == 2 and rel[0] == "ci" and rel[1].endswith(("-values.yaml", "-values.yml"))
            if rel[0] in _CHART_DATA_DIRS or scenario or (len(rel) == 1 and _is_chart_top_file(rel[0])):
                found = d  # a subchart under charts/ renders through its parent: keep climbing
            elif found is None:
                return None  # a file beside a chart but not its data (a manifest, a Dockerfile)
        parent = os.path.dirname(d)
        if d == area or parent == d:
            break
        d = parent
    return found


class KustomizationGraph:
    """Every kustomization of a repository (read as data) and who includes what: built once per
    repository and run, on the first changed file that is not a chart's."""

    def __init__(self, area: str, excluded=None) -> None:
        self.area = area
        reader = KustomizationReader(area, (area,))
        #: kustomization file → the kustomization files that include it
        self.includers: dict[str, set[str]] = {}
        #: file → the kustomization files that read it (resource, patch, generator data…)
        self.readers: dict[str, set[str]] = {}
        self.kustomizations: set[str] = set()
        for f in walk(area, excluded):
            if os.path.basename(f) not in KUSTOMIZATION_NAMES or (excluded and excluded(f)):
                continue
            node = reader.load(os.path.dirname(f))
            if node is None or node.file != f:
                continue
            self.kustomizations.add(node.file)
            for child in node.children:
                self.includers.setdefault(child.file, set()).add(node.file)
            for used in node.consumed:
                self.readers.setdefault(used, set()).add(node.file)

    def tops_for(self, path: str) -> list[str]:
        """The kustomization files to render so that ``path`` is rendered: the ones that include
        it, directly or through includers, that nothing includes (sorted)."""
        start = set(self.readers.get(path, ()))
        if path in self.kustomizations:
            start.add(path)
        seen: set[str] = set()
        tops: set[str] = set()
        todo = list(start)
        while todo:
            k = todo.pop()
            if k in seen:
                continue
            seen.add(k)
            parents = self.includers.get(k)
            if parents:
                todo.extend(parents)
            else:
                tops.add(k)
        return sorted(tops)


@dataclass
class ChangeSet:
    """The changed files of a run and the renders they feed: the findings to report."""

    root: str
    #: display paths of the changed files
    files: set[str] = field(default_factory=set)
    #: display paths of the files of the charts a changed file belongs to
    chart_files: set[str] = field(default_factory=set)
    #: display-path prefixes of the renders a changed file feeds ("chart", "overlays/prod"), whose
    #: own findings (a failed render, an object no file defines) are reported
    renders: set[str] = field(default_factory=set)
    #: False when a directory was scanned as well: its findings are all reported
    active: bool = True
    #: chart directory → the CI scenario files (``ci/*-values.yaml``) of it that changed: the only
    #: scenarios rendered (each scenario is a render; the default values' one is always made)
    scenarios: dict[str, set[str]] = field(default_factory=dict)

    def _on_render(self, path: str) -> bool:
        """Whether ``path`` is a render's own (an object no file defines lands there)."""
        return any(path == r or path.startswith(f"{r} (") for r in self.renders)

    def _on_top(self, path: str) -> bool:
        """Whether ``path`` is the file of a rendered kustomization (a failed render is said there)."""
        return any(path in (f"{r}/{k}" for k in KUSTOMIZATION_NAMES) for r in self.renders)

    def keep_path(self, path: str | None) -> bool:
        """For notices: whether one on ``path`` concerns the change."""
        return (not self.active or path is None or path in self.files or path in self.chart_files
                or self._on_render(path) or self._on_top(path))

    def keep(self, finding) -> bool:
        path = finding.path
        if not self.active or path in self.files or path in self.chart_files or self._on_render(path):
            return True
        if finding.code == "SL007" and self._on_top(path):  # the render the change feeds failed
            return True
        return any(loc.path in self.files for loc in finding.related)


def expand(inputs: list[Input], root: str, excluded=None) -> tuple[list[Input], ChangeSet | None]:
    """The inputs with each explicitly named file that a chart or kustomization renders
    replaced by (the file that makes the engine render) that chart or kustomization, and the
    :class:`ChangeSet` to filter the findings with; ``(inputs, None)`` when no file was named."""
    named = [i for i in inputs if i.explicit and i.abspath and os.path.isfile(i.abspath)]
    if not named:
        return inputs, None
    root = os.path.abspath(root)
    # a directory scanned too (its files are not explicit) reports everything, as a scan does
    changes = ChangeSet(root, {i.display for i in inputs if i.explicit}, active=all(i.explicit for i in inputs))
    graphs: dict[str, KustomizationGraph] = {}
    replaced: dict[int, list[Input]] = {}  # input position → what takes its place
    added: set[str] = {i.abspath for i in inputs if i.abspath}
    for pos, inp in enumerate(inputs):
        if inp not in named or inp.kind in ("dockerfile", "ci"):  # never chart data nor kustomize's input
            continue
        area = repository_root(inp.abspath, root)
        if area is None:
            continue
        chart = owning_chart(os.path.abspath(inp.abspath), area)
        if chart is not None:
            from shiplint.inputs.render.helm import chart_files

            shown = display_path(chart, root)
            changes.renders.add(shown)
            changes.chart_files.update(chart_files(chart, root))
            changes.chart_files.update(display_path(f, root) for f in _scenario_files(chart))
            changed = changes.scenarios.setdefault(chart, set())
            if os.path.abspath(inp.abspath) in _scenario_files(chart):
                changed.add(os.path.abspath(inp.abspath))
            chart_yaml = os.path.join(chart, "Chart.yaml")
            out = []
            if chart_yaml not in added or chart_yaml == inp.abspath:
                added.add(chart_yaml)
                # not explicit: a chart that cannot render is an SL007 finding, not the end of the run
                out.append(Input(display_path(chart_yaml, root), chart_yaml, "yaml"))
            replaced[pos] = out
            continue
        graph = graphs.get(area)
        if graph is None:
            graph = graphs[area] = KustomizationGraph(area, excluded)
        tops = graph.tops_for(os.path.abspath(inp.abspath))
        if not tops:
            continue  # a complete manifest, a Dockerfile…: linted as it is
        out = [Input(inp.display, inp.abspath, inp.kind)] if inp.abspath not in tops else []
        for k in tops:
            changes.renders.add(display_path(os.path.dirname(k), root))
            if k not in added or k == inp.abspath:
                added.add(k)
                out.append(Input(display_path(k, root), k, "yaml"))
        # the changed file itself stays, unnamed: the kustomizations' grouping drops it when the
        # render reads it, and keeps it when kustomize reads it as data only (generator files)
        replaced[pos] = out
    if not replaced:
        return inputs, changes
    result: list[Input] = []
    for pos, inp in enumerate(inputs):
        result.extend(replaced.get(pos, [inp]))
    return result, changes


def _scenario_files(chart: str) -> list[str]:
    from shiplint.inputs.render.scenarios import scenario_files

    return scenario_files(chart)
