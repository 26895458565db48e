"""A third-party action of an image-pushing workflow not pinned by a full commit SHA."""

import re

from shiplint.core.findings import Hit
from shiplint.model.ci import GITHUB
from shiplint.registry.rule import rule

_FULL_SHA = re.compile(r"[0-9a-f]{40}")
_FIRST_PARTY = ("actions", "github")


@rule
def check(pipeline, ctx):
    if pipeline.platform != GITHUB or not pipeline.pushes():
        return
    for a in pipeline.actions:
        uses = a.uses.strip()
        if uses.startswith(("./", "docker://")) or "${{" in uses:
            continue
        name, _, ref = uses.partition("@")
        if name.split("/", 1)[0].lower() in _FIRST_PARTY or _FULL_SHA.fullmatch(ref):
            continue
        if not ref:
            what = "no ref"
        elif re.fullmatch(r"[0-9a-f]{7,39}", ref):
            what = f"the short SHA '{ref}'"
        else:
            what = f"'{ref}', a tag or branch"
        yield Hit(
            f"action '{name}' is referenced by {what}, not a full commit SHA: whoever controls it can "
            "change what this image-publishing workflow runs",
            a.region, path=a.path, subject=f"{a.subject}:{name}",
        )
