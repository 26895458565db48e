"""The engine: inputs → sources → rules → findings.

The engine knows sources and rules only through their interfaces: it reads files, hands each
parsed Dockerfile or Kubernetes resource to the rules of the matching target, runs the
project-wide rules over everything scanned together, then stamps code, name and level, applies
selection and sorts the findings deterministically (path, line, column, code).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, field

from shiplint.inputs.discovery import Input, classify_name, display_path, is_virtualenv, matches_any, walk
from shiplint.core.errors import ParseError, UsageError
from shiplint.core.fsutil import is_inside as _inside
from shiplint.core.findings import LEVEL_RANK, Finding, Hit, Location, Region
from shiplint.registry.rule import Rule

DEFAULT_MAX_FILE_SIZE = 50 * 1024 * 1024
#: Input kind of a symlinked file met in a directory walk whose target lies outside both the
#: walked directory and the root: reported (SL003), never read.
OUTSIDE_LINK = "outside-link"
#: Files that make collect() group inputs into Helm charts and kustomizations (the
#: helm and kustomize modules are imported only when one of these is met).
_RENDER_FILE_NAMES = frozenset({"Chart.yaml", "kustomization.yaml", "kustomization.yml", "Kustomization"})


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
    root: str = "."
    stdin_filename: str | None = None
    disabled_plugins: set[str] = field(default_factory=set)
    # configuration, suppressions and baselines
    strict: bool = False
    baseline: str | None = None
    #: directory of the configuration file: ``exclude`` and ``per-file-ignores`` globs are
    #: relative to it (default: ``root``)
    config_dir: str | None = None
    # declarative policies
    policy_dirs: list[str] = field(default_factory=list)
    # Helm and Kustomize rendering
    chart_dir: str | None = None
    helm_bin: str | None = None
    helm_values: list[str] = field(default_factory=list)
    helm_set: list[str] = field(default_factory=list)
    release_name: str | None = None
    namespace: str | None = None
    kustomize_bin: str | None = None
    # performance and progress
    jobs: int = 1
    progress: bool = False


@dataclass
class Notification:
    """Something the run could not do (a file it could not read, a rule that failed)."""

    message: str
    level: str = "error"
    path: str | None = None
    region: Region | None = None
    kind: str = "notice"


@dataclass
class Report:
    findings: list[Finding]
    rules: dict[str, Rule]
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


_PREFIX_RE = re.compile(r"[A-Z]+[0-9]*\Z")


def token_matches(token: str, r: Rule) -> bool:
    """A rule is named by its code, its name, a code prefix (``DF4``, ``KS``) or ``ALL``."""
    t = token.strip()
    if not t:
        return False
    upper = t.upper()
    if upper == "ALL" or t == r.name or upper == r.code:
        return True
    return bool(_PREFIX_RE.match(upper)) and r.code.startswith(upper)


def select_rules(rules: dict[str, Rule], options: Options) -> dict[str, Rule]:
    """Apply ``select``/``extend-select``/``ignore`` and unknown-token checks."""
    tokens = list(options.select or []) + list(options.extend_select) + list(options.ignore)
    for tok in tokens:
        if tok.strip() and tok.strip().upper() != "ALL" and not any(token_matches(tok, r) for r in rules.values()):
            raise UsageError(f"unknown rule or prefix {tok.strip()!r} (see 'shiplint rules')")
    chosen = {}
    for code, r in rules.items():
        selected = options.select is None or any(token_matches(t, r) for t in options.select)
        if any(token_matches(t, r) for t in options.extend_select):
            selected = True
        if selected and not any(token_matches(t, r) for t in options.ignore):
            chosen[code] = r
    return chosen


class Context:
    """What a rule may consult besides its subject: options, the file, its neighbours."""

    def __init__(self, options: Options, rule_options: dict, inp: Input | None = None) -> None:
        self.options = options
        self._rule_options = rule_options
        self.input = inp
        self.rule: Rule | None = None

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


def fingerprint(code: str, path: str, subject: str, message: str) -> str:
    h = hashlib.sha256(f"{code}\x00{path}\x00{subject or message}".encode("utf-8", "replace"))
    return h.hexdigest()[:32]


class Engine:
    def __init__(self, options: Options, plugins=None) -> None:
        from shiplint.plugins import Plugins

        self.options = options
        self.plugins = plugins or Plugins(disabled=options.disabled_plugins)
        pod_paths = self.plugins.pod_template_paths()
        if pod_paths:  # the model (and ruamel) is imported only when needed
            from shiplint.model.k8s.model import register_pod_template_paths

            register_pod_template_paths(pod_paths)
        self.all_rules = self.plugins.rules()
        # declarative policies: policy rules join the plugins' rules before selection
        if options.policy_dirs:
            from shiplint.registry.policies import with_policies

            self.all_rules = with_policies(self.all_rules, options.policy_dirs)
        self.rules = select_rules(self.all_rules, options)
        for code, level in options.severity.items():
            matched = [r for r in self.all_rules.values() if token_matches(code, r)]
            if not matched:
                raise UsageError(f"severity: unknown rule {code!r}")
        # configuration: the most specific severity token wins (code/name > prefix > ALL)
        self.levels = _severity_levels(self.all_rules, options.severity)
        self._suppressions = None
        self.by_target: dict[str, list[Rule]] = {}
        for r in self.rules.values():
            self.by_target.setdefault(r.target, []).append(r)
        self.root = os.path.abspath(options.root)
        self.notifications: list[Notification] = []
        # Helm/Kustomize: renders whose findings postprocess() moves to the sources
        self.renders: dict = {}
        # benchmarks: what was read and parsed, for the hidden --stats option
        self.stats = {"files": 0, "bytes": 0, "documents": 0, "resources": 0, "renders": 0, "render_seconds": 0.0}

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
                    if os.path.islink(f) and not _inside(f, (abspath, self.root)):
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
        if self.by_target.get("project"):
            from shiplint.inputs.context import context_inputs

            inputs.extend(context_inputs(inputs, seen, self.root, self._classify, excluded))
        # Helm and Kustomize: a chart directory (Chart.yaml) or a kustomization becomes
        # one input that is rendered; the files they hold or list are not linted on their own.
        if any(i.abspath and os.path.basename(i.abspath) in _RENDER_FILE_NAMES for i in inputs):
            from shiplint.inputs.render import helm

            from shiplint.inputs.render import kustomize
            inputs = kustomize.group_inputs(helm.group_inputs(inputs, self.root), self.root)
            # a chart or kustomization the user named (its directory or its file) cannot
            # render → exit 2 now; one met in a directory walk → an SL007 finding, the run goes on
            named = {os.path.abspath(p) for p in paths if p != "-"}
            for inp in inputs:
                if inp.kind in ("helm-chart", "kustomize") and inp.abspath:
                    d = inp.abspath if inp.kind == "helm-chart" else os.path.dirname(inp.abspath)
                    if d in named or os.path.join(d, "Chart.yaml") in named or inp.abspath in named:
                        inp.explicit = True
                        if inp.kind == "helm-chart":
                            helm.preflight(inp.abspath, inp.display, opts)
        return inputs

    def _classify(self, display: str) -> str | None:
        name = display.rsplit("/", 1)[-1]
        if name == "Kustomization":  # the extension-less kustomization file name
            return "yaml"
        return self.plugins.classify(display, name) or classify_name(name)

    # -- running -----------------------------------------------------------------------------
    def run(self, paths: list[str], stdin_text: str | bytes | None = None, progress=None) -> Report:
        self.progress = progress  # optional callback progress(done, total)
        inputs = self.collect(paths)
        for inp in inputs:
            if inp.abspath is None:
                inp.text = stdin_text if stdin_text is not None else ""
        findings, resources = self.check_inputs(inputs)
        findings.extend(self.check_project(resources))
        findings = self.postprocess(findings, inputs)
        return self.finish(findings, [i.display for i in inputs if i.report])

    def check_inputs(self, inputs: list[Input]):
        """Per-file work: parse and run the single-document rules."""
        findings: list[Finding] = []
        resources = []
        progress = getattr(self, "progress", None)
        jobs = parallel_jobs(self.options.jobs, inputs)  # --jobs
        results = self._parallel_results(inputs, jobs) if jobs > 1 else map(self.check_input, inputs)
        for done, (f, res) in enumerate(results, 1):
            findings.extend(f)
            resources.extend(res)
            if progress is not None:
                progress(done, len(inputs))
        return findings, resources

    # -- --jobs N ----------------------------------------------------------------
    def _parallel_results(self, inputs: list[Input], jobs: int):
        """``check_input`` of each input in forked worker processes; yields ``(findings,
        resources)`` in input order while merging into this engine what each worker's engine
        collected (notifications, renders, suppressions, statistics, kustomizations checked),
        so that everything after this step sees what a one-process run sees."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        for r in self.rules.values():  # rule modules loaded lazily: once here, not per worker
            try:
                getattr(r.check, "load", lambda: None)()
            except Exception:
                pass  # reported as a rule failure where it runs
        global _WORKER
        _WORKER = (self, inputs)  # inherited by the forked workers: no re-import, no re-init
        n = len(inputs)
        chunksize = max(1, min(16, n // (jobs * 32)))
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_worker_init)
        try:
            for part in pool.map(_worker_check, range(n), chunksize=chunksize):
                yield self._merge_part(part)
        except BrokenProcessPool:
            raise RuntimeError("a worker process died; run again with --jobs 1 to see why") from None
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            _WORKER = None

    def _check_isolated(self, inp: Input) -> dict:
        """In a worker: check one input on a clean slate and return everything it produced."""
        self.notifications = []
        self.renders = {}
        self._suppressions = None
        self.stats = dict.fromkeys(self.stats, 0)
        self._shiplint_kustomizations_checked = set()
        self._kz_capture = []
        findings, resources = self.check_input(inp)
        if not self._parent_needs_resources():
            resources = []  # sending them back costs a third of parsing them
        return {"findings": findings, "resources": resources, "notifications": self.notifications,
                "renders": self.renders, "suppressions": self._suppressions, "stats": self.stats,
                "kustomization_findings": self._kz_capture}

    def _parent_needs_resources(self) -> bool:
        """Whether the resources found by the workers are needed after check_inputs: by the
        project (cross-resource) rules.  (Renders carry their own resources.)"""
        return bool(self.by_target.get("project"))

    def _merge_part(self, part: dict):
        findings = []
        # kustomization rules run once per kustomization file over the whole run, as in one
        # process (a base shared by several overlays is checked with the first of them)
        done = getattr(self, "_kz_merged", None)
        if done is None:
            done = self._kz_merged = set()
        for key, found in part["kustomization_findings"]:
            if key not in done:
                done.add(key)
                findings.extend(found)
        findings.extend(part["findings"])
        self.notifications.extend(part["notifications"])
        self.renders.update(part["renders"])
        theirs = part["suppressions"]
        if theirs is not None:
            mine = self.suppression_index()
            for path, group in theirs.by_path.items():
                mine.by_path.setdefault(path, []).extend(group)
            for res, group in theirs.by_resource.items():
                mine.by_resource.setdefault(res, []).extend(group)
            mine.malformed.extend(theirs.malformed)
        for key, value in part["stats"].items():
            self.stats[key] = self.stats.get(key, 0) + value
        return findings, part["resources"]

    def postprocess(self, findings: list[Finding], inputs: list[Input]) -> list[Finding]:
        """Keep only findings on inputs that are reported (context-only inputs are consulted by
        cross-resource rules but not reported on)."""
        # cross-resource context: findings and notices on files that were only consulted
        # are dropped before findings on renders move to their sources (which were not given)
        context_only = {i.display for i in inputs if not i.report}
        if context_only:
            findings = [f for f in findings if f.path not in context_only]
            self.notifications = [n for n in self.notifications if n.path not in context_only]
        if self.renders:  # findings on Helm/Kustomize renders move to the source files
            from shiplint.inputs.render.origin import remap_findings

            remap_findings(findings, self.renders)
        # configuration and suppressions
        from shiplint.engine.suppressions import apply_configuration

        return apply_configuration(self, findings)

    def finish(self, findings: list[Finding], files: list[str]) -> Report:
        seen: dict[str, int] = {}
        findings.sort(key=Finding.sort_key)
        for f in findings:
            base = fingerprint(f.code, f.path, f.subject, f.message)
            n = seen.get(base, 0)
            seen[base] = n + 1
            f.fingerprint = base if n == 0 else f"{base}:{n}"
        if self.options.baseline:  # baselines: known findings are left out
            from shiplint.baseline import filter_findings

            findings = filter_findings(findings, self.options.baseline, self.root)
        return Report(findings, self.rules, self.notifications, files, self.root)

    def read(self, inp: Input) -> str:
        """The text of an input; raises ParseError (reported as SL001/SL003/SL004)."""
        if inp.text is not None:
            data = inp.text.encode("utf-8", "surrogateescape") if isinstance(inp.text, str) else inp.text
        else:
            try:
                data = _read_regular(inp.abspath, self.options.max_file_size)
            except FileNotFoundError:
                raise _Unreadable("no such file or directory") from None
            except PermissionError:
                raise _Unreadable("permission denied") from None
            except OSError as exc:
                raise _Unreadable(exc.strerror or str(exc)) from None
        if b"\x00" in data:
            pos = data.index(b"\x00")
            line = data.count(b"\n", 0, pos) + 1
            raise ParseError("binary content (NUL byte): not a text file", line, pos - data.rfind(b"\n", 0, pos))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            col = exc.start - data.rfind(b"\n", 0, exc.start)
            raise ParseError(f"invalid UTF-8 (byte 0x{data[exc.start]:02x})", line, col) from None
        if text.startswith("\ufeff"):
            text = text[1:]
        self.stats["files"] += 1
        self.stats["bytes"] += len(data)
        return text

    def stamp(self, r: Rule, hit: Hit, path: str) -> Finding:
        level = self.levels.get(r.code) or r.level
        return Finding(
            code=r.code,
            name=r.name,
            level=_finding_level(hit, r.level, level),
            message=hit.message,
            path=hit.path or path,
            region=hit.region,
            subject=hit.subject,
            related=list(hit.related),
            properties=dict(hit.properties),
            resource=hit.resource or _subject_resource(hit.subject),
        )

    def core(self, code: str, message: str, path: str, region: Region, subject: str = "",
             level: str | None = None) -> list[Finding]:
        r = self.all_rules.get(code)
        if r is None or code not in self.rules:
            return []
        hit = Hit(message, region, subject=subject)
        if level:  # a per-finding level (SL007 warning when the renderer is missing)
            hit.properties["level"] = level
        return [self.stamp(r, hit, path)]

    def run_rules(self, target: str, subject, path: str, inp: Input | None) -> list[Finding]:
        if target == "kustomization" and getattr(self, "_kz_capture", None) is not None:
            # --jobs: in a worker, kustomization findings go back to the parent apart,
            # keyed by file, so that it keeps those of each kustomization once
            found = self._run_rules(target, subject, path, inp)
            self._kz_capture.append((getattr(subject, "path", path), found))
            return []
        return self._run_rules(target, subject, path, inp)

    def _run_rules(self, target: str, subject, path: str, inp: Input | None) -> list[Finding]:
        out: list[Finding] = []
        ctx = Context(self.options, self.options.rule_options, inp)
        for r in self.by_target.get(target, ()):
            ctx.rule = r
            try:
                for hit in r.check(subject, ctx) or ():
                    f = self.stamp(r, hit, path)
                    if target == "resource" and not hit.resource:  # annotations
                        f.resource = subject.identity
                    out.append(f)
            except Exception as exc:  # a rule bug must not cost the other findings
                self.notifications.append(
                    Notification(f"rule {r.code} failed on {path}: {type(exc).__name__}: {exc}",
                                 "error", path, kind="internal-error")
                )
        return out

    def check_input(self, inp: Input):
        """Findings of one input, and the Kubernetes resources it holds."""
        path = inp.display
        if inp.kind in ("helm-chart", "kustomize"):  # rendered inputs
            from shiplint.inputs.render import helm

            from shiplint.inputs.render import kustomize
            started = time.perf_counter()  # rendering time, for --stats
            try:
                return (helm.check_chart if inp.kind == "helm-chart" else kustomize.check_kustomization)(self, inp)
            finally:
                self.stats["renders"] += 1
                self.stats["render_seconds"] += time.perf_counter() - started
        if inp.kind == OUTSIDE_LINK:  # never read what a hostile tree links to
            return self._unreadable(inp, "a symlink to a file outside the scanned tree; not followed"), []
        if inp.kind is None and inp.abspath is not None and not os.path.exists(inp.abspath):
            return self._unreadable(inp, "no such file or directory"), []
        try:
            text = self.read(inp)
        except _TooLarge as exc:
            return self.core("SL004", f"file is {exc.size} bytes, over the {self.options.max_file_size}-byte limit; not read",
                             path, Region(1, 1)), []
        except _Unreadable as exc:
            return self._unreadable(inp, str(exc)), []
        except ParseError as exc:
            return self._parse_error(path, exc), []
        kind = inp.kind or sniff(text)
        if kind is None:
            if inp.explicit:
                self.notifications.append(Notification(f"{path}: not a Dockerfile or YAML file; skipped", "note", path))
            return [], []
        if kind == "dockerfile":
            return self.check_dockerfile(inp, text), []
        if kind == "yaml":
            if "# Source: " in text:  # helm imported only for what may be a render
                from shiplint.inputs.render import helm  # a helm render (`# Source:` comments)

                if helm.has_source_comments(text):
                    return helm.check_rendered(self, inp, text)
            return self.check_yaml(inp, text)
        return [], []

    def _unreadable(self, inp: Input, why: str) -> list[Finding]:
        self.notifications.append(Notification(f"{inp.display}: {why}", "error", inp.display))
        return self.core("SL003", f"cannot read {inp.display}: {why}", inp.display, Region(1, 1))

    def _parse_error(self, path: str, exc: ParseError) -> list[Finding]:
        region = Region(exc.line, exc.column)
        self.notifications.append(Notification(f"{path}:{exc.line}:{exc.column}: {exc.message}", "error", path, region))
        return self.core("SL001", exc.message, path, region, subject=f"parse:{exc.message}")

    def check_dockerfile(self, inp: Input, text: str) -> list[Finding]:
        from shiplint.sources.dockerfile import parse_dockerfile

        try:
            df = parse_dockerfile(text)
        except ParseError as exc:
            return self._parse_error(inp.display, exc)
        df.path = inp.display
        if not self.options.strict and "shiplint" in text:  # inline suppressions
            self.suppression_index().add_dockerfile(inp.display, df)
        return self.run_rules("dockerfile", df, inp.display, inp)

    def check_yaml(self, inp: Input, text: str):
        from shiplint.model.k8s.model import resources_from_document
        from shiplint.sources.yamlsrc import parse_yaml_stream

        path = inp.display
        findings: list[Finding] = []
        resources = []
        if _looks_like_template(text) and not inp.explicit:
            return [], []
        docs = parse_yaml_stream(text)
        self.stats["documents"] += sum(1 for d in docs if not isinstance(d, ParseError))
        suppress = not self.options.strict and "shiplint" in text  # inline suppressions
        if suppress:
            self.suppression_index().add_yaml(path, text, docs)
        for doc in docs:
            if isinstance(doc, ParseError):
                findings.extend(self._parse_error(path, doc))
                continue
            for dup in doc.duplicates:
                findings.extend(self.core("SL002", f"key {dup.key!r} repeats the one on line {dup.first.line}; the last value wins in kubectl",
                                          path, dup.region, subject=f"dup:{doc.index}:{dup.key}"))
            for res in resources_from_document(doc.data, path, doc.index):
                self.stats["resources"] += 1
                resources.append(res)
                if suppress:
                    self.suppression_index().add_resource(res)
                findings.extend(self.run_rules("resource", res, path, inp))
        return findings, resources

    def suppression_index(self):
        """In-source suppressions collected while checking."""
        if self._suppressions is None:
            from shiplint.engine.suppressions import SuppressionIndex

            self._suppressions = SuppressionIndex()
        return self._suppressions

    def check_project(self, resources) -> list[Finding]:
        if not self.by_target.get("project"):
            return []
        from shiplint.inputs.context import kustomize_patch_paths
        from shiplint.model.k8s.index import ResourceIndex

        index = ResourceIndex(resources, kustomize_patch_paths(resources, self.root))
        return self.run_rules("project", index, "", None)


# -- --jobs N ------------------------------------------------------------------------

#: Starting worker processes costs about 50 ms on the reference machine (2 cores), which pays
#: off from about a quarter of a second of work: runs estimated below ``PARALLEL_MIN_WORK``
#: (bytes to read, plus ``RENDER_WORK`` per Helm chart or kustomization to render) stay in
#: one process.  Measured: 100 small Dockerfiles (30 KB) 0.13 s in one process, 0.18 s with
#: two; the corpus's 225 Dockerfiles (0.44 MB) 0.55 s and 0.39 s.
PARALLEL_MIN_WORK = 300_000
RENDER_WORK = 200_000

_WORKER = None  # (engine, inputs) of the run being spread over forked workers


def _worker_init() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def _worker_check(i: int) -> dict:
    engine, inputs = _WORKER
    return engine._check_isolated(inputs[i])


def default_jobs() -> int:
    """The number of CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def parallel_jobs(jobs: int | None, inputs: list) -> int:
    """How many processes to check ``inputs`` with: 1 (in this process) unless more than one
    job is asked for, there are two inputs or more and enough work to pay for the workers, and
    processes can be forked (workers inherit the loaded rules and plugins; elsewhere the run
    stays in-process)."""
    jobs = default_jobs() if not jobs or jobs < 1 else jobs
    if jobs <= 1 or len(inputs) < 2:
        return 1
    work = 0
    for inp in inputs:
        if inp.kind in ("helm-chart", "kustomize"):
            work += RENDER_WORK
        elif inp.abspath is not None:
            try:
                work += os.path.getsize(inp.abspath)
            except OSError:
                pass
        if work >= PARALLEL_MIN_WORK:
            break
    else:
        return 1
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(jobs, len(inputs))


def _severity_levels(rules: dict[str, Rule], severity: dict[str, str]) -> dict[str, str]:
    """The overridden level of each rule: a code or name beats a prefix, a longer prefix a
    shorter one, and ``ALL`` comes last."""
    levels: dict[str, str] = {}
    if not severity:
        return levels
    for r in rules.values():
        best = None
        for tok, level in severity.items():
            if not token_matches(tok, r):
                continue
            t = tok.strip()
            rank = 3 if (t.upper() == r.code or t == r.name) else (1 if t.upper() == "ALL" else 2)
            key = (rank, len(t))
            if best is None or key > best[0]:
                best = (key, level)
        if best is not None:
            levels[r.code] = best[1]
    return levels


_RESOURCE_SUBJECT = re.compile(r"[^/:\s]+/[^/:\s]*/[^/:\s]+\Z")


def _subject_resource(subject: str) -> str:
    """``Kind/ns/name`` from a subject such as ``Deployment/app/api:containers[web].image``."""
    head = subject.split(":", 1)[0] if subject else ""
    return head if _RESOURCE_SUBJECT.match(head) else ""


class _Unreadable(Exception):
    pass


def _read_regular(path: str, limit: int) -> bytes:
    """A bounded read of a regular file, with the engine's own exceptions."""
    from shiplint.core.fsutil import FileTooLarge, NotRegularFile, read_regular

    try:
        return read_regular(path, limit)
    except NotRegularFile as exc:
        raise _Unreadable(str(exc)) from None
    except FileTooLarge as exc:
        raise _TooLarge(exc.size) from None


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _finding_level(hit: Hit, rule_level: str, level: str) -> str:
    """Per-finding level: a hit may set ``properties["level"]`` (KS408 runtime socket,
    KS204 numeric port); a severity configured for the rule still wins."""
    wanted = hit.properties.get("level")
    if wanted in LEVEL_RANK and level == rule_level:
        return wanted
    return level


def _looks_like_template(text: str) -> bool:
    """A Helm template source: ``{{`` actions outside comments."""
    return "{{" in text and ("{{-" in text or "{{ ." in text or "{{." in text or "{{ include" in text or "{{ template" in text)


def sniff(text: str) -> str | None:
    """Guess the kind of standard input without a file name."""
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#") or s == "---":
            continue
        word = s.split(None, 1)[0].upper()
        if word in ("FROM", "ARG"):
            return "dockerfile"
        return "yaml"
    return "yaml"
