"""A pushed image that no step signs or attests."""

from shiplint.core.findings import Hit
from shiplint.model.ci import SIGN
from shiplint.registry.rule import rule


@rule
def check(pipeline, ctx):
    if pipeline.may_hide() or any(True for _ in pipeline.events(SIGN)):
        return
    for push in pipeline.first_pushes():
        yield Hit(
            f"job '{push.job.id}' pushes an image ({push.what}) that nothing signs "
            "(cosign sign, or an attestation step)",
            push.region, path=push.path, subject=f"{push.job.id}:push",
        )
