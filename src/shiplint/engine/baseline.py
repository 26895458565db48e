"""Baselines: adopt shiplint on a repository with existing findings, fail only on new ones.

``--write-baseline FILE`` records every active finding by a key that does not depend on line
numbers: the rule code, the file (relative to the baseline file's directory), and the
finding's subject (object identity and field path, such as
``Deployment/app/api:containers[web].image``) or, for findings without one, the message with
its numbers blanked.  ``--baseline FILE`` then leaves out as many findings of each key as the
baseline records.

The file is JSON, one finding per line, sorted, so that it reads and diffs well::

    {
      "shiplint-baseline": 1,
      "findings": [
        {"rule": "DF101", "path": "Dockerfile", "subject": "stage[build].from"},
        {"rule": "KS101", "path": "deploy/api.yaml", "subject": "Deployment/app/api:containers[api].image", "count": 2}
      ]
    }
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter

from shiplint.core.paths import display_path
from shiplint.core.errors import UsageError
from shiplint.core.redact import escape_path, redact

FORMAT_KEY = "shiplint-baseline"
FORMAT_VERSION = 1
_NUMBER = re.compile(r"\d+")
#: A baseline is a list of keys: far below this, and a ``/dev/zero`` there is not read forever.
MAX_BASELINE_SIZE = 64 << 20


def normalise_message(message: str) -> str:
    """A message without its numbers and secrets (masked before the numbers go, so that no
    part of a key survives)."""
    return _NUMBER.sub("N", " ".join(redact(message).split()))


def finding_key(f, root: str, base_dir: str) -> tuple[str, str, str, str]:
    """``(rule, path, "subject" | "message", value)``: the line-independent identity, as the
    baseline file records it (secrets masked, undecodable bytes of file names escaped)."""
    path = escape_path(display_path(os.path.join(root, f.path), base_dir)) if f.path else ""
    if f.subject:
        return (f.code, path, "subject", redact(f.subject))
    return (f.code, path, "message", normalise_message(f.message))


def render(findings, root: str, baseline_path: str) -> str:
    base_dir = os.path.dirname(os.path.abspath(baseline_path))
    counts = Counter(finding_key(f, root, base_dir) for f in findings if not f.suppressed)
    lines = []
    for (code, path, field, value), n in sorted(counts.items()):
        entry = {"rule": code, "path": path, field: value}
        if n > 1:
            entry["count"] = n
        lines.append("    " + json.dumps(entry, ensure_ascii=False))
    body = ",\n".join(lines)
    return (f'{{\n  "{FORMAT_KEY}": {FORMAT_VERSION},\n  "findings": [\n'
            + (body + "\n" if body else "") + "  ]\n}\n")


def write_baseline(findings, root: str, path: str) -> int:
    """Write the baseline of the active ``findings``; returns how many it records."""
    from shiplint.core.fsutil import write_atomic

    text = render(findings, root, path)
    try:
        write_atomic(path, text.encode("utf-8", "backslashreplace"))
    except OSError as exc:
        raise UsageError(f"cannot write the baseline {path}: {exc.strerror or exc}") from None
    return sum(1 for f in findings if not f.suppressed)


def _shown(path: str) -> str:
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:  # another drive (Windows)
        return path


def load_baseline(path: str) -> Counter:
    from shiplint.core.fsutil import FileTooLarge, read_regular

    shown = _shown(path)
    try:
        text = read_regular(path, MAX_BASELINE_SIZE).decode("utf-8")
    except FileNotFoundError:
        raise UsageError(f"{shown}: baseline not found (create it with --write-baseline {shown})") from None
    except FileTooLarge as exc:
        raise UsageError(f"{shown}: cannot read the baseline: {exc.size} bytes, over the "
                         f"{MAX_BASELINE_SIZE}-byte limit") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{shown}: cannot read the baseline: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{shown}:{exc.lineno}: invalid baseline: {exc.msg}") from None
    if not isinstance(data, dict) or data.get(FORMAT_KEY) != FORMAT_VERSION or not isinstance(data.get("findings"), list):
        raise UsageError(f"{shown}: not a shiplint baseline (expected {{\"{FORMAT_KEY}\": {FORMAT_VERSION}, \"findings\": [...]}})")
    out: Counter = Counter()
    for i, e in enumerate(data["findings"]):
        ok = isinstance(e, dict) and isinstance(e.get("rule"), str) and isinstance(e.get("path"), str)
        field = "subject" if isinstance(e, dict) and "subject" in e else "message"
        ok = ok and isinstance(e.get(field), str)
        count = e.get("count", 1) if isinstance(e, dict) else 1
        if not ok or not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise UsageError(f"{shown}: invalid baseline entry {i + 1}: expected rule, path, subject or message, and an optional count")
        value = redact(e[field]) if field == "subject" else normalise_message(e[field])
        out[(e["rule"], e["path"], field, value)] += count
    return out


def filter_findings(findings, baseline_path: str, root: str):
    """The findings not recorded in the baseline (suppressed findings are kept as they are)."""
    known = load_baseline(baseline_path)
    base_dir = os.path.dirname(os.path.abspath(baseline_path))
    out = []
    for f in findings:
        if not f.suppressed:
            key = finding_key(f, root, base_dir)
            if known.get(key, 0) > 0:
                known[key] -= 1
                continue
        out.append(f)
    return out
