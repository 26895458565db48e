"""``sudo`` in a ``RUN`` command."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import runs


@rule
def check(dockerfile, ctx):
    for inst, scripts in runs(dockerfile):
        for script in scripts:
            for cmd in script.commands:
                if "sudo" not in cmd.wrappers:
                    continue
                word = next((w for w in cmd.words if w.value.rsplit("/", 1)[-1] == "sudo"), None)
                region = script.word_region(word) if word is not None else script.command_region(cmd)
                yield Hit(
                    "sudo in RUN: the build already runs as the current USER and sudo adds a "
                    "setuid binary and unpredictable TTY/environment behaviour; switch USER "
                    "around the steps that need root instead",
                    region,
                    subject=f"RUN:sudo:{cmd.name}",
                )
