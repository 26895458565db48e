"""An image from a registry outside the configured allow-list.

Inactive unless the ``trusted-registries`` option lists at least one entry.  An entry is a
registry host (``ghcr.io``) or a ``host/path`` prefix (``ghcr.io/acme``, ``docker.io/library``);
names without a registry are Docker Hub images (``docker.io``)."""

from shiplint.core.findings import Hit
from shiplint.sources.imageref import parse_image_ref
from shiplint.registry.rule import rule

#: Host names that all mean Docker Hub.
_DOCKER_HUB = {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}


def _norm_host(host: str) -> str:
    host = host.lower()
    return "docker.io" if host in _DOCKER_HUB else host


def trusted_entries(value) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        return []
    out = []
    for item in value:
        s = str(item).strip().rstrip("/")
        if not s:
            continue
        if "://" in s:
            s = s.split("://", 1)[1]
        host, _, rest = s.partition("/")
        out.append(_norm_host(host) + ("/" + rest if rest else ""))
    return out


def is_trusted(image: str, entries: list[str]) -> bool:
    ref = parse_image_ref(image)
    host = _norm_host(ref.effective_registry)
    repo = ref.repository
    if host == "docker.io" and "/" not in repo:
        repo = "library/" + repo  # official images
    full = f"{host}/{repo}"
    for entry in entries:
        if full == entry or full.startswith(entry + "/"):
            return True
    return False


@rule
def check(resource, ctx):
    entries = trusted_entries(ctx.option("trusted-registries"))
    if not entries:
        return
    for container in resource.containers():
        image = container.image_text
        if image is None:
            continue
        if is_trusted(image, entries):
            continue
        ref = parse_image_ref(image)
        yield Hit(
            f"container '{container.name}' pulls '{image}' from '{ref.effective_registry}', "
            "which is not in trusted-registries",
            container.region_at(("image",)),
            subject=f"{container.subject}.image",
        )
