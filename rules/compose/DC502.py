"""A stack service whose ``deploy.update_config.order`` is not ``start-first``."""

from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit, text


@rule
def check(project, ctx):
    if not project.is_stack:
        return
    for svc in project.services:
        if svc.is_one_shot:
            continue
        order = text(svc.get("deploy", "update_config", "order")) or "stop-first (the default)"
        if order == "start-first":
            continue
        yield service_hit(svc, f"updates with order {order}: each old task stops before its replacement runs, so "
                          "capacity drops during the update; set deploy.update_config.order: start-first",
                          ("deploy", "update_config", "order"), ".deploy.update_config.order")
