"""A chart dependency that is not pinned: no ``version``, a range (which fires even when the
dependency is vendored or locked: the next ``helm dependency update`` may take another
version), or an exact version that is neither vendored under ``charts/`` nor locked in
``Chart.lock``.  ``file://`` dependencies are charts of the same repository: nothing to pin."""

from shiplint.core.findings import Hit
from shiplint.model.helm import exact_version
from shiplint.registry.rule import rule


@rule
def check(chart, ctx):
    locked = chart.locked()
    lock_name = "requirements.lock" if chart.meta.get("apiVersion") == "v1" else "Chart.lock"
    for dep in chart.dependencies():
        if dep.local:
            continue
        subject = f"chart:{chart.display}:dependency:{dep.name}"
        version = dep.version_text
        if version is None or not version.strip():
            yield Hit(f"dependency {dep.name!r} has no version: 'helm dependency update' takes whatever is newest",
                      dep.region, path=dep.file.path, subject=subject + ":version")
            continue
        if not exact_version(version):
            yield Hit(f"dependency {dep.name!r} version {version!r} is a range: 'helm dependency update' may take "
                      "another version than the one tested; pin one exact version",
                      dep.entry.value_region("version"), path=dep.file.path, subject=subject + ":range")
        elif not chart.vendored(dep.name) and dep.name not in locked:
            yield Hit(f"dependency {dep.name!r} is neither vendored under charts/ nor locked in {lock_name}: "
                      "run 'helm dependency update' and commit the lock file", dep.region,
                      path=dep.file.path, subject=subject + ":unlocked")
