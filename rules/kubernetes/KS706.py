"""A Service of type ``NodePort``."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    if resource.kind != "Service" or resource.api_version != "v1":
        return
    if resource.get(("spec", "type")) != "NodePort":
        return
    yield Hit(
        f"Service '{resource.name}' is of type NodePort: it opens its ports on every node of the "
        "cluster, outside any Ingress or load balancer; prefer ClusterIP behind an Ingress or a "
        "LoadBalancer",
        resource.region_at(("spec", "type")),
        subject=f"{resource.identity}:type",
    )
