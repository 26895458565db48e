"""KS403 writable-root-filesystem: ``readOnlyRootFilesystem`` is not ``true``."""

from shiplint.findings import Hit
from shiplint.rule import rule


@rule("KS403")
def check(resource, ctx):
    pod = resource.pod_template()
    if pod is None or pod.is_windows:
        return
    for c in pod.containers():
        sc = c.security_context
        value = sc.get("readOnlyRootFilesystem")
        if value is True:
            continue
        if "readOnlyRootFilesystem" in sc:
            where = c.region_at(("securityContext", "readOnlyRootFilesystem"))
            why = f"sets readOnlyRootFilesystem: {str(value).lower()}"
        else:
            where = c.missing_region(("securityContext", "readOnlyRootFilesystem"))
            why = "does not set readOnlyRootFilesystem: true"
        yield Hit(
            f"container '{c.name}' {why}: an intruder can modify binaries and drop tools; "
            "mount an emptyDir where the app needs to write",
            where,
            subject=f"{c.subject}.securityContext.readOnlyRootFilesystem",
        )
