"""A job pushes an image with no blocking vulnerability scan before the push."""

from shiplint.core.findings import Hit, Location
from shiplint.model.ci import SCAN
from shiplint.registry.rule import rule


@rule
def check(pipeline, ctx):
    for push in pipeline.first_pushes():
        if pipeline.may_hide(push):
            continue  # a reusable workflow, local action or included template before it may scan
        scans = [e for e in pipeline.before(push) if e.kind == SCAN]
        if any(e.blocking for e in scans):
            continue
        weak = scans[-1] if scans else None
        later = next((e for e in pipeline.events(SCAN) if e not in scans), None)
        if weak is not None:
            why = f"; the {weak.what} scan on line {weak.region.line} does not block it ({weak.why_not_blocking})"
        elif later is not None:
            why = f"; the {later.what} scan on line {later.region.line} runs too late to stop the push"
        else:
            why = ""
        related = [Location(e.path, e.region, f"{e.what} scan") for e in (weak, later) if e is not None]
        yield Hit(
            f"job '{push.job.id}' pushes an image ({push.what}) without a blocking vulnerability scan "
            f"before the push{why}",
            push.region, path=push.path, subject=f"{push.job.id}:push",
            related=related,
        )
