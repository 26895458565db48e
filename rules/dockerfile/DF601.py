"""ShellCheck on the shell of every RUN, each finding at its exact place in the Dockerfile."""

from shiplint.core.errors import RuleUnavailable
from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.registry.selection import subcode_filter

from shiplint.model.dockerfile import stage_of, subject
from shiplint.model.dockerfile.script import shell_sources
from shiplint.rules.dockerfile._shellcheck import MISSING, NOISE, find_binary, run

_LEVELS = {"error": "error", "warning": "warning", "info": "note", "style": "note"}


@rule
def check(dockerfile, ctx):
    sources = shell_sources(dockerfile)
    if not sources:
        return
    binary = find_binary(ctx.option("binary"))
    if binary is None:
        raise RuleUnavailable(MISSING)
    opts = ctx.options
    keep, drop = subcode_filter(ctx.rule, opts.select, opts.extend_select, opts.ignore)
    exclude = sorted(set(NOISE) | set(drop))
    comments = run(binary, [s.text for s in sources], keep, exclude, dockerfile.path or "the Dockerfile")
    for c in comments:
        src = sources[c["file"]]
        try:
            region = src.region(int(c["line"]), int(c["column"]), int(c["endLine"]), int(c["endColumn"]))
            code = f"SC{int(c['code'])}"
        except (KeyError, TypeError, ValueError):
            continue
        if region is None:
            continue  # about the header shiplint wrote (a directive copied from a comment)
        stage = stage_of(dockerfile, src.inst)
        where = subject(stage, "run") if stage is not None else "run"
        level = _LEVELS.get(c.get("level"), "warning")
        yield Hit(
            f"{code}: {str(c.get('message', '')).strip()}",
            region,
            subject=f"{where}:{code}",
            properties={"subcode": code, "level": level, "shellcheck_level": c.get("level"),
                        "help_uri": f"https://www.shellcheck.net/wiki/{code}"},
        )
