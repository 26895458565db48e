"""A liveness probe that waits long and no ``startupProbe``."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


def _threshold(value, default=30):
    if isinstance(value, bool):
        return default
    if isinstance(value, (int, float)):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return default


@rule
def check(resource, ctx):
    threshold = _threshold(ctx.option("startup-delay-threshold", 30))
    for container in resource.containers(("regular",)):
        if not container.gets_probe_rules or "startupProbe" in container.data:
            continue
        probe = container.data.get("livenessProbe")
        if not isinstance(probe, dict):
            continue
        delay = probe.get("initialDelaySeconds")
        if isinstance(delay, bool) or not isinstance(delay, int) or delay < threshold:
            continue
        yield Hit(
            f"container '{container.name}' delays its livenessProbe by {delay}s instead of using a "
            "startupProbe: slow starts still get killed, and a hang in the first "
            f"{delay}s goes unnoticed",
            container.region_at(("livenessProbe", "initialDelaySeconds")),
            subject=f"{container.subject}.livenessProbe.initialDelaySeconds",
        )
