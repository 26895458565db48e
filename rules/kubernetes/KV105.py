"""An object whose apiVersion/kind has no bundled schema and no CRD in the scan."""

from shiplint.core.findings import Hit
from shiplint.model.k8s.apischema import format_version
from shiplint.registry.rule import rule
from shiplint.rules.kubernetes._validity import note_missing_schemas, run_verdicts


@rule
def check(index, ctx):
    target, results = run_verdicts(index, ctx)
    for v in results:
        if v.status != "unknown-kind":
            continue
        r = v.resource
        yield Hit(
            f"{r.kind} '{r.name}': no schema for {r.api_version} {r.kind} in Kubernetes {format_version(target)} "
            "and no CustomResourceDefinition for it in the scan: its fields are not checked",
            r.data.value_region("kind") or r.anchor,
            subject=f"{r.identity}:kind",
            path=r.path,
            resource=r.identity,
        )
    note_missing_schemas(results)
