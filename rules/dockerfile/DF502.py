"""The ``MAINTAINER`` instruction."""

from shiplint.core.findings import Edit, Fix, Hit, Region
from shiplint.registry.rule import rule
from shiplint.rules.dockerfile._fix import same_case, written


@rule
def check(dockerfile, ctx):
    for inst in dockerfile.instructions:
        if inst.keyword == "MAINTAINER":
            yield Hit(
                "MAINTAINER is deprecated and not part of the OCI image spec; use "
                "LABEL org.opencontainers.image.authors=\"...\"",
                inst.keyword_region,
                subject="MAINTAINER",
                fix=_fix(dockerfile, inst),
            )


def _fix(dockerfile, inst):
    """The whole one-line instruction becomes a LABEL whose value is the MAINTAINER text, quoted
    (LABEL expands variables and reads escapes; MAINTAINER does neither)."""
    r = inst.region
    if r.line != r.end_line or not inst.text.strip() or inst.inner is not None:
        return None
    if dockerfile.escape != "\\" and any(c in inst.text for c in '"$' + dockerfile.escape):
        return None
    value = inst.text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    keyword = same_case(written(dockerfile, inst.keyword_region), "LABEL")
    return Fix("replace MAINTAINER with the org.opencontainers.image.authors label",
               [Edit(Region(r.line, r.column, r.end_line, r.end_column),
                     f'{keyword} org.opencontainers.image.authors="{value}"')])
