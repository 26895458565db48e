"""Inline suppressions: comments in Dockerfiles and YAML, Kubernetes annotations, SL005/SL006."""

from __future__ import annotations

import textwrap

from conftest import assert_valid_sarif, lint_text, run_shiplint

DIGEST = "@sha256:" + "4b1d3d25fcfc127f" * 4
#: The rules under test: the two the snippets break, and the suppression diagnostics (SL005, SL006);
#: the snippets break other practices too (root user, no probes…), which is beside the point here.
SEL = ["DF101", "KS101", "SL"]
SEL_CLI = ("--select", ",".join(SEL))


def _active(findings, code=None):
    return [(f.code, f.region.line) for f in findings if not f.suppressed and (code is None or f.code == code)]


def _suppressed(findings):
    return [(f.code, f.region.line, f.justification) for f in findings if f.suppressed]


# -- end to end ----------------------------------------------------------------------------------

DOCKERFILE = textwrap.dedent("""\
    # shiplint ignore=DF101 -- mirrored by the registry proxy; see ops=1234
    FROM alpine:3.19 AS base
    FROM debian:12
    """)


def test_dockerfile_suppression_hidden_in_text_and_counted(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    r = run_shiplint("check", *SEL_CLI, ".", cwd=tmp_path)
    assert r.code == 1  # debian:12 is still reported
    assert "alpine" not in r.out and "debian:12" in r.out
    assert "1 suppressed" in r.out
    (tmp_path / "Dockerfile").write_text(DOCKERFILE.replace("FROM debian:12\n", ""))
    r = run_shiplint("check", *SEL_CLI, ".", cwd=tmp_path)
    assert r.code == 0, r.out  # a suppressed finding does not fail the run
    assert "No findings" in r.out and "1 suppressed" in r.out


def test_dockerfile_suppression_in_sarif_with_justification(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    r = run_shiplint("check", *SEL_CLI, "--format", "sarif", "--sarif-suppressed", "include", ".", cwd=tmp_path)
    data = assert_valid_sarif(r.out)
    results = data["runs"][0]["results"]
    by_line = {x["locations"][0]["physicalLocation"]["region"]["startLine"]: x for x in results}
    assert by_line[2]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "mirrored by the registry proxy; see ops=1234"}
    ]
    assert "suppressions" not in by_line[3]
    # the default, for GitHub code scanning (which ignores suppressions): left out of the run
    default = assert_valid_sarif(run_shiplint("check", *SEL_CLI, "--format", "sarif", ".", cwd=tmp_path).out)
    lines = [x["locations"][0]["physicalLocation"]["region"]["startLine"] for x in default["runs"][0]["results"]]
    assert 2 not in lines and 3 in lines


def test_yaml_suppression_end_to_end(tmp_path):
    (tmp_path / "api.yaml").write_text(textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: app}
        spec:
          template:
            spec:
              containers:
              - name: api
                # shiplint ignore=image-not-pinned-by-digest -- a = sign, and, commas
                image: ghcr.io/acme/api:1.3.0
        """))
    r = run_shiplint("check", *SEL_CLI, "--format", "sarif", "--sarif-suppressed=include", ".", cwd=tmp_path)
    assert r.code == 0
    data = assert_valid_sarif(r.out)
    (res,) = data["runs"][0]["results"]
    assert res["ruleId"] == "KS101"
    assert res["suppressions"] == [{"kind": "inSource", "status": "accepted", "justification": "a = sign, and, commas"}]
    text = run_shiplint("check", *SEL_CLI, ".", cwd=tmp_path)
    assert text.code == 0 and "1 suppressed" in text.out and "KS101" not in text.out


def test_json_output_marks_suppressed_findings(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    data = run_shiplint("check", *SEL_CLI, "--format", "json", ".", cwd=tmp_path).json()
    sup = [f for f in data if f["suppressed"]]
    assert len(sup) == 1 and sup[0]["justification"].startswith("mirrored")


def test_strict_ignores_suppressions(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    r = run_shiplint("check", *SEL_CLI, "--strict", "--format", "json", ".", cwd=tmp_path)
    assert sorted(f["region"]["line"] for f in r.json() if not f["suppressed"]) == [2, 3]
    (tmp_path / ".shiplint.yaml").write_text("strict: true\n")
    r = run_shiplint("check", *SEL_CLI, "--format", "json", ".", cwd=tmp_path)
    assert [f["suppressed"] for f in r.json()] == [False, False]


# -- Dockerfile comments ----------------------------------------------------------------------------

def test_comma_separated_list_with_spaces_and_names(tmp_path):
    text = "# shiplint ignore=KS101, base-image-not-pinned -- legacy\nFROM alpine:3.19\n"
    findings = lint_text(tmp_path, text, "Dockerfile", select=SEL)
    assert _suppressed(findings) == [("DF101", 2, "legacy")]
    # KS101 cannot apply to a Dockerfile: reported as unused
    assert _active(findings) == [("SL006", 1)]


def test_comment_covers_only_the_next_instruction(tmp_path):
    text = "# shiplint ignore=DF101\nFROM alpine:3.19\nFROM debian:12\n"
    findings = lint_text(tmp_path, text, "Dockerfile", select=SEL)
    assert _suppressed(findings) == [("DF101", 2, None)]
    assert _active(findings) == [("DF101", 3)]


def test_blank_line_breaks_the_link(tmp_path):
    text = "# shiplint ignore=DF101\n\nFROM alpine:3.19\n"
    findings = lint_text(tmp_path, text, "Dockerfile", select=SEL)
    assert _active(findings) == [("SL006", 1), ("DF101", 3)]


def test_several_comment_lines_before_an_instruction(tmp_path):
    text = "# shiplint ignore=DF101 -- a\n# an unrelated comment\nFROM \\\n  alpine:3.19\n"
    findings = lint_text(tmp_path, text, "Dockerfile", select=SEL)
    assert _suppressed(findings) == [("DF101", 4, "a")]


def test_global_ignore(tmp_path):
    text = "FROM alpine:3.19\nRUN true\n# shiplint global ignore=DF101 -- vendored file\nFROM debian:12\n"
    findings = lint_text(tmp_path, text, "Dockerfile", select=SEL)
    assert _suppressed(findings) == [("DF101", 1, "vendored file"), ("DF101", 4, "vendored file")]
    assert _active(findings) == []


def test_unknown_rule_and_malformed_comment(tmp_path):
    text = "# shiplint ignore=DF1O1 -- letter O\nFROM alpine:3.19\n# shiplint ignore DF101\nFROM debian:12\n"
    findings = lint_text(tmp_path, text, "Dockerfile", select=SEL)
    sl005 = [(f.region.line, f.region.column, f.message) for f in findings if f.code == "SL005"]
    assert sl005[0][:2] == (1, 19) and "DF1O1" in sl005[0][2]
    assert sl005[1][:2] == (3, 1) and "not a valid suppression" in sl005[1][2]
    assert _active(findings, "DF101") == [("DF101", 2), ("DF101", 4)]


def test_unused_only_reported_when_the_rule_ran(tmp_path):
    text = f"# shiplint ignore=DF101\nFROM alpine:3.19{DIGEST}\n"
    assert _active(lint_text(tmp_path, text, "Dockerfile", select=SEL)) == [("SL006", 1)]
    # DF101 not selected: it cannot be known whether the suppression is needed
    assert _active(lint_text(tmp_path, text, "Dockerfile", select=["SL006"])) == []
    # SL006 not selected: nothing reported
    assert _active(lint_text(tmp_path, text, "Dockerfile", select=["DF101"])) == []


def test_shiplint_word_in_ordinary_comments_is_not_a_directive(tmp_path):
    text = "# shiplint checks this file in CI\nFROM alpine:3.19\n"
    assert _active(lint_text(tmp_path, text, "Dockerfile", select=SEL)) == [("DF101", 2)]


# -- YAML comments --------------------------------------------------------------------------------

DEPLOY = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: {name}, namespace: app}}
    spec:
      template:
    {meta}    spec:
          {before}containers:
          - name: a
            image: ghcr.io/acme/a:1
          - name: b{eol_b}
            image: "ghcr.io/acme/b:1"
          initContainers:
          - name: c
            image: ghcr.io/acme/c:1
            command:
            - sh
            - -c
            - |
              # shiplint ignore=KS101 -- inside a block scalar: not a comment
              echo "# shiplint ignore=KS101"
    """)


def _deploy(name="api", meta="", before="", eol_b=""):
    return DEPLOY.format(name=name, meta=meta, before=before, eol_b=eol_b)


def test_yaml_comment_before_a_block_covers_the_block_only(tmp_path):
    text = _deploy(before="# shiplint ignore=KS101 -- whole list\n      ")
    findings = lint_text(tmp_path, text, "d.yaml", select=SEL)
    assert _suppressed(findings) == [("KS101", 10, "whole list"), ("KS101", 12, "whole list")]
    assert _active(findings) == [("KS101", 15)]  # the initContainers sibling stays


def test_yaml_end_of_line_comment_covers_the_item(tmp_path):
    text = _deploy(eol_b="  # shiplint ignore=KS101 -- item b")
    findings = lint_text(tmp_path, text, "d.yaml", select=SEL)
    assert _suppressed(findings) == [("KS101", 11, "item b")]
    assert _active(findings) == [("KS101", 9), ("KS101", 14)]


def test_yaml_block_scalar_and_quoted_hash_are_not_comments(tmp_path):
    findings = lint_text(tmp_path, _deploy(), "d.yaml", select=SEL)
    assert _suppressed(findings) == []
    assert _active(findings) == [("KS101", 9), ("KS101", 11), ("KS101", 14)]


def test_yaml_global_ignore_covers_every_document(tmp_path):
    text = "# shiplint global ignore=KS101\n" + _deploy() + "---\n" + _deploy(name="web")
    findings = lint_text(tmp_path, text, "d.yaml", select=SEL)
    assert _active(findings) == []
    assert len(_suppressed(findings)) == 6


def test_yaml_dangling_comment_is_unused(tmp_path):
    text = _deploy() + "# shiplint ignore=KS101\n"
    findings = lint_text(tmp_path, text, "d.yaml", select=SEL)
    assert ("SL006", 21) in _active(findings)


# -- annotations ----------------------------------------------------------------------------------

def test_annotation_on_pod_template(tmp_path):
    meta = ('    metadata:\n      annotations:\n        shiplint.io/ignore: "KS101"\n'
            '        shiplint.io/ignore-reason: "digests are pinned at deploy time"\n')
    text = _deploy(meta=meta) + "---\n" + _deploy(name="web")
    findings = lint_text(tmp_path, text, "d.yaml", select=SEL)
    sup = _suppressed(findings)
    assert len(sup) == 3 and all(j == "digests are pinned at deploy time" for _, _, j in sup)
    # the other Deployment in the same file is not covered
    assert len(_active(findings, "KS101")) == 3


def test_annotation_on_object_metadata_and_unknown_name(tmp_path):
    text = _deploy().replace(
        "metadata: {name: api, namespace: app}",
        "metadata:\n  name: api\n  namespace: app\n  annotations: {shiplint.io/ignore: 'image-not-pinned-by-digest, KS99'}",
    )
    findings = lint_text(tmp_path, text, "d.yaml", select=SEL)
    assert len(_suppressed(findings)) == 3
    (sl005,) = [f for f in findings if f.code == "SL005"]
    assert sl005.region.line == 6 and "KS99" in sl005.message
    assert text.splitlines()[5][sl005.region.column - 1:].startswith("KS99")


def test_annotation_ignored_in_strict_mode(tmp_path):
    meta = '    metadata:\n      annotations:\n        shiplint.io/ignore: "KS101"\n'
    findings = lint_text(tmp_path, _deploy(meta=meta), "d.yaml", select=SEL, strict=True)
    assert _suppressed(findings) == [] and len(_active(findings, "KS101")) == 3


def test_annotation_survives_stdin_render(tmp_path):
    meta = '    metadata:\n      annotations:\n        shiplint.io/ignore: "KS101"\n'
    r = run_shiplint("check", *SEL_CLI, "--stdin-filename", "render.yaml", "-", cwd=tmp_path, stdin=_deploy(meta=meta))
    assert r.code == 0, r.out
    assert "3 suppressed" in r.out
