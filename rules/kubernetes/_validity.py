"""What KV101–KV105 share: one validation of every scanned object per run (memoised on the
project index, whichever rule asks first), turned into findings at the exact key or value."""

from __future__ import annotations

from shiplint.core.findings import Hit
from shiplint.model.k8s.apischema import MISSING, UNKNOWN, format_version, target_version, verdicts


def run_verdicts(index, ctx):
    target = target_version(ctx.options)
    return target, index.cached(("kv-verdicts", target), lambda: verdicts(index, target))


def path_text(data, path: tuple) -> str:
    """``spec.template.spec.containers[web].ports[0]``: list items by name when they have one."""
    out, node = "", data
    for step in path:
        if isinstance(step, int):
            item = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
            name = item.get("name") if isinstance(item, dict) else None
            out += f"[{name}]" if isinstance(name, str) and name else f"[{step}]"
            node = item
        else:
            out += f".{step}" if out else str(step)
            node = node.get(step) if isinstance(node, dict) else None
    return out


def region_of(resource, problem):
    """The offending key (unknown field), the value (wrong type, invalid value), the mapping
    that lacks a field (missing field; the object itself at the top level)."""
    from shiplint.sources.yamlsrc import locate  # only when there is a finding to place

    data = resource.data
    if problem.kind == UNKNOWN:
        return locate(data, problem.path + (problem.key,)).key_region or resource.anchor
    at = locate(data, problem.path)
    if problem.kind == MISSING:
        if not problem.path:
            return resource.anchor
        return at.key_region or resource.anchor
    return at.value_region or at.region or resource.anchor


def problem_hits(index, ctx, kind: str):
    target, results = run_verdicts(index, ctx)
    for v in results:
        r = v.resource
        for p in v.problems:
            if p.kind != kind:
                continue
            where = path_text(r.data, p.path + ((p.key,) if p.key else ()))
            at = path_text(r.data, p.path)
            against = (f"the CustomResourceDefinition of {r.api_version} {r.kind}" if v.source == "crd"
                       else f"the Kubernetes {format_version(target)} schema of {r.api_version} {r.kind}")
            yield Hit(
                f"{r.kind} '{r.name}': {at + ': ' if at else ''}{p.message} ({against})",
                region_of(r, p),
                subject=f"{r.identity}:{where or '.'}:{p.kind}",
                path=r.path,
                resource=r.identity,
            )
