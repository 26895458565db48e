"""A template for rules of the form "every container sets securityContext.<key>: <value>"."""

from shiplint.core.findings import Hit


def require_security_setting(resource, key: str, expected: bool, consequence: str):
    """Yield a Hit for each container whose ``securityContext.<key>`` is not ``expected``:
    on the value when it is set otherwise, on the nearest existing node when it is missing."""
    for pod in resource.pod_templates():
        if pod.is_windows:
            continue
        wanted = str(expected).lower()
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
            yield Hit(f"container '{c.name}' {why}: {consequence}", where, subject=f"{c.subject}.securityContext.{key}")
