"""A Job without ``spec.ttlSecondsAfterFinished``.

Only ``kind: Job``: the Jobs of a CronJob are pruned by its ``successfulJobsHistoryLimit`` and
``failedJobsHistoryLimit``.  A hook Job that Helm or Argo CD deletes once it has succeeded
(``helm.sh/hook-delete-policy: hook-succeeded``,
``argocd.argoproj.io/hook-delete-policy: HookSucceeded``) is not flagged either."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

#: Hook delete policies under which the tool deletes the Job once it has succeeded.  Not
#: ``before-hook-creation``/``BeforeHookCreation``: the finished Job stays until the next run.
_DELETE_POLICIES = {"helm.sh/hook-delete-policy": "hook-succeeded",
                    "argocd.argoproj.io/hook-delete-policy": "HookSucceeded"}


@rule
def check(resource, ctx):
    if resource.kind != "Job":
        return
    spec = resource.data.get("spec")
    if isinstance(spec, dict) and spec.get("ttlSecondsAfterFinished") is not None:
        return
    for key, succeeded in _DELETE_POLICIES.items():
        policy = resource.annotations.get(key)
        if isinstance(policy, str) and succeeded in [p.strip() for p in policy.split(",")]:
            return  # the tool that runs the hook deletes the Job
    yield Hit(
        f"Job '{resource.name}' has no ttlSecondsAfterFinished: the finished Job and its pods stay in "
        "the cluster until someone deletes them",
        resource.missing_region(("spec", "ttlSecondsAfterFinished")),
        subject=f"{resource.identity}.spec.ttlSecondsAfterFinished",
    )
