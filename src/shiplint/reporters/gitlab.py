"""GitLab Code Quality report: a JSON array of issues (the subset of the Code Climate spec GitLab reads).

Each active finding becomes one issue with ``description``, ``check_name``, ``fingerprint``
(unique in the report, line-independent so GitLab can tell new findings from moved ones),
``severity``, ``location.path`` and ``location.lines.begin``/``end``, plus ``categories`` and a
``content.body`` (the rule's summary and fix).  Suppressed findings are left out: GitLab has
no notion of a suppressed issue and would list them in the merge request.

Levels map onto GitLab severities as error → critical, warning → major, note → minor
(``info`` and ``blocker`` are not used).
"""

from __future__ import annotations

import hashlib
import json
import re

from shiplint.core.redact import escape_path, escape_surrogates, redact_report

SEVERITIES = {"error": "critical", "warning": "major", "note": "minor"}
_HEX = re.compile(r"[0-9a-f]+\Z")

#: Rule tags → Code Climate categories (the first match wins; default "Bug Risk").
_CATEGORIES = (
    ("security", "Security"),
    ("supply-chain", "Security"),
    ("performance", "Performance"),
    ("reproducibility", "Bug Risk"),
    ("reliability", "Bug Risk"),
    ("style", "Style"),
)


def _text(value: str) -> str:
    """Text GitLab can store: undecodable bytes of file names escaped (``\\xff``)."""
    return escape_surrogates(value)


def _fingerprint(f, used: set[str]) -> str:
    fp = f.fingerprint or ""
    if not _HEX.match(fp) or fp in used:
        # repeated findings carry a ":n" suffix in shiplint; GitLab wants plain, unique hashes
        fp = hashlib.sha256(f"{fp}\x00{f.code}\x00{f.path}\x00{f.message}".encode("utf-8", "replace")).hexdigest()[:32]
        n = 0
        while fp in used:
            n += 1
            fp = hashlib.sha256(f"{fp}\x00{n}".encode()).hexdigest()[:32]
    used.add(fp)
    return fp


def _categories(rule) -> list[str]:
    tags = set(rule.meta.tags) if rule is not None else set()
    for tag, category in _CATEGORIES:
        if tag in tags:
            return [category]
    return ["Bug Risk"]


def _body(rule) -> str | None:
    if rule is None:
        return None
    m = rule.meta
    parts = [m.summary]  # the rationale stays in `shiplint explain` and the SARIF help
    if m.fix:
        parts.append("Fix: " + " ".join(m.fix.split()))
    return "\n\n".join(parts)


def issue(f, rule, used: set[str]) -> dict:
    r = f.region
    out = {
        "type": "issue",
        "description": _text(f"{f.code} {f.name}: {f.message}"),
        "check_name": f.code,
        "fingerprint": _fingerprint(f, used),
        "severity": SEVERITIES.get(f.level, "major"),
        "location": {
            "path": escape_path(f.path or "."),
            "lines": {"begin": max(1, r.line), "end": max(1, r.end_line or r.line)},
        },
        "categories": _categories(rule),
    }
    body = _body(rule)
    if body:
        out["content"] = {"body": _text(body)}
    return out


def build(report, options: dict) -> list[dict]:
    used: set[str] = set()
    return [issue(f, report.rules.get(f.code), used) for f in redact_report(report).active()]


def render(report, options: dict) -> str:
    return json.dumps(build(report, options), indent=2, ensure_ascii=False) + "\n"
