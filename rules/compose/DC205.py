"""No ``security_opt: [no-new-privileges:true]``."""

import re

from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit, text
from shiplint.rules.compose._fix import service_item_fix, service_setting_fix

_NNP = re.compile(r"(?i)no-new-privileges(?:[:=](?:true|1))?\Z")
_ANY_NNP = re.compile(r"(?i)no-new-privileges\b")
_ITEM = "no-new-privileges:true"


@rule
def check(project, ctx):
    for svc in project.services:
        if svc.is_partial:
            continue  # an override fragment: its base may set it
        opts = svc.get("security_opt")
        if isinstance(opts, list) and any(_NNP.match(text(o)) for o in opts):
            continue
        hit = service_hit(svc, "does not set security_opt no-new-privileges:true: a setuid binary in the image "
                          "can still gain privileges", ("security_opt",), ".security_opt")
        description = f"add {_ITEM} to security_opt of service '{svc.name}'"
        if opts is None:
            hit.fix = service_setting_fix(project, ctx, svc, hit.path, ("security_opt",), [_ITEM], description)
        elif isinstance(opts, list) and not any(_ANY_NNP.match(text(o)) for o in opts):
            # an explicit no-new-privileges:false is a decision: not overridden
            hit.fix = service_item_fix(project, ctx, svc, hit.path, "security_opt", _ITEM, description)
        yield hit
