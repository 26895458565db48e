"""A long-running container without ``livenessProbe``."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    for container in resource.containers(("regular",)):
        if not container.gets_probe_rules or "livenessProbe" in container.data:
            continue
        yield Hit(
            f"container '{container.name}' has no livenessProbe: a deadlocked process is never restarted",
            container.anchor,
            subject=f"{container.subject}.livenessProbe",
        )
