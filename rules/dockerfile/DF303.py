"""The final stage (and the stages it builds on) has no HEALTHCHECK.

Not reported when the final image is ``scratch`` or distroless: there is no shell or client to
run a check with, and the orchestrator's probes are the tool there
(https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/).
"""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import external_ref, final_image_stages, subject


def _no_shell(stage) -> bool:
    if stage.is_scratch:
        return True
    ref = external_ref(stage)
    return ref is not None and "distroless" in ref.repository.lower()


@rule
def check(dockerfile, ctx):
    stages = final_image_stages(dockerfile)
    if not stages:
        return
    final = stages[0]
    for stage in stages:
        if any(i.keyword == "HEALTHCHECK" for i in stage.instructions):
            return  # HEALTHCHECK NONE is a deliberate choice too
    if _no_shell(stages[-1]):  # the stage that names the base image
        return
    yield Hit(
        "the final stage has no HEALTHCHECK: plain Docker and Compose cannot tell a hung "
        "container from a healthy one; add HEALTHCHECK CMD ... (or HEALTHCHECK NONE to say that "
        "the orchestrator's probes do the job)",
        final.from_instruction.keyword_region,
        subject=subject(final, "healthcheck"),
    )
