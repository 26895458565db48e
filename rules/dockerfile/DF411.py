"""``useradd`` with a large UID and without ``-l``/``--no-log-init``."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import all_commands, instructions, run_scripts

# useradd's short options that take a value: in ``-lu 100000`` the letters after ``u`` are its
# value (or the value is the next word)
_VALUE_LETTERS = frozenset("bcdefgGkKpRPsuU")


def _uid_and_nolog(args):
    uid = None
    nolog = False
    k = 0
    while k < len(args):
        v = args[k].value
        k += 1
        if v == "--no-log-init":
            nolog = True
        elif v.startswith("--uid"):
            _, eq, val = v.partition("=")
            if not eq and k < len(args):
                val = args[k].value
                k += 1
            uid = val
        elif v.startswith("-") and not v.startswith("--") and len(v) > 1:
            for i, ch in enumerate(v[1:], 1):
                if ch == "l":
                    nolog = True
                if ch in _VALUE_LETTERS:
                    val = v[i + 1:]
                    if not val and k < len(args):
                        val = args[k].value
                        k += 1
                    if ch == "u":
                        uid = val
                    break
    return uid, nolog


@rule
def check(dockerfile, ctx):
    for inst in instructions(dockerfile):
        for script, cmd in all_commands(run_scripts(inst)):
            if cmd.name != "useradd":
                continue
            uid, nolog = _uid_and_nolog(cmd.args)
            if nolog or uid is None or not uid.isdigit() or len(uid.lstrip("0")) < 6:
                continue
            yield Hit(
                f"useradd with UID {uid} and without -l/--no-log-init: the sparse "
                "/var/log/lastlog and faillog files are sized by the UID and can add gigabytes "
                "to the layer; add --no-log-init (-l)",
                script.command_region(cmd),
                subject=f"RUN:useradd:{uid}",
            )
