"""A container without a cpu or memory request.

A limit without a request counts as a request: Kubernetes copies the limit into the request."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


def _has(section, key) -> bool:
    return isinstance(section, dict) and section.get(key) not in (None, "")


@rule
def check(resource, ctx):
    for container in resource.containers(("init", "regular")):
        res = container.data.get("resources")
        res = res if isinstance(res, dict) else {}
        requests, limits = res.get("requests"), res.get("limits")
        missing = [k for k in ("cpu", "memory") if not _has(requests, k) and not _has(limits, k)]
        if not missing:
            continue
        yield Hit(
            f"container '{container.name}' sets no {' or '.join(missing)} request: the scheduler "
            "places it blind and it is the first evicted under pressure",
            container.missing_region(("resources", "requests", missing[0])),
            subject=f"{container.subject}.resources.requests",
        )
