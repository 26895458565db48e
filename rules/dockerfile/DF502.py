"""The ``MAINTAINER`` instruction."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(dockerfile, ctx):
    for inst in dockerfile.instructions:
        if inst.keyword == "MAINTAINER":
            yield Hit(
                "MAINTAINER is deprecated and not part of the OCI image spec; use "
                "LABEL org.opencontainers.image.authors=\"...\"",
                inst.keyword_region,
                subject="MAINTAINER",
            )
