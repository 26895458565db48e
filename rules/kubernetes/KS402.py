"""``allowPrivilegeEscalation`` is not ``false``."""

from shiplint.rules.kubernetes._container_setting import require_security_setting
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    return require_security_setting(
        resource, "allowPrivilegeEscalation", False,
        "a setuid binary can gain more privileges than its parent",
    )
