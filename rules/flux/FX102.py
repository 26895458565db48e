"""A Flux ``Kustomization`` with neither ``wait: true`` nor health checks
(``healthChecks: []`` is none)."""

from shiplint.core.findings import Hit
from shiplint.model.k8s import flux
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    if not flux.is_flux(resource, flux.KUSTOMIZE_GROUP, "Kustomization"):
        return
    wait = resource.get(("spec", "wait"))
    checks = resource.get(("spec", "healthChecks"))
    if wait is True or (isinstance(checks, list) and checks) or (isinstance(wait, str) and flux.substituted(wait)):
        return
    if wait is not None:
        where = resource.region_at(("spec", "wait"))
    elif checks is not None:
        where = resource.region_at(("spec", "healthChecks"))
    else:
        where = resource.missing_region(("spec", "wait"))
    yield Hit(
        f"Flux Kustomization '{resource.name}' has neither wait: true nor healthChecks: it is "
        "reported Ready as soon as the objects are applied, even when the rollout fails, and "
        "Kustomizations that dependsOn it go ahead",
        where,
        subject=f"{resource.identity}:health",
    )
