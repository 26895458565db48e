"""ShellCheck on the shell of every RUN, each finding at its exact place in the Dockerfile."""

from shiplint.core.errors import RuleUnavailable
from shiplint.registry.rule import rule
from shiplint.registry.selection import subcode_filter

from shiplint.model.dockerfile import stage_of, subject
from shiplint.model.dockerfile.script import shell_sources
from shiplint.rules.dockerfile._shellcheck import MISSING, NOISE, ShellCheckScripts, find_binary, portable, worth_checking


@rule
def check(dockerfile, ctx):
    sources = [s for s in shell_sources(dockerfile) if worth_checking(s)]
    if not sources:
        return
    binary = find_binary(ctx.option("binary"))
    if binary is None:
        raise RuleUnavailable(MISSING)
    opts = ctx.options
    keep, drop = subcode_filter(ctx.rule, opts.select, opts.extend_select, opts.ignore)
    subjects = []
    for src in sources:
        stage = stage_of(dockerfile, src.inst)
        subjects.append(subject(stage, "run") if stage is not None else "run")
    # ShellCheck runs once for the scripts of many Dockerfiles: the engine hands this to the
    # run's batch, and the findings come back on this file
    yield ShellCheckScripts(binary, sorted(keep), sorted(set(NOISE) | set(drop)),
                            dockerfile.path or "the Dockerfile", [portable(s) for s in sources], subjects)
