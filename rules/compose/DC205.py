"""No ``security_opt: [no-new-privileges:true]``."""

import re

from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit, text

_NNP = re.compile(r"(?i)no-new-privileges(?:[:=](?:true|1))?\Z")


@rule
def check(project, ctx):
    for svc in project.services:
        opts = svc.get("security_opt")
        if isinstance(opts, list) and any(_NNP.match(text(o)) for o in opts):
            continue
        yield service_hit(svc, "does not set security_opt no-new-privileges:true: a setuid binary in the image "
                          "can still gain privileges", ("security_opt",), ".security_opt")
