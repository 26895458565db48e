"""A password set at build time (``chpasswd``, ``passwd --stdin``, ``useradd -p``)."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.model.packages import sets_password

from shiplint.model.dockerfile import all_commands, instructions, run_scripts


@rule
def check(dockerfile, ctx):
    for inst in instructions(dockerfile):
        pairs = all_commands(run_scripts(inst))
        where = {id(c): s for s, c in pairs}
        for cmd, what in sets_password([c for _, c in pairs]):
            # never quote the command: its words hold the password
            yield Hit(
                f"'{what}' sets an account password at build time: the password (or its hash) is "
                "written into a layer and into the build history of every copy of the image; "
                "use key-based or platform authentication, or set it at runtime from a secret",
                where[id(cmd)].command_region(cmd),
                subject=f"RUN:{what}",
            )
