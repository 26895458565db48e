"""``:latest`` or no tag, and no digest."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    for container in resource.containers():
        ref = container.image_ref
        if ref is None:
            continue
        image = container.image_text
        if ref.digest is not None or not ref.is_latest_or_untagged:
            continue
        why = "the 'latest' tag" if ref.tag == "latest" else "no tag (so 'latest')"
        yield Hit(
            f"container '{container.name}' uses image '{image}' with {why}: "
            "the version that runs changes with every push",
            container.region_at(("image",)),
            subject=f"{container.subject}.image",
        )
