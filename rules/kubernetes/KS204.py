"""A probe port the container does not declare.

A named port must be one of the container's ``ports[].name`` (the kubelet cannot resolve it
otherwise: the probe always fails): a warning.  A numeric port is only compared with the
declared ``containerPort`` numbers when the container declares some ports, and a mismatch is
lowered to a note (per finding): the ``ports`` list is informational, the probe still works, and
apps often keep a health or metrics port undeclared on purpose (ingress-nginx's 10254)."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

HANDLERS = ("httpGet", "tcpSocket", "grpc")


def _as_number(port):
    if isinstance(port, bool):
        return None
    if isinstance(port, int):
        return port
    if isinstance(port, str) and port.strip().isdigit():
        return int(port.strip())
    return None


@rule
def check(resource, ctx):
    for container in resource.containers():
        probes = list(container.probes())
        if not probes or container.malformed_at(("ports",)) is not None:
            continue  # a `ports` of the wrong type (KV102) declares nothing a probe can be judged by
        names = container.port_names
        numbers = container.port_numbers
        for probe_name, probe in probes:
            for handler in HANDLERS:
                spec = probe.get(handler)
                if not isinstance(spec, dict) or "port" not in spec:
                    continue
                port = spec["port"]
                number = _as_number(port)
                props = {}
                if number is not None:
                    props["level"] = "note"
                    if not numbers or number in numbers:
                        continue
                    declared = ", ".join(str(n) for n in sorted(numbers))
                    problem = f"port {number}, which is not among its containerPorts ({declared})"
                elif isinstance(port, str) and port.strip():
                    if port in names:
                        continue
                    if "{{" in port:
                        continue  # an unrendered template
                    declared = ", ".join(sorted(names)) if names else "none"
                    problem = f"port '{port}', which is not a declared port name (declared: {declared})"
                else:
                    continue
                yield Hit(
                    f"container '{container.name}' {probe_name} ({handler}) targets {problem}",
                    container.region_at((probe_name, handler, "port")),
                    subject=f"{container.subject}.{probe_name}.{handler}.port",
                    properties=props,
                )
