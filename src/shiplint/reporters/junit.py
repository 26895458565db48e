"""JUnit XML (the Jenkins/Surefire dialect read by Jenkins, GitLab, Azure DevOps, CircleCI…).

Layout: ``<testsuites name="shiplint">`` holds one ``<testsuite>`` per file with findings (named
by its repository-relative path).  Each finding is one ``<testcase>`` with a name unique in the
report (``CODE rule-name at path:line:col``) and a ``<failure type="CODE" message="…">`` whose
text gives the position, level, message and the rule's fix.  Suppressed findings are
``<skipped>`` test cases (visible, but they do not fail).  A run without findings gives one
passing test case, so that CI servers that reject empty reports still accept it.

The report follows ``--fail-on`` (``options["fail_on"]``): a finding below the threshold is a
passing test case with its details in ``<system-out>``, so that a run that exits 0 does not
make Jenkins mark the build unstable.  Only the attributes of the JUnit schema the Jenkins
xUnit plugin validates against are written (no ``file``/``line`` on a test case, no
``skipped`` on ``<testsuites>``); the file is the ``file`` attribute of its test suite.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from shiplint.core.findings import LEVEL_RANK
from shiplint.core.redact import escape_surrogates, redact_report

# Characters XML 1.0 cannot carry at all (even escaped), and lone surrogates.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _clean(text) -> str:
    """Text XML can carry: undecodable bytes of file names escaped (``\\xff``), other
    characters XML cannot hold replaced by U+FFFD."""
    return _INVALID_XML.sub("\ufffd", escape_surrogates(str(text)))


def _where(f) -> str:
    return f"{f.path}:{f.region.line}:{f.region.column}" if f.path else "(project)"


def _details(f, rule) -> str:
    lines = [f"{_where(f)}: {f.level} {f.code} {f.name}", f.message]
    for loc in f.related:
        note = f" ({loc.message})" if loc.message else ""
        lines.append(f"  related: {loc.path}:{loc.region.line}:{loc.region.column}{note}")
    if rule is not None and rule.meta.fix:
        lines.append("Fix: " + " ".join(rule.meta.fix.split()))
    return "\n".join(lines)


def build(report, options: dict) -> ET.Element:
    report = redact_report(report)
    fail_on = options.get("fail_on") or "warning"
    threshold = LEVEL_RANK.get(fail_on, 99)  # "never": nothing fails
    root = ET.Element("testsuites", name="shiplint")
    suites: dict[str, ET.Element] = {}
    counts: dict[str, list[int]] = {}  # suite → [tests, failures, skipped]
    names: set[str] = set()
    for f in report.findings:
        key = f.path or "(project)"
        suite = suites.get(key)
        if suite is None:
            suite = suites[key] = ET.SubElement(root, "testsuite", name=_clean(key))
            if f.path:
                suite.set("file", _clean(f.path))
            counts[key] = [0, 0, 0]
        base = f"{f.code} {f.name} at {_where(f)}"
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base} ({n})"
        names.add(name)
        attrs = {"classname": _clean(key), "name": _clean(name), "time": "0"}
        case = ET.SubElement(suite, "testcase", attrs)
        counts[key][0] += 1
        if f.suppressed:
            why = f"suppressed: {f.justification}" if f.justification else "suppressed"
            ET.SubElement(case, "skipped", message=_clean(why))
            counts[key][2] += 1
        elif LEVEL_RANK.get(f.level, 0) < threshold:  # reported, but below --fail-on: no failure
            out = ET.SubElement(case, "system-out")
            out.text = _clean(f"below --fail-on {fail_on}\n" + _details(f, report.rules.get(f.code)))
        else:
            failure = ET.SubElement(case, "failure", message=_clean(f.message), type=_clean(f.code))
            failure.text = _clean(_details(f, report.rules.get(f.code)))
            counts[key][1] += 1
    if not suites:
        suite = ET.SubElement(root, "testsuite", name="shiplint")
        ET.SubElement(suite, "testcase", classname="shiplint", name="no findings", time="0")
        counts["shiplint"] = [1, 0, 0]
        suites["shiplint"] = suite
    total = [0, 0, 0]
    for key, suite in suites.items():
        tests, failures, skipped = counts[key]
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
        suite.set("time", "0")
        total = [a + b for a, b in zip(total, counts[key])]
    root.set("tests", str(total[0]))
    root.set("failures", str(total[1]))
    root.set("errors", "0")
    root.set("time", "0")
    return root


def render(report, options: dict) -> str:
    root = build(report, options)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
