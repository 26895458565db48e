"""``capabilities.add`` grants a dangerous capability.

The list is the ``dangerous-capabilities`` option; names are compared case-insensitively,
with or without the ``CAP_`` prefix."""

from shiplint.core.findings import Hit
from shiplint.model.k8s.model import capability_name
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    option = ctx.option("dangerous-capabilities") or []
    if isinstance(option, str):
        option = option.split(",")
    dangerous = {capability_name(c) for c in option if str(c).strip()}
    for c in resource.containers():
        caps = c.security_context.get("capabilities")
        add = caps.get("add") if isinstance(caps, dict) else None
        if not isinstance(add, list):
            continue
        for i, cap in enumerate(add):
            name = capability_name(cap)
            if name not in dangerous:
                continue
            what = "every capability" if name == "ALL" else name
            yield Hit(
                f"container '{c.name}' adds {what}: close to root on the node",
                c.region_at(("securityContext", "capabilities", "add", i)),
                subject=f"{c.subject}.securityContext.capabilities.add[{name}]",
            )
