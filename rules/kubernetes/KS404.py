"""``securityContext.capabilities.drop`` lacks ``ALL``."""

from shiplint.core.findings import Hit
from shiplint.model.k8s.model import capability_name
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    for pod in resource.pod_templates():
        if pod.is_windows:
            continue
        for c in pod.containers():
            caps = c.security_context.get("capabilities")
            drop = caps.get("drop") if isinstance(caps, dict) else None
            if isinstance(drop, list) and any(capability_name(d) == "ALL" for d in drop):
                continue
            path = ("securityContext", "capabilities", "drop")
            yield Hit(
                f"container '{c.name}' does not drop ALL capabilities: it keeps the runtime's default "
                "set (NET_RAW, CHOWN, SETUID…); drop ALL and add back only what it needs",
                c.missing_region(path),
                subject=f"{c.subject}.securityContext.capabilities.drop",
            )
