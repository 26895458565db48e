"""The Dockerfile copies its whole build context, and there is no
``.dockerignore`` beside it (nor BuildKit's ``<Dockerfile name>.dockerignore``), or the file does
not exclude ``.git`` and ``.env``.

Only Dockerfiles that copy the context root (``COPY . …``, ``ADD * …``) are checked: BuildKit
sends only the paths a build references, so a Dockerfile that copies named files cannot pick up
``.git`` or ``.env``.  Skipped for standard input (there is no directory to look in). ``.git`` is not required of a
``.dockerignore`` in a sub-directory of a Git work tree (a context there holds no ``.git``).
"""

import os

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.sources.dockerignore import excluded, parse_dockerignore

from shiplint.model.dockerfile import instructions

_ROOT = frozenset({".", "./", "./.", "*", "./*", "/", ".\\"})
MUST_EXCLUDE = (".git", ".env")


def _copies_context_root(dockerfile) -> bool:
    for inst in instructions(dockerfile):
        if inst.keyword in ("COPY", "ADD") and inst.flag("from") is None:
            if any(a.value in _ROOT for a in inst.args[:-1]):
                return True
    return False


def _below_git_top(directory: str) -> bool:
    """A directory inside a Git work tree but not its top: a context there holds no ``.git``."""
    if os.path.lexists(os.path.join(directory, ".git")):
        return False
    parent = os.path.dirname(directory)
    while parent and parent != directory:
        if os.path.lexists(os.path.join(parent, ".git")):
            return True
        directory, parent = parent, os.path.dirname(parent)
    return False


@rule
def check(dockerfile, ctx):
    if not dockerfile.instructions or not _copies_context_root(dockerfile):
        return
    candidates = []
    if ctx.input is not None and ctx.input.abspath is not None:
        name = os.path.basename(ctx.input.abspath)
        candidates = [ctx.sibling_path(f"{name}.dockerignore"), ctx.sibling_path(".dockerignore")]
    candidates = [c for c in candidates if c]
    if not candidates:
        return  # standard input: no directory to look in
    anchor = dockerfile.instructions[0].keyword_region
    found = next((c for c in candidates if os.path.isfile(c)), None)
    if found is None:
        yield Hit(
            "the build context is copied but there is no .dockerignore beside this Dockerfile: "
            ".git, .env and local artefacts end up in the image; add one that excludes at least "
            ".git and .env",
            anchor,
            subject="dockerignore",
        )
        return
    try:
        with open(found, encoding="utf-8", errors="replace") as fh:
            rules = parse_dockerignore(fh.read(1_000_000))
    except OSError:
        return
    missing = [p for p in MUST_EXCLUDE if not excluded(rules, p)
               and not (p == ".git" and _below_git_top(os.path.dirname(found)))]
    if missing:
        yield Hit(
            f"{os.path.basename(found)} does not exclude {' and '.join(missing)}: the build context "
            "is copied into the image, so " + ("they end" if len(missing) > 1 else "it ends") + " up in a layer; add "
            + ", ".join(f"'{m}'" for m in missing),
            anchor,
            subject="dockerignore:" + ",".join(missing),
        )
