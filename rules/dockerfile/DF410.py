"""``COPY``/``ADD`` to a relative destination while no ``WORKDIR`` is set."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.sources.dockerfile import expand_word

from shiplint.model.dockerfile import chain, is_windows, root_image, stage_env, unquote


def _absolute(dest: str) -> bool:
    # C:\app, C:/app and \app are absolute on Windows images
    return dest.startswith(("/", "\\")) or (len(dest) > 2 and dest[1] == ":" and dest[2] in "/\\")


@rule
def check(dockerfile, ctx):
    for stage in dockerfile.stages:
        if stage.is_scratch or is_windows(root_image(dockerfile, stage)):
            continue
        # a stage built FROM another inherits the WORKDIR set there
        workdir = any(i.keyword == "WORKDIR" for s in chain(dockerfile, stage)[1:] for i in s.instructions)
        for inst in stage.instructions:
            if inst.keyword == "WORKDIR":
                workdir = True
            if workdir:
                break
            if inst.keyword not in ("COPY", "ADD") or len(inst.args) < 2:
                continue
            dest = inst.args[-1]
            value = dest.value if inst.exec_form else unquote(dest.value, dockerfile.escape)
            if "$" in value:
                value, ok = expand_word(value, stage_env(dockerfile, stage, inst), dockerfile.escape)
                if not ok:
                    continue
            if _absolute(value):
                continue
            yield Hit(
                f"{inst.keyword} to the relative destination '{value}' with no WORKDIR set: the "
                "files land in the base image's working directory (often /), which the next "
                "base image update may change; set WORKDIR first or use an absolute path",
                dest.region,
                subject=f"stage[{stage.name or stage.index}].{inst.keyword}:{value}",
            )
