"""Markdown for a pull-request comment or a GitHub job summary (``$GITHUB_STEP_SUMMARY``).

Short by design: a heading with the counts, one table row per rule (count, level, summary and a
link to the rule's documentation), then the findings grouped by file, at most
:data:`MAX_LISTED` of them (a comment has a size limit and nobody reads more).  Inside a
GitHub Actions run (``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY`` and ``GITHUB_SHA`` set) each
position links to the file at the commit.  Everything from the repository is escaped: a file
name or a message cannot add Markdown or HTML of its own.  Suppressed findings are counted, not
listed.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

from shiplint.core.findings import LEVEL_RANK
from shiplint.core.redact import escape_controls, redact_report, uri_path

MAX_LISTED = 50
_ICON = {"error": "🔴", "warning": "🟠", "note": "🔵"}
_SPECIAL = re.compile(r"([\\`*_\[\]|<>~&])")


def escape(text: str) -> str:
    """Text that shows as itself in GitHub-flavoured Markdown, on one line (the characters that
    start emphasis, code, links, tables, HTML or entities escaped; the lines start with our own
    prefix, so that a leading `#` or `-` cannot start a heading or a list)."""
    text = escape_controls(str(text)).replace("\n", " ")
    return _SPECIAL.sub(r"\\\1", text)


def _blob_base() -> str | None:
    server, repo, sha = (os.environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if not (server.startswith("https://") and re.fullmatch(r"[\w.-]+/[\w.-]+", repo) and re.fullmatch(r"[0-9a-f]{7,64}", sha)):
        return None
    return f"{server.rstrip('/')}/{repo}/blob/{sha}/"


def _position(f, base: str | None) -> str:
    where = f"{f.path}:{f.region.line}:{f.region.column}" if f.path else "(project)"
    if base and f.path:
        return f"[{escape(where)}]({base}{uri_path(f.path)}#L{f.region.line})"
    return escape(where)


def render(report, options: dict) -> str:
    report = redact_report(report)
    active = sorted(report.active(), key=lambda f: (-LEVEL_RANK.get(f.level, 0), f.sort_key()))
    counts = {level: sum(1 for f in active if f.level == level) for level in ("error", "warning", "note")}
    suppressed = len(report.suppressed())
    files = len(report.files)
    out = ["## shiplint", ""]
    if not active:
        out.append(f"✅ No findings in {files} file{'s' if files != 1 else ''}"
                   + (f" ({suppressed} suppressed)." if suppressed else "."))
        return "\n".join(out) + "\n"
    parts = [f"{_ICON[lv]} {n} {lv}{'s' if n != 1 else ''}" for lv, n in counts.items() if n]
    tail = f", {suppressed} suppressed" if suppressed else ""
    out += [f"**{len(active)} finding{'s' if len(active) != 1 else ''}** in {files} file{'s' if files != 1 else ''}: "
            + ", ".join(parts) + tail + ".", ""]
    out += ["| rule | level | findings | what it flags |", "|---|---|---:|---|"]
    by_rule: dict[str, list] = {}
    for f in active:
        by_rule.setdefault(f.code, []).append(f)
    for code, found in sorted(by_rule.items(), key=lambda kv: (-LEVEL_RANK.get(kv[1][0].level, 0), -len(kv[1]), kv[0])):
        rule = report.rules.get(code)
        uri = rule.meta.help_uri if rule is not None else ""
        label = f"`{code}` {escape(found[0].name)}"
        if uri.startswith("https://"):
            label = f"[{label}]({quote(uri, safe=':/#?=&%')})"
        summary = escape(rule.meta.summary) if rule is not None else ""
        out.append(f"| {label} | {found[0].level} | {len(found)} | {summary} |")
    out += ["", "<details><summary>Findings by file</summary>", ""]
    base = _blob_base()
    by_file: dict[str, list] = {}
    for f in active[:MAX_LISTED]:
        by_file.setdefault(f.path, []).append(f)
    for path in sorted(by_file):
        out.append(f"**{escape(path or '(project)')}**")
        out.append("")
        for f in sorted(by_file[path], key=lambda f: f.sort_key()):
            out.append(f"- {_ICON.get(f.level, '')} {_position(f, base)} `{f.code}` {escape(f.message)}")
        out.append("")
    if len(active) > MAX_LISTED:
        out += [f"… and {len(active) - MAX_LISTED} more (the most severe are listed; "
                "the full report is in the job log or the SARIF upload).", ""]
    out += ["</details>", ""]
    return "\n".join(out)
