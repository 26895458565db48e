"""Container image references (``[registry/]repository[:tag][@digest]``).

Shared by the Dockerfile and Kubernetes rules.  :func:`parse_image_ref` never raises: a
reference that does not follow the docker reference grammar is still split as well as possible,
and :attr:`ImageRef.is_valid` tells whether it is well-formed.

The judgements that twin rules make on an image (DF103/KS103: is the digest a valid pin,
:func:`digest_problem`; DF104/KS104: does it come from a trusted source, :func:`is_trusted`) are
made here once, so that a Dockerfile and a manifest naming the same image get the same answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_REGISTRY = "docker.io"
#: Host names that all mean Docker Hub.
_HUB_ALIASES = {"index.docker.io": "docker.io", "registry-1.docker.io": "docker.io",
                "registry.hub.docker.com": "docker.io"}
_SHA256_PIN = re.compile(r"sha256:[0-9a-f]{64}")

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
    def normalized_registry(self) -> str:
        """The registry host, lower-case, with Docker Hub's aliases folded into ``docker.io``."""
        host = self.effective_registry.lower()
        return _HUB_ALIASES.get(host, host)

    @property
    def normalized_repository(self) -> str:
        """The repository as Docker resolves it (``nginx`` and ``docker.io/nginx`` are
        ``library/nginx`` on Docker Hub)."""
        if self.normalized_registry == DEFAULT_REGISTRY and "/" not in self.repository:
            return "library/" + self.repository
        return self.repository

    @property
    def pinned(self) -> bool:
        """True only for a well-formed ``@sha256:<64 lower-case hex>`` digest."""
        return self.digest is not None and digest_problem(self.digest) is None

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


def digest_problem(digest: str) -> str | None:
    """Why ``digest`` (the part after ``@``) is not a valid pin, or None for
    ``sha256:<64 lower-case hex digits>``, the only digest accepted as a pin."""
    if _SHA256_PIN.fullmatch(digest):
        return None
    algorithm, sep, hexpart = digest.partition(":")
    if not sep:
        return "has no 'sha256:' algorithm prefix"
    if algorithm.lower() != "sha256":
        return f"uses '{algorithm}'; only sha256 digests are accepted as pins"
    if re.fullmatch(r"[0-9a-fA-F]+", hexpart) and len(hexpart) == 64:
        return "has upper-case hex digits (digests are lower-case)"
    if not hexpart or not re.fullmatch(r"[0-9a-fA-F]*", hexpart):
        return "is a placeholder, not a hex digest"
    return f"has {len(hexpart)} hex digits instead of 64"


def trusted_entries(value) -> list[str]:
    """The ``trusted-registries`` option as normalised entries: a list, or a comma-separated
    string, of registry hosts (``ghcr.io``, ``registry.local:5000``), ``*.`` host suffixes
    (``*.dkr.ecr.eu-west-1.amazonaws.com``) or ``host/path`` prefixes (``ghcr.io/acme``); a
    scheme and trailing slashes are dropped, hosts are lower-cased, Docker Hub's aliases are
    ``docker.io``."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        return []
    out = []
    for item in value:
        entry = str(item).strip()
        if "://" in entry:
            entry = entry.split("://", 1)[1]
        entry = entry.strip().rstrip("/")
        if not entry:
            continue
        host, slash, path = entry.partition("/")
        host = host.lower()
        out.append(_HUB_ALIASES.get(host, host) + (slash + path if slash else ""))
    return out


def is_trusted(ref: ImageRef | str, entries) -> bool:
    """Whether the image comes from one of ``entries`` (see :func:`trusted_entries`, which is
    applied to them): its registry is an entry's host (or ends with a ``*.`` suffix, which needs
    at least one more label), and its repository starts with the entry's path, if any, at a path
    boundary.  Docker Hub's official images are ``docker.io/library/<name>``."""
    if isinstance(ref, str):
        ref = parse_image_ref(ref)
    host = ref.normalized_registry
    repository = ref.normalized_repository
    for entry in trusted_entries(entries):
        entry_host, _, entry_path = entry.partition("/")
        if entry_host.startswith("*."):
            if not host.endswith(entry_host[1:]):
                continue
        elif entry_host != host:
            continue
        if not entry_path or repository == entry_path or repository.startswith(entry_path + "/"):
            return True
    return False
