"""A Job without ``spec.ttlSecondsAfterFinished``.

Only ``kind: Job``: the Jobs of a CronJob are pruned by its ``successfulJobsHistoryLimit`` and
``failedJobsHistoryLimit``.  A Helm hook Job whose ``helm.sh/hook-delete-policy`` includes
``hook-succeeded`` is deleted by Helm and not flagged either."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    if resource.kind != "Job":
        return
    spec = resource.data.get("spec")
    if isinstance(spec, dict) and spec.get("ttlSecondsAfterFinished") is not None:
        return
    policy = resource.annotations.get("helm.sh/hook-delete-policy")
    if isinstance(policy, str) and "hook-succeeded" in [p.strip() for p in policy.split(",")]:
        return
    yield Hit(
        f"Job '{resource.name}' has no ttlSecondsAfterFinished: the finished Job and its pods stay in "
        "the cluster until someone deletes them",
        resource.missing_region(("spec", "ttlSecondsAfterFinished")),
        subject=f"{resource.identity}.spec.ttlSecondsAfterFinished",
    )
