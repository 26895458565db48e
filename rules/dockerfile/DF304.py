"""``WORKDIR`` with a relative path (it depends on the previous one)."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import instructions, unquote


@rule
def check(dockerfile, ctx):
    for inst in instructions(dockerfile):
        if inst.keyword != "WORKDIR" or not inst.args:
            continue
        raw = " ".join(a.value for a in inst.args)
        path = unquote(raw, dockerfile.escape)
        if path.startswith(("/", "$", "~")) or (len(path) > 1 and path[1] == ":") or path.startswith("\\"):
            continue  # absolute, a variable (often an absolute path) or a Windows drive
        yield Hit(
            f"WORKDIR '{path}' is relative: it resolves against whatever WORKDIR the base image or an "
            "earlier instruction set; use an absolute path",
            inst.region_of(0, len(inst.text)),
            subject=f"WORKDIR:{path}",
        )
