"""``strategy.type: Recreate`` on a Deployment."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    if resource.kind != "Deployment":
        return
    if resource.get(("spec", "strategy", "type")) != "Recreate":
        return
    yield Hit(
        f"Deployment '{resource.name}' uses the Recreate strategy: every rollout stops all pods before "
        "starting new ones (downtime); keep it only for apps that cannot run two versions at once",
        resource.region_at(("spec", "strategy", "type")),
        subject=f"{resource.identity}.spec.strategy.type",
    )
