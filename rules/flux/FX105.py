"""An ``ImageUpdateAutomation`` whose update path holds no ``$imagepolicy`` marker naming an
existing ``ImagePolicy``: the automation never changes anything.

The update path (``spec.update.path``, default the repository root) is resolved from the scan
root and read recursively.  Reported when it holds no marker at all, or when every marker names
a namespace whose ImagePolicies are scanned but none of them (a partial scan never guesses)."""

from shiplint.core.findings import Hit
from shiplint.model.k8s import flux
from shiplint.registry.rule import rule


@rule
def check(index, ctx):
    scan_root = getattr(ctx.options, "root", ".") or "."
    for auto in index.of_kind("ImageUpdateAutomation"):
        if not flux.is_flux(auto, flux.IMAGE_GROUP, "ImageUpdateAutomation"):
            continue
        path = auto.get(("spec", "update", "path"), "./")
        root = flux.repository_root(scan_root, auto.path)
        directory = flux.resolve(root, path)
        if directory is None:
            continue
        markers = {m for _, text in flux.texts_below(root, directory, (".yaml", ".yml"))
                   for m in flux.image_policy_markers(text)}
        if markers:
            known = unknown = 0
            for marker in markers:
                ns, _, name = marker.partition(":")
                if not name:  # no namespace: taken as the automation's
                    name, ns = ns, auto.namespace
                if any(flux.is_flux(p, flux.IMAGE_GROUP, "ImagePolicy") for p in index.find("ImagePolicy", ns, name)):
                    known += 1
                elif not any(flux.is_flux(p, flux.IMAGE_GROUP, "ImagePolicy")
                             for p in index.of_kind("ImagePolicy") if p.namespace == ns):
                    unknown += 1  # no ImagePolicy of that namespace scanned: cannot tell
            if known or unknown:
                continue
            why = ("its markers (" + ", ".join(sorted(markers)[:3]) + ") name no ImagePolicy of the scan")
        else:
            why = 'it holds no {"$imagepolicy": "NAMESPACE:NAME"} marker'
        where = auto.region_at(("spec", "update", "path")) if auto.get(("spec", "update", "path")) is not None \
            else auto.missing_region(("spec", "update", "path"))
        yield Hit(
            f"ImageUpdateAutomation '{auto.name}' updates '{path}', but {why}: the automation "
            "never changes anything; add the marker after each image field",
            where,
            subject=f"{auto.identity}:update.path",
            path=auto.path,
        )
