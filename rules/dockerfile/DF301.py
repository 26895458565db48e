"""``CMD``/``ENTRYPOINT`` in shell form (PID 1 is ``/bin/sh -c``)."""

import json
import re

from shiplint.core.findings import Edit, Fix, Hit
from shiplint.registry.rule import rule
from shiplint.sources.shell import split_commands

from shiplint.model.dockerfile import chain, subject

#: A command line the shell would only split into words: nothing it expands, quotes or runs.
_PLAIN = re.compile(r"[A-Za-z0-9_./:=@%+,-]+(?:[ \t]+[A-Za-z0-9_./:=@%+,-]+)*")


def _execs(text: str) -> bool:
    """``CMD exec app``: the shell replaces itself with the app, which becomes PID 1."""
    cmds = split_commands(text)
    return bool(cmds) and "exec" in cmds[-1].wrappers and all(
        c.operator_before in (None, "&&", ";", "\n") for c in cmds
    )


@rule
def check(dockerfile, ctx):
    for stage in dockerfile.stages:
        for inst in stage.instructions:
            if inst.keyword not in ("CMD", "ENTRYPOINT") or inst.exec_form or not inst.text:
                continue
            if _execs(inst.text):
                continue
            yield Hit(
                f"{inst.keyword} in shell form runs under '/bin/sh -c': the shell is PID 1 and "
                "does not forward SIGTERM, so the app is killed after the grace period; use the "
                f'exec form {inst.keyword} ["executable", "arg"]',
                inst.region_of(0, len(inst.text)),
                subject=subject(stage, inst.keyword.lower()),
                fix=_fix(dockerfile, stage, inst),
            )


def _fix(dockerfile, stage, inst):
    """The exec form of a one-line command of plain words (no variable, quote, operator or glob).

    Safe for CMD without an ENTRYPOINT in the file (the command is the same words, now PID 1).
    Unsafe for ENTRYPOINT: in exec form it receives CMD (and the base image's CMD) as
    arguments, which the shell form ignored."""
    region = inst.region_of(0, len(inst.text))
    if region.line != region.end_line or not _PLAIN.fullmatch(inst.text):
        return None
    stages = chain(dockerfile, stage)
    if any(i.keyword == "SHELL" for s in stages for i in s.instructions):
        return None
    unsafe = inst.keyword == "ENTRYPOINT" or any(
        i.keyword == "ENTRYPOINT" for s in stages for i in s.instructions)
    exec_form = json.dumps(inst.text.split())
    return Fix(f"use the exec form {inst.keyword} {exec_form}", [Edit(region, exec_form)],
               safety="unsafe" if unsafe else None)
