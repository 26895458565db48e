"""The CI formats (github, gitlab, junit) and --sarif-category, each checked against what its
consumer documents: GitHub's workflow-command syntax and escaping, GitLab's Code Quality fields
(tests/schemas/gitlab-codequality.schema.json), the JUnit dialect of Jenkins/Surefire
(tests/schemas/junit.schema.json)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURES, assert_valid_sarif, run_shiplint
from shiplint.engine import Report
from shiplint.core.findings import Finding, Location, Region
from shiplint.plugins import Plugins
from shiplint.reporters import github, gitlab, junit

SCHEMAS = Path(__file__).resolve().parent / "schemas"
BAD_DF = (FIXTURES / "rules" / "DF101" / "bad.Dockerfile").read_text()
BAD_DEPLOY = (FIXTURES / "rules" / "KS101" / "bad.yaml").read_text()
ODD_MESSAGE = "50% done, key: value\nsecond line\r\nthird :: part"
ODD_PATH = "we,ird:dir/100%/Dockerfile"
#: The CLI tests run the two rules whose fixtures they lint (positions pinned there), not the
#: other practices those fixtures happen to break.
SEL = ("--select", "DF101,KS101")


def _rules():
    return Plugins().rules()


def _finding(code="DF101", name="base-image-not-pinned", level="warning", message="m", path="Dockerfile",
             region=Region(4, 6, 4, 17), fp="0123456789abcdef0123456789abcdef", **kw):
    return Finding(code=code, name=name, level=level, message=message, path=path, region=region,
                   fingerprint=fp, **kw)


def odd_report() -> Report:
    """Several findings, with the characters each format must escape."""
    findings = [
        _finding(level="error", message=ODD_MESSAGE, path=ODD_PATH, region=Region(2, 3, 2, 9),
                 fp="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        # the same thing twice on one line: the engine suffixes the second fingerprint
        _finding(message="dup <b>&amp;</b> \"q\" 'a'", region=Region(4, 6, 4, 17), fp="bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
        _finding(message="dup <b>&amp;</b> \"q\" 'a'", region=Region(4, 6, 4, 17), fp="bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:1"),
        _finding(code="KS101", name="image-not-pinned-by-digest", level="note", path="k8s/deploy.yaml",
                 message="control \x01 char", region=Region(14, 18, 16, 2), fp="cccccccccccccccccccccccccccccccc",
                 related=[Location("chart/values.yaml", Region(3, 1), "value set here")]),
        _finding(code="KS101", name="image-not-pinned-by-digest", path="k8s/deploy.yaml", message="ignored one",
                 region=Region(20, 1), fp="dddddddddddddddddddddddddddddddd", suppressed=True,
                 justification="vendored image, pinned upstream"),
    ]
    return Report(findings, _rules(), files=[ODD_PATH, "Dockerfile", "k8s/deploy.yaml"])


# -- GitHub workflow commands ---------------------------------------------------------------

_COMMAND = re.compile(r"^::(?P<cmd>[a-z-]+)(?: (?P<props>[^:]*))?::(?P<data>.*)$")
DOCUMENTED_PROPS = {"file", "line", "endLine", "col", "endColumn", "title"}


def _unescape_data(s: str) -> str:
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_prop(s: str) -> str:
    return _unescape_data(s.replace("%3A", ":").replace("%2C", ","))


def parse_workflow_commands(text: str) -> list[dict]:
    """Read the output as the runner does: one command per line, properties split on ','."""
    out = []
    for line in text.splitlines():
        m = _COMMAND.match(line)
        assert m, f"not a workflow command: {line!r}"
        props = {}
        for part in (m["props"] or "").split(","):
            if part:
                key, _, value = part.partition("=")
                assert key in DOCUMENTED_PROPS, key
                props[key] = _unescape_prop(value)
        out.append({"command": m["cmd"], "props": props, "message": _unescape_data(m["data"])})
    return out


def test_github_commands_escape_and_round_trip():
    text = github.render(odd_report(), {})
    assert "\r" not in text and text.count("\n") == 4  # one line per active finding, nothing else
    cmds = parse_workflow_commands(text)
    assert [c["command"] for c in cmds] == ["error", "warning", "warning", "notice"]
    first = cmds[0]
    assert first["message"] == ODD_MESSAGE
    assert first["props"] == {"file": ODD_PATH, "line": "2", "endLine": "2", "col": "3", "endColumn": "8",
                              "title": "DF101 base-image-not-pinned"}
    raw = text.splitlines()[0]
    assert "file=we%2Cird%3Adir/100%25/Dockerfile," in raw
    assert raw.endswith("::50%25 done, key: value%0Asecond line%0D%0Athird :: part")
    # a finding over several lines has no column range
    multi = cmds[3]
    assert multi["props"]["line"] == "14" and multi["props"]["endLine"] == "16"
    assert "col" not in multi["props"] and "endColumn" not in multi["props"]
    # suppressed findings are not annotated
    assert all(c["message"] != "ignored one" for c in cmds)


def test_github_project_level_finding_has_no_file():
    report = Report([_finding(path="", message="no file")], _rules())
    (cmd,) = parse_workflow_commands(github.render(report, {}))
    assert cmd["props"] == {"title": "DF101 base-image-not-pinned"}


def test_github_format_from_the_cli(tmp_path):
    odd = tmp_path / "a,b:c"
    odd.mkdir()
    (odd / "Dockerfile").write_text(BAD_DF)
    (tmp_path / "deploy.yaml").write_text(BAD_DEPLOY)
    r = run_shiplint("check", *SEL, "--format", "github", ".", cwd=tmp_path)
    assert r.code == 1, r.err
    cmds = parse_workflow_commands(r.out)
    assert [(c["props"]["file"], c["props"]["line"], c["props"]["col"]) for c in cmds] == [
        ("a,b:c/Dockerfile", "4", "6"), ("a,b:c/Dockerfile", "9", "6"),
        ("deploy.yaml", "14", "18"), ("deploy.yaml", "17", "16")]
    assert cmds[0]["props"]["endColumn"] == str(6 + len("golang:1.22") - 1)
    assert {c["command"] for c in cmds} == {"warning"}


# -- GitLab Code Quality --------------------------------------------------------------------

def _gitlab_validator():
    schema = json.loads((SCHEMAS / "gitlab-codequality.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def assert_valid_gitlab(data):
    errors = list(_gitlab_validator().iter_errors(data))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    fps = [i["fingerprint"] for i in data]
    assert len(fps) == len(set(fps)), "fingerprints must be unique"


def test_gitlab_schema_rejects_what_gitlab_would_not_read():
    """The schema is not vacuous: each documented requirement is enforced."""
    good = {"description": "d", "check_name": "c", "fingerprint": "f", "severity": "major",
            "location": {"path": "a", "lines": {"begin": 1}}}
    v = _gitlab_validator()
    assert v.is_valid([good])
    for broken in (
        {**good, "severity": "error"},
        {k: v_ for k, v_ in good.items() if k != "fingerprint"},
        {**good, "location": {"path": "a"}},
        {**good, "location": {"path": "/abs", "lines": {"begin": 1}}},
        {**good, "location": {"path": "a", "lines": {"begin": 0}}},
    ):
        assert not v.is_valid([broken]), broken


def test_gitlab_report_is_valid_and_maps_levels():
    data = json.loads(gitlab.render(odd_report(), {}))
    assert_valid_gitlab(data)
    assert len(data) == 4  # the suppressed finding is left out
    assert [i["severity"] for i in data] == ["critical", "major", "major", "minor"]
    assert data[0]["description"] == f"DF101 base-image-not-pinned: {ODD_MESSAGE}"
    assert data[0]["location"] == {"path": ODD_PATH, "lines": {"begin": 2, "end": 2}}
    assert data[0]["fingerprint"] == "a" * 32  # shiplint's line-independent fingerprint
    assert data[3]["location"]["lines"] == {"begin": 14, "end": 16}
    assert data[0]["check_name"] == "DF101" and data[0]["categories"] == ["Security"]
    assert "Fix:" in data[0]["content"]["body"]


def test_gitlab_from_the_cli_on_real_findings(tmp_path):
    (tmp_path / "Dockerfile").write_text(BAD_DF)
    (tmp_path / "deploy.yaml").write_text(BAD_DEPLOY)
    r = run_shiplint("check", *SEL, "--format", "gitlab", "--output", "gl-code-quality-report.json", ".", cwd=tmp_path)
    assert r.code == 1, r.err
    assert r.out == ""
    data = json.loads((tmp_path / "gl-code-quality-report.json").read_text())
    assert_valid_gitlab(data)
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in data] == [
        ("DF101", "Dockerfile", 4), ("DF101", "Dockerfile", 9), ("KS101", "deploy.yaml", 14), ("KS101", "deploy.yaml", 17)]
    # same fingerprints as the JSON output, so GitLab tracks findings across moved lines
    js = run_shiplint("check", *SEL, "--format", "json", ".", cwd=tmp_path).json()
    assert [i["fingerprint"] for i in data] == [f["fingerprint"] for f in js]


def test_gitlab_empty_report_is_an_empty_array(tmp_path):
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    r = run_shiplint("check", "--format", "gitlab", ".", cwd=tmp_path)
    assert r.code == 0 and json.loads(r.out) == []


# -- JUnit ----------------------------------------------------------------------------------

def element_tree(el) -> dict:
    return {"tag": el.tag, "attrib": dict(el.attrib), "text": el.text,
            "children": [element_tree(c) for c in el]}


def _junit_validator():
    schema = json.loads((SCHEMAS / "junit.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


#: The Jenkins xUnit plugin's JUnit schema (junit-10.xsd), as facts: the attributes each element
#: may carry, the ones it must, and the children it may hold.
XUNIT_ATTRIBUTES = {
    "testsuites": ({"name", "time", "tests", "failures", "disabled", "errors"}, set()),
    "testsuite": ({"name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp", "hostname",
                   "id", "package", "file", "log", "url"}, {"name", "tests", "failures", "errors"}),
    "testcase": ({"name", "time", "classname", "group"}, {"name"}),
    "failure": ({"type", "message"}, set()), "error": ({"type", "message"}, set()),
    "skipped": ({"type", "message"}, set()), "system-out": (set(), set()), "system-err": (set(), set()),
    "properties": (set(), set()), "property": ({"name", "value"}, {"name", "value"}),
}
XUNIT_CHILDREN = {
    "testsuites": {"testsuite"}, "testsuite": {"testsuite", "properties", "testcase", "system-out", "system-err"},
    "testcase": {"skipped", "error", "failure", "system-out", "system-err"}, "properties": {"property"},
}
_SUREFIRE_TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?\Z")


def xunit_problems(el: ET.Element, where: str = "") -> list[str]:
    where = f"{where}/{el.tag}"
    allowed, required = XUNIT_ATTRIBUTES.get(el.tag, (None, set()))
    if allowed is None:
        return [f"{where}: element not in the schema"]
    out = [f"{where}: attribute {a!r} not in the schema" for a in el.attrib if a not in allowed]
    out += [f"{where}: no {a!r}" for a in required - set(el.attrib)]
    if el.tag in ("testsuites", "testsuite") and "time" in el.attrib and not _SUREFIRE_TIME.match(el.get("time")):
        out.append(f"{where}: time {el.get('time')!r}")
    for child in el:
        if child.tag not in XUNIT_CHILDREN.get(el.tag, set()):
            out.append(f"{where}: child {child.tag!r} not allowed")
        out += xunit_problems(child, where)
    return out


def assert_valid_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text.encode("utf-8"))  # raises on malformed or badly escaped XML
    errors = list(_junit_validator().iter_errors(element_tree(root)))
    assert not errors, [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5]]
    problems = xunit_problems(root)
    assert not problems, problems[:5]
    # counts add up
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
        assert int(suite.get("skipped")) == sum(1 for c in cases if c.find("skipped") is not None)
    for key in ("tests", "failures"):
        assert int(root.get(key)) == sum(int(s.get(key)) for s in root.iter("testsuite"))
    names = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert len(names) == len(set(names)), "test case names must be unique"
    return root


def test_junit_schema_rejects_broken_reports():
    v = _junit_validator()
    ok = '<testsuites><testsuite name="s" tests="1"><testcase name="c"><failure message="m"/></testcase></testsuite></testsuites>'
    assert v.is_valid(element_tree(ET.fromstring(ok)))
    for bad in (
        '<testsuites><testcase name="c"/></testsuites>',
        '<testsuites><testsuite tests="1"><testcase name="c"/></testsuite></testsuites>',
        '<testsuites><testsuite name="s" tests="x"/></testsuites>',
        '<testsuites><testsuite name="s" tests="1"><testcase name="c"><failure/><failure/></testcase></testsuite></testsuites>',
    ):
        assert not v.is_valid(element_tree(ET.fromstring(bad))), bad


def test_xunit_schema_facts_reject_what_the_plugin_rejects():
    for bad in ('<testsuites skipped="1"/>', '<testsuites><testsuite name="s" tests="1"/></testsuites>',
                '<testsuites><testsuite name="s" tests="1" failures="0" errors="0">'
                '<testcase name="c" file="f" line="1"/></testsuite></testsuites>',
                '<testsuites><testcase name="c"/></testsuites>'):
        assert xunit_problems(ET.fromstring(bad)), bad


def test_junit_follows_fail_on():
    """A finding below --fail-on is a passing case: a run that exits 0 leaves the build green."""
    for fail_on, failures in (("note", 4), ("warning", 3), ("error", 1), ("never", 0)):
        root = assert_valid_junit(junit.render(odd_report(), {"fail_on": fail_on}))
        assert root.get("failures") == str(failures), fail_on
        passing = [c for c in root.iter("testcase") if len(c) == 1 and c[0].tag == "system-out"]
        assert len(passing) == 4 - failures
        assert all(c[0].text.startswith(f"below --fail-on {fail_on}\n") for c in passing)


def test_junit_one_unique_failing_case_per_finding():
    root = assert_valid_junit(junit.render(odd_report(), {"fail_on": "note"}))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [ODD_PATH, "Dockerfile", "k8s/deploy.yaml"]
    assert [s.get("file") for s in suites] == [ODD_PATH, "Dockerfile", "k8s/deploy.yaml"]
    assert root.get("tests") == "5" and root.get("failures") == "4" and suites[2].get("skipped") == "1"
    cases = list(root.iter("testcase"))
    assert [c.get("name") for c in cases] == [
        f"DF101 base-image-not-pinned at {ODD_PATH}:2:3",
        "DF101 base-image-not-pinned at Dockerfile:4:6",
        "DF101 base-image-not-pinned at Dockerfile:4:6 (2)",
        "KS101 image-not-pinned-by-digest at k8s/deploy.yaml:14:18",
        "KS101 image-not-pinned-by-digest at k8s/deploy.yaml:20:1",
    ]
    first = cases[0].find("failure")
    assert first.get("type") == "DF101"
    assert first.get("message") == ODD_MESSAGE  # CR and LF survive as character references
    assert ODD_MESSAGE.split("\n")[0] in first.text and "Fix:" in first.text
    assert cases[1].find("failure").get("message") == "dup <b>&amp;</b> \"q\" 'a'"
    ks = cases[3].find("failure")
    assert ks.get("message") == "control \ufffd char"  # not representable in XML 1.0
    assert "related: chart/values.yaml:3:1 (value set here)" in ks.text
    skipped = cases[4].find("skipped")
    assert cases[4].find("failure") is None
    assert skipped.get("message") == "suppressed: vendored image, pinned upstream"


def test_junit_from_the_cli(tmp_path):
    (tmp_path / "Dockerfile").write_text(BAD_DF)
    (tmp_path / "deploy.yaml").write_text(BAD_DEPLOY)
    r = run_shiplint("check", *SEL, "--format", "junit", ".", cwd=tmp_path)
    assert r.code == 1, r.err
    root = assert_valid_junit(r.out)
    assert [(s.get("name"), s.get("failures")) for s in root.findall("testsuite")] == [("Dockerfile", "2"), ("deploy.yaml", "2")]
    assert {c.find("failure").get("type") for c in root.iter("testcase")} == {"DF101", "KS101"}


def test_junit_without_findings_is_one_passing_case(tmp_path):
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    r = run_shiplint("check", "--format", "junit", ".", cwd=tmp_path)
    assert r.code == 0
    root = assert_valid_junit(r.out)
    (case,) = root.iter("testcase")
    assert list(case) == [] and root.get("tests") == "1" and root.get("failures") == "0"


# -- SARIF category, CLI ---------------------------------------------------------------------

def test_sarif_category_only_when_given(tmp_path):
    (tmp_path / "Dockerfile").write_text(BAD_DF)
    plain = assert_valid_sarif(run_shiplint("check", "--format", "sarif", ".", cwd=tmp_path).out)
    assert "automationDetails" not in plain["runs"][0]
    tagged = assert_valid_sarif(run_shiplint("check", "--format", "sarif", "--sarif-category", "dockerfiles",
                                             ".", cwd=tmp_path).out)
    assert tagged["runs"][0]["automationDetails"] == {"id": "dockerfiles/"}


@pytest.mark.parametrize("fmt", ["github", "gitlab", "junit"])
def test_formats_are_listed_and_accepted(fmt, tmp_path):
    help_text = run_shiplint("check", "--help").out
    assert fmt in help_text and "--sarif-category" in help_text
    r = run_shiplint("check", "--format", "nope", ".", cwd=tmp_path)
    assert r.code == 2 and fmt in r.err


# -- Markdown (pull-request comment, job summary) --------------------------------------------------

def test_markdown_groups_counts_links_and_escapes(monkeypatch):
    from shiplint.reporters import markdown

    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/app")
    monkeypatch.setenv("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
    text = markdown.render(odd_report(), {})
    assert text.startswith("## shiplint\n")
    assert "**4 findings** in 3 files: 🔴 1 error, 🟠 2 warnings, 🔵 1 note, 1 suppressed." in text
    table = [line for line in text.splitlines() if line.startswith("| [`")]
    assert [line.split("`")[1] for line in table] == ["DF101", "KS101"]
    assert "| 3 |" in table[0] and "/docs/rules.md#df101)" in table[0]
    assert "(https://github.com/acme/app/blob/0123456789abcdef0123456789abcdef01234567/k8s/deploy.yaml#L14)" in text
    assert "dup \\<b\\>\\&amp;\\</b\\>" in text  # no HTML from a message
    assert "ignored one" not in text  # suppressed: counted, not listed
    body = text.split("<details>")[1]
    assert "\r" not in body and "\x01" not in body


def test_markdown_lists_at_most_fifty_and_says_how_many_more(tmp_path):
    from shiplint.reporters import markdown

    report = odd_report()
    many = [_finding(message=f"m{i}", region=Region(i + 1, 1), fp=f"{i:032x}") for i in range(60)]
    report.findings = many
    text = markdown.render(report, {})
    assert text.count("\n- ") == 50 and "… and 10 more" in text


def test_markdown_from_the_cli_without_findings(tmp_path):
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    r = run_shiplint("check", "--format", "markdown", ".", cwd=tmp_path)
    assert r.code == 0 and r.out == "## shiplint\n\n✅ No findings in 1 file.\n"
