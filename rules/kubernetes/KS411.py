"""A container port bound to a port of the node (``ports[].hostPort``)."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    for c in resource.containers():
        items = c.data.get("ports")
        if not isinstance(items, list):
            continue
        for i, p in enumerate(items):
            if not isinstance(p, dict) or "hostPort" not in p:
                continue
            value = p.get("hostPort")
            if value in (None, 0, "0") or isinstance(value, bool) or (isinstance(value, str) and "{{" in value):
                continue  # 0 (or unset) means no host port
            yield Hit(
                f"container '{c.name}' binds port {p.get('containerPort', '?')} to port {value} of the "
                "node (hostPort): forbidden by the baseline Pod Security Standard; expose it "
                "through a Service instead",
                p.value_region("hostPort") or c.region_at(("ports", i)),
                subject=f"{c.subject}.ports[{i}].hostPort",
            )
