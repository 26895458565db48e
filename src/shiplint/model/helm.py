"""A Helm chart directory as the chart rules see it: ``Chart.yaml``, its lock, ``values.yaml``,
the vendored subcharts and the layout, each file parsed with positions.

The chart is read as data, never rendered here (the engine renders it separately for the
resource rules).  Files are read bounded and only when regular (a FIFO named ``values.yaml``
must not hang the run).  A file that is missing or does not parse is ``None``: the render
reports a broken chart, the chart rules only judge what they can read.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from shiplint.core.errors import ParseError
from shiplint.core.findings import Region
from shiplint.core.fsutil import read_regular
from shiplint.sources.yamlsrc import YMap, YSeq, parse_yaml_stream

_LIMIT = 4 << 20

#: SemVer 2.0.0 exactly as semver.org gives it (no ``v`` prefix, three numeric parts, no
#: leading zeros); helm itself accepts more (``1.0``, ``v1.8.0``).
SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\Z")
#: One exact version as a dependency constraint (helm's constraint library reads ``1.2.3``,
#: ``=1.2.3`` and ``v1.2.3`` as "this version only"; ``1.2`` or ``1.2.x`` already mean a range).
_EXACT = re.compile(r"=?\s*v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?\Z")


@dataclass
class ChartFile:
    """One YAML file of the chart: its path as reported, its text, its first document."""

    path: str
    text: str
    data: object = None
    error: ParseError | None = None

    def raw(self, region: Region | None) -> str:
        """The source text of a one-line scalar (``version: 1.10`` reads 1.1 as YAML)."""
        if region is None or region.end_line != region.line:
            return ""
        lines = self.text.splitlines()
        if not 0 < region.line <= len(lines):
            return ""
        s = lines[region.line - 1][region.column - 1:region.end_column - 1].strip()
        if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
            s = s[1:-1]
        return s


@dataclass
class Dependency:
    """One entry of ``dependencies:`` (``Chart.yaml``, or ``requirements.yaml`` of a v1 chart)."""

    name: str
    entry: YMap
    file: ChartFile

    @property
    def version_text(self) -> str | None:
        if "version" not in self.entry or self.entry.get("version") is None:
            return None
        return self.file.raw(self.entry.value_region("version")) or str(self.entry["version"])

    @property
    def repository(self) -> str:
        repo = self.entry.get("repository")
        return repo if isinstance(repo, str) else ""

    @property
    def local(self) -> bool:
        """A ``file://`` dependency: a chart of the same repository, nothing to fetch or pin."""
        return self.repository.startswith("file://")

    @property
    def region(self) -> Region:
        return self.entry.key_region("name") or self.entry.region


def exact_version(text: str) -> bool:
    return bool(_EXACT.match(text.strip()))


@dataclass
class Chart:
    """A chart directory.  ``display`` is the directory as reported; files carry their own path."""

    dir: str
    display: str
    chart_yaml: ChartFile | None
    values: ChartFile | None = None
    lock: ChartFile | None = None
    requirements: ChartFile | None = None
    #: names of the subcharts vendored under ``charts/`` (directories by their Chart.yaml name,
    #: archives by file name)
    vendored_dirs: set = field(default_factory=set)
    vendored_archives: list = field(default_factory=list)
    has_tests: bool = False

    @property
    def meta(self) -> YMap:
        data = self.chart_yaml.data if self.chart_yaml else None
        return data if isinstance(data, YMap) else YMap()

    @property
    def is_library(self) -> bool:
        return self.meta.get("type") == "library"

    def dependencies(self) -> list[Dependency]:
        for f in (self.chart_yaml, self.requirements):
            data = f.data if f else None
            deps = data.get("dependencies") if isinstance(data, YMap) else None
            if isinstance(deps, YSeq):
                return [Dependency(d["name"], d, f) for d in deps
                        if isinstance(d, YMap) and isinstance(d.get("name"), str)]
        return []

    def locked(self) -> set:
        """Names (and aliases) the lock file pins."""
        data = self.lock.data if self.lock else None
        deps = data.get("dependencies") if isinstance(data, YMap) else None
        return {d["name"] for d in deps or () if isinstance(d, YMap) and isinstance(d.get("name"), str)}

    def vendored(self, name: str) -> bool:
        return name in self.vendored_dirs or any(a.startswith(name + "-") for a in self.vendored_archives)


def _read(path: str, shown: str) -> ChartFile | None:
    try:
        text = read_regular(path, _LIMIT).decode("utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    f = ChartFile(shown, text)
    for doc in parse_yaml_stream(text):
        if isinstance(doc, ParseError):
            f.error = f.error or doc
        elif f.data is None:
            f.data = doc.data
    return f


def _chart_name(chart_dir: str) -> str | None:
    f = _read(os.path.join(chart_dir, "Chart.yaml"), "Chart.yaml")
    name = f.data.get("name") if f and isinstance(f.data, YMap) else None
    return name if isinstance(name, str) else None


_TEST_HOOK = re.compile(r"helm\.sh/hook[\"']?\s*:\s*[\"']?[\w, -]*\btest\b")


def _any_file(top: str) -> bool:
    for _current, _dirs, files in os.walk(top):
        if files:
            return True
    return False


def _test_hook(templates: str) -> bool:
    """Whether a template anywhere under ``templates/`` carries the ``helm.sh/hook: test``
    annotation (charts that keep their tests outside ``templates/tests/``)."""
    for current, dirs, files in os.walk(templates):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(current, d))]
        for name in files:
            try:
                text = read_regular(os.path.join(current, name), _LIMIT).decode("utf-8", "replace")
            except OSError:
                continue
            if "helm.sh/hook" in text and _TEST_HOOK.search(text):
                return True
    return False


def build_chart(chart_dir: str, display: str) -> Chart:
    """Read the chart at ``chart_dir``; ``display`` is its path relative to the scan root."""

    def shown(name: str) -> str:
        return f"{display.rstrip('/')}/{name}" if display not in ("", ".") else name

    chart = Chart(chart_dir, display, _read(os.path.join(chart_dir, "Chart.yaml"), shown("Chart.yaml")))
    chart.values = _read(os.path.join(chart_dir, "values.yaml"), shown("values.yaml"))
    api_v1 = chart.meta.get("apiVersion") == "v1"
    for name in (("requirements.lock",) if api_v1 else ()) + ("Chart.lock",):
        chart.lock = chart.lock or _read(os.path.join(chart_dir, name), shown(name))
    if api_v1:
        chart.requirements = _read(os.path.join(chart_dir, "requirements.yaml"), shown("requirements.yaml"))
    charts = os.path.join(chart_dir, "charts")
    try:
        entries = sorted(os.listdir(charts))
    except OSError:
        entries = []
    for entry in entries:
        full = os.path.join(charts, entry)
        if os.path.isdir(full) and not os.path.islink(full):
            chart.vendored_dirs.add(_chart_name(full) or entry)
        elif entry.endswith((".tgz", ".tar.gz")):
            chart.vendored_archives.append(entry)
    tests = os.path.join(chart_dir, "templates", "tests")
    chart.has_tests = (os.path.isdir(tests) and _any_file(tests)) or _test_hook(os.path.join(chart_dir, "templates"))
    return chart
