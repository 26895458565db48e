"""An external ``FROM`` image outside the ``trusted-registries`` list."""

from shiplint.core.findings import Hit
from shiplint.sources.imageref import is_trusted, trusted_entries
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import external_ref, subject


@rule
def check(dockerfile, ctx):
    entries = trusted_entries(ctx.option("trusted-registries"))
    if not entries:
        return  # inactive until configured
    for stage in dockerfile.stages:
        ref = external_ref(stage)
        if ref is None:
            continue
        if is_trusted(ref, entries):
            continue
        yield Hit(
            f"base image '{stage.image}' comes from '{ref.effective_registry}', which is not in "
            "trusted-registries",
            stage.image_region,
            subject=subject(stage, "from.registry"),
        )
