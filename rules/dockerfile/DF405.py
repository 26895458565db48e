"""``ADD`` of plain local files (``COPY`` says what it does)."""

import re

from shiplint.core.findings import Edit, Fix, Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import instructions, unquote
from shiplint.rules.dockerfile._fix import same_case, written

#: Flags ADD and COPY share; an ADD with another flag (--checksum, --keep-git-dir, --unpack) is
#: not rewritten.
_COPY_FLAGS = frozenset({"chown", "chmod", "link", "exclude"})
_ARCHIVE = re.compile(r".*\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst|tar\.lz4|tar\.lzma|tlz)$", re.I)


def _local_plain(value: str) -> bool:
    v = value.strip()
    if not v or "$" in v or "://" in v or v.startswith("git@"):
        return False
    return not _ARCHIVE.fullmatch(v.partition("#")[0])


@rule
def check(dockerfile, ctx):
    for inst in instructions(dockerfile):
        if inst.keyword != "ADD" or len(inst.args) < 2 and not inst.heredocs:
            continue
        sources = inst.args[:-1]
        if inst.heredocs:  # ADD <<EOF /file: a heredoc is a plain file
            sources = [a for a in sources if not a.value.startswith("<<")]
        # ADD "file.tgz" /dir/: BuildKit removes the quotes before it looks at the name
        if not all(_local_plain(unquote(a.value, dockerfile.escape)) for a in sources):
            continue
        yield Hit(
            "ADD of local files: ADD also fetches URLs and unpacks archives, so it hides what the "
            "instruction does; use COPY",
            inst.keyword_region,
            subject=f"ADD:{' '.join(a.value for a in sources)[:120]}",
            fix=_fix(dockerfile, inst),
        )


def _fix(dockerfile, inst):
    if any(f.name not in _COPY_FLAGS for f in inst.flags):
        return None
    word = written(dockerfile, inst.keyword_region)
    if word.upper() != "ADD":
        return None
    return Fix("replace ADD with COPY", [Edit(inst.keyword_region, same_case(word, "COPY"))])
