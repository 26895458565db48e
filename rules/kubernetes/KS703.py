"""An Ingress backend Service that is not among the scanned resources."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


def backends(ingress):
    """``(service name, path of the name node)`` of every Service backend of an Ingress
    (``networking.k8s.io/v1`` and the legacy ``serviceName`` form)."""
    spec = ingress.get(("spec",))
    if not isinstance(spec, dict):
        return
    for key in ("defaultBackend", "backend"):
        yield from _backend(spec.get(key), ("spec", key))
    rules = spec.get("rules")
    if not isinstance(rules, list):
        return
    for i, item in enumerate(rules):
        paths = item.get("http", {}).get("paths") if isinstance(item, dict) and isinstance(item.get("http"), dict) else None
        if not isinstance(paths, list):
            continue
        for j, p in enumerate(paths):
            if isinstance(p, dict):
                yield from _backend(p.get("backend"), ("spec", "rules", i, "http", "paths", j, "backend"))


def _backend(b, path):
    if not isinstance(b, dict):
        return
    svc = b.get("service")
    if isinstance(svc, dict) and isinstance(svc.get("name"), str) and svc["name"]:
        yield svc["name"], path + ("service", "name")
    elif isinstance(b.get("serviceName"), str) and b["serviceName"]:
        yield b["serviceName"], path + ("serviceName",)


@rule
def check(index, ctx):
    evidence = ctx.option("require-evidence", True)
    for ing in index.of_kind("Ingress"):
        ns = ing.namespace
        if evidence and not index.has_kind_in("Service", ns):
            continue  # no Service scanned in this namespace: they may be defined elsewhere
        for name, path in backends(ing):
            if index.find("Service", ns, name):
                continue
            yield Hit(
                f"Ingress '{ing.name}' routes to Service '{name}', which is not among the scanned "
                f"resources of namespace {ns or '(unset)'}",
                ing.region_at(path),
                subject=f"{ing.identity}:backend[{name}]",
                path=ing.path,
            )
