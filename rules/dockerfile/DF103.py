"""``@`` not followed by ``sha256:`` and 64 lower-case hex digits."""

from shiplint.core.findings import Hit, Region
from shiplint.sources.imageref import digest_problem
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import instructions, subject


def _narrow(region: Region, raw: str) -> Region:
    """The digest part of a one-line image argument written literally."""
    at = raw.find("@")
    if at < 0 or region.line != region.end_line or region.end_column - region.column != len(raw):
        return region
    return Region(region.line, region.column + at + 1, region.line, region.end_column)


@rule
def check(dockerfile, ctx):
    for stage in dockerfile.stages:
        if not stage.is_external:
            continue
        # the resolved reference, or the raw one when only the part before '@' uses variables
        text = stage.image if stage.image_resolved else stage.image_raw
        name, at, digest = text.partition("@")
        if not at or "$" in digest:
            continue
        problem = digest_problem(digest)
        if problem is None:
            continue
        yield Hit(
            f"image digest in '{text}' {problem}: the build fails to pull it; "
            "use @sha256:<64 lower-case hex digits>",
            _narrow(stage.image_region, stage.image_raw),
            subject=subject(stage, "from.digest"),
        )
    # COPY --from=<image> and RUN --mount=from=<image> pull images too
    names = {s.name for s in dockerfile.stages if s.name}
    for inst in instructions(dockerfile):
        for f in inst.flags_named("from"):
            value = f.value or ""
            if "@" not in value or "$" in value or value.lower() in names:
                continue
            name = value.partition("@")[0]
            problem = "follows an empty tag (':@' is an invalid reference)" if name.endswith(":") \
                else digest_problem(value.partition("@")[2])
            if problem is not None:
                yield Hit(
                    f"image digest in '--from={value}' {problem}; use @sha256:<64 lower-case hex digits>",
                    f.region,
                    subject=f"{inst.keyword}.from:{value.partition('@')[0]}",
                )
