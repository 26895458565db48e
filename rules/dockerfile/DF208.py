"""Certificate or package-signature checks turned off in a RUN, ENV or ARG."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.model.packages import tls_checks_off, tls_off_value

from shiplint.model.dockerfile import all_commands, instructions, key_values, run_scripts


@rule
def check(dockerfile, ctx):
    for inst in instructions(dockerfile):
        if inst.keyword in ("ENV", "ARG"):
            for key, value, arg in key_values(inst, dockerfile.escape):
                if tls_off_value(key, value):
                    yield Hit(
                        f"{inst.keyword} {key}={value} turns certificate verification off for every "
                        "later command (and, for ENV, in the running container): anyone on the "
                        "network path can serve forged content; remove it and install the CA "
                        "certificate instead",
                        arg.region,
                        subject=f"{inst.keyword}:{key}",
                    )
            continue
        for script, cmd in all_commands(run_scripts(inst)):
            for word, what in tls_checks_off(cmd):
                yield Hit(
                    f"'{what}' turns a certificate or signature check off: a download or package "
                    "can be replaced in transit and the build accepts it; remove it (install the "
                    "CA certificate or the repository key instead)",
                    script.word_region(word),
                    subject=f"RUN:{what}",
                )
