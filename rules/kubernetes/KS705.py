"""A NetworkPolicy whose ``podSelector`` matches no pod template among the scanned resources."""

from shiplint.core.findings import Hit
from shiplint.model.k8s import networkpolicy as netpol
from shiplint.model.k8s import selectors
from shiplint.registry.rule import rule


@rule
def check(index, ctx):
    evidence = ctx.option("require-evidence", True)
    for policy in index.of_kind(netpol.KIND):
        reqs = netpol.pod_selector(policy)
        if not reqs:
            continue  # {} selects every pod of the namespace; None cannot be evaluated
        ns = policy.namespace
        templates = [(r, pod) for r, pod in index.pod_templates(ns) if r.kind != "PodTemplate"]
        if evidence and not any(index.same_scope(policy, r) for r, _ in templates):
            continue  # no workload scanned in this namespace (and directory, when unset)
        if any(r.kind != "PodTemplate" for r, _ in index.templates_matching(ns, reqs)):
            continue
        if index.operator_may_own(ns, [q for q in reqs if q.operator == "Equals"] or reqs):
            continue  # pods created by an operator from a custom resource
        # point at the requirement that the closest pod template fails (a typo in a value
        # still names the right key)
        best, best_score = None, (-1, -1)
        for r, pod in templates:
            labels, gen = selectors.plain_labels(pod.labels), selectors.generated_labels(r)
            score = (sum(1 for q in reqs if q.matches(labels, gen)), sum(1 for q in reqs if q.key in labels))
            if score > best_score:
                best, best_score = (r, labels, gen), score
        failed = next((q for q in reqs if not q.matches(best[1], best[2])), reqs[0]) if best else reqs[0]
        closest = f"; the closest, {best[0].kind} '{best[0].name}', fails {failed.describe()}" if best else ""
        yield Hit(
            f"NetworkPolicy '{policy.name}' selects {{{selectors.describe(reqs)}}} but no pod template "
            f"in namespace {ns or '(unset)'} carries these labels{closest}: the policy protects nothing "
            "(a typo or a stale label?)",
            policy.region_at(("spec", "podSelector") + failed.path),
            subject=f"{policy.identity}:podSelector",
            path=policy.path,
        )
