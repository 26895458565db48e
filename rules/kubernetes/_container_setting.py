"""A template for rules of the form "every container sets securityContext.<key>: <value>"."""

from shiplint.core.findings import Hit
from shiplint.rules.kubernetes._fix import setting_fix


def require_security_setting(resource, key: str, expected: bool, consequence: str, ctx=None, fixable=None):
    """Yield a Hit for each container whose ``securityContext.<key>`` is not ``expected``:
    on the value when it is set otherwise, on the nearest existing node when it is missing.

    With ``ctx``, each hit carries the fix that sets the value on the container, unless
    ``fixable(container)`` says the setting would make the manifest invalid."""
    wanted = str(expected).lower()
    for pod in resource.pod_templates():
        if pod.is_windows:
            continue
        for c in pod.containers():
            sc = c.security_context
            if sc.get(key) is expected:
                continue
            if key in sc:
                where = c.region_at(("securityContext", key))
                why = f"sets {key}: {str(sc[key]).lower()}"
            else:
                where = c.missing_region(("securityContext", key))
                why = f"does not set {key}: {wanted}"
            fix = None
            if ctx is not None and (fixable is None or fixable(c)):
                fix = setting_fix(resource, ctx, c.data, ("securityContext", key), wanted,
                                  f"set securityContext.{key}: {wanted} on container '{c.name}'")
            yield Hit(f"container '{c.name}' {why}: {consequence}", where,
                      subject=f"{c.subject}.securityContext.{key}", fix=fix)
