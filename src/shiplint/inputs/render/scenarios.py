"""CI values scenarios of a chart: the ``ci/*-values.yaml`` files chart-testing installs the
chart with, each rendered beside the default render so that a setting only a scenario turns on
(``ingress.enabled``, ``hostNetwork``) is linted too.

A finding on a template line that the default render already reports is folded into it by
:func:`~shiplint.inputs.render.origin.remap_findings` (same rule, place and message), the
scenario staying as a related location; one only scenarios produce is reported once, its
message naming them."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass

from shiplint.core.findings import Finding


@dataclass
class Scenario:
    """One CI scenario to render: its file (relative to the chart), the input and the options
    of its render, and the render once asked for (see :mod:`shiplint.inputs.render.concurrent`)."""

    shown: str
    input: object
    options: object
    outcome: object = None


def scenario_files(chart_dir: str) -> list[str]:
    """The chart's ``ci/*-values.yaml`` files (regular files only), in name order."""
    found = glob.glob(os.path.join(glob.escape(chart_dir), "ci", "*-values.yaml"))
    return sorted(p for p in found if os.path.isfile(p) and not os.path.islink(p))


def name_scenarios(findings: list[Finding]) -> None:
    """Say in the message of a finding that only CI scenarios produce which ones do (its
    related locations hold one ``CI scenario …`` entry per scenario, merged across renders)."""
    for f in findings:
        if not f.properties.get("scenario"):
            continue
        names = [r.message[len("CI scenario "):] for r in f.related
                 if r.message and r.message.startswith("CI scenario ")]
        names = list(dict.fromkeys(names)) or [f.properties["scenario"]]
        f.properties["scenarios"] = names
        f.message += f" (only with CI scenario{'s' if len(names) > 1 else ''} {', '.join(names)})"
