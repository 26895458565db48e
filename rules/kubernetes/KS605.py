"""A multi-replica Deployment/StatefulSet that no PodDisruptionBudget selects."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(index, ctx):
    for r in index.of_kind("Deployment", "StatefulSet"):
        replicas = index.min_replicas(r)
        if replicas is None or replicas < 2:
            continue
        pod = r.pod_template()
        if pod is None or index.pdb_may_select(pod):
            continue
        scaled = " (the minimum of its autoscaler)" if index.autoscalers_of(r) else ""
        yield Hit(
            f"{r.kind} '{r.name}' runs {replicas} replicas{scaled} but no PodDisruptionBudget in "
            f"namespace {r.namespace or '(unset)'} selects its pods: a node drain may evict them all at once",
            r.anchor,
            subject=f"{r.identity}:pdb",
            path=r.path,
        )
