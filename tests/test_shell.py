from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from shiplint.model.packages import cleans_yum, package_operations, pipes_remote_script, removes_apt_lists
from shiplint.sources.dockerfile import parse_dockerfile
from shiplint.sources.shell import split_commands


def programs(script):
    return [c.program for c in split_commands(script)]


def test_separators_and_operator_before():
    cmds = split_commands("a 1 && b || c; d | e & f\ng |& h")
    assert [c.program for c in cmds] == list("abcdefgh")
    assert [c.operator_before for c in cmds] == [None, "&&", "||", ";", "|", "&", "\n", "|&"]
    assert [w.value for w in cmds[0].words] == ["a", "1"]


def test_newline_after_binary_operator_keeps_the_operator():
    cmds = split_commands("apt-get update &&\n  apt-get install x |\n tee log")
    assert [c.operator_before for c in cmds] == [None, "&&", "|"]


def test_offsets_point_into_the_script():
    script = "echo  'a b'   && FOO=1 make  -j4"
    cmds = split_commands(script)
    for c in cmds:
        for w in c.words:
            assert script[w.start : w.end] == w.raw
    assert script[cmds[1].start : cmds[1].end] == "FOO=1 make  -j4"
    assert cmds[0].words[1].raw == "'a b'" and cmds[0].words[1].value == "a b"


def test_quotes_escapes_and_substitutions_stay_in_one_word():
    script = (
        'x="$(dpkg --print-architecture | awk -F- \'{ print $NF }\')"; '
        "echo `date; id` \"a \\\"b\\\" c\" a\\ b ${X:-y z} $(echo \"$(id -u)\" ) && next"
    )
    cmds = split_commands(script)
    assert [c.program for c in cmds] == [None, "echo", "next"]
    assert cmds[0].assignments[0].raw.startswith("x=")
    echo = cmds[1]
    assert [w.value for w in echo.args] == [
        "`date; id`",
        'a "b" c',
        "a b",
        "${X:-y z}",
        '$(echo "$(id -u)" )',
    ]


def test_comments_only_at_word_start():
    cmds = split_commands("echo a#b # comment && not-a-command\nnext")
    assert [w.value for w in cmds[0].args] == ["a#b"]
    assert [c.program for c in cmds] == ["echo", "next"]


def test_unterminated_quotes_do_not_raise():
    for script in ("echo 'abc", 'echo "abc', "echo $(abc", "echo `abc", "echo ${abc", "a\\"):
        cmds = split_commands(script)
        assert cmds[0].program == "echo" or cmds[0].program == "a\\"
    assert split_commands("echo 'abc && def")[0].args[0].value == "abc && def"


def test_program_skips_assignments_wrappers_redirects_keywords():
    cases = {
        "DEBIAN_FRONTEND=noninteractive apt-get install x": ("apt-get", []),
        "sudo -E -u root apt-get update": ("apt-get", ["sudo"]),
        "env -i PATH=/bin FOO=1 /usr/bin/pip install x": ("/usr/bin/pip", ["env"]),
        "exec nice -n 10 nohup timeout -s KILL 5m time -p node app.js": (
            "node",
            ["exec", "nice", "nohup", "timeout", "time"],
        ),
        "2>/dev/null >&2 command -p ls": ("ls", ["command"]),
        "if grep -q x f": ("grep", []),
    }
    for script, (program, wrappers) in cases.items():
        cmd = split_commands(script)[0]
        assert (cmd.program, cmd.wrappers) == (program, wrappers), script
    cmd = split_commands("command -v curl >/dev/null 2>&1")[0]
    assert cmd.program == "command" and [w.value for w in cmd.args] == ["-v", "curl"]
    assert [w.raw for w in cmd.redirects] == [">/dev/null", "2>&1"]
    cmd = split_commands("cat > /etc/x <<EOF")[0]
    assert cmd.program == "cat" and cmd.args == []
    assert split_commands("/usr/bin/apt-get install x")[0].name == "apt-get"


def test_apt_operations():
    script = (
        "apt-get update && apt-get -qq install -y --no-install-recommends "
        "curl=7.88.1-10 ca-certificates -o Dpkg::Options::=--force-confold "
        "&& apt-get dist-upgrade && apt upgrade && rm -rf /var/lib/apt/lists/*"
    )
    cmds = split_commands(script)
    ops = package_operations(cmds)
    assert [(o.manager, o.action) for o in ops] == [
        ("apt-get", "update"),
        ("apt-get", "install"),
        ("apt-get", "dist-upgrade"),
        ("apt", "upgrade"),
    ]
    install = ops[1]
    assert install.packages == ["curl=7.88.1-10", "ca-certificates"]
    assert {"-y", "--no-install-recommends", "-qq", "-q", "-o"} <= install.flags
    assert install.option_values["-o"] == ["Dpkg::Options::=--force-confold"]
    assert install.command is cmds[1]
    assert removes_apt_lists(cmds)


def test_removes_apt_lists_variants():
    assert removes_apt_lists(split_commands("rm -rf /var/lib/apt/lists"))
    assert removes_apt_lists(split_commands("rm -r /var/lib/apt/lists/partial"))
    assert not removes_apt_lists(split_commands("rm -rf /var/lib/apt/listsx /tmp/*"))
    assert not removes_apt_lists(split_commands("echo rm -rf /var/lib/apt/lists/*"))


def test_apk_operations():
    ops = package_operations(
        split_commands("apk --no-cache add --virtual .build-deps gcc musl-dev && apk del .build-deps")
    )
    add, delete = ops
    assert (add.manager, add.action, add.packages) == ("apk", "add", ["gcc", "musl-dev"])
    assert {"--no-cache", "--virtual"} <= add.flags and add.option_values["--virtual"] == [".build-deps"]
    assert (delete.action, delete.packages) == ("del", [".build-deps"])
    assert package_operations(split_commands("apk update && apk upgrade"))[1].action == "upgrade"
    assert "--update" in package_operations(split_commands("apk add --update curl"))[0].flags


def test_yum_dnf_microdnf():
    cmds = split_commands(
        "yum -y install httpd && dnf install -y --setopt=tsflags=nodocs x "
        "&& microdnf update && yum clean all"
    )
    ops = package_operations(cmds)
    assert [(o.manager, o.action, o.packages) for o in ops] == [
        ("yum", "install", ["httpd"]),
        ("dnf", "install", ["x"]),
        ("microdnf", "update", []),
        ("yum", "clean", ["all"]),
    ]
    assert cleans_yum(cmds)
    assert not cleans_yum(split_commands("yum install -y x && yum clean packages"))
    assert cleans_yum(split_commands("dnf install x && rm -rf /var/cache/dnf"))


def test_pip_variants():
    ops = package_operations(
        split_commands(
            "pip install --no-cache-dir -r requirements.txt && "
            "pip3 install flask==3.0 'requests>=2' && "
            "python3.12 -m pip install --upgrade pip && "
            "python -m venv /v && python setup.py install"
        )
    )
    assert [(o.manager, o.action) for o in ops] == [("pip", "install")] * 3
    assert "--no-cache-dir" in ops[0].flags and ops[0].option_values["-r"] == ["requirements.txt"]
    assert ops[0].packages == []
    assert ops[1].packages == ["flask==3.0", "requests>=2"]
    assert ops[2].packages == ["pip"] and "--upgrade" in ops[2].flags


def test_npm_and_yarn():
    ops = package_operations(
        split_commands(
            "npm ci --omit=dev && npm i -g pm2 && npm install --production && "
            "yarn && yarn install --frozen-lockfile && yarn global add serve && yarn add lodash"
        )
    )
    assert [(o.manager, o.action, o.packages) for o in ops] == [
        ("npm", "ci", []),
        ("npm", "install", ["pm2"]),
        ("npm", "install", []),
        ("yarn", "install", []),
        ("yarn", "install", []),
        ("yarn", "add", ["serve"]),
        ("yarn", "add", ["lodash"]),
    ]
    assert "--omit" in ops[0].flags and ops[0].option_values["--omit"] == ["dev"]
    assert "--production" in ops[2].flags
    assert "global" in ops[5].flags


def test_pipes_remote_script():
    cmd = pipes_remote_script(split_commands("curl -fsSL https://get.example.com | sudo -E bash -"))
    assert cmd is not None and cmd.program == "bash" and cmd.operator_before == "|"
    cmd = pipes_remote_script(split_commands("wget -qO- https://x | tee /tmp/x | sh"))
    assert cmd is not None and cmd.program == "sh"
    assert pipes_remote_script(split_commands("curl -o x https://x && sh x")) is None
    assert pipes_remote_script(split_commands("curl https://x | tar xz")) is None
    assert pipes_remote_script(split_commands("echo hi | sh")) is None
    assert pipes_remote_script(split_commands("curl https://x | sh -c 'cat'")) is None


def test_works_on_parsed_run_text_with_positions():
    df = parse_dockerfile(
        "FROM debian\n"
        "RUN apt-get update \\\n"
        " && apt-get install -y curl \\\n"
        " && rm -rf /var/lib/apt/lists/*\n"
    )
    run = df.instructions[1]
    cmds = split_commands(run.text)
    install = package_operations(cmds)[1]
    word = install.command.args[-1]
    assert word.value == "curl"
    region = run.region_of(word.start, word.end)
    assert (region.line, region.column, region.end_column) == (3, 24, 28)
    assert removes_apt_lists(cmds)


def test_heredoc_body_can_be_split_too():
    df = parse_dockerfile("FROM x\nRUN <<EOF\nset -e\napt-get update\nEOF\n")
    cmds = split_commands(df.instructions[1].heredocs[0].body)
    assert [c.program for c in cmds] == ["set", "apt-get"]


def test_large_input_is_linear():
    script = "echo " + "a" * 1_000_000 + " && " + "x | " * 50_000 + "'unterminated " + "y" * 500_000
    start = time.perf_counter()
    cmds = split_commands(script)
    assert len(cmds) == 50_002
    deep = "echo " + "$(" * 100_000
    assert split_commands(deep)[0].program == "echo"
    assert time.perf_counter() - start < 10


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_split_commands_never_raises_on_text(script):
    cmds = split_commands(script)
    package_operations(cmds)
    pipes_remote_script(cmds)
    removes_apt_lists(cmds)
    cleans_yum(cmds)
    for c in cmds:
        for w in c.words:
            assert script[w.start : w.end] == w.raw


_SHELL_PIECES = st.sampled_from(
    list("ab $(){}'\"`\\|&;<>#=\n\t-")
    + ["apt-get install -y ", "sudo ", "env A=1 ", "2>&1", "&&", "||", "$(", "${", "pip ", "-m ",
       "python ", "yarn global ", "curl x | sh", "rm -rf /var/lib/apt/lists/*", "yum clean all"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_SHELL_PIECES, max_size=50).map("".join))
def test_split_commands_never_raises_on_shellish_text(script):
    cmds = split_commands(script)
    package_operations(cmds)
    pipes_remote_script(cmds)
    removes_apt_lists(cmds)
    cleans_yum(cmds)


def test_case_patterns_are_not_commands_or_pipes():
    cmds = split_commands('case "$a" in amd64 | i386) x=1; go build ;; (arm*|aarch64) y | z ;; *) w;& esac; echo ok | cat')
    assert [(c.name, c.operator_before) for c in cmds if c.program] == [
        ("case", None), ("go", ";"), ("y", None), ("z", "|"), ("w", None), ("echo", ";"), ("cat", "|"),
    ]
    nested = split_commands("case $x in a) case $y in b|c) q;; esac ;; d) r;; esac; t")
    assert [c.name for c in nested] == ["case", "case", "q", "r", "t"]
    # "case" as an argument is just a word
    assert [c.name for c in split_commands("echo case in | grep x")] == ["echo", "grep"]


def test_xargs_is_a_wrapper():
    (_, cmd) = split_commands("dpkg -l | xargs -n 1 -r apt-get install -y")
    assert cmd.name == "apt-get" and cmd.wrappers == ["xargs"] and cmd.arg_values == ["install", "-y"]
