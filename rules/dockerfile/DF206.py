"""``ADD <http(s) url>`` without ``--checksum``."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import instructions


def is_git_url(value: str) -> bool:
    base = value.partition("#")[0]
    return value.startswith("git@") or base.endswith(".git") or value.startswith("git://")


@rule
def check(dockerfile, ctx):
    for inst in instructions(dockerfile):
        if inst.keyword != "ADD" or inst.flag("checksum") is not None:
            continue
        for arg in inst.args[:-1]:
            v = arg.value
            if v.lower().startswith(("http://", "https://")) and not is_git_url(v):
                yield Hit(
                    f"ADD downloads '{v}' without --checksum: a changed or tampered file is "
                    "accepted silently; add --checksum=sha256:<hex> (or download with curl and "
                    "verify in a RUN)",
                    arg.region,
                    subject=f"ADD:{v}",
                )
