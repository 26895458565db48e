"""``allowPrivilegeEscalation`` is not ``false``."""

from shiplint.model.k8s.model import capability_name
from shiplint.rules.kubernetes._container_setting import require_security_setting
from shiplint.registry.rule import rule


def _fixable(container) -> bool:
    """The API rejects allowPrivilegeEscalation: false on a privileged container or one that adds
    CAP_SYS_ADMIN: no fix there (KS405/KS406 are the findings to address first)."""
    sc = container.security_context
    if sc.get("privileged") is True:
        return False
    caps = sc.get("capabilities")
    added = caps.get("add") if isinstance(caps, dict) else None
    return not (isinstance(added, list) and any(capability_name(a) == "SYS_ADMIN" for a in added))


@rule
def check(resource, ctx):
    return require_security_setting(
        resource, "allowPrivilegeEscalation", False,
        "a setuid binary can gain more privileges than its parent", ctx, _fixable,
    )
