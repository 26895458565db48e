"""``CMD``/``ENTRYPOINT`` in shell form (PID 1 is ``/bin/sh -c``)."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.sources.shell import split_commands

from shiplint.model.dockerfile import subject


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
            )
