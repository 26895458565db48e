"""JSON output: a stable list of findings (see docs/output.md for the format)."""

from __future__ import annotations

import json as _json

from shiplint.core.redact import escape_path, escape_surrogates, redact_report

FORMAT_VERSION = 1


def finding_dict(f) -> dict:
    out = {
        "code": f.code,
        "name": f.name,
        "level": f.level,
        "message": escape_surrogates(f.message),
        "path": escape_path(f.path),
        "region": f.region.to_dict(),
        "fingerprint": f.fingerprint,
        "suppressed": f.suppressed,
    }
    if f.suppressed:
        out["justification"] = escape_surrogates(f.justification)
    if f.related:
        out["related"] = [
            {"path": escape_path(loc.path), "region": loc.region.to_dict(), "message": escape_surrogates(loc.message)}
            for loc in f.related
        ]
    return out


def render(report, options: dict) -> str:
    report = redact_report(report)
    return _json.dumps([finding_dict(f) for f in report.findings], indent=2, ensure_ascii=False) + "\n"
