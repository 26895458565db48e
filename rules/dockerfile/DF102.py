"""An external ``FROM`` image with ``:latest`` or no tag (and no digest)."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import external_ref, subject


@rule
def check(dockerfile, ctx):
    for stage in dockerfile.stages:
        ref = external_ref(stage)
        if ref is None or ref.digest is not None or not ref.is_latest_or_untagged:
            continue
        how = "uses the 'latest' tag" if ref.tag == "latest" else "has no tag (Docker pulls 'latest')"
        yield Hit(
            f"base image '{stage.image}' {how}; name a version tag (and pin its digest)",
            stage.image_region,
            subject=subject(stage, "from"),
        )
