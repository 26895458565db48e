"""A pushed image without an SBOM anywhere in the pipeline."""

from shiplint.core.findings import Hit
from shiplint.model.ci import SBOM
from shiplint.registry.rule import rule


@rule
def check(pipeline, ctx):
    if pipeline.may_hide() or any(True for _ in pipeline.events(SBOM)):
        return
    for push in pipeline.first_pushes():
        if any(e.sbom for e in push.job.events):
            continue
        yield Hit(
            f"job '{push.job.id}' pushes an image ({push.what}) and no step produces an SBOM for it "
            "(syft, anchore/sbom-action, or `sbom: true` on the build)",
            push.region, path=push.path, subject=f"{push.job.id}:push",
        )
