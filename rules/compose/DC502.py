"""A stack service whose ``deploy.update_config.order`` is not ``start-first``."""

from shiplint.registry.rule import rule

from shiplint.rules.compose._update_config import require_update_setting


@rule
def check(project, ctx):
    yield from require_update_setting(project, "order", "start-first", "stop-first",
                                      "each old task stops before its replacement runs, so capacity drops "
                                      "during the update")
