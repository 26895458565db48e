"""The command line: ``shiplint check``, ``rules``, ``explain``, ``plugins``.

Exit status: 0 nothing at or above the ``--fail-on`` threshold, 1 findings, 2 usage or
configuration error.  Every user error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import os
import sys

import click

from shiplint import __version__
from shiplint.core.errors import UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS_BUILTIN = ("text", "json", "sarif", "github", "gitlab", "junit", "markdown")


def _split(values) -> list[str]:
    out: list[str] = []
    for v in values or ():
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def _use_color(choice: str, stream) -> bool:
    """``--color`` first, then the NO_COLOR and FORCE_COLOR conventions (a CI log is no
    terminal but shows colours), then whether the stream is a terminal."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0", "false"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def _report_targets(fmts, output) -> list[tuple[str, str | None]]:
    """``--format`` values as (format, file) pairs: ``sarif:shiplint.sarif`` writes a file,
    a bare format goes to ``--output`` or standard output (only one may)."""
    targets: list[tuple[str, str | None]] = []
    for value in fmts or ("text",):
        name, sep, path = value.partition(":")
        name = name.strip()
        if sep and not path:
            raise UsageError(f"--format {value!r}: give a file after the colon, or no colon")
        targets.append((name, path or None))
    bare = [name for name, path in targets if path is None]
    if len(bare) > 1:
        raise UsageError(f"--format {' and '.join(bare)} would both go to "
                         f"{'--output' if output else 'standard output'}: give each but one a file (FORMAT:FILE)")
    if output:
        targets = [(name, path if path is not None else output) for name, path in targets]
    return targets


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="shiplint", message="%(prog)s %(version)s")
def cli() -> None:
    """shiplint: lint Dockerfiles and Kubernetes manifests against deployment practices."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmts", multiple=True, metavar="FORMAT[:FILE]",
              help="Output format: text (default), json, sarif, github, gitlab, junit, markdown. Repeatable: "
                   "FORMAT:FILE writes that report to FILE (--format text --format sarif:shiplint.sarif).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note", "never"]), default=None,
              help="Lowest level that makes the run fail (default: warning).")
@click.option("--select", multiple=True, help="Only these rules (codes, names or code prefixes; comma-separated).")
@click.option("--extend-select", multiple=True, help="Add rules to the selection.")
@click.option("--ignore", multiple=True, help="Skip these rules (codes, names or code prefixes).")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Also leave out the files and directories matching GLOB (repeatable; added to the "
                   "configuration's exclude, relative to its directory).")
@click.option("--quiet", "-q", is_flag=True, help="No summary line; findings only.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--stdin-filename", help="With '-': the name the standard input stands for (e.g. Dockerfile).")
@click.option("--disable-plugin", multiple=True, help="Do not load this installed plugin.")
# Helm and Kustomize rendering
@click.option("--chart", "chart_dir", type=click.Path(file_okay=False),
              help="The chart a Helm render on stdin (or in a file) comes from.")
@click.option("--helm-bin", help="The helm binary (default: helm on PATH).")
@click.option("--values", "-f", "helm_values", multiple=True, type=click.Path(),
              help="Helm values file for chart renders (repeatable).")
@click.option("--set", "helm_set", multiple=True, help="Helm --set value for chart renders (repeatable).")
@click.option("--release-name", default=None, help="Release name for helm template (default: release-name).")
@click.option("--namespace", default=None, help="Namespace for helm template.")
@click.option("--ci-values/--no-ci-values", "helm_ci_values", default=True, show_default=True,
              help="Also render each ci/*-values.yaml scenario of a chart (the chart-testing convention).")
@click.option("--values-trace/--no-values-trace", "helm_values_trace", default=True, show_default=True,
              help="Name the values key behind a finding on a chart (one more helm render per chart).")
@click.option("--kustomize-bin", help="kustomize or kubectl binary (default: kustomize, else kubectl, on PATH).")
@click.option("--kubernetes-version", metavar="X.Y",
              help="Kubernetes version the KV rules check against (default: the newest bundled schemas).")
# configuration, suppressions and baselines
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Configuration file (default: .shiplint.yaml or pyproject.toml [tool.shiplint], "
                   "searched from the current directory upwards).")
@click.option("--no-config", is_flag=True, help="Do not read any configuration file.")
@click.option("--strict", is_flag=True, default=None, help="Ignore inline suppressions (comments and annotations).")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False),
              help="Leave out the findings recorded in this baseline file.")
@click.option("--write-baseline", "write_baseline_file", type=click.Path(dir_okay=False),
              help="Record the current findings in this baseline file and exit 0.")
# CI integration
@click.option("--sarif-category", metavar="TEXT",
              help="SARIF runs[0].automationDetails.id, to tell apart several uploads of one commit.")
@click.option("--sarif-suppressed", type=click.Choice(["include", "exclude"]), default=None, show_default="exclude",
              help="Inline-suppressed findings in SARIF: left out (GitHub code scanning ignores SARIF "
                   "suppressions), or included with their suppression.")
@click.option("--sarif-max-results", type=click.IntRange(min=0), default=None, show_default="25000", metavar="N",
              help="At most N results in the SARIF run, the most severe (GitHub's limit); 0: no limit.")
@click.option("--progress/--no-progress", "progress", default=None,
              help="Files done / total on stderr (only ever on a terminal; default: for long runs).")
@click.option("--policies", "policy_dirs", multiple=True, metavar="DIR",
              help="Load declarative policies (*.yaml) from DIR (repeatable).")
# performance
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=None, metavar="N",
              help="Check files in N processes (default: the number of CPUs; 1: in this process); "
                   "the helm renders of a chart (its CI scenarios) share the N. "
                   "The output does not depend on it.")
# automatic fixes
@click.option("--fix", "apply_fix", is_flag=True, help="Apply the safe fixes, then report what remains.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print the fixes as a unified diff instead of writing them (and instead of the report).")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff: also the fixes that may change behaviour.")
@click.option("--stats", "print_stats", is_flag=True, hidden=True,
              help="Print what was read and parsed (files, bytes, documents…) as JSON on stderr (benchmarks).")
def check(paths, fmts, output, fail_on, select, extend_select, ignore, exclude, quiet, color, stdin_filename, disable_plugin,
          chart_dir, helm_bin, helm_values, helm_set, release_name, namespace, helm_ci_values, helm_values_trace,
          kustomize_bin,
          kubernetes_version, config_file, no_config, strict, baseline_file, write_baseline_file,
          sarif_category, sarif_suppressed, sarif_max_results, progress, policy_dirs, jobs, apply_fix, show_diff, unsafe_fixes, print_stats):
    """Check PATHS (files and directories; '-' reads standard input)."""
    import gc

    from shiplint.engine import Engine, Options
    from shiplint.plugins import Plugins

    # A run allocates millions of small objects that live until its end (positioned YAML nodes,
    # findings): with the default thresholds the collector scans them again and again, more
    # often the bigger the run; 50,000 allocations between young collections take 14 % off
    # the CPU of 20,000 applications in one file and 3 % off 250. This process, not a library
    # embedding the engine, decides how its own memory is collected.
    gc.set_threshold(50_000, 20, 20)
    if not paths:
        paths = (".",)
    targets = _report_targets(fmts, output)
    missing = [p for p in paths if p != "-" and not os.path.lexists(p)]
    if missing:
        raise UsageError(f"no such file or directory: {missing[0]!r}")
    options = Options(
        stdin_filename=stdin_filename,
        disabled_plugins=set(_split(disable_plugin)),
        # Helm and Kustomize rendering
        chart_dir=chart_dir,
        helm_bin=helm_bin,
        helm_values=list(helm_values),
        helm_set=list(helm_set),
        release_name=release_name,
        namespace=namespace,
        helm_ci_values=helm_ci_values,
        helm_values_trace=helm_values_trace,
        kustomize_bin=kustomize_bin,
        kubernetes_version=_kubernetes_version(kubernetes_version),
        policy_dirs=list(policy_dirs),  # declarative policies
    )
    from shiplint.engine import default_jobs

    options.jobs = jobs if jobs else default_jobs()
    plugins = Plugins(disabled=options.disabled_plugins)
    # configuration: the file first, then the command line overrides it
    from shiplint.config import Overrides, configure

    from_file = configure(options, plugins.rules(), paths, config_file, no_config, Overrides(
        select=_split(select) if select else None, extend_select=_split(extend_select), ignore=_split(ignore),
        exclude=list(exclude), strict=bool(strict),
    ), warn=lambda message: click.echo(f"shiplint: warning: {shown(message)}", err=True))
    if write_baseline_file:
        options.baseline = None
    elif baseline_file or from_file.get("baseline"):
        from shiplint.engine.baseline import load_baseline

        options.baseline = os.path.abspath(baseline_file) if baseline_file else from_file["baseline"]
        load_baseline(options.baseline)  # a missing or broken baseline stops the run before it starts
    fail_on = fail_on or from_file.get("fail-on") or "warning"
    sarif_category = sarif_category or from_file.get("sarif-category")
    sarif_suppressed = sarif_suppressed or from_file.get("sarif-suppressed", "exclude")
    if sarif_max_results is None:
        sarif_max_results = from_file.get("sarif-max-results", 25000)
    engine = Engine(options, plugins)
    reporters = engine.plugins.reporters()
    for fmt, _path in targets:
        if fmt not in reporters:
            raise UsageError(f"unknown format {fmt!r}; choose from {', '.join(sorted(reporters))}")
    stdin_data = sys.stdin.buffer.read() if "-" in paths else None
    from shiplint.progress import Progress

    meter = Progress(sys.stderr, progress)
    try:
        if apply_fix or show_diff:
            fixed = _run_fixes(engine, list(paths), stdin_data, meter, show_diff, unsafe_fixes, write_baseline_file)
            if show_diff:
                return fixed
            report = fixed
        else:
            report = engine.run(list(paths), stdin_data, progress=meter)
    finally:
        meter.close()
    if print_stats:  # read by benchmarks/run.py
        import json

        click.echo("shiplint-stats: " + json.dumps(engine.stats, sort_keys=True), err=True)
    if write_baseline_file:  # baselines
        from shiplint.engine.baseline import write_baseline

        n = write_baseline(report.findings, report.root, write_baseline_file)
        click.echo(f"shiplint: wrote {n} finding{'s' if n != 1 else ''} to the baseline {write_baseline_file}", err=True)
        return EXIT_OK
    for fmt, path in targets:
        _write_report(reporters[fmt], fmt, path, report, {
            "color": path is None and _use_color(color, sys.stdout),
            "quiet": quiet,
            "fail_on": fail_on,
            "sarif_category": sarif_category,
            "sarif_suppressed": sarif_suppressed,
            "sarif_max_results": sarif_max_results,
        })
    if any(fmt == "sarif" for fmt, _path in targets):
        from shiplint.reporters.sarif import kept_findings, limit_message

        kept, dropped = kept_findings(report.findings, {"sarif_suppressed": sarif_suppressed,
                                                        "sarif_max_results": sarif_max_results})
        if dropped:
            click.echo(f"shiplint: warning: {limit_message(dropped, len(kept))}", err=True)
    text_shown = any(fmt == "text" for fmt, _path in targets)
    for n in report.notifications:
        # the text report shows unreadable and unparsable files as findings; what it cannot
        # show (a rule or reporter that failed) goes to stderr in every format
        if not text_shown or n.kind in ("internal-error", "unavailable"):
            click.echo(f"shiplint: {shown(n.message)}", err=True)
    if report.internal_errors:
        return EXIT_USAGE
    return EXIT_FINDINGS if report.exceeds(fail_on) else EXIT_OK


def _write_report(reporter, fmt, path, report, out_opts) -> None:
    try:
        text = reporter(report, out_opts)
    except Exception as exc:  # a reporter bug (a plugin's format): the findings are not lost
        _internal_error(report, f"the {fmt} reporter failed: {type(exc).__name__}: {exc}")
        from shiplint.reporters.json import render as render_json

        text = render_json(report, out_opts)
    if path:
        from shiplint.core.fsutil import write_atomic

        try:  # never through a symlink of the checked-out tree; atomically
            write_atomic(path, text.encode("utf-8", "backslashreplace"))
        except OSError as exc:
            raise UsageError(f"cannot write the report {path}: {exc.strerror or exc}") from None
    else:
        # bytes, so that a character the terminal's encoding lacks is escaped, not an error
        out = sys.stdout
        out.flush()
        if hasattr(out, "buffer"):
            out.buffer.write(text.encode(getattr(out, "encoding", None) or "utf-8", "backslashreplace"))
        else:
            out.write(text)
        out.flush()


def _kubernetes_version(text):
    if text is None:
        return None
    from shiplint.model.k8s.apischema import parse_version

    try:
        parse_version(text)
    except ValueError as exc:
        raise UsageError(f"--kubernetes-version: {exc}") from None
    return text


def _run_fixes(engine, paths, stdin_data, meter, show_diff, unsafe_fixes, write_baseline_file):
    """``--fix``: fix, write, and return the report of what remains; ``--diff``: print the diff
    and return the exit status (1 when there is something to fix)."""
    from shiplint.engine.fixer import run_fixes, summary, unified_diff, write_fixes

    if write_baseline_file:
        raise UsageError("--fix and --diff do not combine with --write-baseline")
    if "-" in paths and not show_diff:
        raise UsageError("--fix cannot write standard input; use --diff")
    outcome = run_fixes(engine, paths, stdin_data, unsafe=unsafe_fixes, progress=meter)
    meter.close()
    if show_diff:
        sys.stdout.write(unified_diff(outcome))
        sys.stdout.flush()
    else:
        write_fixes(outcome)
    for line in summary(outcome, written=not show_diff):
        click.echo(f"shiplint: {line}", err=True)
    if show_diff:
        return EXIT_FINDINGS if outcome.changed_files else EXIT_OK
    return outcome.report


def _internal_error(report, message: str) -> None:
    from shiplint.engine import Notification

    report.notifications.append(Notification(message, "error", kind="internal-error"))


def shown(message: str) -> str:
    """A message for standard error: secrets masked, control characters escaped."""
    from shiplint.core.redact import escape_controls, redact

    return escape_controls(redact(str(message)))


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
@click.option("--policies", "policy_dirs", multiple=True, metavar="DIR",
              help="Also list the declarative policies of DIR (repeatable).")
def rules_cmd(fmt, policy_dirs):
    """List every rule: code, name, level and summary."""
    from shiplint.plugins import Plugins

    rules = Plugins().rules()
    if policy_dirs:  # declarative policies
        from shiplint.registry.policies import with_policies

        rules = with_policies(rules, policy_dirs)
    if fmt == "markdown":
        from shiplint.ruledocs import render_markdown

        click.echo(render_markdown(rules.values()), nl=False)
        return EXIT_OK
    if fmt == "json":
        import json

        click.echo(json.dumps([
            {"code": r.code, "name": r.name, "level": r.level, "summary": r.meta.summary, "plugin": r.plugin}
            for r in rules.values()
        ], indent=2))
        return EXIT_OK
    wcode = max((len(r.code) for r in rules.values()), default=4)
    wname = max((len(r.name) for r in rules.values()), default=4)
    click.echo(f"{'CODE':<{wcode}}  {'NAME':<{wname}}  {'LEVEL':<7}  SUMMARY")
    for r in rules.values():
        click.echo(f"{r.code:<{wcode}}  {r.name:<{wname}}  {r.level:<7}  {r.meta.summary}")
    return EXIT_OK


def find_rules(rules: dict, token: str) -> list:
    """Rules named by a code or a name (a name may stand for a Dockerfile and a Kubernetes twin)."""
    token = token.strip()
    return [r for r in rules.values() if r.code == token.upper() or r.name == token.lower()]


@cli.command()
@click.argument("rule")
@click.option("--policies", "policy_dirs", multiple=True, metavar="DIR",
              help="Also consider the declarative policies of DIR (repeatable).")
def explain(rule, policy_dirs):
    """Explain a rule (by code or name): what, why, an example that fires, the fix."""
    from shiplint.plugins import Plugins

    all_rules = Plugins().rules()
    if policy_dirs:  # declarative policies
        from shiplint.registry.policies import with_policies

        all_rules = with_policies(all_rules, policy_dirs)
    found = find_rules(all_rules, rule)
    if not found:
        raise UsageError(f"unknown rule {rule!r} (see 'shiplint rules')")
    click.echo("\n\n".join(_explain_text(r) for r in found))
    return EXIT_OK


def _explain_text(r) -> str:
    m = r.meta
    parts = [
        f"{m.code} {m.name} ({m.level})",
        "",
        "What it flags",
        f"  {m.summary}",
        "",
        "Why it matters",
        *_wrap(m.rationale),
    ]
    if m.example:  # (declarative policies may have no example)
        parts += ["", "Example that fires", *("  " + line for line in m.example.rstrip().splitlines())]
    if m.good_example:
        parts += ["", "Fixed", *("  " + line for line in m.good_example.rstrip().splitlines())]
    parts += ["", "How to fix", *_wrap(m.fix)]
    if m.autofix:
        how = "--fix" if m.autofix == "safe" else "--fix --unsafe-fixes (it may change behaviour)"
        parts += ["", f"Automatic fix: {m.autofix}, applied by {how}", *(_wrap(m.autofix_note) if m.autofix_note else [])]
    if m.options:
        parts += ["", "Options"]
        for name, spec in m.options.items():
            parts.append(f"  {name}: {spec.get('description', '')} (default: {spec.get('default')!r})")
    if m.tags:
        parts += ["", f"Tags: {', '.join(m.tags)}"]
    if m.help_uri:
        parts += ["", f"Documentation: {m.help_uri}"]
    if hasattr(r, "origin_lines"):  # declarative policies: file, target, schema
        parts += ["", *r.origin_lines()]
    return "\n".join(parts)


def _wrap(text: str) -> list[str]:
    import textwrap

    # a URL is never split: a terminal can only open it whole
    return ["  " + line for line in textwrap.wrap(" ".join(text.split()), 92, break_long_words=False,
                                                 break_on_hyphens=False)] or ["  -"]


@cli.command()
def plugins():
    """List the built-in and installed plugins with their versions."""
    from shiplint.plugins import Plugins

    for info in Plugins().info:
        state = "" if info.enabled else "  (disabled)"
        click.echo(f"{info.name:<20} {info.version:<10} {info.source}{state}")
    return EXIT_OK


@cli.group()
def server():
    """A resident process that makes each later check start fast (pre-commit hooks).

    While it runs, every `shiplint` command of this installation is handed to it and runs in a
    fork of its warmed-up process, with this terminal's streams, directory and environment.
    SHIPLINT_SERVER=auto starts it on the first command; SHIPLINT_SERVER=off bypasses it."""


def _server_error(exc) -> int:
    click.echo(f"shiplint: error: {exc}", err=True)
    return EXIT_USAGE


@server.command("start")
@click.option("--idle-timeout", type=click.FloatRange(min=1), default=1800, show_default=True, metavar="SECONDS",
              help="Leave after this long without a request.")
def server_start(idle_timeout):
    """Start the server in the background (nothing happens when one already runs)."""
    from shiplint import resident

    status = resident.control("status")
    if status is None:
        status = resident.start_detached(idle_timeout)
        if status is None:
            return _server_error("the server did not start (run 'shiplint server run' to see why)")
        click.echo(f"shiplint server started: pid {status['pid']}, {status['socket']}")
    else:
        click.echo(f"shiplint server already running: pid {status['pid']}, {status['socket']}")
    return EXIT_OK


@server.command("run")
@click.option("--idle-timeout", type=click.FloatRange(min=1), default=1800, show_default=True, metavar="SECONDS",
              help="Leave after this long without a request.")
def server_run(idle_timeout):
    """Serve in the foreground (what 'start' runs in the background)."""
    from shiplint import resident

    try:
        return resident.serve(main, idle_timeout, ready=lambda path: click.echo(f"shiplint server listening on {path}", err=True))
    except resident.ServerError as exc:
        return _server_error(exc)


@server.command("stop")
def server_stop():
    """Stop this installation's server."""
    from shiplint import resident

    answer = resident.control("stop")
    click.echo(f"shiplint server stopped (pid {answer['stopped']})" if answer else "shiplint server: none running")
    return EXIT_OK


@server.command("status")
def server_status():
    """Say whether a server runs for this installation (exit 1 when none does)."""
    from shiplint import resident

    status = resident.control("status")
    if status is None:
        click.echo("shiplint server: none running")
        return EXIT_FINDINGS
    click.echo(f"shiplint server: pid {status['pid']}, {status['socket']}, up {status['uptime']} s, "
               f"{status['served']} requests served, {status['running']} running, idle timeout {status['idle-timeout']:g} s")
    return EXIT_OK


def main(argv=None) -> None:
    """Console entry point: maps every error onto the 0/1/2 exit scheme, never a traceback."""
    try:
        rv = cli.main(args=argv, prog_name="shiplint", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # pragma: no cover - click >= 8.2
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        hint = ""
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            hint = f" (see '{ctx.command_path} --help')"
        click.echo(f"shiplint: error: {exc.format_message()}{hint}", err=True)
        sys.exit(EXIT_USAGE)
    except click.exceptions.Abort:
        click.echo("shiplint: interrupted", err=True)
        sys.exit(EXIT_USAGE)
    except UsageError as exc:
        click.echo(f"shiplint: error: {shown(exc)}", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        click.echo("shiplint: interrupted", err=True)
        sys.exit(EXIT_USAGE)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as exc:  # a bug: say so in one line (SHIPLINT_DEBUG=1 shows the traceback)
        if os.environ.get("SHIPLINT_DEBUG"):
            raise
        click.echo(f"shiplint: internal error: {type(exc).__name__}: {shown(exc)} (please report it; "
                   "SHIPLINT_DEBUG=1 shows the traceback)", err=True)
        sys.exit(EXIT_USAGE)
    if isinstance(rv, int):
        sys.exit(rv)
    sys.exit(EXIT_OK)
