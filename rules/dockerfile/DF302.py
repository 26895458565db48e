"""More than one ``CMD`` or ``ENTRYPOINT`` in a stage."""

from shiplint.core.findings import Hit, Location
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import subject


@rule
def check(dockerfile, ctx):
    for stage in dockerfile.stages:
        for keyword in ("CMD", "ENTRYPOINT"):
            found = [i for i in stage.instructions if i.keyword == keyword]
            for earlier, inst in zip(found, found[1:]):
                r = earlier.keyword_region
                yield Hit(
                    f"a second {keyword} in this stage: only the last one takes effect, the one on "
                    f"line {r.line} is dead code",
                    inst.keyword_region,
                    subject=subject(stage, f"{keyword.lower()}#{found.index(inst)}"),
                    related=[Location(dockerfile.path, earlier.keyword_region, f"earlier {keyword}")],
                )
