"""A container image without a digest."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    for container in resource.containers():
        ref = container.image_ref
        if ref is None:
            continue
        image = container.image_text
        if ref.digest is not None:
            continue  # a malformed or non-sha256 digest is KS103's finding
        how = f"by tag '{ref.tag}'" if ref.tag else "with no tag"
        yield Hit(
            f"container '{container.name}' uses image '{image}' {how}, not by digest",
            container.region_at(("image",)),
            subject=f"{container.subject}.image",
        )
