"""An external image outside the ``trusted-registries`` list: a ``FROM`` base image, or an image
that ``COPY --from`` or ``RUN --mount=from=`` pulls (the allow-list would be bypassed through
them otherwise)."""

from shiplint.core.findings import Hit
from shiplint.sources.imageref import is_trusted, parse_image_ref, trusted_entries
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import pulled_images


@rule
def check(dockerfile, ctx):
    entries = trusted_entries(ctx.option("trusted-registries"))
    if not entries:
        return  # inactive until configured
    for image in pulled_images(dockerfile):
        ref = image.ref
        name, colon, tag = image.text.partition("@")[0].rpartition(":")
        if ref is None and colon and "/" not in tag and "$" not in name:
            # only the tag uses a variable ('static:latest-$ARCH'): the source is still known
            ref = parse_image_ref(image.text)
        if ref is None or is_trusted(ref, entries):
            continue
        yield Hit(
            f"{image.what} '{image.text}' comes from '{ref.effective_registry}', which is not "
            "in trusted-registries",
            image.region,
            subject=image.subject + ".registry",
        )
