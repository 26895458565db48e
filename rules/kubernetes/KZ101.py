"""An ``images:`` entry with ``newTag`` and no digest."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


def _is_digest(tag: str) -> bool:
    # seed 000 [6.2]: a digest can be given through newTag as "@sha256:…"
    return "@sha256:" in tag or tag.startswith("sha256:")


@rule
def check(kustomization, ctx):
    images = kustomization.data.get("images")
    if not isinstance(images, list):
        return
    for i, entry in enumerate(images):
        if not isinstance(entry, dict) or "newTag" not in entry:
            continue
        digest = entry.get("digest")
        if isinstance(digest, str) and digest.strip():
            continue
        tag = entry.get("newTag")
        tag = "" if tag is None else str(tag)
        if _is_digest(tag):
            continue
        name = entry.get("name")
        name = name if isinstance(name, str) and name else f"images[{i}]"
        region = entry.value_region("newTag") if hasattr(entry, "value_region") else None
        yield Hit(
            f"image '{name}' is set to tag '{tag}' without a digest",
            region or kustomization.region_at(("images", i)),
            subject=f"kustomization:images[{name}].newTag",
        )
