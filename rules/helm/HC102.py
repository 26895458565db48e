"""``Chart.yaml`` ``version`` that is not a SemVer 2 version (strictly: helm accepts ``1.0``
and ``v1.8.0``, the SemVer 2 specification does not)."""

from shiplint.core.findings import Hit, Region
from shiplint.model.helm import SEMVER
from shiplint.registry.rule import rule


@rule
def check(chart, ctx):
    meta = chart.meta
    path = chart.chart_yaml.path
    subject = f"chart:{chart.display}:version"
    if meta.get("version") is None:
        region = meta.key_region("version") or meta.key_region("name") or Region(1, 1)
        yield Hit("Chart.yaml has no version; a chart version is required and must be SemVer 2 (1.4.0)",
                  region, path=path, subject=subject)
        return
    text = chart.chart_yaml.raw(meta.value_region("version")) or str(meta["version"])
    if not SEMVER.match(text):
        hint = ""
        if text[:1] in ("v", "V") and SEMVER.match(text[1:]):
            hint = ": write it without the 'v' prefix"
        elif SEMVER.match(text + ".0"):
            hint = ": write three numbers, MAJOR.MINOR.PATCH"
        yield Hit(f"chart version {text!r} is not SemVer 2{hint or ' (MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD])'}",
                  meta.value_region("version"), path=path, subject=subject)
