"""A container that may run as root.

Satisfied when the effective (container over pod) ``runAsNonRoot`` is ``true`` or the effective
``runAsUser`` is a non-zero UID; flagged when neither holds, or when the effective ``runAsUser``
is 0 (pointing at the level where it is set).  Windows pods (``spec.os.name: windows``) are
skipped: these fields do not apply there."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.rules.kubernetes._fix import setting_fix


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@rule
def check(resource, ctx):
    for pod in resource.pod_templates():
        if pod.is_windows:
            continue
        for c in pod.containers():
            uid, uid_path = c.effective("runAsUser")
            subject = f"{c.subject}.securityContext.runAsNonRoot"
            if _int(uid) == 0:
                level = "container" if uid_path[: len(c.path)] == c.path else "pod"
                yield Hit(
                    f"container '{c.name}' runs as root: runAsUser is 0 (set on the {level})",
                    resource.region_at(uid_path),
                    subject=f"{c.subject}.securityContext.runAsUser",
                )
                continue
            nonroot, nr_path = c.effective("runAsNonRoot")
            if nonroot is True or (_int(uid) or 0) > 0:
                continue
            # the kubelet then refuses to start a container whose image runs as root: unsafe
            fix = setting_fix(resource, ctx, c.data, ("securityContext", "runAsNonRoot"), "true",
                              f"set securityContext.runAsNonRoot: true on container '{c.name}'")
            if nonroot is False:
                yield Hit(
                    f"container '{c.name}' sets runAsNonRoot: false and no non-zero runAsUser: "
                    "it runs as the image's user, often root",
                    resource.region_at(nr_path),
                    subject=subject,
                    fix=fix,
                )
                continue
            yield Hit(
                f"container '{c.name}' may run as root: neither the pod nor the container sets "
                "runAsNonRoot: true (or a non-zero runAsUser)",
                c.missing_region(("securityContext", "runAsNonRoot")),
                subject=subject,
                fix=fix,
            )
