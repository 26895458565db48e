"""JSON output: a stable list of findings (see docs/output.md for the format)."""

from __future__ import annotations

import json as _json

FORMAT_VERSION = 1


def finding_dict(f) -> dict:
    out = {
        "code": f.code,
        "name": f.name,
        "level": f.level,
        "message": f.message,
        "path": f.path,
        "region": f.region.to_dict(),
        "fingerprint": f.fingerprint,
        "suppressed": f.suppressed,
    }
    if f.suppressed:
        out["justification"] = f.justification
    if f.related:
        out["related"] = [
            {"path": loc.path, "region": loc.region.to_dict(), "message": loc.message} for loc in f.related
        ]
    return out


def render(report, options: dict) -> str:
    return _json.dumps([finding_dict(f) for f in report.findings], indent=2, ensure_ascii=False) + "\n"
