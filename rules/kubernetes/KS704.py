"""A workload whose pods no NetworkPolicy of their namespace isolates for ingress."""

from shiplint.core.findings import Hit
from shiplint.model.k8s import networkpolicy as netpol
from shiplint.model.k8s.index import spec_replicas
from shiplint.registry.rule import rule


@rule
def check(index, ctx):
    evidence = ctx.option("require-evidence", True)
    policies: dict[str, list] = {}  # by namespace: a policy selects pods of its own only
    for p in index.of_kind(netpol.KIND):
        policies.setdefault(p.namespace, []).append(p)
    for r, pod in index.pod_templates():
        ns = r.namespace
        if evidence and not index.has_kind_near(netpol.KIND, r):
            continue  # no NetworkPolicy scanned in this namespace: they may live elsewhere
        if r.kind == "PodTemplate" or netpol.host_network(pod) or spec_replicas(r) == 0:
            continue  # no pods (a template, a parked workload), or on the host network, where
            # NetworkPolicies do not apply
        selecting = [p for p in policies.get(ns, ()) if netpol.selects(p, pod)]
        if any("Ingress" in netpol.policy_types(p) for p in selecting):
            continue
        if selecting:
            why = ("only egress policies (" + ", ".join(f"'{p.name}'" for p in selecting)
                   + ") select them: any pod can still connect to them")
        else:
            why = "no NetworkPolicy of the namespace selects them: every pod of the cluster can connect to them"
        yield Hit(
            f"the pods of {r.kind} '{r.name}' (namespace {ns or '(unset)'}) are not isolated: {why}; "
            "add a default-deny policy (podSelector: {}) and allow the traffic they need",
            r.anchor,
            subject=f"{r.identity}:networkpolicy",
            path=r.path,
        )
