"""``privileged: true``."""

from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit


@rule
def check(project, ctx):
    for svc in project.services:
        if svc.get("privileged") is True or str(svc.get("privileged")).lower() == "true":
            yield service_hit(svc, "runs privileged: every device and capability of the host, no isolation "
                              "left", ("privileged",), ".privileged")
