"""``maxSurge: 0`` and ``maxUnavailable: 0``.

Both must be explicit (unset, each defaults to 25 %).  The API server rejects this pair: the
rollout could neither add a new pod nor remove an old one."""

from shiplint.core.findings import Hit, Location
from shiplint.model.k8s.model import int_or_percent
from shiplint.registry.rule import rule


def _zero(value) -> bool:
    parsed = int_or_percent(value)
    return parsed is not None and parsed[0] == 0


@rule
def check(resource, ctx):
    if resource.kind != "Deployment":
        return
    strategy = resource.get(("spec", "strategy"))
    if not isinstance(strategy, dict) or strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return
    rolling = strategy.get("rollingUpdate")
    if not isinstance(rolling, dict) or "maxSurge" not in rolling or "maxUnavailable" not in rolling:
        return
    if not (_zero(rolling["maxSurge"]) and _zero(rolling["maxUnavailable"])):
        return
    base = ("spec", "strategy", "rollingUpdate")
    yield Hit(
        f"Deployment '{resource.name}' sets maxSurge: 0 and maxUnavailable: 0: a rollout can neither "
        "add nor remove a pod (the API server rejects it); set maxSurge to 1 or more",
        resource.region_at(base + ("maxSurge",)),
        subject=f"{resource.identity}.spec.strategy.rollingUpdate",
        related=[Location(resource.path, resource.region_at(base + ("maxUnavailable",)), "maxUnavailable: 0")],
    )
