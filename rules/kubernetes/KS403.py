"""``readOnlyRootFilesystem`` is not ``true``."""

from shiplint.rules.kubernetes._container_setting import require_security_setting
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    return require_security_setting(
        resource, "readOnlyRootFilesystem", True,
        "an intruder can modify binaries and drop tools; mount an emptyDir where the app needs to write",
        ctx,
    )
