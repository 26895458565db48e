"""No ``restart:`` (nor ``deploy.restart_policy``); one-shot services are exempt."""

from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit
from shiplint.rules.compose._fix import service_setting_fix


@rule
def check(project, ctx):
    for svc in project.services:
        if svc.is_partial:
            continue  # an override fragment: its base may set it
        if "restart" in svc.data or "restart_policy" in svc.mapping("deploy") or svc.is_one_shot:
            continue
        hit = service_hit(svc, "has no restart policy (restart:, or deploy.restart_policy in a stack): a crashed "
                          "container stays down", ("restart",), ".restart")
        if not svc.is_stack:  # docker stack deploy ignores restart: (deploy.restart_policy is its)
            hit.fix = service_setting_fix(project, ctx, svc, hit.path, ("restart",), "unless-stopped",
                                          f"set restart: unless-stopped on service '{svc.name}'")
        yield hit
