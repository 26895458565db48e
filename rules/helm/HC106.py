"""An application chart without tests (``templates/tests/``, or a template carrying the
``helm.sh/hook: test`` annotation).  Library charts render nothing and are exempt."""

from shiplint.core.findings import Hit, Region
from shiplint.registry.rule import rule


@rule
def check(chart, ctx):
    if chart.is_library or chart.has_tests:
        return
    meta = chart.meta
    yield Hit("chart has no tests (templates/tests/ with a 'helm.sh/hook: test' Pod): 'helm test' checks nothing "
              "after an install or upgrade", meta.key_region("name") or Region(1, 1),
              path=chart.chart_yaml.path, subject=f"chart:{chart.display}:tests")
