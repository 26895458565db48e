"""A PodDisruptionBudget that can never allow a voluntary disruption, or that the API server
rejects because it sets both ``minAvailable`` and ``maxUnavailable`` (an error)."""

import re

from shiplint.core.findings import Hit, Location
from shiplint.model.k8s import selectors
from shiplint.model.k8s.index import REPLICATED_KINDS, is_int
from shiplint.registry.rule import rule

_PERCENT = re.compile(r"\s*(\d+)\s*%\s*\Z")


def _percent(value):
    if isinstance(value, str):
        m = _PERCENT.match(value)
        if m:
            return int(m.group(1))
    return None


def _selected_pods(index, pdb):
    """``(total minimum pods, [(resource, pods)])`` of the workloads the PDB selects, or
    ``None`` when it selects nothing scanned or one of them has an unknown pod count."""
    sel = pdb.get(("spec", "selector"))
    if not isinstance(sel, dict):
        return None
    reqs = selectors.label_selector_requirements(sel)
    if reqs is None:
        return None
    chosen = []
    for r, _pod in index.templates_matching(pdb.namespace, reqs):
        if r.kind == "Pod":
            n = 1
        elif r.kind in REPLICATED_KINDS:
            n = index.min_replicas(r)
        else:
            return None  # DaemonSet, Job, custom resource: pod count unknown here
        if n is None:
            return None
        chosen.append((r, n))
    if not chosen:
        return None
    return sum(n for _, n in chosen), chosen


@rule
def check(index, ctx):
    for pdb in index.of_kind("PodDisruptionBudget"):
        spec = pdb.get(("spec",))
        if not isinstance(spec, dict):
            continue
        name = pdb.name
        if "minAvailable" in spec and "maxUnavailable" in spec:
            # the API server accepts one of the two only: the object is never created, and the
            # workload it was meant to protect has no budget at all
            second = max(("minAvailable", "maxUnavailable"), key=lambda k: pdb.region_at(("spec", k)).line)
            yield Hit(
                f"PodDisruptionBudget '{name}' sets both minAvailable and maxUnavailable: the API "
                "server rejects it (only one may be set), so its pods have no disruption budget",
                spec.key_region(second) or pdb.region_at(("spec", second)),
                subject=f"{pdb.identity}:minAvailable+maxUnavailable",
                path=pdb.path,
                properties={"level": "error"},
            )
            continue
        if "maxUnavailable" in spec:
            value = spec.get("maxUnavailable")
            if (is_int(value) and value == 0) or _percent(value) == 0 or value == "0":
                yield Hit(
                    f"PodDisruptionBudget '{name}' sets maxUnavailable: {value}: no pod may ever be "
                    "evicted, so node drains and cluster upgrades block",
                    pdb.region_at(("spec", "maxUnavailable")),
                    subject=f"{pdb.identity}:maxUnavailable",
                    path=pdb.path,
                )
            continue
        if "minAvailable" not in spec:
            continue
        value = spec.get("minAvailable")
        pct = _percent(value)
        if pct is not None:
            if pct >= 100:
                yield Hit(
                    f"PodDisruptionBudget '{name}' sets minAvailable: {value}: no pod may ever be "
                    "evicted, so node drains and cluster upgrades block",
                    pdb.region_at(("spec", "minAvailable")),
                    subject=f"{pdb.identity}:minAvailable",
                    path=pdb.path,
                )
            continue
        if not is_int(value):
            continue
        selected = _selected_pods(index, pdb)
        if selected is None:
            continue
        total, chosen = selected
        if total == 0 or value < total:
            continue
        parts = ", ".join(f"{r.kind} '{r.name}': {n}" for r, n in chosen)
        yield Hit(
            f"PodDisruptionBudget '{name}' requires minAvailable: {value} but the workloads it selects "
            f"run {total} pod{'s' if total != 1 else ''} ({parts}): no pod may ever be evicted, so node "
            "drains block",
            pdb.region_at(("spec", "minAvailable")),
            subject=f"{pdb.identity}:minAvailable",
            path=pdb.path,
            related=[Location(r.path, r.anchor, f"{r.kind} '{r.name}' selected by the budget") for r, _ in chosen],
        )
