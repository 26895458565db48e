"""``EXPOSE 22``: an SSH server in the image."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.sources.dockerfile import expand_word

from shiplint.model.dockerfile import instructions, stage_env, stage_of


def _covers_22(value: str) -> bool:
    port, _, proto = value.partition("/")
    if proto and proto.lower() != "tcp":
        return False
    low, dash, high = port.partition("-")
    if not low.isdigit() or (dash and not high.isdigit()):
        return False
    return int(low) <= 22 <= int(high if dash else low)


@rule
def check(dockerfile, ctx):
    for inst in instructions(dockerfile):
        if inst.keyword != "EXPOSE":
            continue
        stage = stage_of(dockerfile, inst)
        env = stage_env(dockerfile, stage, inst) if stage is not None and "$" in inst.text else {}
        for arg in inst.args:
            value, ok = expand_word(arg.value, env, dockerfile.escape) if "$" in arg.value else (arg.value, True)
            if ok and _covers_22(value):
                yield Hit(
                    f"EXPOSE {value}: the image runs an SSH server, a second way in with its own keys "
                    "and passwords to manage; use 'docker exec' / 'kubectl exec' to get a shell",
                    arg.region,
                    subject="EXPOSE:22",
                )
