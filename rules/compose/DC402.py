"""No ``restart:`` (nor ``deploy.restart_policy``); one-shot services are exempt."""

from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit


@rule
def check(project, ctx):
    for svc in project.services:
        if "restart" in svc.data or "restart_policy" in svc.mapping("deploy") or svc.is_one_shot:
            continue
        yield service_hit(svc, "has no restart policy (restart:, or deploy.restart_policy in a stack): a crashed "
                          "container stays down", ("restart",), ".restart")
