"""Human output: findings grouped by file, coloured on a terminal, with a summary line.

Names, paths and messages come from the scanned repository: control characters in them are
escaped, and no line starts with a file name (a name such as ``::error::…`` would be a
workflow command for a CI runner, ``import …`` a line of code in a ``.pth`` file), so paths
are written ``./path`` (or ``../path``).
"""

from __future__ import annotations

from shiplint.core.redact import escape_controls, escape_path, redact_report

COLORS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def render(report, options: dict) -> str:
    color = options.get("color", False)
    quiet = options.get("quiet", False)

    def paint(text, code):
        return f"{code}{text}{RESET}" if color else text

    report = redact_report(report)
    lines: list[str] = []
    current = None
    for f in report.active():
        if f.path != current:
            if current is not None:
                lines.append("")
            current = f.path
        r = f.region
        where = paint(f"{shown_path(f.path)}:{r.line}:{r.column}", BOLD)
        level = paint(f"{f.level:<7}", COLORS.get(f.level, ""))
        lines.append(f"{where}  {level}  {f.code} {f.name}  {escape_controls(f.message)}")
        for loc in f.related:
            note = f" ({escape_controls(loc.message)})" if loc.message else ""
            lines.append(paint(f"    ↳ {shown_path(loc.path)}:{loc.region.line}:{loc.region.column}{note}", DIM))
    if not quiet:
        counts = report.counts()
        total = sum(counts.values())
        files = len({f.path for f in report.active()})
        parts = [f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}" for k in ("error", "warning", "note") if counts[k]]
        if total:
            summary = f"Found {total} finding{'s' if total != 1 else ''} ({', '.join(parts)}) in {files} file{'s' if files != 1 else ''}"
        else:
            summary = "No findings"
        summary += f"; {len(report.files)} file{'s' if len(report.files) != 1 else ''} checked"
        hidden = len(report.suppressed())
        if hidden:
            summary += f"; {hidden} suppressed"
        if lines:
            lines.append("")
        lines.append(summary + ".")
    return "\n".join(lines) + ("\n" if lines else "")


def shown_path(path: str) -> str:
    """A path as it may start a line: escaped, and behind ``./`` unless shiplint wrote its
    beginning (``../`` of a file outside the working directory, ``<stdin>``)."""
    shown = escape_path(path)
    if not shown or shown.startswith("../") or shown == "<stdin>":
        return shown
    return "./" + shown
