"""``apt-get install`` without ``--no-install-recommends``, in the final image's stages
(``ONBUILD RUN`` triggers included)."""

import re

from shiplint.core.findings import Fix, Hit
from shiplint.registry.rule import rule
from shiplint.model.packages import is_dry_run, package_operations

from shiplint.model.dockerfile import all_commands, chain, final_image_stages, instructions, run_scripts
from shiplint.rules.dockerfile._fix import action_word, insert_after

_CONF_OFF = re.compile(r"""Install-Recommends\s*(?:=|\s)\s*\\?["']?(?:0|false|no)\b""", re.I)


def _recommends_off(op) -> bool:
    if "--no-install-recommends" in op.flags:
        return True
    return any(_CONF_OFF.search(v) for v in op.option_values.get("-o", []) + op.option_values.get("--option", []))


@rule
def check(dockerfile, ctx):
    for stage in final_image_stages(dockerfile):
        # an apt.conf written earlier (echo 'APT::Install-Recommends "0";' > /etc/apt/apt.conf.d/..)
        configured = False
        # ONBUILD RUN triggers run in every image built FROM this one: unwrapped
        earlier = [i for s in reversed(chain(dockerfile, stage)) for i in instructions(dockerfile, s)]
        for inst in earlier:
            if inst.keyword == "RUN" and _CONF_OFF.search(inst.text + "".join(d.body for d in inst.heredocs)):
                configured = True
            if inst.keyword != "RUN" or inst.stage != stage.index or configured:
                continue
            scripts = run_scripts(inst)
            pairs = all_commands(scripts)
            where = {id(c): s for s, c in pairs}
            for op in package_operations([c for _, c in pairs]):
                if op.manager in ("apt-get", "apt") and op.action == "install" and not _recommends_off(op) \
                        and not is_dry_run(op):
                    yield Hit(
                        f"'{op.manager} install' without --no-install-recommends also installs "
                        "recommended packages: a bigger image and attack surface; add "
                        "--no-install-recommends",
                        where[id(op.command)].command_region(op.command),
                        subject=f"RUN:{op.manager}-install:{','.join(op.packages)[:80]}",
                        fix=_fix(where[id(op.command)], op),
                    )


def _fix(script, op):
    word = action_word(script, op)
    if word is None:
        return None
    return Fix("add --no-install-recommends", [insert_after(script.word_region(word), " --no-install-recommends")])
