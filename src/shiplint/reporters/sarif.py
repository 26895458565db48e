"""SARIF 2.1.0, on the sarif-om object model, serialised by our own writer.

sarif-om has no serializer: :func:`to_sarif_dict` walks its attrs classes, uses each field's
``schema_property_name``, drops unset fields and the ``-1`` placeholders, and passes plain dicts
(property bags with arbitrary keys) through.  Importing sarif-om and attrs costs about 70 ms, so
a report is built by default through :mod:`shiplint.reporters._sarif_model`, the same classes'
fields (derived from sarif-om and checked against it by the tests) making the serialised dicts
directly; ``build(..., model=sarif_om)`` builds it through sarif-om's own classes, with the same
output.  Only the SARIF document goes to the output.

``tool.driver.rules`` describes the rules that the results use (each result's ``ruleIndex``
points into it, which is what GitHub code scanning reads for the rule's help), not every rule
that ran: a one-file report stays small.
"""

from __future__ import annotations

import json

from shiplint import __version__
from shiplint.core.findings import Finding, Location
from shiplint.core.redact import escape_surrogates, redact_report, uri_path
from shiplint.reporters._sarif_model import Model

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
INFO_URI = "https://github.com/shiplint/shiplint"


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


def _result(om, f: Finding, index: dict[str, int]):
    extra = {}
    if f.related:
        extra["related_locations"] = [
            om.Location(id=i, physical_location=_physical(om, loc.path, loc.region),
                        message=om.Message(text=escape_surrogates(loc.message)) if loc.message else None)
            for i, loc in enumerate(f.related)
        ]
    if f.suppressed:
        extra["suppressions"] = [om.Suppression(kind="inSource",
                                                justification=escape_surrogates(f.justification) or None)]
    if f.properties:
        extra["properties"] = dict(f.properties)
    if f.fix is not None:
        extra["fixes"] = [_fix(om, f)]
    return om.Result(
        message=om.Message(text=escape_surrogates(f.message)),
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
            artifact_location=om.ArtifactLocation(uri=f.path, uri_base_id=SRCROOT),
            replacements=[om.Replacement(deleted_region=_region(om, e.region),
                                         inserted_content=om.ArtifactContent(text=e.text))
                          for e in f.fix.edits],
        )],
        properties={"safety": f.fix.safety},
    )


def build(report, options: dict, model=None) -> dict:
    """The SARIF log of ``report``; ``model``: the object model to build it with (sarif-om's
    module gives the same output as the default)."""
    om = model or FAST_MODEL
    report = redact_report(report)
    used = sorted({f.code for f in report.findings})
    rules = [report.rules[c] for c in used if c in report.rules]
    index = {r.code: i for i, r in enumerate(rules)}
    notifications = [
        om.Notification(
            message=om.Message(text=escape_surrogates(n.message)),
            level=n.level,
            locations=[om.Location(physical_location=_physical(om, n.path, n.region))] if n.path and n.region else None,
        )
        for n in report.notifications
    ]
    invocation = om.Invocation(
        execution_successful=not any(n.kind == "internal-error" for n in report.notifications),
        tool_execution_notifications=notifications or None,
    )
    category = options.get("sarif_category")
    run = om.Run(
        tool=om.Tool(driver=om.ToolComponent(
            name="shiplint", version=__version__, semantic_version=__version__, information_uri=INFO_URI,
            rules=[_descriptor(om, r) for r in rules],
        )),
        results=[_result(om, f, index) for f in report.findings],
        invocations=[invocation],
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(description=om.Message(text="The directory shiplint was run from (repository root)."))},
        column_kind="unicodeCodePoints",
        automation_details=om.RunAutomationDetails(id=category if category.endswith("/") else category + "/")
        if category else None,
    )
    log = om.SarifLog(version="2.1.0", schema_uri=SARIF_SCHEMA, runs=[run])
    data = to_sarif_dict(log) if model is not None else _to_dict(log, None)
    data["runs"][0].setdefault("results", [])
    # conventional order: $schema and version first
    return {"$schema": data.pop("$schema"), "version": data.pop("version"), **data}


def render(report, options: dict) -> str:
    return json.dumps(build(report, options), indent=2, ensure_ascii=False) + "\n"
