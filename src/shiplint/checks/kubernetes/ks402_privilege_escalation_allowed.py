"""KS402 privilege-escalation-allowed: ``allowPrivilegeEscalation`` is not ``false``."""

from shiplint.findings import Hit
from shiplint.rule import rule


@rule("KS402")
def check(resource, ctx):
    pod = resource.pod_template()
    if pod is None or pod.is_windows:
        return
    for c in pod.containers():
        sc = c.security_context
        value = sc.get("allowPrivilegeEscalation")
        if value is False:
            continue
        if "allowPrivilegeEscalation" in sc:
            where = c.region_at(("securityContext", "allowPrivilegeEscalation"))
            why = f"sets allowPrivilegeEscalation: {str(value).lower()}"
        else:
            where = c.missing_region(("securityContext", "allowPrivilegeEscalation"))
            why = "does not set allowPrivilegeEscalation: false"
        yield Hit(
            f"container '{c.name}' {why}: a setuid binary can gain more privileges than its parent",
            where,
            subject=f"{c.subject}.securityContext.allowPrivilegeEscalation",
        )
