"""An autoscaler whose ``scaleTargetRef`` is not among the scanned resources."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(index, ctx):
    evidence = ctx.option("require-evidence", True)
    for a in index.autoscalers():
        if index.autoscaler_target(a):
            continue
        if evidence and not index.has_kind_in(a.target_kind, a.namespace):
            continue  # nothing of that kind scanned in the namespace: it may live elsewhere
        r = a.resource
        yield Hit(
            f"{r.kind} '{r.name}' scales {a.target_kind} '{a.target_name}', which is not among the "
            f"scanned resources of namespace {a.namespace or '(unset)'}",
            r.region_at(a.ref_path + ("name",)),
            subject=f"{r.identity}:scaleTargetRef",
            path=r.path,
        )
