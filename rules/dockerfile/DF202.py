"""The final ``USER`` is a name, which ``runAsNonRoot`` cannot verify."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import final_user, is_root, is_windows, root_image, subject


@rule
def check(dockerfile, ctx):
    final = dockerfile.final_stage
    if final is None or is_windows(root_image(dockerfile, final)):
        return  # Windows has no numeric UIDs
    eff = final_user(dockerfile)
    if final is None or eff is None or not eff.resolved or is_root(eff.user) or eff.user.isdigit():
        return
    yield Hit(
        f"USER '{eff.user}' is a name: Kubernetes runAsNonRoot cannot verify that it is not root; "
        "use its numeric UID (for example USER 10001:10001)",
        eff.instruction.args[0].region,
        subject=subject(final, "user"),
    )
