"""``Chart.yaml`` with ``apiVersion: v1`` (the Helm 2 chart format)."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(chart, ctx):
    meta = chart.meta
    if meta.get("apiVersion") == "v1":
        yield Hit("Chart.yaml declares apiVersion v1, the Helm 2 chart format; use apiVersion v2 (dependencies "
                  "move from requirements.yaml into Chart.yaml)", meta.value_region("apiVersion"),
                  path=chart.chart_yaml.path, subject=f"chart:{chart.display}:apiVersion")
