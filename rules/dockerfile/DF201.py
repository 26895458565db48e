"""The final stage runs as root (no ``USER``, or the last one is root/0)."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import base_runs_as_non_root, final_user, is_root, is_windows, root_image, subject


@rule
def check(dockerfile, ctx):
    final = dockerfile.final_stage
    if final is None:
        return
    if is_windows(root_image(dockerfile, final)):
        return  # Windows users (ContainerUser, ContainerAdministrator) are another model
    eff = final_user(dockerfile)
    if eff is None:
        if base_runs_as_non_root(root_image(dockerfile, final)):
            return
        yield Hit(
            "the final stage sets no USER: the container runs as root; add USER <uid>:<gid> "
            "(a numeric non-root UID)",
            final.from_instruction.keyword_region,
            subject=subject(final, "user"),
        )
        return
    if eff.resolved and is_root(eff.user):
        written = eff.instruction.args[0].value
        yield Hit(
            f"the final USER is root ('{written}'): the container runs as root; switch to a "
            "non-root numeric UID after the steps that need root",
            eff.instruction.args[0].region,
            subject=subject(final, "user"),
        )
