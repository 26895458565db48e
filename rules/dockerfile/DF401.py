"""``apt-get update`` in a RUN that installs nothing."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.model.packages import package_operations

from shiplint.model.dockerfile import all_commands, runs

_APT = ("apt-get", "apt")
_INSTALLS = frozenset({"install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "reinstall"})


@rule
def check(dockerfile, ctx):
    for inst, scripts in runs(dockerfile):
        pairs = all_commands(scripts)
        ops = package_operations([c for _, c in pairs])
        if any(op.manager in _APT and op.action in _INSTALLS for op in ops):
            continue
        where = {id(c): s for s, c in pairs}
        for op in ops:
            if op.manager in _APT and op.action == "update":
                script = where[id(op.command)]
                yield Hit(
                    f"'{op.manager} update' in a RUN that installs nothing: the layer with the "
                    "package lists is cached, and a later install uses stale lists (or fails); run "
                    "update and install in the same RUN",
                    script.command_region(op.command),
                    subject=f"RUN:{op.manager}-update",
                )
