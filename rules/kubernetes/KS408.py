"""A ``hostPath`` volume.

A warning in general; an error (per finding) when the path is a container runtime socket
(docker, containerd, CRI-O, cri-dockerd) or a directory that contains one (``/var/run``,
``/run``, ``/var``, ``/``…): whoever reaches the socket controls every container on the node."""

import posixpath

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

RUNTIME_SOCKETS = (
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
    "/run/cri-dockerd.sock",
    "/run/k3s/containerd/containerd.sock",
)


def runtime_socket(path: str) -> str | None:
    """The runtime socket reachable through ``path`` (itself or a parent directory), if any."""
    p = posixpath.normpath("/" + path.strip().lstrip("/")) if path.strip() else ""
    if not p:
        return None
    for sock in RUNTIME_SOCKETS:
        if sock == p or sock.startswith(p.rstrip("/") + "/"):
            return sock
    return None


@rule
def check(resource, ctx):
    for pod in resource.pod_templates():
        volumes = pod.spec.get("volumes")
        if not isinstance(volumes, list):
            continue
        for i, vol in enumerate(volumes):
            if not isinstance(vol, dict) or not isinstance(vol.get("hostPath"), dict):
                continue
            hp = vol["hostPath"]
            name = vol.get("name", i)
            path = hp.get("path")
            path_s = path if isinstance(path, str) else ""
            where = pod.region_at(("volumes", i, "hostPath", "path") if "path" in hp else ("volumes", i, "hostPath"))
            sock = runtime_socket(path_s)
            props = {}
            if sock:
                props["level"] = "error"
                msg = (f"volume '{name}' mounts host path '{path_s}', which exposes the container runtime "
                       f"socket {sock}: whoever reaches it controls every container on the node")
            else:
                msg = (f"volume '{name}' mounts host path '{path_s}': the pod reads (or writes) the node's "
                       "filesystem and is tied to that node")
            yield Hit(msg, where, subject=f"{pod.subject}.volumes[{name}].hostPath", properties=props)
