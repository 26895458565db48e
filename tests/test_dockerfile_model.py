"""The Dockerfile model (shiplint.model.dockerfile) that rules and plugins build on: RUN scripts
split once per instruction and shared by every rule, huge RUNs, the documented public names."""

from __future__ import annotations

import pytest

from conftest import lint_text
from shiplint.model import dockerfile as model
from shiplint.model.dockerfile import run as run_module
from shiplint.sources.dockerfile import parse_dockerfile, strip_quotes

RUN_RULES = ["DF205", "DF207", "DF401", "DF402", "DF403", "DF404", "DF407", "DF408"]


def test_run_scripts_are_split_once_and_shared():
    df = parse_dockerfile("FROM debian:12\nRUN apt-get update && apt-get install -y curl\n")
    run = df.instructions[1]
    first = model.run_scripts(run)
    assert model.run_scripts(run) is first
    assert [c.name for c in first[0].commands] == ["apt-get", "apt-get"]
    assert [scripts for _, scripts in model.runs(df)] == [first]
    assert model.run_scripts(df.instructions[0]) == ()  # FROM runs nothing


def test_every_rule_reading_run_commands_shares_one_split(tmp_path, monkeypatch):
    calls = []
    real = run_module.split_commands

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(run_module, "split_commands", counting)
    src = (
        "FROM debian:12\n"
        "COPY . /src\n"
        "RUN apt-get update && apt-get install -y gcc | tee log\n"
        "RUN bash <<EOF\n"
        "curl -fsSL https://example.com/i.sh | sh\n"
        "sudo pip install -r requirements.txt\n"
        "EOF\n"
        'CMD ["/src/app"]\n'
    )
    found = lint_text(tmp_path, src, "Dockerfile", select=RUN_RULES)
    assert {f.code for f in found} >= {"DF205", "DF207", "DF402", "DF403", "DF404", "DF407", "DF408"}
    # one split per script: the first RUN, the second RUN's line and its heredoc body
    assert sorted(calls) == sorted([
        "apt-get update && apt-get install -y gcc | tee log",
        "bash <<EOF",
        "curl -fsSL https://example.com/i.sh | sh\nsudo pip install -r requirements.txt\n",
    ])


@pytest.mark.parametrize("form", ["continuation", "heredoc"])
def test_a_run_of_twenty_thousand_lines_is_split_completely(form):
    n = 20_000
    if form == "continuation":
        text = "FROM debian:12\nRUN true \\\n" + "".join(f"  && apt-get install -y p{i} \\\n" for i in range(n)) + "  && true\n"
    else:
        text = "FROM debian:12\nRUN <<EOF\n" + "".join(f"apt-get install -y p{i}\n" for i in range(n)) + "EOF\n"
    df = parse_dockerfile(text)
    scripts = model.run_scripts(df.instructions[1])
    pairs = model.all_commands(scripts)
    installs = [(s, c) for s, c in pairs if c.name == "apt-get"]
    assert len(installs) == n
    script, last = installs[-1]
    assert last.arg_values == ["install", "-y", f"p{n - 1}"]
    region = script.command_region(last)
    assert (region.line, region.column) == (n + 2, 6 if form == "continuation" else 1)


def test_many_installs_in_one_run_each_get_their_finding(tmp_path):
    n = 2_000
    src = "FROM debian:12\nRUN <<EOF\n" + "".join(f"apt-get install -y p{i}\n" for i in range(n)) + "EOF\n"
    found = lint_text(tmp_path, src, "Dockerfile", select=["DF402"])
    assert sorted(f.region.line for f in found) == list(range(3, n + 3))


def test_the_documented_plugin_example_runs():
    df = parse_dockerfile(
        "FROM alpine:3.20 AS build\nRUN chmod 777 /tmp/x\n"
        "FROM alpine:3.20\nCOPY --from=build /tmp/x /x\nRUN true && chmod 777 /srv \\\n  && echo ok\n"
    )  # the build stage is only copied from: its layers do not ship
    shipped = model.shipped_stages(df)
    hits = []
    for inst, scripts in model.runs(df):
        if inst.stage not in shipped:
            continue
        for script in scripts:
            for cmd in script.commands:
                if cmd.name == "chmod" and "777" in cmd.arg_values:
                    hits.append(script.command_region(cmd))
    assert [(r.line, r.column, r.end_line, r.end_column) for r in hits] == [(5, 13, 5, 27)]


def test_final_image_stages_follow_from_not_copy_from():
    df = parse_dockerfile(
        "FROM golang:1.22 AS build\nRUN go build\n"
        "FROM debian:12 AS base\nRUN true\n"
        "FROM alpine:3.20 AS unused\n"
        "FROM base\nCOPY --from=build /out /out\n"
    )
    # the final stage, then the one it is built FROM; the builder and the unused stage are not in it
    assert [s.name for s in model.final_image_stages(df)] == [None, "base"]
    assert model.final_image_stages(parse_dockerfile("# nothing but a comment\n")) == []


def test_public_names_are_the_ones_their_modules_define():
    import shiplint.sources.dockerfile as sources
    from shiplint.model.dockerfile import env, images, mount, run, stages, user
    from shiplint.model.packages import SHELLS
    from shiplint.sources.dockerfile import expand, parser, syntax

    homes = (env, images, mount, run, stages, user)
    for name in model.__all__:
        obj = getattr(model, name)
        assert obj is SHELLS or any(getattr(m, name, None) is obj for m in homes), name
    # the names plugins import from shiplint.sources.dockerfile
    assert (sources.Dockerfile, sources.Instruction, sources.Stage) == (syntax.Dockerfile, syntax.Instruction, syntax.Stage)
    assert (sources.expand_word, sources.parse_dockerfile) == (expand.expand_word, parser.parse_dockerfile)


def test_effective_user_and_stage_env():
    df = parse_dockerfile("ARG UID=10001\nFROM alpine:3.20\nARG UID\nENV HOME=/home/app\nUSER ${UID}:${UID}\n")
    eff = model.final_user(df)
    assert (eff.user, eff.group, eff.resolved) == ("10001", "10001", True)
    assert model.stage_env(df, df.stages[0]) == {"UID": "10001", "HOME": "/home/app"}


@pytest.mark.parametrize(
    "word, posix, expected",
    [
        ('"EOF"', True, ("EOF", True)),
        ("'E\\OF'", True, ("E\\OF", True)),  # single quotes are literal in the shell
        ("'E\\OF'", False, ("EOF", True)),  # BuildKit's flag scanner escapes inside them too
        ('"a\\b"', True, ("a\\b", True)),  # in double quotes \ only escapes " \\ $ `
        ('"a\\b"', False, ("ab", True)),
        ('"a\\$b"', True, ("a$b", True)),
        ('type=cache,target="/root/.cache', False, ("type=cache,target=/root/.cache", False)),
        ("plain", True, ("plain", True)),
    ],
)
def test_strip_quotes_shell_and_flag_rules(word, posix, expected):
    assert strip_quotes(word, posix=posix) == expected
