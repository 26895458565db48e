"""A Pod or ReplicaSet that no controller manages.

Exempt: objects with ``metadata.ownerReferences`` (made by a controller, as in a dump of a
cluster), Helm test hooks (``helm.sh/hook: test``…), and a ReplicaSet of a Deployment's
rollout (the ``pod-template-hash`` label)."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

_HELM_TEST_HOOKS = {"test", "test-success", "test-failure"}


@rule
def check(resource, ctx):
    kind = resource.kind
    if kind not in ("Pod", "ReplicaSet") or resource.api_version not in ("v1", "apps/v1"):
        return
    if resource.metadata.get("ownerReferences"):
        return
    hooks = resource.annotations.get("helm.sh/hook")
    if isinstance(hooks, str) and _HELM_TEST_HOOKS & {h.strip() for h in hooks.split(",")}:
        return
    if kind == "ReplicaSet" and "pod-template-hash" in resource.labels:
        return
    fix = "a Deployment" if kind == "ReplicaSet" else "a Deployment (or a Job for a task that ends)"
    yield Hit(
        f"{kind} '{resource.name}' is not managed by any controller: its pods are not recreated "
        f"when they are evicted, deleted or when their node fails; use {fix}",
        resource.region_at(("kind",)),
        subject=f"{resource.identity}:kind",
    )
