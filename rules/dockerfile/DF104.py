"""An external ``FROM`` image outside the ``trusted-registries`` list."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import external_ref, subject

_HUB_ALIASES = {"index.docker.io": "docker.io", "registry-1.docker.io": "docker.io", "registry.hub.docker.com": "docker.io"}


def _normalise(entry: str) -> str:
    entry = entry.strip().rstrip("/")
    for scheme in ("https://", "http://"):
        if entry.lower().startswith(scheme):
            entry = entry[len(scheme):]
    host, slash, path = entry.partition("/")
    host = host.lower()
    return _HUB_ALIASES.get(host, host) + (slash + path if slash else "")


def is_trusted(registry: str, repository: str, allowed: list[str]) -> bool:
    """``allowed`` entries: a host (``ghcr.io``, ``registry:5000``), a ``*.`` host suffix
    (``*.dkr.ecr.eu-west-1.amazonaws.com``) or a ``host/path`` prefix (``ghcr.io/acme``,
    ``docker.io/library``) matched at a path boundary."""
    host = _HUB_ALIASES.get(registry.lower(), registry.lower())
    full = f"{host}/{repository}"
    for raw in allowed:
        entry = _normalise(str(raw))
        if not entry:
            continue
        if "/" not in entry:
            if entry == host or (entry.startswith("*.") and host.endswith(entry[1:])):
                return True
        elif full == entry or full.startswith(entry + "/"):
            return True
    return False


@rule
def check(dockerfile, ctx):
    allowed = ctx.option("trusted-registries") or []
    if isinstance(allowed, str):
        allowed = [allowed]
    if not allowed:
        return  # inactive until configured
    for stage in dockerfile.stages:
        ref = external_ref(stage)
        if ref is None:
            continue
        if is_trusted(ref.effective_registry, ref.normalized_repository, allowed):
            continue
        yield Hit(
            f"base image '{stage.image}' comes from '{ref.effective_registry}', which is not in "
            "trusted-registries",
            stage.image_region,
            subject=subject(stage, "from.registry"),
        )
