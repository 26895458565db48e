"""A Deployment rollout that may take pods away.

``maxUnavailable`` > 0 (an integer, or a percentage above ``0%``), including the implicit 25 %
when ``strategy``/``rollingUpdate``/``maxUnavailable`` is unset.  The replica count is not
considered: 25 % of 1 or 2 replicas rounds down to 0 today, but replicas change (HPA,
``kubectl scale``, overlays) while the strategy stays."""

from shiplint.core.findings import Hit
from shiplint.model.k8s.model import int_or_percent
from shiplint.registry.rule import rule

PATH = ("spec", "strategy", "rollingUpdate", "maxUnavailable")


@rule
def check(resource, ctx):
    if resource.kind != "Deployment":
        return
    strategy = resource.get(("spec", "strategy"))
    strategy = strategy if isinstance(strategy, dict) else {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return  # Recreate: KS603
    rolling = strategy.get("rollingUpdate")
    if isinstance(rolling, dict) and "maxUnavailable" in rolling:
        raw = rolling["maxUnavailable"]
        parsed = int_or_percent(raw)
        if parsed is None or parsed[0] <= 0:
            return
        shown = f"{raw}" if isinstance(raw, str) else str(raw)
        where = resource.region_at(PATH)
        msg = f"Deployment '{resource.name}' allows {shown} of its pods to be unavailable during a rollout"
    else:
        where = resource.missing_region(PATH)
        msg = (f"Deployment '{resource.name}' does not set strategy.rollingUpdate.maxUnavailable: the "
               "default 25% of its pods may be unavailable during a rollout")
    yield Hit(
        msg + "; set maxUnavailable: 0 (with maxSurge ≥ 1) to keep full capacity",
        where,
        subject=f"{resource.identity}.spec.strategy.rollingUpdate.maxUnavailable",
    )
