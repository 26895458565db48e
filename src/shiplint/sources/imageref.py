"""Container image references (``[registry/]repository[:tag][@digest]``).

Shared by the Dockerfile and Kubernetes rules.  :func:`parse_image_ref` never raises: a
reference that does not follow the docker reference grammar is still split as well as possible,
and :attr:`ImageRef.is_valid` tells whether it is well-formed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_REGISTRY = "docker.io"

# Lower-case hex lengths of the digest algorithms the docker reference library accepts.
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
_HEX_LOWER = re.compile(r"[0-9a-f]+")
_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*")
_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?"
)
_TAG = re.compile(r"[\w][\w.-]{0,127}")


@dataclass(frozen=True)
class ImageRef:
    """One parsed image reference.

    ``registry`` is ``None`` when the reference names no registry (Docker Hub is implied, see
    :attr:`effective_registry`).  ``repository`` is the path as written, without registry,
    tag or digest (``nginx``, ``bitnami/redis``).
    """

    registry: str | None
    repository: str
    tag: str | None
    digest: str | None
    digest_valid: bool

    @property
    def effective_registry(self) -> str:
        return self.registry if self.registry is not None else DEFAULT_REGISTRY

    @property
    def normalized_repository(self) -> str:
        """The repository as Docker resolves it (``nginx`` -> ``library/nginx`` on Docker Hub)."""
        if self.registry is None and "/" not in self.repository:
            return "library/" + self.repository
        return self.repository

    @property
    def pinned(self) -> bool:
        """True only for a well-formed ``@sha256:<64 lower-case hex>`` digest."""
        return self.digest is not None and self.digest_valid and self.digest.startswith("sha256:")

    @property
    def is_latest_or_untagged(self) -> bool:
        return self.tag == "latest" or (self.tag is None and self.digest is None)

    @property
    def is_valid(self) -> bool:
        """Whether the whole reference follows the docker reference grammar."""
        if self.registry is not None and not _DOMAIN.fullmatch(self.registry):
            return False
        if not self.repository or not all(
            _PATH_COMPONENT.fullmatch(part) for part in self.repository.split("/")
        ):
            return False
        if self.tag is not None and not _TAG.fullmatch(self.tag):
            return False
        if self.digest is not None and not self.digest_valid:
            return False
        return True

    def __str__(self) -> str:
        out = self.repository
        if self.registry is not None:
            out = f"{self.registry}/{out}"
        if self.tag is not None:
            out += ":" + self.tag
        if self.digest is not None:
            out += "@" + self.digest
        return out


def digest_is_valid(digest: str) -> bool:
    """``algorithm:hex`` with a supported algorithm and the right number of lower-case hex digits."""
    algorithm, sep, hexpart = digest.partition(":")
    expected = _DIGEST_LENGTHS.get(algorithm)
    return bool(sep) and expected == len(hexpart) and _HEX_LOWER.fullmatch(hexpart) is not None


def parse_image_ref(s: str) -> ImageRef:
    """Split an image reference.  Never raises; see :attr:`ImageRef.is_valid`."""
    s = s.strip()
    name, at, digest_part = s.partition("@")
    digest: str | None = digest_part if at else None

    tag: str | None = None
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        name, tag = name[:colon], name[colon + 1 :]

    registry: str | None = None
    slash = name.find("/")
    if slash >= 0:
        first = name[:slash]
        # The docker rule: the first component is a registry when it looks like a host name.
        if "." in first or ":" in first or first == "localhost" or first != first.lower():
            registry, name = first, name[slash + 1 :]

    return ImageRef(
        registry=registry,
        repository=name,
        tag=tag,
        digest=digest,
        digest_valid=digest is not None and digest_is_valid(digest),
    )
