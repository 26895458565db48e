"""The value one input's check returns, and the fold that adds them up.

Everything an input produces travels in its :class:`FileResult`: findings, the resources the
cross-resource rules need, notifications, render origin maps, inline suppressions, statistics.
A run is the fold ``total += result`` over its inputs, in input order, whether the results come
from this process or from ``--jobs`` workers: no engine attribute is reset or merged by hand,
so a new kind of per-input data cannot be forgotten by the parallel path."""

from __future__ import annotations

from dataclasses import dataclass, field

STAT_KEYS = ("files", "bytes", "documents", "resources", "renders", "render_seconds")


@dataclass
class FileResult:
    findings: list = field(default_factory=list)
    #: Kubernetes resources, for the cross-resource rules (empty when none is selected)
    resources: list = field(default_factory=list)
    notifications: list = field(default_factory=list)
    #: origin maps of the renders made, by the path findings on the render carry
    renders: dict = field(default_factory=dict)
    #: inline suppressions (a SuppressionIndex), or None when the input has none
    suppressions: object = None
    #: findings of the kustomization rules, by kustomization file: a base that several overlays
    #: include is checked with each, and reported once per run (the first)
    kustomizations: dict = field(default_factory=dict)
    #: results of files a chart or kustomization that could not render had linted directly, by
    #: file: a base that several failing overlays include is linted once per run (the first)
    direct: dict = field(default_factory=dict)
    stats: dict = field(default_factory=lambda: dict.fromkeys(STAT_KEYS, 0))
    #: the repository files a render checked (a chart's templates and values, a kustomization
    #: tree's files), by the rendered input's display path: counted as the files checked, since
    #: that is where the render's findings land
    checked: dict = field(default_factory=dict)
    #: the text of each editable file whose resources are kept (a Source, by display path), for
    #: the fixes of the cross-resource rules; empty unless one of them can fix
    sources: dict = field(default_factory=dict)
    #: ``(rule code, path, resource, Deferred)``: hits the run computes in one batch after the
    #: inputs (see :class:`~shiplint.core.findings.Deferred`)
    pending: list = field(default_factory=list)

    def __iadd__(self, other: "FileResult") -> "FileResult":
        for key, found in other.kustomizations.items():
            if key not in self.kustomizations:
                self.kustomizations[key] = found
                self.findings.extend(found)
        for key, result in other.direct.items():
            if key not in self.direct:
                self.direct[key] = None  # the key is all a later fold needs
                if result is not None:
                    self += result
        self.findings.extend(other.findings)
        self.resources.extend(other.resources)
        self.notifications.extend(other.notifications)
        self.pending.extend(other.pending)
        self.renders.update(other.renders)
        self.checked.update(other.checked)
        self.sources.update(other.sources)
        if other.suppressions is not None:
            if self.suppressions is None:
                from shiplint.engine.suppressions import SuppressionIndex

                self.suppressions = SuppressionIndex()
            self.suppressions.merge(other.suppressions)
        for key, value in other.stats.items():
            self.stats[key] = self.stats.get(key, 0) + value
        return self
