"""``helm.sh/hook`` without ``helm.sh/hook-delete-policy``."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    annotations = resource.annotations
    hook = annotations.get("helm.sh/hook")
    if hook in (None, "") or annotations.get("helm.sh/hook-delete-policy") not in (None, ""):
        return
    md = resource.data.get("metadata")
    ann = md.get("annotations") if isinstance(md, dict) else None
    where = ann.key_region("helm.sh/hook") if hasattr(ann, "key_region") else None
    yield Hit(
        f"{resource.kind} '{resource.name}' is a Helm hook ({hook}) without helm.sh/hook-delete-policy: "
        "Helm never deletes it after it runs (only before the next one is created), and it is not "
        "removed on uninstall",
        where or resource.anchor,
        subject=f"{resource.identity}.metadata.annotations.helm.sh/hook",
    )
