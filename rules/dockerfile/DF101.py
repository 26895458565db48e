"""An external image without a digest: a ``FROM`` base image, or an image that ``COPY --from``
or ``RUN --mount=from=`` pulls."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import pulled_images


@rule
def check(dockerfile, ctx):
    for image in pulled_images(dockerfile):
        if image.ref is not None:
            if image.ref.digest is not None:
                continue  # a malformed digest is DF103's finding
            why = ""
        elif image.tag_cannot_carry_digest:
            # 'static:latest-$ARCH' with no default for ARCH: any value still names a tag
            names = ", ".join(image.unresolved_variables)
            why = f" (whatever {names} is set to, the reference is a tag)"
        else:
            continue  # '$BASE' may hold a pinned reference: nothing is known
        yield Hit(
            f"{image.what} '{image.text}' is not pinned by digest{why}; use "
            f"{image.text}@sha256:<digest>",
            image.region,
            subject=image.subject,
        )
