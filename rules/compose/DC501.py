"""A stack service whose ``deploy.update_config.failure_action`` is not ``rollback``."""

from shiplint.registry.rule import rule

from shiplint.rules.compose._update_config import require_update_setting


@rule
def check(project, ctx):
    yield from require_update_setting(project, "failure_action", "rollback", "pause",
                                      "a failed update is left half done instead of rolled back")
