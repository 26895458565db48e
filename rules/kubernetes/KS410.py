"""No ``RuntimeDefault`` or ``Localhost`` seccomp profile.

The effective profile of each container is its own ``securityContext.seccompProfile``, else the
pod's.  The pre-1.19 ``seccomp.security.alpha.kubernetes.io`` annotations are not accepted:
Kubernetes 1.27 and later ignore them."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.rules.kubernetes._fix import setting_fix

GOOD = {"RuntimeDefault", "Localhost"}


@rule
def check(resource, ctx):
    for pod in resource.pod_templates():
        if pod.is_windows:
            continue
        for c in pod.containers():
            profile, path = c.effective("seccompProfile")
            ptype = profile.get("type") if isinstance(profile, dict) else None
            if isinstance(ptype, str) and ptype in GOOD:  # a list or a map there is not hashable
                continue
            if isinstance(profile, dict) and "type" in profile:
                where = resource.region_at(path + ("type",))
                why = f"runs with seccomp profile '{ptype}'"
            else:
                where = c.missing_region(("securityContext", "seccompProfile", "type"))
                why = "runs without a seccomp profile (Unconfined by default)"
            fix = setting_fix(resource, ctx, c.data, ("securityContext", "seccompProfile", "type"), "RuntimeDefault",
                              f"set securityContext.seccompProfile.type: RuntimeDefault on container '{c.name}'")
            if fix is not None and path is not None:  # overrides a profile the author chose
                fix.safety = "unsafe"
            yield Hit(
                f"container '{c.name}' {why}: set seccompProfile.type: RuntimeDefault on the pod or "
                "the container",
                where,
                subject=f"{c.subject}.securityContext.seccompProfile",
                fix=fix,
            )
