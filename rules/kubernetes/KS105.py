"""``imagePullPolicy: Never``."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    for container in resource.containers():
        if container.data.get("imagePullPolicy") == "Never":
            yield Hit(
                f"container '{container.name}' sets imagePullPolicy: Never: it only starts on nodes "
                "where the image was preloaded",
                container.region_at(("imagePullPolicy",)),
                subject=f"{container.subject}.imagePullPolicy",
            )
