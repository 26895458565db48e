"""The final stage lacks the OCI provenance labels."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import chain, key_values, subject

REQUIRED = ("org.opencontainers.image.source", "org.opencontainers.image.revision",
            "org.opencontainers.image.version")


@rule
def check(dockerfile, ctx):
    final = dockerfile.final_stage
    if final is None:
        return
    keys = set()
    for stage in chain(dockerfile, final):
        for inst in stage.instructions:
            if inst.keyword == "LABEL":
                keys.update(k for k, _, _ in key_values(inst, dockerfile.escape))
    missing = [k for k in REQUIRED if k not in keys]
    if not missing:
        return
    short = ", ".join(k.rsplit(".", 1)[-1] for k in missing)
    yield Hit(
        f"the final stage has no {', '.join(missing)} label{'s' if len(missing) > 1 else ''} "
        f"({short}): the image cannot be traced back to its source and commit; add LABEL "
        "org.opencontainers.image.<name>=... (values from ARGs set by the build)",
        final.from_instruction.keyword_region,
        subject=subject(final, "labels"),
    )
