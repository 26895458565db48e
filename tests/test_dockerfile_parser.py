from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiplint.core.errors import ParseError
from shiplint.core.findings import Region
from shiplint.sources.dockerfile import parser as dockerfile_module
from shiplint.sources.dockerfile import parse_dockerfile

from conftest import CORPUS as _CORPUS, CORPUS_NAME, meets_figure

CORPUS = _CORPUS / "dockerfiles"  # the full corpus's when present, else the slice's
#: How many Dockerfiles each corpus has (the slice's counted on it, as in test_dockerfile_corpus.py).
CORPUS_FILES = {"slice": 137, "full": 201}


def text_at(df, region: Region) -> str:
    """The source text a single-line region covers."""
    assert region.line == region.end_line
    return df.lines[region.line - 1][region.column - 1 : region.end_column - 1]


# --- basics ------------------------------------------------------------------------------------


def test_empty_and_comment_only_files_have_no_instructions():
    for src in ("", "\n\n", "# just a comment\n\n# another\n", "\ufeff"):
        df = parse_dockerfile(src)
        assert df.instructions == [] and df.stages == [] and df.final_stage is None
    assert parse_dockerfile("# a\n  # b\n").comments == [(1, "# a"), (2, "# b")]


def test_simple_positions_and_stage():
    df = parse_dockerfile("FROM alpine:3.19\n\n  run   apk add curl\n")
    from_, run = df.instructions
    assert from_.keyword == "FROM" and run.keyword == "RUN"
    assert run.keyword_region == Region(3, 3, 3, 6)
    assert run.region == Region(3, 3, 3, 21)
    assert run.text == "apk add curl"
    assert [(a.value, a.region) for a in run.args] == [
        ("apk", Region(3, 9, 3, 12)),
        ("add", Region(3, 13, 3, 16)),
        ("curl", Region(3, 17, 3, 21)),
    ]
    assert run.stage == 0 and from_.stage == 0
    stage = df.final_stage
    assert stage.image == "alpine:3.19" and stage.image_resolved and stage.is_external
    assert stage.instructions == [from_, run]
    assert text_at(df, stage.image_region) == "alpine:3.19"


def test_continuation_positions_skip_comments_and_blank_lines():
    src = (
        "FROM debian\n"
        "RUN apt-get update && \\\n"
        "# a comment inside the continuation\n"
        "\n"
        "    apt-get install -y \\  \n"
        "\tcurl\n"
        "CMD true\n"
    )
    df = parse_dockerfile(src)
    run = df.instructions[1]
    assert run.text == "apt-get update &&     apt-get install -y \tcurl"
    curl = run.args[-1]
    assert curl.value == "curl" and curl.region == Region(6, 2, 6, 6)
    install = next(a for a in run.args if a.value == "install")
    assert install.region == Region(5, 13, 5, 20)
    assert run.region == Region(2, 1, 6, 6)
    # offsets of text map back to the file, across lines
    off = run.text.index("curl")
    assert run.position_of(off) == (6, 2)
    assert run.region_of(0, len(run.text)) == Region(2, 5, 6, 6)
    assert run.position_of(len(run.text)) == (6, 6)
    assert (3, "# a comment inside the continuation") in df.comments
    assert df.instructions[2].keyword == "CMD" and df.instructions[2].region.line == 7


def test_escaped_escape_does_not_continue():
    df = parse_dockerfile("FROM x\nRUN echo foo\\\\\nRUN echo bar\n")
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN", "RUN"]


def test_backtick_escape_directive_and_positions():
    src = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir c:\\ `\n    && echo done\n"
    df = parse_dockerfile(src)
    assert df.escape == "`"
    assert [(d.name, d.value) for d in df.directives] == [("escape", "`")]
    run = df.instructions[1]
    assert run.text == "dir c:\\     && echo done"
    done = run.args[-1]
    assert done.value == "done" and done.region == Region(4, 13, 4, 17)
    # with the default escape the backslash would have continued the line
    df2 = parse_dockerfile("FROM x\nRUN dir c:\\\n    && echo done\n")
    assert len(df2.instructions) == 2


def test_directives_rules():
    df = parse_dockerfile("# Syntax = docker/dockerfile:1.7\n#check=skip=all\nFROM x\n")
    assert [(d.name, d.value) for d in df.directives] == [
        ("syntax", "docker/dockerfile:1.7"),
        ("check", "skip=all"),
    ]
    assert df.directives[0].region == Region(1, 1, 1, 33)
    assert df.comments == []
    # after a blank line, a comment or an instruction they are ordinary comments
    for src in ("\n# escape=`\nFROM x\n", "# hello\n# escape=`\nFROM x\n", "FROM x\n# escape=`\n"):
        df = parse_dockerfile(src)
        assert df.escape == "\\" and df.directives == []
        assert any(c[1] == "# escape=`" for c in df.comments)
    # an unknown directive ends the directive section
    df = parse_dockerfile("# foo=bar\n# escape=`\nFROM x\n")
    assert df.escape == "\\"


def test_directive_errors():
    with pytest.raises(ParseError) as e:
        parse_dockerfile("# escape=`\n# escape=\\\nFROM x\n")
    assert e.value.line == 2
    with pytest.raises(ParseError):
        parse_dockerfile("# escape=x\nFROM x\n")


def test_crlf_lone_cr_bom_and_tabs():
    src = "\ufeffFROM alpine\r\nRUN echo a \\\r\n\t&& echo b\rCMD [\"sh\"]\r\n"
    df = parse_dockerfile(src)
    assert df.lines == ["FROM alpine", "RUN echo a \\", "\t&& echo b", 'CMD ["sh"]']
    assert df.instructions[0].keyword_region == Region(1, 1, 1, 5)
    run = df.instructions[1]
    assert run.args[-1].value == "b" and run.args[-1].region == Region(3, 10, 3, 11)
    cmd = df.instructions[2]
    assert cmd.exec_form and cmd.args[0].value == "sh"
    assert cmd.args[0].region == Region(4, 6, 4, 10)


def test_flags_and_regions():
    src = (
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
        "RUN --mount=type=cache,target=/root/.cache/go-build \\\n"
        "    --mount=type=secret,id=tok --network=none go build ./...\n"
        "FROM scratch\n"
        'COPY --from=build --chown="1000:1000" --link /out /bin/app\n'
        "HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/ || exit 1\n"
    )
    df = parse_dockerfile(src)
    from_, run, _, copy, health = df.instructions
    assert from_.flag("platform").value == "$BUILDPLATFORM"
    assert text_at(df, from_.flag("platform").region) == "--platform=$BUILDPLATFORM"
    mounts = run.flags_named("mount")
    assert [m.value for m in mounts] == ["type=cache,target=/root/.cache/go-build", "type=secret,id=tok"]
    assert mounts[1].region == Region(3, 5, 3, 31)
    assert run.flag("network").value == "none"
    assert run.text == "go build ./..."
    assert run.args[0].region == Region(3, 47, 3, 49)
    assert copy.flag("from").value == "build"
    assert copy.flag("chown").value == "1000:1000"
    assert text_at(df, copy.flag("chown").region) == '--chown="1000:1000"'
    assert copy.flag("link").value is None
    assert copy.flag("checksum") is None
    assert [a.value for a in copy.args] == ["/out", "/bin/app"]
    assert health.flag("interval").value == "30s"
    assert [a.value for a in health.args][:3] == ["CMD", "curl", "-f"]
    assert not health.exec_form
    assert df.stages[0].platform == "$BUILDPLATFORM"


def test_double_dash_ends_flags():
    df = parse_dockerfile("FROM x\nRUN -- --not-a-flag\n")
    run = df.instructions[1]
    assert run.flags == [] and run.text == "--not-a-flag"


# --- exec form ---------------------------------------------------------------------------------


def test_exec_form_and_shell_form():
    src = (
        "FROM x\n"
        'CMD ["echo", "a b", "\\u00e9\\"q"]\n'
        'ENTRYPOINT ["unterminated\n'
        "RUN [not json]\n"
        'SHELL ["/bin/bash", "-c"]\n'
        'HEALTHCHECK CMD ["curl", "-f", "http://x/"]\n'
        'COPY ["a b", "/dst/"]\n'
        'VOLUME ["/data"]\n'
    )
    df = parse_dockerfile(src)
    cmd, entry, run, shell, health, copy, volume = df.instructions[1:]
    assert cmd.exec_form and [a.value for a in cmd.args] == ["echo", "a b", 'é"q']
    assert text_at(df, cmd.args[2].region) == '"\\u00e9\\"q"'
    assert not entry.exec_form and entry.args[0].value == '["unterminated'
    assert not run.exec_form and [a.value for a in run.args] == ["[not", "json]"]
    assert shell.exec_form
    assert health.exec_form and [a.value for a in health.args] == ["CMD", "curl", "-f", "http://x/"]
    assert copy.exec_form and copy.args[0].value == "a b"
    assert volume.exec_form


def test_json_with_non_strings_is_an_error():
    with pytest.raises(ParseError) as e:
        parse_dockerfile('FROM x\nCMD ["a", 1]\n')
    assert e.value.line == 2


def test_shell_instruction_requires_json():
    with pytest.raises(ParseError):
        parse_dockerfile("FROM x\nSHELL /bin/bash -c\n")


def test_healthcheck_variants():
    df = parse_dockerfile("FROM x\nHEALTHCHECK NONE\n")
    assert [a.value for a in df.instructions[1].args] == ["NONE"]
    for bad in ("HEALTHCHECK NONE x", "HEALTHCHECK CMD", "HEALTHCHECK FOO bar", "HEALTHCHECK"):
        with pytest.raises(ParseError):
            parse_dockerfile("FROM x\n" + bad + "\n")


def test_unterminated_quote_in_shell_form_is_not_an_error():
    df = parse_dockerfile("FROM x\nRUN echo 'oops\nRUN echo \"fine\"\n")
    assert df.instructions[1].args[-1].value == "'oops"
    assert len(df.instructions) == 3


# --- heredocs ----------------------------------------------------------------------------------


def test_heredocs_several_in_one_instruction():
    src = (
        "FROM alpine\n"
        "RUN <<A cat - <<\"B\" > /out\n"
        "echo one\n"
        "RUN not-an-instruction\n"
        "A\n"
        "two $HOME\n"
        "B\n"
        "RUN echo after\n"
    )
    df = parse_dockerfile(src)
    run = df.instructions[1]
    assert [h.delimiter for h in run.heredocs] == ["A", "B"]
    a, b = run.heredocs
    assert a.body == "echo one\nRUN not-an-instruction\n" and not a.quoted and not a.strip_tabs
    assert a.body_start_line == 3 and a.region == Region(3, 1, 4, 23)
    assert b.body == "two $HOME\n" and b.quoted and b.body_start_line == 6
    assert run.region == Region(2, 1, 7, 2)
    assert run.text == 'cat - <<"B" > /out'.replace("cat", "<<A cat")
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN", "RUN"]
    assert df.instructions[2].region.line == 8


def test_heredoc_strip_tabs_and_quoted_single():
    src = "FROM x\nCOPY <<-'EOT' /etc/motd\n\tHello\n\t\tWorld\n\tEOT\nRUN true\n"
    df = parse_dockerfile(src)
    h = df.instructions[1].heredocs[0]
    assert h.strip_tabs and h.quoted and h.delimiter == "EOT"
    assert h.body == "Hello\nWorld\n"
    assert h.raw_body == "\tHello\n\t\tWorld\n"
    assert h.terminator_line == 5
    assert df.instructions[2].keyword == "RUN"


def test_heredoc_on_exec_form_or_other_instruction_is_not_a_heredoc():
    df = parse_dockerfile('FROM x\nRUN ["cat", "<<EOF"]\nENV A=<<EOF\n')
    assert all(i.heredocs == [] for i in df.instructions)


def test_heredoc_needs_a_word_start():
    df = parse_dockerfile("FROM x\nRUN cat<<EOF\nRUN true\n")
    assert df.instructions[1].heredocs == [] and len(df.instructions) == 3


def test_unterminated_heredoc():
    with pytest.raises(ParseError) as e:
        parse_dockerfile("FROM x\nRUN echo hi && \\\n  cat <<EOF\nbody\n")
    assert (e.value.line, e.value.column) == (3, 7)
    assert "EOF" in e.value.message


def test_empty_heredoc_body_and_crlf():
    df = parse_dockerfile("FROM x\r\nRUN <<EOF\r\nEOF\r\nRUN true\r\n")
    h = df.instructions[1].heredocs[0]
    assert h.body == "" and h.region == Region(3, 1, 3, 1)
    assert len(df.instructions) == 3


def test_onbuild_keeps_inner_instruction_and_heredocs():
    src = "FROM x\nONBUILD COPY --chown=app . /src\nONBUILD RUN <<EOF\nmake\nEOF\n"
    df = parse_dockerfile(src)
    ob1, ob2 = df.instructions[1:]
    assert ob1.keyword == "ONBUILD" and ob1.inner.keyword == "COPY"
    assert ob1.inner.flag("chown").value == "app"
    assert ob1.inner.keyword_region == Region(2, 9, 2, 13)
    assert [a.value for a in ob1.inner.args] == [".", "/src"]
    assert ob1.inner.stage == 0
    assert ob2.inner.heredocs[0].body == "make\n" and ob2.heredocs == ob2.inner.heredocs
    for bad in ("ONBUILD ONBUILD RUN x", "ONBUILD FROM y", "ONBUILD", "ONBUILD FOO x"):
        with pytest.raises(ParseError):
            parse_dockerfile("FROM x\n" + bad + "\n")


# --- stages and ARG ----------------------------------------------------------------------------


def test_arg_substitution_in_from():
    src = (
        "ARG REG=docker.io\n"
        "ARG IMAGE=${REG}/library/python VERSION=\"3.12\"\n"
        "ARG NODEFAULT\n"
        "ARG EMPTY=\n"
        "FROM ${IMAGE}:${VERSION}-slim AS Base\n"
        "FROM $IMAGE:$VERSION\n"
        "FROM ${NODEFAULT:-alpine}:${UNDECLARED:-3}\n"
        "FROM ubuntu:${NODEFAULT}\n"
        "FROM ${EMPTY:+x}busybox${VERSION:+:1}\n"
        "FROM base\n"
        "FROM Base AS Final\n"
    )
    df = parse_dockerfile(src)
    assert [a.keyword for a in df.global_args] == ["ARG"] * 4
    assert all(a.stage is None for a in df.global_args)
    images = [(s.image, s.image_resolved) for s in df.stages]
    assert images == [
        ("docker.io/library/python:3.12-slim", True),
        ("docker.io/library/python:3.12", True),
        ("alpine:3", True),
        ("ubuntu:${NODEFAULT}", False),
        ("busybox:1", True),
        ("base", True),
        ("Base", True),
    ]
    assert df.stages[0].name == "base" and df.stages[0].image_raw == "${IMAGE}:${VERSION}-slim"
    assert df.stages[5].base_stage == 0 and not df.stages[5].is_external
    assert df.stages[6].base_stage == 0 and df.stages[6].name == "final"
    assert df.stages[3].is_external and df.stages[3].base_stage is None


def test_stage_indices_and_scratch():
    df = parse_dockerfile("FROM a AS one\nRUN x\nARG V=1\nFROM scratch\nCOPY --from=one / /\n")
    assert [i.stage for i in df.instructions] == [0, 0, 0, 1, 1]
    assert df.stages[1].is_scratch and not df.stages[1].is_external
    assert df.final_stage is df.stages[1]
    # an ARG inside a stage is not global
    assert df.global_args == []


def test_from_errors():
    for src in ("FROM\n", "FROM a b\n", "FROM a IS b\n", "FROM a AS 1bad\n", "FROM a AS x\nFROM b AS X\n"):
        with pytest.raises(ParseError):
            parse_dockerfile(src)


def test_no_from():
    with pytest.raises(ParseError) as e:
        parse_dockerfile("# comment\nARG A=1\nRUN echo hi\nFROM x\n")
    assert (e.value.line, e.value.column) == (3, 1)
    assert "FROM" in e.value.message
    with pytest.raises(ParseError):
        parse_dockerfile("ARG A=1\n")


def test_env_and_label_forms():
    df = parse_dockerfile('FROM x\nENV A=1 B="two words"\nENV OLD value with spaces\nLABEL a=b\n')
    assert [a.value for a in df.instructions[1].args] == ["A=1", 'B="two words"']
    for bad in ("ENV A=1 B", "ENV ONLY", "LABEL", "ENV", "ARG"):
        with pytest.raises(ParseError):
            parse_dockerfile("FROM x\n" + bad + "\n")


# --- errors ------------------------------------------------------------------------------------


def test_unknown_instruction_position():
    with pytest.raises(ParseError) as e:
        parse_dockerfile("FROM x\nRUN true\n   {{ if .X }}\n")
    assert (e.value.line, e.value.column) == (3, 4)
    assert "{{" in e.value.message


def test_templates_with_weird_refs():
    # BuildKit refuses these at FROM ("invalid reference format"): a parse error at the image
    for src, col in (("FROM %%BASE%%\n", 6), ("FROM {{.Image}}\n", 6), ("FROM  debian:%%V%%-slim AS x\n", 7),
                     ("FROM Ubuntu:22.04\n", 6), ("ARG T=%%T%%\nFROM alpine:$T\n", 6)):
        with pytest.raises(ParseError) as e:
            parse_dockerfile(src)
        assert "invalid image reference" in e.value.message
        assert e.value.column == col, src
    with pytest.raises(ParseError):  # BuildKit: FROM takes one or three words
        parse_dockerfile("FROM {{ .Image }}\n")
    # a malformed digest is DF103's business, an unresolved ARG is not guessed, stages are names
    assert parse_dockerfile("FROM golang:1.22@sha256:<digest>\n").stages[0].image.endswith("<digest>")
    assert not parse_dockerfile("ARG IMG\nFROM $IMG\n").stages[0].image_resolved
    assert parse_dockerfile("FROM alpine AS Build\nFROM BUILD\n").stages[1].base_stage == 0
    assert parse_dockerfile("FROM localhost:5000/a/b:1.0\nFROM [::1]:5000/x\n").stages[1].is_external


def test_binary_content():
    with pytest.raises(ParseError) as e:
        parse_dockerfile("FROM x\nRUN a\x00b\n")
    assert (e.value.line, e.value.column) == (2, 6)
    with pytest.raises(ParseError):
        parse_dockerfile(b"\xff\xfe\x00F\x00R")


def test_bytes_input_is_decoded():
    df = parse_dockerfile("FROM alpine\n".encode())
    assert df.stages[0].image == "alpine"


# --- corpus and robustness ---------------------------------------------------------------------


def _corpus_files():
    return sorted(p for p in CORPUS.rglob("*") if p.is_file())


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")
def test_corpus_parses_or_raises_parse_error_only():
    files = _corpus_files()
    assert meets_figure(CORPUS_NAME, len(files), CORPUS_FILES[CORPUS_NAME]), len(files)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    failures = {}
    start = time.perf_counter()
    for path, text in zip(files, texts):
        try:
            df = dockerfile_module._Parser(text).parse()  # no safety net: real bugs surface
        except ParseError as exc:
            failures[path.name] = exc
            continue
        for inst in df.instructions:  # every position is inside the file
            for r in [inst.region, inst.keyword_region, *(a.region for a in inst.args)]:
                assert 1 <= r.line <= r.end_line <= len(df.lines)
    elapsed = time.perf_counter() - start
    # only templates fail
    assert failures and all("template" in name for name in failures), failures
    assert elapsed < 1.0  # ~0.1 s on a laptop; generous for slow CI


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")
def test_corpus_arg_regions_point_at_their_text():
    for path in _corpus_files():
        try:
            df = parse_dockerfile(path.read_text(encoding="utf-8", errors="replace"))
        except ParseError:
            continue
        for inst in df.instructions:
            if inst.exec_form:
                continue
            for arg in inst.args:
                if arg.region.line == arg.region.end_line and inst.keyword != "HEALTHCHECK":
                    assert text_at(df, arg.region) == arg.value, (path, arg)


def test_long_lines_are_linear():
    big = "FROM x\nRUN " + "a" * 2_000_000 + " 'b" + " c" * 200_000 + "\n"
    start = time.perf_counter()
    df = parse_dockerfile(big)
    assert len(df.instructions[1].args) == 2
    nested = "FROM x\nCMD " + "[" * 100_000 + "\n"
    assert not parse_dockerfile(nested).instructions[1].exec_form
    many_lines = "FROM x\nRUN a \\\n" + " b \\\n" * 100_000 + " c\n"
    assert parse_dockerfile(many_lines).instructions[1].args[-1].region.line == 100_003
    assert time.perf_counter() - start < 10


_DOCKERFILE_PIECES = st.sampled_from(
    list("FROMRUNCOPYARGONBUILDHEALTHCHECK ASabc$={}[]\"'`\\#-<>:\t\r\n ,")
    + ["<<EOF", "<<-'E'", "\nEOF\n", "\n\tE\n", "FROM a\n", "FROM a AS b\n", "RUN ", "CMD [",
       "--mount=", "# escape=`\n", "# syntax=x\n", "\\\n", "`\n", "\x00", "é", "${A:-b}",
       "ONBUILD ", "HEALTHCHECK CMD ", "ARG A=1\n"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_DOCKERFILE_PIECES, max_size=60).map("".join))
def test_arbitrary_text_raises_only_parse_error(text):
    try:
        dockerfile_module._Parser(text).parse()
    except ParseError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_unicode_raises_only_parse_error(text):
    try:
        parse_dockerfile(text)
    except ParseError:
        pass
