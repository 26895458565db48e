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
from shiplint.engine.checker import OUTSIDE_LINK, Batches, Checker
from shiplint.engine.options import Notification, Options, Report
from shiplint.engine.parallel import map_inputs, parallel_jobs, render_slots
from shiplint.engine.result import FileResult
from shiplint.core.paths import display_path, matches_globs, walk
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
        #: the files named one by one and the renders they feed (set by collect), else None
        self.changes = None
        #: a checker per nested configuration (keyed by the id of its options), made on first use
        self._scoped: dict[int, Checker] = {}

    # -- nested configurations -------------------------------------------------------------------
    def scope_options(self, abspath: str | None, is_dir: bool = False) -> Options:
        """The options of the file (or directory) ``abspath``: its closest configuration's."""
        lookup = self.options.scope_for
        if lookup is None or abspath is None:
            return self.options
        return lookup(abspath if is_dir else os.path.dirname(abspath)) or self.options

    def checker_for(self, abspath: str | None, is_dir: bool = False) -> Checker:
        opts = self.scope_options(abspath, is_dir)
        if opts is self.options:
            return self.checker
        checker = self._scoped.get(id(opts))
        if checker is None:
            rules = select_rules(self.all_rules, opts.select, opts.extend_select, opts.ignore)
            checker = Checker(opts, rules, self.all_rules, severity_levels(self.all_rules, opts.severity),
                              self.root, self.plugins.pod_template_paths())
            self._scoped[id(opts)] = checker
        checker.tops = self.checker.tops
        checker.scenarios = self.checker.scenarios
        checker.render_slots = self.checker.render_slots
        return checker

    def _input_checker(self, inp: Input) -> Checker:
        if inp.kind == "helm-chart":  # a chart input stands for its directory
            return self.checker_for(inp.abspath, is_dir=True)
        return self.checker_for(inp.abspath)

    @property
    def by_target(self) -> dict:
        return self.checker.by_target

    # -- inputs ----------------------------------------------------------------------------
    def collect(self, paths: list[str]) -> list[Input]:
        inputs: list[Input] = []
        seen: set[str] = set()
        opts = self.options


        def excluded(abspath: str) -> bool:
            scope = self.scope_options(abspath.rstrip("/"), is_dir=abspath.endswith("/"))
            if not scope.exclude:
                return False
            base = os.path.abspath(scope.config_dir) if scope.config_dir else self.root
            return matches_globs(abspath.rstrip("/"), base, scope.exclude)

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
        # files given one by one (pre-commit): each that a chart or kustomization renders stands
        # for that render, and the report keeps what the change concerns
        from shiplint.inputs.changed import expand

        inputs, self.changes = expand(inputs, self.root, excluded)
        self.checker.scenarios = self.changes.scenarios if self.changes is not None and self.changes.active else {}
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
        total.findings.extend(self.check_project(total.resources, total.notifications, total.sources))
        return self.finish(self.postprocess(total, inputs), checked_files(inputs, total.checked))

    def check_inputs(self, inputs: list[Input], progress=None) -> FileResult:
        """Per-input work, folded in input order: parse or render, and the single-subject rules.
        ``progress(done, total)`` is called after each input."""
        total = FileResult()
        if self.options.scope_for is not None:
            checkers = {id(c): c for c in map(self._input_checker, inputs)}
            if any(c.keep_resources for c in checkers.values()):
                # a cross-resource rule of one configuration relates the resources of every file
                for c in (self.checker, *self._scoped.values()):
                    c.keep_resources = True
        jobs = parallel_jobs(self.options.jobs, inputs)
        for c in (self.checker, *self._scoped.values()):
            c.render_slots = render_slots(self.options.jobs, jobs)
        if jobs > 1:
            for r in self.rules.values():  # rule modules loaded lazily: once here, not per worker
                try:
                    getattr(r.check, "load", lambda: None)()
                except Exception:
                    pass  # reported as a rule failure where it runs
            results = map_inputs(_Router(self), inputs, jobs)
        else:
            results = (self._input_checker(inp).check_input(inp) for inp in inputs)
        # a deferred hit is stamped under its own file's configuration, like those stamped at once
        batches = Batches(self.checker, self._path_checker if self.options.scope_for is not None else None)
        try:
            for done, result in enumerate(results, 1):
                total += result
                if total.pending:  # handed over at once: a batch may start its work while inputs remain
                    batches.add(total.pending)
                    total.pending = []
                if progress is not None:
                    progress(done, len(inputs))
            total.findings += batches.findings(total.notifications)
            if batches.processes:
                total.stats["tool_processes"] = batches.processes
        finally:
            batches.close()
        self.stats = total.stats
        return total

    def check_project(self, resources: list, notifications: list, sources: dict | None = None) -> list[Finding]:
        """The cross-resource rules, over every resource scanned together; ``sources`` (the
        files' texts, by display path) lets them build fixes."""
        if not resources or not any(c.by_target.get("project") for c in (self.checker, *self._scoped.values())):
            # nothing to relate: a Dockerfile-only run imports no Kubernetes model
            return []
        from shiplint.inputs.context import kustomize_patch_paths
        from shiplint.model.k8s.index import ResourceIndex

        index = ResourceIndex(resources, kustomize_patch_paths(resources, self.root))
        findings = self.checker.run_rules("project", index, "", None, notifications, sources=sources)
        if not self._scoped:
            return findings
        # under nested configurations, each file's findings come from its own configuration's
        # rules (and levels), run over every resource scanned together
        out = [f for f in findings if self._finding_checker(f) is self.checker]
        for checker in list(self._scoped.values()):
            if checker.by_target.get("project"):
                out += [f for f in checker.run_rules("project", index, "", None, notifications, sources=sources)
                        if self._finding_checker(f) is checker]
        return out

    def _finding_checker(self, f: Finding) -> Checker:
        return self._path_checker(f.path)

    def _path_checker(self, path: str | None) -> Checker:
        return self.checker_for(os.path.join(self.root, path)) if path else self.checker

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
        if self.changes is not None:
            findings = [f for f in findings if self.changes.keep(f)]
            notifications = [n for n in notifications if self.changes.keep_path(n.path)]
        nested = self.options.scope_for is not None
        if nested:
            # a finding a render moved into a file of another configuration (maybe one no input
            # of the run is governed by): that one's selection, and its level (it was stamped
            # under the configuration of the render's input); standard input keeps the run's
            # configuration, as its name is not a file's
            stdin = {i.display for i in inputs if i.abspath is None}
            kept = []
            for f in findings:
                checker = self.checker if f.path in stdin else self._finding_checker(f)
                rule = self.all_rules.get(f.code)
                if f.code in checker.rules and rule is not None:
                    f.level = checker.level(rule, f.properties)
                    kept.append(f)
            findings = kept
        matcher = RuleMatcher(self.all_rules)
        if total.suppressions is not None:
            findings = total.suppressions.apply(findings, matcher, self.rules, self.checker.core)
        if self.options.per_file_ignores or nested:
            findings = [f for f in findings if not self._per_file_ignored(f, matcher)]
        return findings, notifications

    def _per_file_ignored(self, f: Finding, matcher: RuleMatcher) -> bool:
        rule = self.all_rules.get(f.code)
        if rule is None:
            return False
        opts = self.scope_options(os.path.join(self.root, f.path)) if f.path else self.options
        base = os.path.abspath(opts.config_dir) if opts.config_dir else self.root
        abspath = os.path.join(self.root, f.path)
        for glob, tokens in opts.per_file_ignores.items():
            if any(finding_matches(t, rule, f.properties) for t in tokens) and matches_globs(abspath, base, [glob]):
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


class _Router:
    """Sends each input to the checker of its configuration (what ``--jobs`` workers call)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def check_input(self, inp: Input):
        return self.engine._input_checker(inp).check_input(inp)
