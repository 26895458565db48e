"""A remote script piped (or substituted) into a shell."""

import re

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.model.packages import pipes_remote_script

from shiplint.model.dockerfile import SHELLS, runs

_SUBSTITUTED = re.compile(r"(\$\(|`|<\()\s*(curl|wget)\b")


@rule
def check(dockerfile, ctx):
    for inst, scripts in runs(dockerfile):
        for script in scripts:
            seen = set()
            cmds = script.commands
            # pipelines: curl ... | sh
            start = 0
            for k in range(len(cmds) + 1):
                if k == len(cmds) or (k > start and cmds[k].operator_before not in ("|", "|&")):
                    hit = pipes_remote_script(cmds[start:k])
                    if hit is not None and id(hit) not in seen:
                        seen.add(id(hit))
                        yield Hit(
                            f"a downloaded script is piped into '{hit.name}': nothing checks what "
                            "runs; download to a file, verify its checksum or signature, then run it",
                            script.command_region(hit),
                            subject=f"RUN:{hit.name}<-remote",
                        )
                    start = k
            # sh -c "$(curl ...)", bash <(curl ...)
            for cmd in cmds:
                if cmd.name in SHELLS and id(cmd) not in seen:
                    text = script.text[cmd.start:cmd.end]
                    if _SUBSTITUTED.search(text):
                        yield Hit(
                            f"a downloaded script is run by '{cmd.name}': nothing checks what runs; "
                            "download to a file, verify its checksum or signature, then run it",
                            script.command_region(cmd),
                            subject=f"RUN:{cmd.name}<-remote",
                        )
