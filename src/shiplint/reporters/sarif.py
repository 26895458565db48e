"""SARIF 2.1.0, on the sarif-om object model, serialised by our own writer.

sarif-om has no serializer: :func:`to_sarif_dict` walks its attrs classes, uses each field's
``schema_property_name``, drops unset fields and the ``-1`` placeholders, and passes plain dicts
(property bags with arbitrary keys) through.  Importing sarif-om and attrs costs more than a
whole one-Dockerfile check, so a report is built by default through
:mod:`shiplint.reporters._sarif_model`: the same classes' fields (derived from sarif-om and
checked against it by tests/test_sarif_model.py) making the serialised dicts directly;
``build(..., model=sarif_om)`` builds it through sarif-om's own classes, with the same output.
Only the SARIF document goes to the output.

What the consumers do with it decides the shape (docs/ci.md, "SARIF and code scanning"):

- GitHub code scanning does not honour ``result.suppressions``: an inline-suppressed finding
  would stay an open alert.  ``sarif_suppressed`` (``--sarif-suppressed``) is ``exclude`` by
  default (suppressed findings are left out); ``include`` writes them with ``suppressions`` for
  the consumers that read them (the SARIF viewers of VS Code and Azure DevOps).
- GitHub rejects a run of more than 25,000 results.  The run keeps the most severe
  ``sarif_max_results`` (default 25,000; 0: no limit) and says in a tool execution notification
  how many were left out; the exit status still counts every finding.  One run, not several:
  GitHub no longer accepts two runs of one tool and category in a file.
- ``tool.driver.rules`` describes the rules the kept results use (each result's ``ruleIndex``
  points there; GitHub reads a rule's help, tags, ``precision`` and ``security-severity`` from
  it), not every rule that ran: a one-file report stays small and a clean run lists none.
- Every rule has ``precision`` and ``problem.severity``; ``security-severity`` only goes with
  the ``security`` tag (GitHub reads it only then).
- A related location always names a file: the rendered position of a Helm chart or a
  kustomization (a directory) points at its ``Chart.yaml`` or kustomization file with the
  rendered line in its message; the result's message links each related location.
"""

from __future__ import annotations

import json
import os

from shiplint import __version__
from shiplint.core.findings import LEVEL_RANK, Finding, Location
from shiplint.core.redact import escape_surrogates, redact_report, uri_path
from shiplint.reporters._sarif_model import Model

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
INFO_URI = "https://github.com/shiplint/shiplint"
#: GitHub code scanning's documented upload limits.
MAX_RESULTS = 25_000
MAX_LOCATIONS = 1_000
#: SARIF ``problem.severity`` (GitHub's "recommendation" is the note level)
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
DEFAULT_PRECISION = "high"
#: The file that makes a rendered directory (the first that exists)
_RENDER_ENTRY_FILES = ("Chart.yaml", "kustomization.yaml", "kustomization.yml", "Kustomization")


def to_sarif_dict(obj):
    import attr

    return _to_dict(obj, attr)


def _to_dict(obj, attr):
    if attr is not None and attr.has(type(obj)):
        out = {}
        for a in attr.fields(type(obj)):
            value = getattr(obj, a.name)
            if value is None:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value == -1 and a.default == -1:
                continue
            out[a.metadata.get("schema_property_name", a.name)] = _to_dict(value, attr)
        return out
    if isinstance(obj, dict):
        return {k: _to_dict(v, attr) for k, v in obj.items() if v is not None}
    if isinstance(obj, (list, tuple)):
        return [_to_dict(v, attr) for v in obj]
    return obj


#: The default model: sarif-om's fields without importing it.
FAST_MODEL = Model()


def _region(om, r):
    return om.Region(start_line=r.line, start_column=r.column, end_line=r.end_line, end_column=r.end_column)


def _physical(om, path: str, region):
    return om.PhysicalLocation(
        artifact_location=om.ArtifactLocation(uri=uri_path(path), uri_base_id=SRCROOT),
        region=_region(om, region),
    )


def _descriptor(om, rule):
    m = rule.meta
    lang = m.example_language or ""
    md = [f"**{m.summary}**", "", m.rationale, "", "**Example that fires:**", "", f"```{lang}", m.example.rstrip(), "```"]
    if m.good_example:
        md += ["", "**Fixed:**", "", f"```{lang}", m.good_example.rstrip(), "```"]
    md += ["", f"**Fix:** {m.fix}"]
    text = f"{m.summary}\n\nWhy: {m.rationale}\n\nFix: {m.fix}"
    props = {"tags": list(m.tags), "precision": getattr(m, "precision", "") or DEFAULT_PRECISION,
             "problem.severity": PROBLEM_SEVERITY.get(m.level, "warning")}
    if m.security_severity is not None and "security" in m.tags:
        props["security-severity"] = f"{float(m.security_severity):.1f}"
    return om.ReportingDescriptor(
        id=m.code,
        name=m.name,
        short_description=om.MultiformatMessageString(text=m.summary),
        full_description=om.MultiformatMessageString(text=m.rationale or m.summary),
        help=om.MultiformatMessageString(text=text, markdown="\n".join(md)),
        help_uri=m.help_uri or None,
        default_configuration=om.ReportingConfiguration(level=m.level),
        properties=props,
    )


def _message_text(text: str) -> str:
    """Plain text of a SARIF message: literal brackets escaped (they would start an embedded
    link), ending with a period as SARIF asks of a message."""
    text = escape_surrogates(text or "").rstrip()
    text = text.replace("[", "\\[").replace("]", "\\]")
    return text if text.endswith((".", "!", "?")) else text + "."


def _related(om, loc: Location, i: int, root: str):
    """A related location on a file: a rendered directory points at the file that makes it."""
    text = loc.message or "related location"
    if root and os.path.isdir(os.path.join(root, loc.path)):
        entry = next((n for n in _RENDER_ENTRY_FILES if os.path.isfile(os.path.join(root, loc.path, n))), None)
        if entry is not None:
            # the rendered text exists only in memory: name the file and give the line in words
            path = f"{loc.path.rstrip('/')}/{entry}" if loc.path not in ("", ".") else entry
            return om.Location(
                id=i,
                physical_location=om.PhysicalLocation(
                    artifact_location=om.ArtifactLocation(uri=uri_path(path), uri_base_id=SRCROOT)),
                message=om.Message(text=_message_text(f"{text}, line {loc.region.line} of the rendered manifests")),
            )
    return om.Location(id=i, physical_location=_physical(om, loc.path, loc.region), message=om.Message(text=_message_text(text)))


def _result(om, f: Finding, index: dict[str, int], root: str = ""):
    text = _message_text(f.message)
    related = f.related[:MAX_LOCATIONS]
    extra = {}
    if related:
        # embedded links ([text](id)) let a viewer jump to each related location
        links = ", ".join(f"[{(loc.message or 'related location').replace('[', '(').replace(']', ')')}]({i})"
                          for i, loc in enumerate(related))
        text = f"{text} See {escape_surrogates(links)}."
        extra["related_locations"] = [_related(om, loc, i, root) for i, loc in enumerate(related)]
    if f.suppressed:
        # a plain dict: sarif-om's Suppression has no ``status``
        extra["suppressions"] = [{"kind": "inSource", "status": "accepted",
                                  "justification": escape_surrogates(f.justification) or None}]
    if f.properties:
        extra["properties"] = dict(f.properties)
    if f.fix is not None:
        extra["fixes"] = [_fix(om, f)]
    return om.Result(
        message=om.Message(text=text),
        rule_id=f.code,
        rule_index=index.get(f.code, -1),
        level=f.level,
        kind="fail",
        locations=[om.Location(physical_location=_physical(om, f.path, f.region))],
        partial_fingerprints={"shiplint/v1": f.fingerprint},
        **extra,
    )


def _fix(om, f: Finding):
    """The finding's automatic fix: replacements of exact regions of its file (an insertion is an
    empty region); ``properties.safety`` says whether it may change behaviour."""
    return om.Fix(
        description=om.Message(text=f.fix.description),
        artifact_changes=[om.ArtifactChange(
            artifact_location=om.ArtifactLocation(uri=uri_path(f.path), uri_base_id=SRCROOT),
            replacements=[om.Replacement(deleted_region=_region(om, e.region),
                                         inserted_content=om.ArtifactContent(text=e.text))
                          for e in f.fix.edits],
        )],
        properties={"safety": f.fix.safety},
    )


def kept_findings(findings: list[Finding], options: dict) -> tuple[list[Finding], int]:
    """The findings the run carries, and how many were left out by the results limit."""
    if (options.get("sarif_suppressed") or "exclude") == "exclude":
        findings = [f for f in findings if not f.suppressed]
    limit = options.get("sarif_max_results", MAX_RESULTS)
    if not limit or len(findings) <= limit:
        return findings, 0
    # the most severe first; the order of the report among equals
    order = sorted(range(len(findings)), key=lambda i: (-LEVEL_RANK.get(findings[i].level, 0), i))
    keep = sorted(order[:limit])
    return [findings[i] for i in keep], len(findings) - limit


def build(report, options: dict, model=None) -> dict:
    """The SARIF log of ``report``; ``model``: the object model to build it with (sarif-om's
    module gives the same output as the default)."""
    om = model or FAST_MODEL
    report = redact_report(report)
    findings, dropped = kept_findings(report.findings, options)
    used = sorted({f.code for f in findings})
    rules = [report.rules[c] for c in used if c in report.rules]
    index = {r.code: i for i, r in enumerate(rules)}
    notes = list(report.notifications)
    if dropped:
        from shiplint.engine.options import Notification

        notes.append(Notification(limit_message(dropped, len(findings)), "warning"))
    notifications = [
        om.Notification(
            message=om.Message(text=_message_text(n.message)),
            level=n.level,
            locations=[om.Location(physical_location=_physical(om, n.path, n.region))] if n.path and n.region else None,
        )
        for n in notes
    ]
    category = options.get("sarif_category")
    invocation = om.Invocation(
        execution_successful=not any(n.kind == "internal-error" for n in report.notifications),
        tool_execution_notifications=notifications or None,
    )
    run = om.Run(
        tool=om.Tool(driver=om.ToolComponent(
            name="shiplint", version=__version__, semantic_version=__version__, information_uri=INFO_URI,
            rules=[_descriptor(om, r) for r in rules],
        )),
        results=[_result(om, f, index, getattr(report, "root", "")) for f in findings],
        invocations=[invocation],
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(description=om.Message(text="The repository root (the git top level, or the directory of the root configuration): every artifact URI is relative to it."))},
        column_kind="unicodeCodePoints",
        automation_details=om.RunAutomationDetails(id=category if category.endswith("/") else category + "/")
        if category else None,
    )
    log = om.SarifLog(version="2.1.0", schema_uri=SARIF_SCHEMA, runs=[run])
    data = to_sarif_dict(log) if model is not None else _to_dict(log, None)
    data["runs"][0].setdefault("results", [])
    # conventional order: $schema and version first
    return {"$schema": data.pop("$schema"), "version": data.pop("version"), **data}


def limit_message(dropped: int, kept: int) -> str:
    return (f"{dropped} more result{'s' if dropped != 1 else ''} left out of the SARIF run: it holds the "
            f"{kept} most severe, the most GitHub code scanning accepts in a run (--sarif-max-results)")


def render(report, options: dict) -> str:
    return json.dumps(build(report, options), indent=2, ensure_ascii=False) + "\n"
