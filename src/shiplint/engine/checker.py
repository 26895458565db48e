"""Checking one input: read it, parse it (or render it), run the rules of its target, and return
everything it produced as a :class:`~shiplint.engine.result.FileResult`.

A :class:`Checker` holds only what the whole run shares and never changes while it runs (the
options, the selected rules and their levels, the plugins' pod-template paths) plus caches of
the file system (the chart index): checking an input has no effect on checking another, which
is what lets ``--jobs`` run inputs in any process."""

from __future__ import annotations

import dataclasses
import os
import re
import time

from shiplint.core.errors import ParseError, RuleUnavailable
from shiplint.core.findings import Deferred, Finding, Hit, LEVEL_RANK, Location, MalformedRegion, Region, Source
from shiplint.engine.options import Notification
from shiplint.engine.result import FileResult
from shiplint.core.paths import display_path
from shiplint.inputs.discovery import Input
from shiplint.inputs.reading import (
    TooLarge, Unreadable, decode, in_chart_templates, looks_like_template, read_bytes, sniff,
)

#: Input kind of a symlinked file met in a directory walk whose target lies outside both the
#: walked directory and the root: reported (SL003), never read.
OUTSIDE_LINK = "outside-link"
RENDERED_KINDS = ("helm-chart", "kustomize")


class Context:
    """What a rule may consult besides its subject: options, the file, its neighbours."""

    def __init__(self, options, rule_options: dict, inp: Input | None = None) -> None:
        self.options = options
        self._rule_options = rule_options
        self.input = inp
        self.rule = None
        #: the text of the file being checked (a :class:`~shiplint.core.findings.Source`), for checks
        #: that build fixes; None on Helm and Kustomize renders, whose text is never edited
        self.source: Source | None = None
        #: for the cross-resource rules: the text of each editable file whose objects they read,
        #: by display path (see :meth:`source_of`)
        self.sources: dict[str, Source] = {}

    def source_of(self, path: str) -> Source | None:
        """The text of the file ``path`` for a cross-resource rule's fix: None for a render (a
        Helm or Kustomize render's objects carry the render's path, whose text is not kept), a
        template or a file whose fixes no rule makes."""
        return self.sources.get(path)

    def option(self, name: str, default=None):
        """A rule option from the configuration, else the rule's declared default."""
        code = self.rule.code if self.rule else ""
        for key in (code, self.rule.name if self.rule else ""):
            opts = self._rule_options.get(key)
            if opts and name in opts:
                return opts[name]
        if name in self._rule_options.get("*", {}):
            return self._rule_options["*"][name]
        if self.rule and name in self.rule.meta.options:
            return self.rule.meta.options[name].get("default", default)
        return default

    def sibling_path(self, name: str) -> str | None:
        """Absolute path of a file next to the one being checked (None for stdin)."""
        if self.input is None or self.input.abspath is None:
            return None
        return os.path.join(os.path.dirname(self.input.abspath), name)


class Checker:
    def __init__(self, options, rules: dict, all_rules: dict, levels: dict, root: str, pod_paths: dict) -> None:
        self.options = options
        self.rules = rules
        self.all_rules = all_rules
        self.levels = levels
        self.root = root
        self.pod_paths = pod_paths or None
        self.by_target: dict[str, list] = {}
        for r in rules.values():
            self.by_target.setdefault(r.target, []).append(r)
        #: resources travel back only when a cross-resource rule will read them
        self.keep_resources = bool(self.by_target.get("project"))
        #: and the files' texts only when such a rule can fix what it finds
        self.project_fixes = any(r.meta.autofix for r in self.by_target.get("project", ()))
        self._chart_index = None
        #: the directories kustomization trees may be read from (set by collect: the root and the
        #: scanned paths); None lets the reader fall back on the root
        self.tops: tuple | None = None
        #: chart directory → the CI scenarios to render (set by collect for files named one by one:
        #: those the change touches); a chart not in it renders them all
        self.scenarios: dict = {}
        #: renders of one chart that may run at once (set by the run: its --jobs shared between
        #: its worker processes); one renders them one after the other
        self.render_slots = 1

    # -- stamping ------------------------------------------------------------------------------
    def level(self, r, properties: dict) -> str:
        """The level of a finding of ``r`` under this checker's configuration (its ``severity``)."""
        return _finding_level(properties, r.level, self.levels.get(r.code) or r.level)

    def stamp(self, r, hit: Hit, path: str) -> Finding:
        return Finding(
            code=r.code,
            name=r.name,
            level=self.level(r, hit.properties),
            message=hit.message,
            path=hit.path or path,
            region=hit.region,
            subject=hit.subject,
            related=list(hit.related),
            properties=dict(hit.properties),
            resource=hit.resource or _subject_resource(hit.subject),
            fix=_stamp_fix(hit.fix, r.meta.autofix),
        )

    def core(self, code: str, message: str, path: str, region: Region, subject: str = "",
             level: str | None = None) -> list[Finding]:
        """A finding of a rule the engine itself raises (SL…); none when it is not selected."""
        r = self.all_rules.get(code)
        if r is None or code not in self.rules:
            return []
        hit = Hit(message, region, subject=subject)
        if level:  # a per-finding level (SL007 is a warning when the renderer is missing)
            hit.properties["level"] = level
        return [self.stamp(r, hit, path)]

    def run_rules(self, target: str, subject, path: str, inp: Input | None, notifications: list,
                  source: Source | None = None, sources: dict | None = None,
                  pending: list | None = None) -> list[Finding]:
        """The findings of the rules of ``target`` on ``subject``.  A rule's deferred hits go
        to ``pending`` (the run resolves them in one batch), or are resolved now without it."""
        out: list[Finding] = []
        ctx = Context(self.options, self.options.rule_options, inp)
        ctx.source = source
        ctx.sources = sources or {}
        resource = subject.identity if target == "resource" else ""  # annotations suppress per object
        deferred = pending if pending is not None else []
        for r in self.by_target.get(target, ()):
            ctx.rule = r
            try:
                for hit in r.check(subject, ctx) or ():
                    if isinstance(hit, Deferred):
                        deferred.append((r.code, path, resource, hit))
                        continue
                    if isinstance(hit.region, MalformedRegion):  # "lacks" said of a malformed node
                        continue
                    f = self.stamp(r, hit, path)
                    if resource and not hit.resource:
                        f.resource = resource
                    out.append(f)
            except RuleUnavailable as exc:  # a tool the rule runs is missing or failed: said, not a bug
                notifications.append(Notification(str(exc), "warning", None, kind="unavailable"))
            except Exception as exc:  # a rule bug must not cost the other findings
                notifications.append(Notification(f"rule {r.code} failed on {path or 'the project'}: "
                                                  f"{type(exc).__name__}: {exc}", "error", path or None,
                                                  kind="internal-error"))
        if pending is None and deferred:
            out += self.resolve(deferred, notifications)
        return out

    def resolve(self, entries: list, notifications: list) -> list[Finding]:
        """The findings of deferred hits (``FileResult.pending`` entries), in one batch."""
        batches = Batches(self)
        try:
            batches.add(entries)
            return batches.findings(notifications)
        finally:
            batches.close()

    # -- one input -----------------------------------------------------------------------------
    def check_input(self, inp: Input, stdin_text=None) -> FileResult:
        fr = FileResult()
        if inp.abspath is None and inp.text is None:
            inp.text = stdin_text if stdin_text is not None else ""
        if inp.kind in RENDERED_KINDS:
            started = time.perf_counter()
            try:
                (self._check_chart if inp.kind == "helm-chart" else self._check_kustomization)(inp, fr)
            finally:
                fr.stats["renders"] += 1
                fr.stats["render_seconds"] += time.perf_counter() - started
        else:
            self._check_file(inp, fr)
        if not self.keep_resources:
            fr.resources = []  # sending them back from a worker costs a third of parsing them
        return fr

    def _check_file(self, inp: Input, fr: FileResult) -> None:
        path = inp.display
        if inp.kind == OUTSIDE_LINK:  # never read what a hostile tree links to
            return self._unreadable(inp, "a symlink to a file outside the scanned tree; not followed", fr)
        if inp.kind is None and inp.abspath is not None and not os.path.exists(inp.abspath):
            return self._unreadable(inp, "no such file or directory", fr)
        try:
            data = read_bytes(inp, self.options.max_file_size)
            text = decode(data)
        except TooLarge as exc:
            fr.findings += self.core("SL004", f"file is {exc.size} bytes, over the {self.options.max_file_size}-byte "
                                     "limit; not read", path, Region(1, 1))
            return
        except Unreadable as exc:
            return self._unreadable(inp, str(exc), fr)
        except ParseError as exc:
            return self._parse_error(path, exc, fr)
        fr.stats["files"] += 1
        fr.stats["bytes"] += len(data)
        kind = inp.kind or sniff(text)
        if kind is None:
            if inp.explicit:
                fr.notifications.append(Notification(f"{path}: not a Dockerfile or YAML file; skipped", "note", path))
            return
        if kind == "dockerfile":
            return self._check_dockerfile(inp, text, fr)
        if kind == "compose":
            return self._check_compose(inp, text, fr)
        if kind == "ci":
            return self._check_ci(inp, text, fr)
        if kind == "yaml":
            # '# Source:' comments are trusted only on standard input (a render piped from helm):
            # in a file of the scanned tree they are the pull request's, and would move the
            # file's findings onto an untouched chart
            if inp.abspath is None and "# Source: " in text:  # helm is imported only for a render
                from shiplint.inputs.render import helm

                if helm.has_source_comments(text):
                    rendered = helm.rendered_stream(inp, text, self.options, self.root, self.chart_index())
                    return self._check_rendered(rendered, dataclasses.replace(inp, explicit=True), fr)
            self._check_yaml(inp, text, fr)

    def _unreadable(self, inp: Input, why: str, fr: FileResult) -> None:
        fr.notifications.append(Notification(f"{inp.display}: {why}", "error", inp.display))
        fr.findings += self.core("SL003", f"cannot read {inp.display}: {why}", inp.display, Region(1, 1))

    def _parse_error(self, path: str, exc: ParseError, fr: FileResult) -> None:
        region = Region(exc.line, exc.column)
        fr.notifications.append(Notification(f"{path}:{exc.line}:{exc.column}: {exc.message}", "error", path, region))
        fr.findings += self.core("SL001", exc.message, path, region, subject=f"parse:{exc.message}")

    def _suppressions(self, fr: FileResult):
        if fr.suppressions is None:
            from shiplint.engine.suppressions import SuppressionIndex

            fr.suppressions = SuppressionIndex()
        return fr.suppressions

    def _check_dockerfile(self, inp: Input, text: str, fr: FileResult) -> None:
        from shiplint.sources.dockerfile import parse_dockerfile

        try:
            df = parse_dockerfile(text)
        except ParseError as exc:
            return self._parse_error(inp.display, exc, fr)
        df.path = inp.display
        if not self.options.strict and "shiplint" in text:  # inline suppressions
            self._suppressions(fr).add_dockerfile(inp.display, df)
        fr.findings += self.run_rules("dockerfile", df, inp.display, inp, fr.notifications, Source(text), pending=fr.pending)

    def _check_ci(self, inp: Input, text: str, fr: FileResult) -> None:
        """A CI pipeline file (GitHub workflow, ``.gitlab-ci.yml`` and its local includes)."""
        from shiplint.model.ci import build_pipeline
        from shiplint.sources.yamlsrc import parse_yaml_stream

        root_dir = os.path.dirname(inp.abspath) if inp.abspath else None
        pipeline, errors = build_pipeline(inp.display, text, root_dir, self.options.max_file_size)
        for path, exc in [(inp.display, e) for e in errors] + pipeline.errors:
            self._parse_error(path, exc, fr)
        if not self.options.strict:  # inline suppressions, in the file and in what it includes
            for path, source in [(inp.display, text), *pipeline.sources.items()]:
                if "shiplint" in source:
                    self._suppressions(fr).add_yaml(path, source, parse_yaml_stream(source))
        fr.stats["documents"] += 1
        fr.findings += self.run_rules("ci", pipeline, inp.display, inp, fr.notifications)

    def _check_yaml(self, inp: Input, text: str, fr: FileResult, attach=None, editable: bool = True,
                    rendered: bool = False) -> list:
        """Lint one YAML stream; returns the resources it holds (also added to ``fr``).
        ``attach`` (a render's) tells the resources where they come from before the rules run:
        a rule may ask whether a value was written literally or computed by a template.
        ``editable``: False for a render, whose findings get no fix.  ``rendered``: a file's patch
        fragments are not objects (a render holds none: it is complete)."""
        from shiplint.model.k8s.model import resources_from_document
        from shiplint.model.kustomization import is_patch_fragment
        from shiplint.sources.yamlsrc import parse_yaml_stream

        path = inp.display
        resources: list = []
        templated = looks_like_template(text)
        docs = parse_yaml_stream(text)
        if templated and not inp.explicit and (in_chart_templates(inp.abspath)
                                               or any(isinstance(d, ParseError) for d in docs)):
            # a Helm template outside a rendered chart: its YAML is not the object it makes
            fr.notifications.append(Notification(f"{path}: a Helm template (template actions that are not "
                                                 "YAML); not linted outside its chart's render (name the file "
                                                 "to lint it as YAML)", "note", path))
            return resources
        if "services" in text:  # YAML shaped as Compose whatever its name, or named in compose-projects
            from shiplint.model.compose import is_compose_shaped

            configured = inp.abspath and any(os.path.normpath(inp.abspath) in map(os.path.normpath, files)
                                             for files in self.options.compose_projects)
            if configured or any(is_compose_shaped(getattr(d, "data", None)) for d in docs):
                self._check_compose(inp, text, fr, docs)
                return resources
        fr.stats["documents"] += sum(1 for d in docs if not isinstance(d, ParseError))
        suppress = not self.options.strict and "shiplint" in text  # inline suppressions
        # a Helm template named on the command line is linted, never edited
        source = Source(text) if editable and not templated else None
        if suppress:
            self._suppressions(fr).add_yaml(path, text, docs)
        for doc in docs:
            if isinstance(doc, ParseError):
                self._parse_error(path, doc, fr)
                continue
            self._duplicate_keys(doc, path, fr)
            if not rendered and is_patch_fragment(doc.data):
                continue
            for res in resources_from_document(doc.data, path, doc.index, self.pod_paths):
                fr.stats["resources"] += 1
                resources.append(res)
                if suppress:
                    self._suppressions(fr).add_resource(res)
        if attach is not None:
            attach(resources)
        for res in resources:
            fr.findings += self.run_rules("resource", res, path, inp, fr.notifications, source)
        fr.resources += resources
        if source is not None and resources and self.project_fixes:
            fr.sources[path] = source
        return resources

    def _check_compose(self, inp: Input, text: str, fr: FileResult, docs: list | None = None) -> None:
        """Lint a Compose file as Compose reads it (merged with its override or configured
        files); keep what lands in this file, the other files report their own."""
        from shiplint.inputs.compose import first_document, load_project
        from shiplint.sources.yamlsrc import parse_yaml_stream

        path = inp.display
        docs = parse_yaml_stream(text) if docs is None else docs
        fr.stats["documents"] += sum(1 for d in docs if not isinstance(d, ParseError))
        if not self.options.strict and "shiplint" in text:
            self._suppressions(fr).add_yaml(path, text, docs)
        for doc in docs:
            if isinstance(doc, ParseError):
                return self._parse_error(path, doc, fr)
            for dup in doc.duplicates:
                fr.findings += self.core("SL002", f"key {dup.key!r} repeats the one on line {dup.first.line}; "
                                         "docker compose refuses the file", path, dup.region,
                                         subject=f"dup:{doc.index}:{dup.key}")
        project = load_project(inp, first_document(docs), self.root, self.options.max_file_size,
                               self.options.compose_projects)
        # the rules see the text of this file only: a fix in the file a finding lands on (findings
        # on the other files of the project are theirs to report, and to fix)
        fr.findings += [f for f in self.run_rules("compose", project, path, inp, fr.notifications, Source(text))
                        if f.path == path]

    # -- renders -------------------------------------------------------------------------------
    def renders_needed(self) -> bool:
        """Whether a selected rule reads rendered objects (or SL007 reports a failed render)."""
        return any(self.by_target.get(t) for t in ("resource", "project")) or "SL007" in self.rules

    def chart_index(self):
        if self._chart_index is None:
            from shiplint.inputs.render.helm import ChartIndex

            explicit = os.path.abspath(self.options.chart_dir) if self.options.chart_dir else None
            self._chart_index = ChartIndex(self.root, explicit)
        return self._chart_index

    def _check_rendered(self, rendered, inp: Input, fr: FileResult) -> None:
        """Lint a render as YAML, tell its resources where they come from, keep the origin map."""
        resources = self._check_yaml(inp, rendered.text, fr, rendered.attach, editable=False, rendered=True)
        fr.renders[rendered.display] = rendered.origin(resources)

    def _outcome(self, outcome, fr: FileResult) -> None:
        from shiplint.inputs.render.origin import RenderFailed

        if outcome is None:
            return
        if isinstance(outcome, RenderFailed):
            fr.notifications.append(Notification(outcome.message, outcome.level, outcome.path, Region(1, 1),
                                                 kind="render-error"))
            fr.findings += self.core("SL007", outcome.message, outcome.path, Region(1, 1),
                                     subject=f"render:{outcome.path}", level=outcome.level)
            return
        self._check_rendered(outcome, Input(outcome.display, None, "yaml", explicit=True, text=outcome.text), fr)

    def _check_chart(self, inp: Input, fr: FileResult) -> None:
        from shiplint.inputs.render import helm
        from shiplint.inputs.render.concurrent import Renders, Tracers
        from shiplint.inputs.render.origin import RenderFailed
        from shiplint.inputs.render.sandbox import TreeCopy

        if self.by_target.get("chart"):  # the chart's own files (Chart.yaml, lock, values.yaml)
            self._check_chart_files(inp, fr)
        fr.checked[inp.display] = helm.chart_files(inp.abspath, self.root)
        if not self.renders_needed():
            return  # only the chart-file rules are selected: helm need not run (nor be installed)
        scenarios = self._chart_scenarios(inp) if self.options.helm_ci_values and not self.options.chart_dir else []
        # every render of the chart is asked for now (as many run at once as the slots allow),
        # all from one copy of the chart; each is linted in turn, in this order, whichever
        # finishes first
        with TreeCopy() as shared, Renders(self.render_slots) as renders:
            first = renders.submit(helm.render_input, inp, self.options, self.root, self.chart_index(), shared)
            for s in scenarios:
                s.outcome = renders.submit(helm.render_input, s.input, s.options, self.root, self.chart_index(), shared)
            tracers = Tracers(renders, shared)
            outcome = first.result()
            self._outcome(outcome, fr)
            traced = self._trace_values(outcome, inp, self.options, fr, tracers)
            if isinstance(outcome, RenderFailed):  # the render failure is reported; what needs no render is linted
                self._lint_directly(helm.plain_manifests(inp.abspath), [], fr)
            if scenarios:
                self._check_chart_scenarios(inp, fr, scenarios, tracers, traced)
            tracers.finish()

    def _chart_scenarios(self, inp: Input) -> list:
        """The CI scenarios of the chart to render (each ``ci/*-values.yaml``, or those of a
        change's), with the input and options of each render."""
        from shiplint.inputs.render.scenarios import Scenario, scenario_files

        only = self.scenarios.get(inp.abspath)
        out = []
        for path in scenario_files(inp.abspath):
            if only is not None and path not in only:
                continue
            shown = os.path.relpath(path, inp.abspath).replace(os.sep, "/")
            out.append(Scenario(shown, dataclasses.replace(inp, display=f"{inp.display} ({shown})", explicit=False),
                                dataclasses.replace(self.options, helm_values=[path], helm_set=[])))
        return out

    def _check_chart_scenarios(self, inp: Input, fr: FileResult, scenarios: list, tracers,
                               traced: set = frozenset()) -> None:
        """Lint each ``ci/*-values.yaml`` render of the chart (made on its own, as chart-testing
        does: the chart's values plus that file, not the user's --values/--set).  Its resources
        are not kept for cross-resource rules (they repeat the default render's); its findings
        carry the scenario file as a related location, after the values keys their tracing
        names, and the engine folds those that repeat the default render's (see
        :func:`shiplint.inputs.render.scenarios.name_scenarios`)."""
        made = []
        for s in scenarios:
            before, kept = len(fr.findings), len(fr.resources)
            outcome = s.outcome.result()
            self._outcome(outcome, fr)
            del fr.resources[kept:]
            traced = traced | self._trace_values(outcome, inp, s.options, fr, tracers, skip=traced)
            made.append((s, fr.findings[before:]))
        tracers.finish()  # the values keys first, then the scenario, as in each finding's related locations
        for s, findings in made:
            where = Location(f"{inp.display.rstrip('/')}/{s.shown}" if inp.display not in ("", ".") else s.shown,
                             Region(1, 1), f"CI scenario {s.shown}")
            for f in findings:
                f.properties["scenario"] = s.shown
                f.related.append(where)

    def _trace_values(self, outcome, inp: Input, options, fr: FileResult, tracers,
                      skip: set = frozenset()) -> set:
        """Start naming the values key behind each finding of a chart render (more renders,
        made only when the render has findings; see :mod:`shiplint.inputs.render.values_trace`):
        ``tracers`` runs them, and has attached the keys once finished.  A CI scenario's render
        skips the findings an earlier render of the chart already has (``skip``, what this
        returned for them): they are folded into those.  Returns the findings of the render."""
        from shiplint.inputs.render.origin import Rendered

        render = fr.renders.get(outcome.display) if isinstance(outcome, Rendered) else None
        if render is None or not self.options.helm_values_trace:
            return set()
        from shiplint.inputs.render.values_trace import same_finding, tracer

        tracers.start(tracer([f for f in fr.findings if same_finding(f) not in skip], render, inp.abspath, options,
                             self.root, shared=tracers.shared, read=tracers.read))
        return {same_finding(f) for f in fr.findings if f.path == render.path}

    def _check_chart_files(self, inp: Input, fr: FileResult) -> None:
        from shiplint.model.helm import build_chart
        from shiplint.sources.yamlsrc import parse_yaml_stream

        chart = build_chart(inp.abspath, inp.display)
        if chart.chart_yaml is None:
            return
        if not self.options.strict:  # inline suppressions in the files the chart rules read
            for f in (chart.chart_yaml, chart.values, chart.lock, chart.requirements):
                if f is not None and "shiplint" in f.text:
                    self._suppressions(fr).add_yaml(f.path, f.text, parse_yaml_stream(f.text))
        fr.findings += self.run_rules("chart", chart, chart.chart_yaml.path, inp, fr.notifications)

    def _check_kustomization(self, inp: Input, fr: FileResult) -> None:
        from shiplint.inputs.render import kustomize
        from shiplint.inputs.render.origin import RenderFailed
        from shiplint.model.k8s.model import Resource

        reader = kustomize.KustomizationReader(self.root, self.tops) if self.tops else None
        node = kustomize.load_tree(os.path.dirname(inp.abspath), self.root, reader)
        if node is None:
            return self._unreadable(inp, "not a readable kustomization", fr)
        fr.checked[inp.display] = [display_path(f, self.root) for n in node.walk()
                                   for f in [n.file, *sorted(n.consumed)] if os.path.isfile(f)]
        for n in node.walk():
            if n.file not in fr.kustomizations:
                fr.kustomizations[n.file] = self.run_rules("kustomization", Resource(n.data, n.display), n.display,
                                                           inp, fr.notifications)
        remote = kustomize.remote_entries(node)
        inflated = kustomize.helm_inflations(node)
        if remote or inflated:  # never fetched nor inflated: each entry is reported, the local files linted directly
            for e in remote + inflated:
                if e in remote:
                    message = (f"kustomization not rendered: {e.field} entry {e.value!r} is remote and would need "
                               "the network (shiplint renders offline; vendor it or check the rendered output); the "
                               "kustomization's local files are linted directly")
                else:
                    message = (f"kustomization not rendered: {e.field} entry {e.value!r} inflates a Helm chart, which "
                               "shiplint never lets kustomize do (its helm would run outside shiplint's offline "
                               "sandbox); lint the chart directory itself; the kustomization's local files are "
                               "linted directly")
                fr.notifications.append(Notification(message, "warning", e.file, e.region, kind="render-error"))
                fr.findings += self.core("SL007", message, e.file, e.region, level="warning",
                                         subject=f"remote:{e.file}:{e.field}:{e.region.line}:{e.region.column}")
            return self._lint_directly(*kustomize.local_files(node), fr)
        bad = kustomize.unparsed(node)
        if bad is not None:  # shiplint cannot see what it names: never rendered
            path, err = bad
            outcome = RenderFailed(f"kustomization not rendered: {path} does not parse as YAML (line {err.line}, "
                                   f"column {err.column}: {err.message}); what it names cannot be checked",
                                   inp.display)
        else:
            outcome = kustomize.render_input(node, inp, self.options, self.root)
        self._outcome(outcome, fr)
        if outcome is None or isinstance(outcome, RenderFailed):  # a component alone, or a failed render
            self._lint_directly(*kustomize.local_files(node), fr)

    def _lint_directly(self, files: list[str], patches: list[str], fr: FileResult) -> None:
        """Lint the files of a chart or kustomization that did not render, each on its own:
        ``files`` as the objects they hold, ``patches`` as patches (parse errors and duplicate
        keys; a partial object is never checked as a whole one).  Each file once per run."""
        from shiplint.core.fsutil import is_inside
        from shiplint.inputs.discovery import classify_name
        from shiplint.sources.yamlsrc import parse_yaml_stream

        tops = (self.root, *(self.tops or ()))
        for f in files + patches:
            if f in fr.direct:
                continue
            sub = fr.direct[f] = FileResult()
            kind = classify_name(os.path.basename(f)) or "yaml"  # kustomize reads any resource file as YAML
            inp = Input(display_path(f, self.root), f, OUTSIDE_LINK if not is_inside(f, tops) else kind)
            if f in files:
                self._check_file(inp, sub)
                continue
            if inp.kind == OUTSIDE_LINK:
                continue  # never read (the reader refuses such patches too)
            try:
                text = decode(read_bytes(inp, self.options.max_file_size))
            except (TooLarge, Unreadable, ParseError):
                continue  # the render failure is reported; a patch is not read further
            for doc in parse_yaml_stream(text):
                if isinstance(doc, ParseError):
                    self._parse_error(inp.display, doc, sub)
                else:
                    self._duplicate_keys(doc, inp.display, sub)

    def _duplicate_keys(self, doc, path: str, fr: FileResult) -> None:
        for dup in doc.duplicates:
            fr.findings += self.core("SL002", f"key {dup.key!r} repeats the one on line {dup.first.line}; the last "
                                     "value wins in kubectl", path, dup.region, subject=f"dup:{doc.index}:{dup.key}")


class Batches:
    """The deferred hits of a run (see :class:`~shiplint.core.findings.Deferred`): one batch
    per batch class, fed as the inputs' results come in, so that the batch can start its work
    while the other inputs are still being checked; turned into findings at the end."""

    def __init__(self, checker: Checker, scope=None) -> None:
        self.checker = checker
        #: path → the checker of the configuration governing that file (nested configurations):
        #: a hit resolved here takes that file's levels, as one stamped where it was found does
        self.scope = scope
        self._batches: dict = {}
        self._entries: dict[int, tuple] = {}  # id(deferred) → (code, path, resource, deferred)

    def add(self, entries: list) -> None:
        for entry in entries:
            deferred = entry[3]
            self._entries[id(deferred)] = entry
            batch = self._batches.get(deferred.batch)
            if batch is None:
                batch = self._batches[deferred.batch] = deferred.batch()
            batch.add(deferred)

    def findings(self, notifications: list) -> list[Finding]:
        out: list[Finding] = []
        for batch in self._batches.values():
            try:
                answers = list(batch.results())
            except Exception as exc:  # a batch bug must not cost the other findings
                codes = sorted({e[0] for e in self._entries.values() if e[3].batch is type(batch)})
                notifications.append(Notification(f"rule {', '.join(codes)} failed: {type(exc).__name__}: {exc}",
                                                  "error", None, kind="internal-error"))
                continue
            for deferred, answer in answers:
                code, path, resource, _ = self._entries[id(deferred)]
                if isinstance(answer, RuleUnavailable):  # a tool the rule runs is missing or failed
                    notifications.append(Notification(str(answer), "warning", None, kind="unavailable"))
                    continue
                try:
                    if isinstance(answer, Exception):
                        raise answer
                    checker = self.scope(path) if self.scope is not None else self.checker
                    r = self.checker.all_rules[code]
                    for hit in deferred.hits(answer):
                        f = checker.stamp(r, hit, path)
                        if resource and not hit.resource:
                            f.resource = resource
                        out.append(f)
                except Exception as exc:
                    notifications.append(Notification(f"rule {code} failed on {path or 'the project'}: "
                                                      f"{type(exc).__name__}: {exc}", "error", path or None,
                                                      kind="internal-error"))
        return out

    @property
    def processes(self) -> int:
        """The processes the batches started (ShellCheck), for ``check --stats``."""
        return sum(getattr(b, "processes", 0) for b in self._batches.values())

    def close(self) -> None:
        for batch in self._batches.values():
            batch.close()


_RESOURCE_SUBJECT = re.compile(r"[^/:\s]+/[^/:\s]*/[^/:\s]+\Z")


def _subject_resource(subject: str) -> str:
    """``Kind/ns/name`` from a subject such as ``Deployment/app/api:containers[web].image``."""
    head = subject.split(":", 1)[0] if subject else ""
    return head if _RESOURCE_SUBJECT.match(head) else ""


def _stamp_fix(fix, declared: str):
    """The hit's fix with its safety settled: none unless the rule declares ``autofix``; never
    safer than declared."""
    if fix is None or not declared or not fix.edits:
        return None
    if fix.safety != "unsafe":
        fix.safety = declared
    return fix


def _finding_level(properties: dict, rule_level: str, level: str) -> str:
    """Per-finding level: a hit may set ``properties["level"]`` (KS408 runtime socket, KS204
    numeric port); a severity configured for the rule still wins."""
    wanted = properties.get("level")
    if wanted in LEVEL_RANK and level == rule_level:
        return wanted
    return level
