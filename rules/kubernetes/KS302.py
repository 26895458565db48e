"""A container without a memory limit.

A missing cpu limit is mentioned in the message but is not a finding of its own (many teams
leave cpu unlimited on purpose to avoid throttling)."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    for container in resource.containers(("init", "regular")):
        res = container.data.get("resources")
        limits = res.get("limits") if isinstance(res, dict) else None
        limits = limits if isinstance(limits, dict) else {}
        if limits.get("memory") not in (None, ""):
            continue
        note = "" if limits.get("cpu") not in (None, "") else " (no cpu limit either)"
        yield Hit(
            f"container '{container.name}' sets no memory limit{note}: one leak can exhaust the node",
            container.missing_region(("resources", "limits", "memory")),
            subject=f"{container.subject}.resources.limits.memory",
        )
