"""KS701 service-selector-matches-nothing: a Service whose selector matches no scanned pod template."""

from shiplint.findings import Hit
from shiplint.k8s import selectors
from shiplint.rule import rule


@rule("KS701")
def check(index, ctx):
    evidence = ctx.option("require-evidence", True)
    for svc in index.of_kind("Service"):
        if svc.get(("spec", "type")) == "ExternalName":
            continue
        sel = svc.get(("spec", "selector"))
        if not isinstance(sel, dict) or not sel:
            continue  # no selector: endpoints are managed by hand (or by another controller)
        reqs = selectors.map_requirements(sel)
        templates = index.pod_templates(svc.namespace)
        if not templates and evidence:
            continue  # no workload scanned in this namespace: the pods may be defined elsewhere
        if any(selectors.matches(reqs, pod.labels) for _, pod in templates):
            continue
        # the closest pod template: the one satisfying most of the selector
        best, best_score = None, 0
        for r, pod in templates:
            labels = selectors.plain_labels(pod.labels)
            score = sum(1 for q in reqs if q.matches(labels))
            if score > best_score:
                best, best_score = (r, pod), score
        wanted = ", ".join(q.describe() for q in reqs)
        if best is not None:
            r, pod = best
            failed = selectors.first_failure(reqs, pod.labels)
            have = selectors.plain_labels(pod.labels).get(failed.key)
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
