"""An Ingress using the ingress-nginx ``*-snippet`` annotations."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

PREFIX = "nginx.ingress.kubernetes.io/"


@rule
def check(resource, ctx):
    if resource.kind != "Ingress":
        return
    annotations = resource.get(("metadata", "annotations"))
    if not isinstance(annotations, dict):
        return
    for key in annotations:
        if not (isinstance(key, str) and key.startswith(PREFIX) and key.endswith("-snippet")):
            continue
        yield Hit(
            f"Ingress '{resource.name}' uses the annotation '{key}': it injects raw nginx "
            "configuration into the shared controller (CVE-2021-25742: it can read the "
            "controller's credentials and every Secret it sees); use the dedicated annotations "
            "or a ConfigMap the platform team owns",
            annotations.key_region(key) or resource.region_at(("metadata", "annotations")),
            subject=f"{resource.identity}:annotations[{key}]",
        )
