"""The command line as a user meets it: exit codes, formats, rules, explain, errors."""

from __future__ import annotations

import json

from conftest import FIXTURES, assert_valid_sarif, run_shiplint

BAD_DF = FIXTURES / "rules" / "DF101" / "bad.Dockerfile"
GOOD_DF = FIXTURES / "rules" / "DF101" / "good.Dockerfile"


def test_version():
    r = run_shiplint("--version")
    assert r.code == 0
    assert r.out.startswith("shiplint ")


def test_clean_input_exits_0_with_empty_sarif_results(tmp_path):
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n")
    r = run_shiplint("check", "--format", "sarif", "ok.yaml", cwd=tmp_path)
    assert r.code == 0, r.err
    data = assert_valid_sarif(r.out)
    assert data["runs"][0]["results"] == []
    assert data["version"] == "2.1.0"
    assert data["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_bad_input_exits_1_and_sarif_points_at_the_image(tmp_path):
    (tmp_path / "Dockerfile").write_bytes(BAD_DF.read_bytes())
    r = run_shiplint("check", "--format", "sarif", ".", cwd=tmp_path)
    assert r.code == 1
    data = assert_valid_sarif(r.out)
    run = data["runs"][0]
    results = [x for x in run["results"] if x["ruleId"] == "DF101"]
    assert len(results) == 2
    loc = results[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"}
    assert loc["region"]["startLine"] == 4 and loc["region"]["startColumn"] == 6
    assert loc["region"]["endColumn"] == 6 + len("golang:1.22")
    rules = run["tool"]["driver"]["rules"]
    idx = results[0]["ruleIndex"]
    assert rules[idx]["id"] == "DF101"
    assert rules[idx]["properties"]["security-severity"] == "5.0"
    assert rules[idx]["help"]["markdown"]
    assert results[0]["partialFingerprints"]
    # no -1 placeholders leak out of sarif-om
    assert "-1" not in json.dumps(run["results"]).replace('"-1', "")


def test_fingerprint_survives_lines_inserted_above(tmp_path):
    (tmp_path / "Dockerfile").write_bytes(BAD_DF.read_bytes())
    before = run_shiplint("check", "--format", "sarif", ".", cwd=tmp_path).json()
    (tmp_path / "Dockerfile").write_text("# a new comment\n# and another\n" + BAD_DF.read_text())
    after = run_shiplint("check", "--format", "sarif", ".", cwd=tmp_path).json()
    fp = lambda d: sorted(r["partialFingerprints"]["shiplint/v1"] for r in d["runs"][0]["results"])  # noqa: E731
    lines = lambda d: sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in d["runs"][0]["results"])  # noqa: E731
    assert fp(before) == fp(after)
    assert lines(before) != lines(after)


def test_text_output_groups_by_file_and_summarises(tmp_path):
    (tmp_path / "Dockerfile").write_bytes(BAD_DF.read_bytes())
    r = run_shiplint("check", ".", cwd=tmp_path)
    assert r.code == 1
    assert "Dockerfile:4:6  warning  DF101 base-image-not-pinned" in r.out
    assert "Found 2 findings (2 warnings) in 1 file" in r.out
    assert "\033[" not in r.out  # not a terminal: no colour


def test_color_always_and_no_color(tmp_path):
    (tmp_path / "Dockerfile").write_bytes(BAD_DF.read_bytes())
    assert "\033[" in run_shiplint("check", "--color", "always", ".", cwd=tmp_path).out
    assert "\033[" not in run_shiplint("check", "--color", "auto", ".", cwd=tmp_path, env={"NO_COLOR": "1"}).out


def test_json_output_is_a_list_of_findings(tmp_path):
    (tmp_path / "Dockerfile").write_bytes(BAD_DF.read_bytes())
    r = run_shiplint("check", "--format", "json", ".", cwd=tmp_path)
    data = r.json()
    assert isinstance(data, list) and len(data) == 2
    assert data[0]["code"] == "DF101" and data[0]["region"] == {"line": 4, "column": 6, "end_line": 4, "end_column": 17}
    assert set(data[0]) >= {"code", "name", "level", "message", "path", "region", "fingerprint", "suppressed"}


def test_fail_on_threshold(tmp_path):
    (tmp_path / "Dockerfile").write_bytes(BAD_DF.read_bytes())
    assert run_shiplint("check", "--fail-on", "error", ".", cwd=tmp_path).code == 0
    assert run_shiplint("check", "--fail-on", "never", ".", cwd=tmp_path).code == 0
    assert run_shiplint("check", "--fail-on", "note", ".", cwd=tmp_path).code == 1


def test_select_and_ignore_by_code_name_and_prefix(tmp_path):
    (tmp_path / "Dockerfile").write_bytes(BAD_DF.read_bytes())
    assert run_shiplint("check", "--ignore", "DF101", ".", cwd=tmp_path).code == 0
    assert run_shiplint("check", "--ignore", "base-image-not-pinned", ".", cwd=tmp_path).code == 0
    assert run_shiplint("check", "--ignore", "DF", ".", cwd=tmp_path).code == 0
    assert run_shiplint("check", "--select", "KS,SL", ".", cwd=tmp_path).code == 0
    assert run_shiplint("check", "--select", "DF1", ".", cwd=tmp_path).code == 1


def test_unknown_rule_in_select_is_a_usage_error(tmp_path):
    r = run_shiplint("check", "--select", "NOPE999", ".", cwd=tmp_path)
    assert r.code == 2
    assert "NOPE999" in r.err and "Traceback" not in r.err


def test_unknown_option_exits_2_with_one_line(tmp_path):
    r = run_shiplint("check", "--bogus", cwd=tmp_path)
    assert r.code == 2
    assert len(r.err.strip().splitlines()) == 1
    assert "--bogus" in r.err and "Traceback" not in r.err
    r = run_shiplint("nosuchcommand")
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1
    r = run_shiplint("check", "--format", "xml", ".", cwd=tmp_path)
    assert r.code == 2 and "xml" in r.err


def test_stdin_with_filename():
    r = run_shiplint("check", "--stdin-filename", "Dockerfile", "-", stdin=BAD_DF.read_text())
    assert r.code == 1
    assert "Dockerfile:4:6" in r.out
    r = run_shiplint("check", "-", stdin=GOOD_DF.read_text())
    assert r.code == 0, r.out


def test_output_file(tmp_path):
    (tmp_path / "Dockerfile").write_bytes(BAD_DF.read_bytes())
    r = run_shiplint("check", "--format", "sarif", "-o", "out.sarif", ".", cwd=tmp_path)
    assert r.code == 1 and r.out == ""
    assert_valid_sarif((tmp_path / "out.sarif").read_text())


def test_rules_table_lists_codes_names_levels():
    r = run_shiplint("rules")
    assert r.code == 0
    lines = r.out.splitlines()
    assert lines[0].split() == ["CODE", "NAME", "LEVEL", "SUMMARY"]
    row = next(line for line in lines if line.startswith("DF101"))
    assert "base-image-not-pinned" in row and "warning" in row


def test_explain_by_code_and_by_name():
    by_code = run_shiplint("explain", "KS101")
    by_name = run_shiplint("explain", "image-not-pinned-by-digest")
    assert by_code.code == 0 and by_code.out == by_name.out
    for section in ("What it flags", "Why it matters", "Example that fires", "How to fix",
                    "Documentation: https://github.com/shiplint/shiplint/blob/main/docs/rules.md#ks101"):
        assert section in by_code.out
    r = run_shiplint("explain", "nope")
    assert r.code == 2 and "unknown rule" in r.err


def test_missing_path_is_a_usage_error(tmp_path):
    # a mistyped path must not pass a run that uses --fail-on never
    (tmp_path / "Dockerfile").write_bytes(BAD_DF.read_bytes())
    for extra in ((), ("--fail-on", "never")):
        r = run_shiplint("check", *extra, "--format", "sarif", "missing.yaml", "Dockerfile", cwd=tmp_path)
        assert r.code == 2 and r.out == ""
        assert r.err == "shiplint: error: no such file or directory: 'missing.yaml'\n"


def test_parse_error_is_sl001_with_position(tmp_path):
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: [oops\n")
    r = run_shiplint("check", "--format", "json", "broken.yaml", cwd=tmp_path)
    assert r.code == 1
    (f,) = r.json()
    assert f["code"] == "SL001" and f["path"] == "broken.yaml" and f["region"]["line"] >= 3


def test_explain_a_name_shared_by_twins_shows_both():
    r = run_shiplint("explain", "untrusted-registry")
    assert r.code == 0
    assert "DF104 untrusted-registry" in r.out and "KS104 untrusted-registry" in r.out
