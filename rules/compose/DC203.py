"""``network_mode: host``, ``pid: host`` or ``ipc: host``."""

from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit, text

_WHAT = {"network_mode": "the host's network stack", "pid": "the host's processes",
         "ipc": "the host's shared memory"}


@rule
def check(project, ctx):
    for svc in project.services:
        for key, what in _WHAT.items():
            if text(svc.get(key)).lower() == "host":
                yield service_hit(svc, f"shares {what} ({key}: host): the container is no longer isolated from "
                                  "the host there", (key,), f".{key}")
