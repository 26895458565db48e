"""The pod does not set
``automountServiceAccountToken: false``.

Single-object: the pod spec is judged alone.  A ServiceAccount that disables automounting is not
looked up; set the field on the pod (it is explicit and wins over the ServiceAccount)."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.rules.kubernetes._fix import setting_fix


@rule
def check(resource, ctx):
    pod = resource.pod_template()
    if pod is None or not pod.spec.get("containers"):
        return
    value = pod.spec.get("automountServiceAccountToken")
    if value is False:
        return
    if "automountServiceAccountToken" in pod.spec:
        where = pod.region_at(("automountServiceAccountToken",))
        why = f"sets automountServiceAccountToken: {str(value).lower()}"
    else:
        where = pod.missing_region(("automountServiceAccountToken",))
        why = "does not set automountServiceAccountToken: false"
    yield Hit(
        f"{resource.kind} '{resource.name}' {why}: every container gets a Kubernetes API token "
        "it may not need",
        where,
        subject=f"{pod.subject}.automountServiceAccountToken",
        fix=setting_fix(resource, ctx, pod.spec, ("automountServiceAccountToken",), "false",
                        "set automountServiceAccountToken: false in the pod spec"),
    )
