"""An ``images:`` entry with ``newTag`` and no digest."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


def _is_digest(tag: str) -> bool:
    # "1.3.0@sha256:…" renders "repo:1.3.0@sha256:…", a valid pinned reference
    return "@sha256:" in tag and not tag.startswith("@") or tag.startswith("sha256:")


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
        if tag.startswith("@"):
            # kustomize writes newTag after a colon: 'repo:@sha256:…' is an invalid reference
            message = (f"image '{name}' newTag '{tag[:16]}…' renders '{name}:{tag[:8]}…', an invalid "
                       "reference (empty tag); set the digest field (digest: sha256:…) instead")
        else:
            message = f"image '{name}' is set to tag '{tag}' without a digest"
        yield Hit(
            message,
            region or kustomization.region_at(("images", i)),
            subject=f"kustomization:images[{name}].newTag",
        )
