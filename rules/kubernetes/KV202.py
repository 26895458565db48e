"""An apiVersion deprecated in the target Kubernetes version (still served, removed later)."""

from shiplint.core.findings import Hit
from shiplint.model.k8s.apischema import api_status, format_version, target_version
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    target = target_version(ctx.options)
    status, row = api_status(resource.api_version, resource.kind, target)
    if status != "deprecated":
        return
    removal = f"removed in {format_version(row['removed'])}" if row["removed"] else "to be removed"
    instead = f"migrate to {row['replacement']}" if row["replacement"] else "it has no replacement API"
    yield Hit(
        f"{resource.api_version} {resource.kind} is deprecated since Kubernetes {format_version(row['deprecated'])} "
        f"and {removal} (target {format_version(target)}): {instead}",
        resource.data.value_region("apiVersion") or resource.anchor,
        subject=f"{resource.identity}:apiVersion",
    )
