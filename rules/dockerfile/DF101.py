"""An external ``FROM`` image without a digest."""

from shiplint.core.findings import Hit
from shiplint.sources.imageref import parse_image_ref
from shiplint.registry.rule import rule


@rule
def check(dockerfile, ctx):
    for stage in dockerfile.stages:
        if not stage.is_external or not stage.image_resolved:
            continue
        ref = parse_image_ref(stage.image)
        if ref.digest is not None:
            continue  # a malformed digest is DF103's finding
        yield Hit(
            f"base image '{stage.image}' is not pinned by digest; use {stage.image}@sha256:<digest>",
            stage.image_region,
            subject=f"stage[{stage.name or stage.index}].from",
        )
