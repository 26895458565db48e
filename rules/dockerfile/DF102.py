"""An external image with ``:latest`` or no tag (and no digest): a ``FROM`` base image, or an
image that ``COPY --from`` or ``RUN --mount=from=`` pulls."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.sources.imageref import parse_image_ref

from shiplint.model.dockerfile import pulled_images


@rule
def check(dockerfile, ctx):
    for image in pulled_images(dockerfile):
        ref = image.ref
        if ref is None and image.tag_cannot_carry_digest and image.text.rpartition(":")[2] == "latest":
            ref = parse_image_ref(image.text)  # '${BASE}:latest' is latest whatever BASE holds
        if ref is None or ref.digest is not None or not ref.is_latest_or_untagged:
            continue
        how = "uses the 'latest' tag" if ref.tag == "latest" else "has no tag (Docker pulls 'latest')"
        yield Hit(
            f"{image.what} '{image.text}' {how}; name a version tag (and pin its digest)",
            image.region,
            subject=image.subject,
        )
