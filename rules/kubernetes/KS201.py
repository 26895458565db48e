"""A long-running container without ``readinessProbe``."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    for container in resource.containers(("regular",)):
        if not container.gets_probe_rules or "readinessProbe" in container.data:
            continue
        yield Hit(
            f"container '{container.name}' has no readinessProbe: it receives traffic as soon as it "
            "starts, and a rollout cannot tell a healthy new pod from a broken one",
            container.anchor,
            subject=f"{container.subject}.readinessProbe",
        )
