"""A Job or CronJob pod template whose ``restartPolicy`` is not ``OnFailure`` or ``Never``.

Unset, the pod's ``restartPolicy`` defaults to ``Always``, which the Job API rejects; a native
sidecar's container-level ``restartPolicy: Always`` is not the pod's and is not read here."""

from shiplint.core.findings import Hit
from shiplint.model.k8s.model import RUN_TO_COMPLETION
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    if not resource.is_batch:
        return
    pod = resource.pod_template()
    if pod is None:
        return
    value = pod.spec.get("restartPolicy")
    if isinstance(value, str) and (value in RUN_TO_COMPLETION or "{{" in value):
        return
    if "restartPolicy" in pod.spec:
        where, what = pod.region_at(("restartPolicy",)), f"restartPolicy '{value}'"
    else:
        where, what = pod.missing_region(("restartPolicy",)), "no restartPolicy (default Always)"
    yield Hit(
        f"{resource.kind} '{resource.name}' has a pod template with {what}: a Job's pods must "
        "use OnFailure or Never (the API rejects Always, and a pod restarted in place forever "
        "never lets the Job fail)",
        where,
        subject=f"{pod.subject}.restartPolicy",
    )
