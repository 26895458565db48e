"""SARIF 2.1.0, built with sarif-om and serialised by our own writer.

sarif-om has no serializer: :func:`to_sarif_dict` walks its attrs classes, uses each field's
``schema_property_name``, drops unset fields and the ``-1`` placeholders, and passes plain dicts
(property bags with arbitrary keys) through.  Only the SARIF document goes to the output.
"""

from __future__ import annotations

import json

import attr
import sarif_om as om

from shiplint import __version__
from shiplint.core.findings import Finding, Location
from shiplint.core.redact import escape_surrogates, redact_report, uri_path

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
INFO_URI = "https://github.com/shiplint/shiplint"


def to_sarif_dict(obj):
    if attr.has(type(obj)):
        out = {}
        for a in attr.fields(type(obj)):
            value = getattr(obj, a.name)
            if value is None:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value == -1 and a.default == -1:
                continue
            out[a.metadata.get("schema_property_name", a.name)] = to_sarif_dict(value)
        return out
    if isinstance(obj, dict):
        return {k: to_sarif_dict(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, (list, tuple)):
        return [to_sarif_dict(v) for v in obj]
    return obj


def _region(r) -> om.Region:
    return om.Region(start_line=r.line, start_column=r.column, end_line=r.end_line, end_column=r.end_column)


def _physical(path: str, region) -> om.PhysicalLocation:
    return om.PhysicalLocation(
        artifact_location=om.ArtifactLocation(uri=uri_path(path), uri_base_id=SRCROOT),
        region=_region(region),
    )


def _descriptor(rule) -> om.ReportingDescriptor:
    m = rule.meta
    lang = m.example_language or ""
    md = [f"**{m.summary}**", "", m.rationale, "", "**Example that fires:**", "", f"```{lang}", m.example.rstrip(), "```"]
    if m.good_example:
        md += ["", "**Fixed:**", "", f"```{lang}", m.good_example.rstrip(), "```"]
    md += ["", f"**Fix:** {m.fix}"]
    text = f"{m.summary}\n\nWhy: {m.rationale}\n\nFix: {m.fix}"
    props = {"tags": list(m.tags)}
    if m.security_severity is not None:
        props["security-severity"] = f"{float(m.security_severity):.1f}"
    if m.seeds:
        props["seeds"] = list(m.seeds)
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


def _result(f: Finding, index: dict[str, int]) -> om.Result:
    result = om.Result(
        message=om.Message(text=escape_surrogates(f.message)),
        rule_id=f.code,
        rule_index=index.get(f.code, -1),
        level=f.level,
        kind="fail",
        locations=[om.Location(physical_location=_physical(f.path, f.region))],
        partial_fingerprints={"shiplint/v1": f.fingerprint},
    )
    if f.related:
        result.related_locations = [
            om.Location(id=i, physical_location=_physical(loc.path, loc.region),
                        message=om.Message(text=escape_surrogates(loc.message)) if loc.message else None)
            for i, loc in enumerate(f.related)
        ]
    if f.suppressed:
        result.suppressions = [om.Suppression(kind="inSource",
                                              justification=escape_surrogates(f.justification) or None)]
    if f.properties:
        result.properties = dict(f.properties)
    if f.fix is not None:
        result.fixes = [_fix(f)]
    return result


def _fix(f: Finding) -> om.Fix:
    """The finding's automatic fix: replacements of exact regions of its file (an insertion is an
    empty region); ``properties.safety`` says whether it may change behaviour."""
    return om.Fix(
        description=om.Message(text=f.fix.description),
        artifact_changes=[om.ArtifactChange(
            artifact_location=om.ArtifactLocation(uri=f.path, uri_base_id=SRCROOT),
            replacements=[om.Replacement(deleted_region=_region(e.region),
                                         inserted_content=om.ArtifactContent(text=e.text))
                          for e in f.fix.edits],
        )],
        properties={"safety": f.fix.safety},
    )


def build(report, options: dict) -> dict:
    report = redact_report(report)
    used = sorted({f.code for f in report.findings})
    rules = [report.rules[c] for c in sorted(set(report.rules) | set(used)) if c in report.rules]
    index = {r.code: i for i, r in enumerate(rules)}
    notifications = [
        om.Notification(
            message=om.Message(text=escape_surrogates(n.message)),
            level=n.level,
            locations=[om.Location(physical_location=_physical(n.path, n.region))] if n.path and n.region else None,
        )
        for n in report.notifications
    ]
    invocation = om.Invocation(
        execution_successful=not any(n.kind == "internal-error" for n in report.notifications),
        tool_execution_notifications=notifications or None,
    )
    run = om.Run(
        tool=om.Tool(driver=om.ToolComponent(
            name="shiplint", version=__version__, semantic_version=__version__, information_uri=INFO_URI,
            rules=[_descriptor(r) for r in rules],
        )),
        results=[_result(f, index) for f in report.findings],
        invocations=[invocation],
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(description=om.Message(text="The directory shiplint was run from (repository root)."))},
        column_kind="unicodeCodePoints",
    )
    category = options.get("sarif_category")
    if category:
        run.automation_details = om.RunAutomationDetails(id=category if category.endswith("/") else category + "/")
    log = om.SarifLog(version="2.1.0", schema_uri=SARIF_SCHEMA, runs=[run])
    data = to_sarif_dict(log)
    data["runs"][0].setdefault("results", [])
    # conventional order: $schema and version first
    return {"$schema": data.pop("$schema"), "version": data.pop("version"), **data}


def render(report, options: dict) -> str:
    return json.dumps(build(report, options), indent=2, ensure_ascii=False) + "\n"
