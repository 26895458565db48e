"""A stack service whose ``deploy.update_config.failure_action`` is not ``rollback``."""

from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit, text


@rule
def check(project, ctx):
    if not project.is_stack:
        return
    for svc in project.services:
        if svc.is_one_shot:
            continue
        action = text(svc.get("deploy", "update_config", "failure_action")) or "pause (the default)"
        if action == "rollback":
            continue
        yield service_hit(svc, f"updates with failure_action {action}: a failed update is left half done instead "
                          "of rolled back; set deploy.update_config.failure_action: rollback",
                          ("deploy", "update_config", "failure_action"), ".deploy.update_config.failure_action")
