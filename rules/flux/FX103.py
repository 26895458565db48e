"""A Flux ``Kustomization`` whose ``path`` holds SOPS-encrypted files but that has no
``decryption: {provider: sops}``.

The path is resolved from the scan root (the repository Flux reads) and read recursively; when
it is not in the scan (another repository, a ``${var}``), nothing is reported."""

from shiplint.core.findings import Hit
from shiplint.model.k8s import flux
from shiplint.registry.rule import rule


@rule
def check(index, ctx):
    scan_root = getattr(ctx.options, "root", ".") or "."
    for ks in index.of_kind("Kustomization"):
        if not flux.is_flux(ks, flux.KUSTOMIZE_GROUP, "Kustomization"):
            continue
        if ks.get(("spec", "decryption", "provider")) == "sops":
            continue
        path = ks.get(("spec", "path"), "./")
        root = flux.repository_root(scan_root, ks.path)
        directory = flux.resolve(root, path)
        if directory is None:
            continue
        encrypted = [rel for rel, text in flux.texts_below(root, directory) if flux.is_sops_encrypted(text)]
        if not encrypted:
            continue
        more = f" and {len(encrypted) - 1} more" if len(encrypted) > 1 else ""
        where = ks.region_at(("spec", "path")) if ks.get(("spec", "path")) is not None else ks.anchor
        yield Hit(
            f"Flux Kustomization '{ks.name}' applies '{path}', which holds SOPS-encrypted files "
            f"({encrypted[0]}{more}), but has no decryption: {{provider: sops}}: the encrypted "
            "Secrets are applied as is (or rejected) instead of decrypted",
            where,
            subject=f"{ks.identity}:decryption",
            path=ks.path,
        )
