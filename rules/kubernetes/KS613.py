"""A workload of several replicas with neither pod anti-affinity nor topology spread
constraints: the scheduler may put every replica on one node or in one zone."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

KINDS = ("Deployment", "StatefulSet", "ReplicaSet")
_SPREADING = (("topologySpreadConstraints",),
              ("affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"),
              ("affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution"))


def _spreads(pod) -> bool:
    # a spreading field of the wrong type (KV102) may have meant to spread: not judged
    if any(pod.malformed_at(path) is not None for path in _SPREADING):
        return True
    tsc = pod.spec.get("topologySpreadConstraints")
    if isinstance(tsc, list) and tsc:
        return True
    anti = pod.spec.get("affinity", {}).get("podAntiAffinity") if isinstance(pod.spec.get("affinity"), dict) else None
    if not isinstance(anti, dict):
        return False
    return any(isinstance(anti.get(k), list) and anti[k] for k in
               ("requiredDuringSchedulingIgnoredDuringExecution", "preferredDuringSchedulingIgnoredDuringExecution"))


@rule
def check(index, ctx):
    for r in index.of_kind(*KINDS):
        pod = r.pod_template()
        if pod is None:
            continue
        count = index.min_replicas(r)
        if count is None or count < 2 or _spreads(pod):
            continue
        replicas = r.get(("spec", "replicas"))
        where = r.region_at(("spec", "replicas")) if replicas is not None else r.anchor
        yield Hit(
            f"{r.kind} '{r.name}' runs {count} replicas with neither pod anti-affinity nor "
            "topologySpreadConstraints: the scheduler may place them all on one node or zone, "
            "which one failure takes down at once",
            where,
            subject=f"{r.identity}:spreading",
            path=r.path,
        )
