"""The Docker socket mounted into a service (short or long volume syntax)."""

import posixpath

from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit, text

_SOCKETS = ("docker.sock", "podman.sock")


def _source(volume) -> str:
    if isinstance(volume, dict):
        return text(volume.get("source"))
    spec = text(volume)
    if spec.startswith("\\\\.\\pipe\\docker_engine") or spec.startswith("//./pipe/docker_engine"):
        return "docker.sock"
    return spec.split(":", 1)[0] if ":" in spec else ""


@rule
def check(project, ctx):
    for svc in project.services:
        volumes = svc.get("volumes")
        if not isinstance(volumes, list):
            continue
        for i, volume in enumerate(volumes):
            source = _source(volume)
            if posixpath.basename(source.rstrip("/")) in _SOCKETS or source == "docker.sock":
                yield service_hit(svc, "mounts the Docker socket: whoever controls the container controls the "
                                  "host's Docker daemon, so the host", ("volumes", i), f".volumes[{source}]")
