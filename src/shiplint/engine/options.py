"""What a run is asked to do (:class:`Options`) and what it returns (:class:`Report`,
:class:`Notification`): the types reporters, the configuration and the CLI share with the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from shiplint.core.findings import LEVEL_RANK, Finding, Region

DEFAULT_MAX_FILE_SIZE = 50 * 1024 * 1024


@dataclass
class Options:
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    rule_options: dict[str, dict] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    #: the repository root: every path in the output is relative to it
    root: str = "."
    stdin_filename: str | None = None
    disabled_plugins: set[str] = field(default_factory=set)
    # configuration, suppressions and baselines
    strict: bool = False
    baseline: str | None = None
    #: directory of the configuration file: ``exclude`` and ``per-file-ignores`` globs are
    #: relative to it (default: ``root``)
    config_dir: str | None = None
    policy_dirs: list[str] = field(default_factory=list)
    #: the options of the files below a directory when a nested configuration file governs
    #: them: ``scope_for(directory)`` returns those options, or None for these ones
    scope_for: Callable[[str], Options | None] | None = None
    #: Compose projects read together, as ``docker compose -f a -f b`` would (absolute paths)
    compose_projects: list[list[str]] = field(default_factory=list)
    # Helm and Kustomize rendering
    chart_dir: str | None = None
    helm_bin: str | None = None
    helm_values: list[str] = field(default_factory=list)
    helm_set: list[str] = field(default_factory=list)
    release_name: str | None = None
    namespace: str | None = None
    kustomize_bin: str | None = None
    #: also render each ``ci/*-values.yaml`` scenario of a chart (the chart-testing convention)
    helm_ci_values: bool = True
    #: name the values key behind a finding on a chart render (one more render per chart render)
    helm_values_trace: bool = True
    #: target Kubernetes version of the KV rules ("1.29"); None: the newest bundled schemas
    kubernetes_version: str | None = None
    # performance and progress
    jobs: int = 1
    progress: bool = False


@dataclass
class Notification:
    """Something the run could not do (a file it could not read, a rule that failed).

    ``kind``: ``notice``, ``render-error``, ``unavailable`` (a rule could not run here: a tool
    it needs is missing or failed; said once per run), or ``internal-error`` (a bug in shiplint
    or a plugin: the run still reports every other finding, and exits 2)."""

    message: str
    level: str = "error"
    path: str | None = None
    region: Region | None = None
    kind: str = "notice"


@dataclass
class Report:
    findings: list[Finding]
    rules: dict
    notifications: list[Notification] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    root: str = "."

    def active(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed]

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "note": 0}
        for f in self.active():
            out[f.level] = out.get(f.level, 0) + 1
        return out

    def exceeds(self, threshold: str) -> bool:
        if threshold == "never":
            return False
        limit = LEVEL_RANK[threshold]
        return any(LEVEL_RANK[f.level] >= limit for f in self.active())

    @property
    def internal_errors(self) -> list[Notification]:
        return [n for n in self.notifications if n.kind == "internal-error"]
