"""The hook implementations of the example plugin (entry point ``example``)."""

from __future__ import annotations

from shiplint.hookspecs import hookimpl


@hookimpl
def shiplint_rules():
    from .rules import require_owner_annotation

    return [require_owner_annotation.rule]


def _count(report, options):
    counts: dict[str, int] = {}
    for finding in report.active():
        counts[finding.code] = counts.get(finding.code, 0) + 1
    return "".join(f"{code} {n}\n" for code, n in sorted(counts.items())) or "0\n"


@hookimpl
def shiplint_reporters():
    return {"count": _count}


@hookimpl
def shiplint_pod_template_paths():
    return {"Worker": ("spec", "podTemplate")}
