"""A workload targeted by an autoscaler also sets ``spec.replicas``."""

from shiplint.core.findings import Hit, Location
from shiplint.registry.rule import rule


@rule
def check(index, ctx):
    seen = set()
    for a in index.autoscalers():
        for target in index.autoscaler_target(a):
            if id(target) in seen or target.get(("spec", "replicas")) is None:
                continue
            seen.add(id(target))
            scaler = a.resource
            yield Hit(
                f"{target.kind} '{target.name}' sets replicas although {scaler.kind} '{scaler.name}' "
                "scales it: every apply resets the replica count the autoscaler chose",
                target.region_at(("spec", "replicas")),
                subject=f"{target.identity}:replicas",
                path=target.path,
                related=[Location(scaler.path, scaler.anchor, f"{scaler.kind} '{scaler.name}'")],
            )
