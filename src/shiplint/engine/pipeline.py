"""The engine: collect → check each input → fold → cross-resource rules → map renders back →
suppressions and filters → report.

The engine is the one place that knows every layer: it asks ``inputs`` what to check, hands each
input to a :class:`~shiplint.engine.checker.Checker` (which parses or renders it and runs the
rules of its target), folds the per-input values, runs the project-wide rules over everything
scanned together, then stamps fingerprints, applies suppressions, ``per-file-ignores`` and the
baseline, and sorts the findings deterministically (path, line, column, code)."""

from __future__ import annotations

import hashlib
import os

from shiplint.core.errors import UsageError
from shiplint.core.findings import Finding
from shiplint.core.fsutil import is_inside
from shiplint.engine.checker import OUTSIDE_LINK, Checker
from shiplint.engine.options import Notification, Options, Report
from shiplint.engine.parallel import map_inputs, parallel_jobs
from shiplint.engine.result import FileResult
from shiplint.core.paths import display_path, matches_any, walk
from shiplint.inputs.discovery import Input, classify_name
from shiplint.registry.selection import RuleMatcher, finding_matches, select_rules, severity_levels

#: Files that make collect() group inputs into Helm charts and kustomizations (the helm and
#: kustomize modules are imported only when one of these is met).
_RENDER_FILE_NAMES = frozenset({"Chart.yaml", "kustomization.yaml", "kustomization.yml", "Kustomization"})


def fingerprint(code: str, path: str, subject: str, message: str) -> str:
    h = hashlib.sha256(f"{code}\x00{path}\x00{subject or message}".encode("utf-8", "replace"))
    return h.hexdigest()[:32]


def checked_files(inputs: list[Input], rendered: dict) -> list[str]:
    """The files a run checked, each once: a chart or a kustomization counts as the files it
    rendered from (several overlays share a base), as its findings are counted by file."""
    out: dict[str, None] = {}
    for i in inputs:
        if i.report:
            out.update(dict.fromkeys(rendered.get(i.display) or [i.display]))
    return list(out)


class Engine:
    def __init__(self, options: Options, plugins=None) -> None:
        from shiplint.plugins import Plugins

        self.options = options
        self.plugins = plugins or Plugins(disabled=options.disabled_plugins)
        self.all_rules = self.plugins.rules()
        if options.policy_dirs:  # policy rules join the plugins' rules before selection
            from shiplint.registry.policies import with_policies

            self.all_rules = with_policies(self.all_rules, options.policy_dirs)
        self.rules = select_rules(self.all_rules, options.select, options.extend_select, options.ignore)
        self.levels = severity_levels(self.all_rules, options.severity)
        self.root = os.path.abspath(options.root)
        self.checker = Checker(options, self.rules, self.all_rules, self.levels, self.root,
                               self.plugins.pod_template_paths())
        #: what the last run read and parsed (files, bytes, documents…), for the hidden --stats
        self.stats: dict = {}

    @property
    def by_target(self) -> dict:
        return self.checker.by_target

    # -- inputs ----------------------------------------------------------------------------
    def collect(self, paths: list[str]) -> list[Input]:
        inputs: list[Input] = []
        seen: set[str] = set()
        opts = self.options

        base = os.path.abspath(opts.config_dir) if opts.config_dir else self.root

        def excluded(abspath: str) -> bool:
            return bool(opts.exclude) and matches_any(display_path(abspath, base).rstrip("/"), opts.exclude)

        for raw in paths:
            if raw == "-":
                name = opts.stdin_filename or "-"
                kind = self._classify(name) if opts.stdin_filename else None
                inputs.append(Input(name if opts.stdin_filename else "<stdin>", None, kind, explicit=True))
                continue
            abspath = os.path.abspath(raw)
            if os.path.isdir(abspath):
                for f in walk(abspath, excluded):
                    if f in seen:
                        continue
                    disp = display_path(f, self.root)
                    kind = self._classify(disp)
                    if kind is None or excluded(f):
                        continue
                    if os.path.islink(f) and not is_inside(f, (abspath, self.root)):
                        kind = OUTSIDE_LINK
                    seen.add(f)
                    inputs.append(Input(disp, f, kind))
            else:
                if abspath in seen:
                    continue
                seen.add(abspath)
                disp = display_path(abspath, self.root)
                if excluded(abspath) and os.path.exists(abspath):
                    continue
                inputs.append(Input(disp, abspath, self._classify(disp), explicit=True))
        # cross-resource context: a file given on its own is checked together with the
        # manifests of its directory and kustomization, which are consulted but not reported on
        if self.by_target.get("project") and any(i.explicit and i.kind == "yaml" for i in inputs):
            from shiplint.inputs.context import context_inputs

            inputs.extend(context_inputs(inputs, seen, self.root, self._classify, excluded))
        # a chart directory (Chart.yaml) or a kustomization becomes one input that is rendered;
        # the files they hold or list are not linted on their own
        if any(i.abspath and os.path.basename(i.abspath) in _RENDER_FILE_NAMES for i in inputs):
            from shiplint.inputs.render import helm, kustomize

            # kustomization trees are read only from the scanned directories and the root
            tops = {self.root} | {os.path.realpath(p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)))
                                  for p in paths if p != "-"}
            self.checker.tops = tuple(sorted(tops))
            inputs = kustomize.group_inputs(helm.group_inputs(inputs, self.root), self.root, self.checker.tops)
            # a chart or kustomization the user named (its directory or its file) that cannot
            # render stops the run now (exit 2); one met in a directory walk is an SL007 finding
            named = {os.path.abspath(p) for p in paths if p != "-"}
            for inp in inputs:
                if inp.kind in ("helm-chart", "kustomize") and inp.abspath:
                    d = inp.abspath if inp.kind == "helm-chart" else os.path.dirname(inp.abspath)
                    if d in named or os.path.join(d, "Chart.yaml") in named or inp.abspath in named:
                        inp.explicit = True
                        if inp.kind == "helm-chart" and self.checker.renders_needed():
                            helm.preflight(inp.abspath, inp.display, opts)
        if (opts.helm_values or opts.helm_set) and not opts.chart_dir \
                and not any(i.kind == "helm-chart" for i in inputs):
            # "-f sarif" is the output option of hadolint and Trivy: silently ignoring it as a
            # values file would hide the mistake
            given = "-f/--values" if opts.helm_values else "--set"
            raise UsageError(f"{given} is for Helm chart renders, and no chart is scanned here"
                             + (" (the report format is chosen with --format)" if opts.helm_values else ""))
        return inputs

    def _classify(self, display: str) -> str | None:
        name = display.rsplit("/", 1)[-1]
        if name == "Kustomization":  # the extension-less kustomization file name
            return "yaml"
        return self.plugins.classify(display, name) or classify_name(name)

    # -- running -----------------------------------------------------------------------------
    def run(self, paths: list[str], stdin_text: str | bytes | None = None, progress=None) -> Report:
        return self.run_inputs(self.collect(paths), stdin_text, progress)

    def run_inputs(self, inputs: list[Input], stdin_text: str | bytes | None = None, progress=None) -> Report:
        """Check collected inputs; one whose ``text`` is set is read from it, not from its file
        (the fixer re-checks the text it has fixed before writing it)."""
        for inp in inputs:
            if inp.abspath is None:
                inp.text = stdin_text if stdin_text is not None else ""
        total = self.check_inputs(inputs, progress)
        total.findings.extend(self.check_project(total.resources, total.notifications))
        return self.finish(self.postprocess(total, inputs), checked_files(inputs, total.checked))

    def check_inputs(self, inputs: list[Input], progress=None) -> FileResult:
        """Per-input work, folded in input order: parse or render, and the single-subject rules.
        ``progress(done, total)`` is called after each input."""
        total = FileResult()
        jobs = parallel_jobs(self.options.jobs, inputs)
        if jobs > 1:
            for r in self.rules.values():  # rule modules loaded lazily: once here, not per worker
                try:
                    getattr(r.check, "load", lambda: None)()
                except Exception:
                    pass  # reported as a rule failure where it runs
            results = map_inputs(self.checker, inputs, jobs)
        else:
            results = map(self.checker.check_input, inputs)
        for done, result in enumerate(results, 1):
            total += result
            if progress is not None:
                progress(done, len(inputs))
        self.stats = total.stats
        return total

    def check_project(self, resources: list, notifications: list) -> list[Finding]:
        """The cross-resource rules, over every resource scanned together."""
        if not self.by_target.get("project") or not resources:
            # nothing to relate: a Dockerfile-only run imports no Kubernetes model
            return []
        from shiplint.inputs.context import kustomize_patch_paths
        from shiplint.model.k8s.index import ResourceIndex

        index = ResourceIndex(resources, kustomize_patch_paths(resources, self.root))
        return self.checker.run_rules("project", index, "", None, notifications)

    def postprocess(self, total: FileResult, inputs: list[Input]) -> tuple[list[Finding], list[Notification]]:
        """Findings and notifications as reported: not on context-only inputs, moved from renders
        to the files that define them, suppressions and ``per-file-ignores`` applied."""
        findings, notifications = total.findings, total.notifications
        if any(n.kind == "unavailable" for n in notifications):  # "ShellCheck is missing": once per run
            seen: set[str] = set()
            notifications = [n for n in notifications if n.kind != "unavailable" or not (n.message in seen or seen.add(n.message))]
        context_only = {i.display for i in inputs if not i.report}
        if context_only:  # consulted by cross-resource rules, not reported on
            findings = [f for f in findings if f.path not in context_only]
            notifications = [n for n in notifications if n.path not in context_only]
        if total.renders:
            from shiplint.inputs.render.origin import remap_findings

            remap_findings(findings, total.renders)
        if any("scenario" in f.properties for f in findings):
            from shiplint.inputs.render.scenarios import name_scenarios

            name_scenarios(findings)
        if total.renders:
            from shiplint.inputs.render.values_trace import name_values

            name_values(findings)
        matcher = RuleMatcher(self.all_rules)
        if total.suppressions is not None:
            findings = total.suppressions.apply(findings, matcher, self.rules, self.checker.core)
        if self.options.per_file_ignores:
            findings = [f for f in findings if not self._per_file_ignored(f, matcher)]
        return findings, notifications

    def _per_file_ignored(self, f: Finding, matcher: RuleMatcher) -> bool:
        rule = self.all_rules.get(f.code)
        if rule is None:
            return False
        base = os.path.abspath(self.options.config_dir) if self.options.config_dir else self.root
        rel = display_path(os.path.join(self.root, f.path), base)
        for glob, tokens in self.options.per_file_ignores.items():
            if any(finding_matches(t, rule, f.properties) for t in tokens) and matches_any(rel, [glob]):
                return True
        return False

    def finish(self, processed: tuple[list[Finding], list[Notification]], files: list[str]) -> Report:
        findings, notifications = processed
        seen: dict[str, int] = {}
        findings.sort(key=Finding.sort_key)
        for f in findings:
            base = fingerprint(f.code, f.path, f.subject, f.message)
            n = seen.get(base, 0)
            seen[base] = n + 1
            f.fingerprint = base if n == 0 else f"{base}:{n}"
        if self.options.baseline:  # known findings are left out
            from shiplint.engine.baseline import filter_findings

            findings = filter_findings(findings, self.options.baseline, self.root)
        return Report(findings, self.rules, notifications, files, self.root)

