"""A RUN pipeline whose failure on the left is hidden.

A POSIX shell reports only the exit status of the last command of a pipeline, so
``RUN curl -fsSL $URL | tar -xz`` "succeeds" when the download fails.  Not flagged when the
stage's ``SHELL`` has ``-o pipefail``, when the script runs ``set -o pipefail`` before the
pipeline, when the left side is ``echo``/``printf`` (they do not fail), or when ``SHELL``
is not a POSIX shell (PowerShell, cmd).
"""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import SHELLS, run_scripts, shell_of

_CANNOT_FAIL = frozenset({"echo", "printf", "true", "yes"})
# a compound command on the left (its status is its last command's): not judged
_GROUP_END = frozenset({"}", "fi", "done", "esac"})


@rule
def check(dockerfile, ctx):
    for inst in dockerfile.instructions:
        if inst.keyword == "ONBUILD":
            inst = inst.inner
        if inst is None or inst.keyword != "RUN" or inst.exec_form:
            continue
        shell = shell_of(dockerfile, inst)
        if shell:
            if shell[0].replace("\\", "/").rsplit("/", 1)[-1] not in SHELLS:
                continue
            if "pipefail" in " ".join(shell):
                continue
        for script in run_scripts(inst):
            pipefail = False
            cmds = script.commands
            reported = False
            for k, cmd in enumerate(cmds):
                if cmd.name == "set" and "pipefail" in cmd.arg_values:
                    pipefail = not any(a == "+o" for a in cmd.arg_values)
                    continue
                if pipefail or k == 0 or cmd.operator_before not in ("|", "|&"):
                    continue
                left = cmds[k - 1]
                if left.operator_before in ("|", "|&") or left.name in _CANNOT_FAIL or left.name in _GROUP_END:
                    continue  # report a pipeline once, at its first command
                yield Hit(
                    f"a failure of '{left.name}' in this pipeline is hidden: the shell returns the "
                    f"status of the last command only; use SHELL [\"/bin/bash\", \"-o\", "
                    "\"pipefail\", \"-c\"] or start the RUN with 'set -o pipefail'",
                    script.command_region(left),
                    subject=f"RUN:pipe:{left.name}|{cmd.name}",
                )
                reported = True
                break
            if reported:
                break
