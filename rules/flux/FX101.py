"""A Flux ``Kustomization`` without ``prune: true``."""

from shiplint.core.findings import Hit
from shiplint.model.k8s import flux
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    if not flux.is_flux(resource, flux.KUSTOMIZE_GROUP, "Kustomization"):
        return
    prune = resource.get(("spec", "prune"))
    if prune is True or (isinstance(prune, str) and flux.substituted(prune)):
        return
    if prune is None:
        where, what = resource.missing_region(("spec", "prune")), "does not set prune"
    else:
        where, what = resource.region_at(("spec", "prune")), f"sets prune: {prune}"
    yield Hit(
        f"Flux Kustomization '{resource.name}' {what}: objects removed from Git stay in the "
        "cluster (garbage collection is off); set prune: true",
        where,
        subject=f"{resource.identity}:prune",
    )
