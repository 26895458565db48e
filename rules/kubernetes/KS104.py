"""An image from a registry outside the configured allow-list.

Inactive unless the ``trusted-registries`` option lists at least one entry; entries are matched
by :func:`shiplint.sources.imageref.is_trusted`, as for DF104."""

from shiplint.core.findings import Hit
from shiplint.sources.imageref import is_trusted, trusted_entries
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    entries = trusted_entries(ctx.option("trusted-registries"))
    if not entries:
        return
    for container in resource.containers():
        ref = container.image_ref
        if ref is None or is_trusted(ref, entries):
            continue
        image = container.image_text
        yield Hit(
            f"container '{container.name}' pulls '{image}' from '{ref.effective_registry}', "
            "which is not in trusted-registries",
            container.region_at(("image",)),
            subject=f"{container.subject}.image",
        )
