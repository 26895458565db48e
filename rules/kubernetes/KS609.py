"""A workload's selector does not match its own pod template."""

from shiplint.core.findings import Hit
from shiplint.model.k8s import selectors
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    if resource.kind in ("Pod", "PodTemplate", "CronJob"):
        return
    sel = resource.get(("spec", "selector"))
    if sel is None:
        return  # defaulted from the template (or a schema error, not ours)
    pod = resource.pod_template()
    if pod is None or pod.labels_malformed:
        return  # labels of the wrong type: KV102 reports them, a mismatch cannot be judged
    if resource.kind == "ReplicationController":
        reqs = selectors.map_requirements(sel)
    else:
        reqs = selectors.label_selector_requirements(sel)
    if not reqs:
        return  # not evaluable, or empty (selects everything)
    failed = selectors.first_failure(reqs, pod.labels)
    if failed is None:
        return
    labels = selectors.plain_labels(pod.labels)
    shown = ", ".join(f"{k}={v}" for k, v in labels.items()) or "none"
    yield Hit(
        f"{resource.kind} '{resource.name}' selector requires {failed.describe()} but its pod "
        f"template labels are {{{shown}}}: the API server rejects the object (or the controller "
        "never owns its pods)",
        resource.region_at(("spec", "selector") + failed.path),
        subject=f"{resource.identity}:selector",
    )
