"""The pod does not set ``automountServiceAccountToken: false``.

Not flagged when the ServiceAccount the pod runs as (``serviceAccountName``, else ``default``)
is in the scan and sets ``automountServiceAccountToken: false`` (the pod inherits it), nor when
the pod sets ``automountServiceAccountToken: true``: that is a decision (a controller or an
operator that calls the API), not an oversight."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.rules.kubernetes._fix import setting_fix


def _service_account_disables(index, resource, pod) -> bool:
    name = pod.spec.get("serviceAccountName") or pod.spec.get("serviceAccount") or "default"
    if not isinstance(name, str):
        return False
    accounts = index.find("ServiceAccount", resource.namespace, name)
    return bool(accounts) and all(sa.data.get("automountServiceAccountToken") is False for sa in accounts)


@rule
def check(index, ctx):
    for resource, pod in index.pod_templates():
        if not pod.spec.get("containers"):
            continue
        value = pod.spec.get("automountServiceAccountToken")
        if isinstance(value, bool):
            continue  # false: no token; true: an explicit decision
        if "automountServiceAccountToken" in pod.spec:
            where = pod.region_at(("automountServiceAccountToken",))
            why = f"sets automountServiceAccountToken to '{value}' instead of false"
        elif _service_account_disables(index, resource, pod):
            continue
        else:
            where = pod.missing_region(("automountServiceAccountToken",))
            why = "does not set automountServiceAccountToken: false"
        yield Hit(
            f"{resource.kind} '{resource.name}' {why}: every container gets a Kubernetes API token "
            "it may not need",
            where,
            subject=f"{pod.subject}.automountServiceAccountToken",
            path=resource.path,
            fix=setting_fix(resource, ctx, pod.spec, ("automountServiceAccountToken",), "false",
                            f"set automountServiceAccountToken: false in the pod spec of {resource.kind} "
                            f"'{resource.name}'"),
        )
