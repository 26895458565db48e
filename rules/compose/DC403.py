"""No memory limit (``deploy.resources.limits.memory`` or ``mem_limit``)."""

from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit


@rule
def check(project, ctx):
    for svc in project.services:
        if svc.is_partial:
            continue  # an override fragment: its base may set it
        if svc.get("mem_limit") not in (None, "") or svc.get("deploy", "resources", "limits", "memory") not in (None, ""):
            continue
        yield service_hit(svc, "has no memory limit (deploy.resources.limits.memory or mem_limit): one leak can "
                          "starve every other container on the host", ("deploy", "resources", "limits", "memory"),
                          ".memory")
