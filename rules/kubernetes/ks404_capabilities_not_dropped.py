"""KS404 capabilities-not-dropped: ``securityContext.capabilities.drop`` lacks ``ALL``."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


def cap_name(value) -> str:
    """``cap_sys_admin`` / ``CAP_SYS_ADMIN`` / ``sys_admin`` -> ``SYS_ADMIN``."""
    s = str(value).strip().upper()
    return s[4:] if s.startswith("CAP_") else s


@rule("KS404")
def check(resource, ctx):
    pod = resource.pod_template()
    if pod is None or pod.is_windows:
        return
    for c in pod.containers():
        caps = c.security_context.get("capabilities")
        drop = caps.get("drop") if isinstance(caps, dict) else None
        if isinstance(drop, list) and any(cap_name(d) == "ALL" for d in drop):
            continue
        path = ("securityContext", "capabilities", "drop")
        yield Hit(
            f"container '{c.name}' does not drop ALL capabilities: it keeps the runtime's default "
            "set (NET_RAW, CHOWN, SETUID…); drop ALL and add back only what it needs",
            c.missing_region(path),
            subject=f"{c.subject}.securityContext.capabilities.drop",
        )
