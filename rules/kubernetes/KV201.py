"""An apiVersion that the target Kubernetes version no longer serves."""

from shiplint.core.findings import Hit
from shiplint.model.k8s.apischema import api_status, format_version, target_version
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    target = target_version(ctx.options)
    status, row = api_status(resource.api_version, resource.kind, target)
    if status != "removed":
        return
    instead = f"use {row['replacement']}" if row["replacement"] else "it has no replacement API"
    yield Hit(
        f"{resource.api_version} {resource.kind} was removed in Kubernetes {format_version(row['removed'])} "
        f"(target {format_version(target)}): {instead}",
        resource.data.value_region("apiVersion") or resource.anchor,
        subject=f"{resource.identity}:apiVersion",
    )
