"""``securityContext.capabilities.drop`` lacks ``ALL``."""

from shiplint.core.findings import Hit
from shiplint.model.k8s.model import capability_name
from shiplint.registry.rule import rule
from shiplint.rules.kubernetes._fix import item_fix, setting_fix


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
                fix=_fix(resource, ctx, c, drop),
            )


def _fix(resource, ctx, c, drop):
    """Add ALL to ``drop``. A container that may run as root can need a capability of the default
    set (CHOWN, SETUID, NET_BIND_SERVICE…): the fix is safe only when it runs as non-root."""
    what = f"drop ALL capabilities in container '{c.name}'"
    if isinstance(drop, list):
        fix = item_fix(resource, ctx, drop, "ALL", what)
    else:
        fix = setting_fix(resource, ctx, c.data, ("securityContext", "capabilities", "drop"), ["ALL"], what)
    if fix is not None:
        uid, _ = c.effective("runAsUser")
        nonroot, _ = c.effective("runAsNonRoot")
        as_root = not (nonroot is True or (isinstance(uid, int) and not isinstance(uid, bool) and uid > 0))
        if as_root:
            fix.safety = "unsafe"
    return fix
