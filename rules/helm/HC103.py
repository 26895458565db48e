"""``Chart.yaml`` without ``appVersion``.  A library chart deploys no application: exempt."""

from shiplint.core.findings import Hit, Region
from shiplint.registry.rule import rule


@rule
def check(chart, ctx):
    meta = chart.meta
    if chart.is_library:
        return
    value = meta.get("appVersion")
    if value is None or (isinstance(value, str) and not value.strip()):
        region = meta.key_region("appVersion") or meta.key_region("version") or meta.key_region("name") or Region(1, 1)
        yield Hit("Chart.yaml has no appVersion: the version of the application the chart deploys is unknown "
                  "to 'helm list' and to the app.kubernetes.io/version label", region,
                  path=chart.chart_yaml.path, subject=f"chart:{chart.display}:appVersion")
