"""A Service whose selector matches no scanned pod template."""

from shiplint.core.findings import Hit
from shiplint.model.k8s import selectors
from shiplint.registry.rule import rule


@rule
def check(index, ctx):
    evidence = ctx.option("require-evidence", True)
    for svc in index.of_kind("Service"):
        if svc.get(("spec", "type")) == "ExternalName":
            continue
        sel = svc.get(("spec", "selector"))
        if not isinstance(sel, dict) or not sel:
            continue  # no selector: endpoints are managed by hand (or by another controller)
        reqs = selectors.map_requirements(sel)
        views = index.template_views(svc.namespace)
        if not views and evidence:
            continue  # no workload scanned in this namespace: the pods may be defined elsewhere
        if index.templates_matching(svc.namespace, reqs) or index.labels_unknown(svc.namespace):
            continue
        if index.operator_may_own(svc.namespace, reqs):
            continue  # pods created by an operator from a custom resource (Prometheus…)
        # the closest pod template: the one satisfying most of the selector, then carrying
        # most of its keys (a typo in a value still names the right key)
        best, best_score = None, (0, 0)
        for view in views:
            score = (sum(1 for q in reqs if q.matches(view[2], view[3])), sum(1 for q in reqs if q.key in view[2]))
            if score > best_score:
                best, best_score = view, score
        wanted = ", ".join(q.describe() for q in reqs)
        if best is not None:
            r, _, labels, gen = best
            failed = next(q for q in reqs if not q.matches(labels, gen))
            have = labels.get(failed.key)
            closest = (f"; the closest, {r.kind} '{r.name}', has "
                       + (f"{failed.key}={have}" if have is not None else f"no label {failed.key}"))
            region = svc.region_at(("spec", "selector", failed.path[0]))
        else:
            closest = ""
            region = svc.region_at(("spec", "selector"))
        yield Hit(
            f"Service '{svc.name}' selects {{{wanted}}} but no pod template in namespace "
            f"{svc.namespace or '(unset)'} carries these labels{closest}: the Service has no endpoints",
            region,
            subject=f"{svc.identity}:selector",
            path=svc.path,
        )
