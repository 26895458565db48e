"""``hostNetwork``, ``hostPID`` or ``hostIPC`` is true."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

WHAT = {
    "hostNetwork": "the node's network stack (every host interface, localhost services)",
    "hostPID": "the node's process table (it can see and signal host processes)",
    "hostIPC": "the node's IPC namespace (shared memory of host processes)",
}


@rule
def check(resource, ctx):
    for pod in resource.pod_templates():
        for field, what in WHAT.items():
            if pod.spec.get(field) is True:
                yield Hit(
                    f"{resource.kind} '{resource.name}' sets {field}: true: its pods share {what}",
                    pod.region_at((field,)),
                    subject=f"{pod.subject}.{field}",
                )
