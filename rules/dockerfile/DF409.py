"""Packages installed without a version: ``apt-get install curl``, ``pip install flask``…"""

import re

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.model.packages import is_dry_run, package_operations

from shiplint.model.dockerfile import all_commands, instructions, run_scripts

_PIP_PINNED = re.compile(r"[=<>~!]|@\s*\S")
_PATH_LIKE = re.compile(r"[./~]|[A-Za-z][A-Za-z0-9+.-]*://|.*\.(?:whl|tar\.gz|zip|deb|rpm|apk|gem)\Z")
_NPM_MOVING = frozenset({"latest", "next", "*", "x", ""})


def _unpinned(op, word) -> bool:
    v = word.value
    if "$" in v or "`" in v or not v:
        return False  # a variable: its value is not known here
    m = op.manager
    if m in ("apt-get", "apt", "aptitude"):
        return "=" not in v and not _PATH_LIKE.match(v) and not v.endswith(("-", "+"))
    if m == "apk":
        return not re.search(r"[=<>~]", v) and not _PATH_LIKE.match(v)
    if m == "pip":
        return not _PIP_PINNED.search(v) and not _PATH_LIKE.match(v)
    if m == "npm":
        name, at, version = v[1:].partition("@") if v.startswith("@") else v.partition("@")
        return not _PATH_LIKE.match(v) and ":" not in v and (not at or version in _NPM_MOVING)
    if m == "gem":
        return ":" not in v and not _PATH_LIKE.match(v)
    return False


def _wanted(op) -> bool:
    if is_dry_run(op):
        return False
    m, a = op.manager, op.action
    if m in ("apt-get", "apt", "aptitude"):
        return a == "install"
    if m == "apk":
        return a == "add"
    if m == "pip":
        return a == "install" and not ({"-r", "--requirement"} & set(op.option_values))
    if m == "npm":
        return a == "install" and bool({"-g", "--global"} & op.flags)
    if m == "gem":
        return a == "install" and not ({"-v", "--version"} & set(op.option_values))
    return False


@rule
def check(dockerfile, ctx):
    for inst in instructions(dockerfile):
        pairs = all_commands(run_scripts(inst))
        if not pairs:
            continue
        where = {id(c): s for s, c in pairs}
        for op in package_operations([c for _, c in pairs]):
            if not _wanted(op):
                continue
            loose = [w for w in op.package_words if _unpinned(op, w)]
            if not loose:
                continue
            names = ", ".join(w.value for w in loose[:4]) + (f" and {len(loose) - 4} more" if len(loose) > 4 else "")
            script = where[id(op.command)]
            yield Hit(
                f"'{op.manager} {op.action}' without a version for {names}: each build installs "
                "whatever is newest that day, so two builds of the same commit differ; pin "
                "versions (or install from a lock file)",
                script.word_region(loose[0]),
                subject=f"RUN:{op.manager}-{op.action}:{','.join(w.value for w in loose)[:80]}",
                properties={"packages": [w.value for w in loose]},
            )
