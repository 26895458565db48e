"""What KV101–KV105 share: one validation of every scanned object per run (memoised on the
project index, whichever rule asks first), turned into findings at the exact key or value, and
the one note that says what the missing ``schemas`` extra left unchecked."""

from __future__ import annotations

from shiplint.core.errors import RuleUnavailable
from shiplint.core.findings import Hit
from shiplint.model.k8s.apischema import (
    INSTALL_HINT, MISSING, UNKNOWN, format_version, schema_root, target_version, verdicts,
)


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
            if v.source == "crd":
                against = f"the CustomResourceDefinition of {r.api_version} {r.kind}"
            elif v.source == "shape":
                against = f"the built-in shape of {r.api_version} {r.kind}"
            else:
                against = f"the Kubernetes {format_version(target)} schema of {r.api_version} {r.kind}"
            yield Hit(
                f"{r.kind} '{r.name}': {at + ': ' if at else ''}{p.message} ({against})",
                region_of(r, p),
                subject=f"{r.identity}:{where or '.'}:{p.kind}",
                path=r.path,
                resource=r.identity,
            )
    note_missing_schemas(results)


def note_missing_schemas(results) -> None:
    """Say once per run (the engine keeps one copy of a message) that the upstream schemas are
    not installed, when an object of the scan was left with the shape check for that reason.
    Raised after the rule's findings are yielded, so they are kept; a run with no Kubernetes
    object, or whose objects a scanned CRD validated, needed nothing and says nothing."""
    if schema_root() is not None:
        return
    left = sum(1 for v in results if v.source == "shape")
    if left:
        raise RuleUnavailable(
            f"KV101-KV105: the Kubernetes API schemas are not installed, so {left} "
            f"object{'s' if left != 1 else ''} got only the built-in shape check (KV102); unknown "
            f"fields, missing required fields, invalid values and unknown kinds were not checked. "
            f"Install them with: {INSTALL_HINT}")
