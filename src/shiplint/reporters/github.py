"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` line per finding.

Printed in a workflow step, each line becomes an annotation on the pull request's diff, without
uploading SARIF.  Escaping follows GitHub's workflow-command rules: in the message, ``%``, CR and
LF become ``%25``, ``%0D`` and ``%0A``; in property values ``:`` and ``,`` also become ``%3A`` and
``%2C`` (they delimit properties).  Other control characters and undecodable bytes of file names
are written as visible escapes (``\x1b``), and secrets are masked.  Every line starts with
``::error``, ``::warning`` or ``::notice``: nothing from the repository can start one.
Suppressed findings are not printed: they do not fail the run.
"""

from __future__ import annotations

from shiplint.core.redact import escape_controls, redact_report

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    text = escape_controls(text, keep="\r\n")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f) -> str:
    r = f.region
    props: list[tuple[str, object]] = []
    if f.path:  # a finding about the whole project has no file: a plain annotation
        props = [("file", f.path), ("line", r.line), ("endLine", r.end_line or r.line)]
        # Column ranges are only meaningful on one line; GitHub ignores them across lines.
        if (r.end_line or r.line) == r.line:
            last = max(r.column, (r.end_column or r.column) - 1)  # our end_column is exclusive
            props += [("col", r.column), ("endColumn", last)]
    props.append(("title", f"{f.code} {f.name}"))
    head = ",".join(f"{k}={escape_property(str(v))}" for k, v in props)
    return f"::{COMMANDS.get(f.level, 'warning')} {head}::{escape_data(f.message)}"


def render(report, options: dict) -> str:
    lines = [annotation(f) for f in redact_report(report).active()]
    return "".join(line + "\n" for line in lines)
