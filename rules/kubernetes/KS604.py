"""A Deployment or StatefulSet that runs one pod and no autoscaler."""

from shiplint.core.findings import Hit
from shiplint.model.k8s.index import spec_replicas
from shiplint.registry.rule import rule


@rule
def check(index, ctx):
    for r in index.of_kind("Deployment", "StatefulSet"):
        if index.autoscalers_of(r):
            continue  # the autoscaler decides (its minimum is KS605's and KS606's business)
        replicas = spec_replicas(r)
        # 0 is a workload deliberately parked; a templated value cannot be judged
        if replicas is None or replicas != 1:
            continue
        set_here = r.get(("spec", "replicas")) is not None
        region = r.region_at(("spec", "replicas")) if set_here else r.anchor
        how = "sets replicas: 1" if set_here else "leaves replicas unset (1)"
        yield Hit(
            f"{r.kind} '{r.name}' {how} and no HorizontalPodAutoscaler targets it: "
            "every rollout, eviction or node failure is an outage",
            region,
            subject=f"{r.identity}:replicas",
            path=r.path,
        )
