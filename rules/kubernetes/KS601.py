"""A Deployment rollout that may take pods away.

``maxUnavailable`` > 0 (an integer, or a percentage above ``0%``), including the implicit 25 %
when ``strategy``/``rollingUpdate``/``maxUnavailable`` is unset.  The replica count is not
considered: 25 % of 1 or 2 replicas rounds down to 0 today, but replicas change (HPA,
``kubectl scale``, overlays) while the strategy stays."""

from shiplint.core.findings import Hit
from shiplint.model.k8s.model import int_or_percent
from shiplint.registry.rule import rule
from shiplint.rules.kubernetes._fix import setting_fix

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
        replicas = resource.get(("spec", "replicas"))
        if isinstance(replicas, int) and not isinstance(replicas, bool) and 0 <= replicas < 4:
            # 25% of fewer than 4 pods rounds down to none: say what is true today and when the
            # default starts to take pods away
            msg = (f"Deployment '{resource.name}' does not set strategy.rollingUpdate.maxUnavailable: the "
                   f"default 25% rounds down to no pod at {replicas} replica(s), but takes pods away during "
                   "a rollout as soon as it is scaled to 4 or more")
        else:
            msg = (f"Deployment '{resource.name}' does not set strategy.rollingUpdate.maxUnavailable: the "
                   "default 25% of its pods may be unavailable during a rollout")
    yield Hit(
        msg + "; set maxUnavailable: 0 (with maxSurge ≥ 1) to keep full capacity",
        where,
        subject=f"{resource.identity}.spec.strategy.rollingUpdate.maxUnavailable",
        fix=_fix(resource, ctx, rolling),
    )


def _fix(resource, ctx, rolling):
    """``maxUnavailable: 0``; a ``maxSurge`` of 0 becomes 1 (both 0 is refused by the API, and
    the 25% default rounds up to at least one pod)."""
    surge = int_or_percent(rolling.get("maxSurge")) if isinstance(rolling, dict) and "maxSurge" in rolling else None
    if surge is not None and surge[0] <= 0:
        fix_surge = setting_fix(resource, ctx, rolling, ("maxSurge",), "1", "")
        if fix_surge is None:
            return None
    else:
        fix_surge = None
    fix = setting_fix(resource, ctx, resource.data, PATH, "0", "set maxUnavailable: 0" +
                      (" and maxSurge: 1" if fix_surge else ""))
    if fix is None:
        return None
    if fix_surge is not None:
        fix.edits += fix_surge.edits
        fix.safety = "unsafe"
    return fix
