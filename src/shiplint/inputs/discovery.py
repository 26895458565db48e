"""Finding the files to check and telling what each one is."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shiplint.core.paths import SKIP_DIRS, display_path, is_virtualenv, matches_any, walk  # noqa: F401

#: ``Dockerfile``, ``Dockerfile.prod``, ``Dockerfile-chroot``, ``Dockerfile_alpine``,
#: ``api.Dockerfile``/``api.dockerfile`` and the same with ``Containerfile`` (the ``-``
#: and ``_`` variants seen in public repositories).
_DOCKERFILE_RE = re.compile(
    r"^(?:Dockerfile|Containerfile)(?:[._-][^/]+)?$|^.+\.(?:Dockerfile|dockerfile|Containerfile|containerfile)$"
)


#: The names Compose and ``docker stack`` tooling give their files (other YAML shaped as Compose
#: is recognised by its content).
_COMPOSE_RE = re.compile(r"(?i)^(?:(?:docker-)?compose(?:[._-][^/]*)?|[^/]+\.compose|docker-stack(?:[._-][^/]*)?)\.ya?ml$")
#: GitHub Actions workflows and the root GitLab CI file (its local includes are read with it).
_CI_RE = re.compile(r"(?:^|/)\.github/workflows/[^/]+\.ya?ml$|(?:^|/)\.gitlab-ci\.ya?ml$", re.IGNORECASE)


def classify_path(path: str) -> str | None:
    """``"ci"`` for a CI pipeline file, told by where it lies (a workflow is YAML by name, and
    without its path would be taken for a Kubernetes file that holds no object); else what
    :func:`classify_name` says of its base name."""
    if _CI_RE.search(path.replace("\\", "/")):
        return "ci"
    return classify_name(path.replace("\\", "/").rsplit("/", 1)[-1])


def classify_name(name: str) -> str | None:
    """``"dockerfile"``, ``"compose"``, ``"yaml"`` or ``None`` from a file's base name."""
    if name.endswith(".dockerignore"):  # BuildKit's per-Dockerfile ignore file
        return None
    if _DOCKERFILE_RE.match(name):
        return "dockerfile"
    if _COMPOSE_RE.match(name):
        return "compose"
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    return None


@dataclass
class Input:
    """A file to check.  ``display`` is the repository-relative path used in every output."""

    display: str
    abspath: str | None  # None for standard input
    kind: str | None
    explicit: bool = False
    report: bool = True
    text: str | None = None  # preloaded content (standard input)
