"""``CMD``/``ENTRYPOINT`` that makes ``npm``/``yarn``/``pnpm`` the main process."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.sources.shell import split_commands

from shiplint.model.dockerfile import chain

_NPM_RUNS = frozenset({"start", "run", "run-script", "rum", "urn", "restart", "test", "t", "tst", "exec", "x"})
# yarn/pnpm commands that do not start the application (anything else runs a script)
_YARN_NOT_RUNNING = frozenset({"install", "add", "remove", "upgrade", "up", "why", "info", "list",
                               "ls", "cache", "config", "--version", "-v", "version", "help"})


def _runs_script(program: str, args: list[str]) -> bool:
    first = next((a for a in args if not a.startswith("-")), None)
    if program == "npx":
        return True
    if program == "npm":
        return first in _NPM_RUNS
    return first is not None and first not in _YARN_NOT_RUNNING


def _program(inst):
    """(program name, its arguments, region of the program word) of a CMD/ENTRYPOINT."""
    if inst.exec_form:
        if not inst.args:
            return None
        first = inst.args[0]
        return first.value.rsplit("/", 1)[-1], [a.value for a in inst.args[1:]], first.region
    cmds = [c for c in split_commands(inst.text) if c.program is not None]
    if not cmds:
        return None
    cmd = cmds[0]
    return cmd.name, cmd.arg_values, inst.region_of(cmd.program_word.start, cmd.end)


@rule
def check(dockerfile, ctx):
    final = dockerfile.final_stage
    if final is None:
        return
    entry = cmd = None
    for stage in reversed(chain(dockerfile, final)):
        for inst in stage.instructions:
            if inst.keyword == "ENTRYPOINT":
                entry, cmd = inst, None  # an ENTRYPOINT resets the CMD inherited so far
            elif inst.keyword == "CMD":
                cmd = inst
    for inst in (entry, cmd):
        if inst is None:
            continue
        found = _program(inst)
        if found is None:
            continue
        program, args, region = found
        if inst is entry and inst.exec_form and not args and cmd is not None and cmd.exec_form:
            args = [a.value for a in cmd.args]  # ENTRYPOINT ["npm"] + CMD ["start"]
        if program in ("npm", "yarn", "pnpm", "npx") and _runs_script(program, args):
            yield Hit(
                f"{inst.keyword} runs the application through '{program}': the package manager "
                "is the container's main process and does not pass SIGTERM on to the "
                "application, which is killed without a clean shutdown after the grace period; "
                "run it directly (CMD [\"node\", \"server.js\"])",
                region,
                subject=f"{inst.keyword}:{program}",
            )
            return
