"""``securityContext.privileged: true``."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    for c in resource.containers():
        if c.security_context.get("privileged") is True:
            yield Hit(
                f"container '{c.name}' is privileged: it has every capability and access to all "
                "host devices, which is root on the node",
                c.region_at(("securityContext", "privileged")),
                subject=f"{c.subject}.securityContext.privileged",
            )
