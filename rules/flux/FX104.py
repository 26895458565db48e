"""A ``HelmRelease`` chart ``version`` that is missing, ``*`` or a range.

Charts from a ``GitRepository`` or ``Bucket`` source are exempt (the version is the chart's
own, pinned by the Git revision), and so is ``spec.chartRef`` (the version lives in the
referenced ``OCIRepository``/``HelmChart``)."""

from shiplint.core.findings import Hit
from shiplint.model.k8s import flux
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    if not flux.is_flux(resource, flux.HELM_GROUP, "HelmRelease"):
        return
    spec = resource.get(("spec", "chart", "spec"))
    if not isinstance(spec, dict):
        return  # chartRef, or no chart: nothing to pin here
    source = spec.get("sourceRef")
    if isinstance(source, dict) and source.get("kind") in ("GitRepository", "Bucket"):
        return
    version = spec.get("version")
    if isinstance(version, (int, float)) and not isinstance(version, bool):
        version = str(version)
    if isinstance(version, str) and (flux.substituted(version) or flux.is_exact_version(version)):
        return
    chart = spec.get("chart", "?")
    if version is None:
        where, what = resource.missing_region(("spec", "chart", "spec", "version")), "no version (the latest)"
    else:
        where, what = resource.region_at(("spec", "chart", "spec", "version")), f"version '{version}'"
    yield Hit(
        f"HelmRelease '{resource.name}' installs chart '{chart}' with {what}: every new release "
        "of the chart is rolled out unreviewed; pin an exact version",
        where,
        subject=f"{resource.identity}:chart.version",
    )
