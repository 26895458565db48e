"""EX001 require-owner-annotation: a workload without an ``example.com/owner`` annotation."""

from __future__ import annotations

# The module paths plugins have always imported (aliases of the layered modules since 0.x).
from shiplint.findings import Hit
from shiplint.k8s.model import Resource
from shiplint.rule import rule

OWNER = "example.com/owner"

METADATA = {
    "code": "EX001",
    "name": "require-owner-annotation",
    "level": "warning",
    "target": "resource",
    "summary": "A workload has no example.com/owner annotation",
    "rationale": (
        "On-call routing reads the owner annotation of the workload that pages; without it an "
        "alert has nobody to go to."
    ),
    "fix": "Add `example.com/owner: <team>` to the workload's metadata.annotations.",
    "example": "kind: Deployment\nmetadata:\n  name: api\n",
    "good_example": "kind: Deployment\nmetadata:\n  name: api\n  annotations:\n    example.com/owner: payments\n",
    "example_language": "yaml",
    "tags": ["ownership"],
    "help_uri": "https://example.com/shiplint/EX001",
}


@rule("EX001", metadata=METADATA)
def require_owner_annotation(resource, ctx):
    if not isinstance(resource, Resource) or resource.pod_template() is None:
        return
    owner = resource.annotations.get(OWNER)
    if isinstance(owner, str) and owner.strip():
        return
    md = resource.data.get("metadata")
    if isinstance(md, dict) and "annotations" in md:
        # annotations exist but lack the owner: point at the `annotations` key
        region = md.key_region("annotations")
    else:
        # nothing to point at: the object's name (the convention for something missing)
        region = resource.anchor
    yield Hit(
        f"{resource.kind} '{resource.name}' has no {OWNER} annotation",
        region,
        subject=f"{resource.identity}:metadata.annotations[{OWNER}]",
    )
