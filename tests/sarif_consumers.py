"""What SARIF consumers check, in pure Python: the properties behind the SARIF Multitool's
``validate --rule-kind "Sarif;Gh;Ghas"`` errors and warnings, and GitHub code scanning's
documented upload limits.  Each problem is named by the Multitool rule (or GitHub limit) it
stands for, so that a failure says which consumer would complain.

Written from the rules' documented intent (not their code): the Multitool is a .NET tool this
machine does not have; ``test_sarif_consumers`` runs it too when ``sarif`` is on PATH.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: GitHub code scanning's documented limits of one upload
GITHUB_LIMITS = {"runs": 20, "results": 25_000, "rules": 25_000, "locations": 1_000, "tags": 20}
FINAL_SCHEMAS = ("https://json.schemastore.org/sarif-2.1.0.json",
                 "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
PRECISIONS = {"very-high", "high", "medium", "low"}
PROBLEM_SEVERITIES = {"error", "warning", "recommendation"}
#: an RFC 3986 URI reference: unreserved, reserved and well-formed percent escapes only
_URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*\Z")
#: an embedded link to a location of the result: [text](id), brackets in text escaped
_LINK = re.compile(r"(?<!\\)\[((?:[^\[\]\\]|\\.)*)\]\((\d+)\)")


def _uri_problems(uri, where: str, *, relative: bool) -> list[str]:
    out = []
    if not isinstance(uri, str) or not uri:
        return [f"GH1001 {where}: no artifactLocation.uri"]
    if not _URI_CHARS.match(uri):
        out.append(f"SARIF1002 {where}: {uri!r} is not a valid URI reference")
    parts = urlsplit(uri)
    if relative and (parts.scheme or uri.startswith("/")):
        out.append(f"SARIF1004/GH1005 {where}: {uri!r} with a uriBaseId must be a relative reference")
    if parts.query or parts.fragment or "?" in uri or "#" in uri:
        out.append(f"SARIF1002 {where}: {uri!r} has a query or fragment: the path changed meaning")
    return out


def _region_problems(region, where: str) -> list[str]:
    if region is None:
        return []
    out = []
    line = region.get("startLine")
    if not isinstance(line, int) or line < 1:
        out.append(f"GH1003 {where}: region without a startLine")
        return out
    end = region.get("endLine", line)
    col, end_col = region.get("startColumn", 1), region.get("endColumn")
    if end < line:
        out.append(f"SARIF1007 {where}: endLine {end} before startLine {line}")
    if end == line and end_col is not None and end_col < col:
        out.append(f"SARIF1007 {where}: endColumn {end_col} before startColumn {col}")
    return out


def _location_problems(loc, where: str, bases: dict) -> list[str]:
    phys = loc.get("physicalLocation")
    if phys is None:
        return [f"GH1001 {where}: no physicalLocation"]
    art = phys.get("artifactLocation") or {}
    base = art.get("uriBaseId")
    out = _uri_problems(art.get("uri"), where, relative=base is not None)
    if base is not None and base not in bases:
        out.append(f"SARIF1004 {where}: uriBaseId {base!r} is not declared in originalUriBaseIds")
    return out + _region_problems(phys.get("region"), where)


def _message_problems(message, where: str) -> list[str]:
    text = (message or {}).get("text")
    if not isinstance(text, str) or not text.strip():
        return [f"GH1007/GHAS1015 {where}: no message text"]
    if not text.rstrip().endswith((".", "!", "?")):
        return [f"SARIF2001 {where}: message does not end with a period: {text[-40:]!r}"]
    return []


def _rule_problems(rule, where: str) -> list[str]:
    out = []
    if not rule.get("id"):
        out.append(f"Base2012 {where}: rule without id")
    for key in ("shortDescription", "fullDescription", "help"):
        if not (rule.get(key) or {}).get("text", "").strip():
            out.append(f"GHAS2012 {where}: no {key}.text")
    help_uri = rule.get("helpUri")
    if help_uri is not None and not urlsplit(help_uri).scheme:
        out.append(f"SARIF1005 {where}: helpUri {help_uri!r} is not absolute")
    props = rule.get("properties") or {}
    tags = props.get("tags") or []
    if len(tags) > GITHUB_LIMITS["tags"]:
        out.append(f"GitHub limit {where}: {len(tags)} tags")
    if props.get("precision") not in PRECISIONS:
        out.append(f"GitHub {where}: precision {props.get('precision')!r}")
    if props.get("problem.severity") not in PROBLEM_SEVERITIES:
        out.append(f"GitHub {where}: problem.severity {props.get('problem.severity')!r}")
    sev = props.get("security-severity")
    if ("security" in tags) != (sev is not None):
        out.append(f"GitHub {where}: security-severity {sev!r} with tags {tags}")
    if sev is not None:
        try:
            ok = 0.0 <= float(sev) <= 10.0
        except ValueError:
            ok = False
        if not ok:
            out.append(f"GitHub {where}: security-severity {sev!r} is not a number from 0 to 10")
    return out


def consumer_problems(log: dict) -> list[str]:
    """Every property a SARIF Multitool "Sarif;Gh;Ghas" error or warning, or a GitHub upload
    limit, would object to; empty when there is none."""
    out: list[str] = []
    if log.get("$schema") not in FINAL_SCHEMAS:
        out.append(f"SARIF1011/SARIF2008: $schema {log.get('$schema')!r}")
    runs = log.get("runs") or []
    if not runs:
        out.append("Base1014: no run")
    if len(runs) > GITHUB_LIMITS["runs"]:
        out.append(f"GitHub limit: {len(runs)} runs")
    seen_categories = set()
    for r, run in enumerate(runs):
        driver = (run.get("tool") or {}).get("driver") or {}
        key = (driver.get("name"), (run.get("automationDetails") or {}).get("id"))
        if key in seen_categories:
            out.append(f"GitHub runs[{r}]: a second run of tool and category {key}")
        seen_categories.add(key)
        if not driver.get("name"):
            out.append(f"Base1018 runs[{r}]: no driver name")
        if not (driver.get("version") or driver.get("semanticVersion")) or not driver.get("informationUri"):
            out.append(f"SARIF2005 runs[{r}]: driver without version or informationUri")
        rules = driver.get("rules")
        if rules is None:
            out.append(f"Base1018 runs[{r}]: no rules array")
            rules = []
        if len(rules) > GITHUB_LIMITS["rules"]:
            out.append(f"GitHub limit runs[{r}]: {len(rules)} rules")
        for i, rule in enumerate(rules):
            out += _rule_problems(rule, f"runs[{r}].rules[{i}]")
        bases = run.get("originalUriBaseIds") or {}
        for name, base in bases.items():
            uri = base.get("uri")
            if uri is not None and (not uri.endswith("/") or not (urlsplit(uri).scheme or base.get("uriBaseId"))):
                out.append(f"SARIF1004 runs[{r}].originalUriBaseIds.{name}: {uri!r}")
        results = run.get("results")
        if results is None:
            out.append(f"Base1014 runs[{r}]: no results array")
            results = []
        if len(results) > GITHUB_LIMITS["results"]:
            out.append(f"GitHub limit runs[{r}]: {len(results)} results")
        for i, res in enumerate(results):
            where = f"runs[{r}].results[{i}]"
            out += _message_problems(res.get("message"), where)
            rid, idx = res.get("ruleId"), res.get("ruleIndex")
            if not rid:
                out.append(f"SARIF1010 {where}: no ruleId")
            if idx is not None:
                if not 0 <= idx < len(rules):
                    out.append(f"SARIF1009 {where}: ruleIndex {idx} out of range")
                elif rules[idx].get("id") != rid:
                    out.append(f"SARIF1010 {where}: ruleId {rid!r} is not rules[{idx}].id")
            locations = res.get("locations") or []
            if not locations:
                out.append(f"GHAS1015 {where}: no locations")
            if not res.get("partialFingerprints"):
                out.append(f"GHAS1015 {where}: no partialFingerprints")
            related = res.get("relatedLocations") or []
            if len(locations) + len(related) > GITHUB_LIMITS["locations"]:
                out.append(f"GitHub limit {where}: {len(locations) + len(related)} locations")
            for j, loc in enumerate(locations):
                out += _location_problems(loc, f"{where}.locations[{j}]", bases)
            ids = set()
            for j, loc in enumerate(related):
                out += _location_problems(loc, f"{where}.relatedLocations[{j}]", bases)
                out += _message_problems(loc.get("message"), f"{where}.relatedLocations[{j}]")
                ids.add(loc.get("id"))
            text = (res.get("message") or {}).get("text") or ""
            links = {int(m.group(2)) for m in _LINK.finditer(text)}
            if links - ids:
                out.append(f"SARIF {where}: message links {sorted(links - ids)} that no related location has")
            if ids - links:
                out.append(f"{where}: related locations {sorted(ids - links)} not linked from the message")
        for inv in run.get("invocations") or []:
            for j, note in enumerate(inv.get("toolExecutionNotifications") or []):
                out += _message_problems(note.get("message"), f"runs[{r}].notifications[{j}]")
                for loc in note.get("locations") or []:
                    out += _location_problems(loc, f"runs[{r}].notifications[{j}]", bases)
    return out
