"""``COPY --from=NAME`` / ``RUN --mount=…,from=NAME`` where NAME is no earlier stage but looks
like one: BuildKit pulls an image of that name instead."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import instructions, mounts, stage_of


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _norm(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "").replace(".", "")


def _why(ref: str, earlier: list, later: list) -> str | None:
    """Why ``ref`` looks like a stage, or None when it looks like an image."""
    low = ref.lower()
    if low in later:
        return f"'{ref}' is a stage defined later in the file: only earlier stages can be used"
    if "/" in ref or ":" in ref or "@" in ref or "$" in ref:
        return None  # a registry path, a tag, a digest or a variable: an image reference
    if ref.isdigit():
        return f"there is no stage {ref} before this one"
    for name in earlier:
        if not name:
            continue
        limit = 1 if len(name) <= 4 else 2
        if _norm(name) == _norm(low) or _distance(name, low, limit) <= limit:
            return f"no earlier stage is named '{ref}' (did you mean '{name}'?)"
    return None


@rule
def check(dockerfile, ctx):
    names = [s.name for s in dockerfile.stages]
    for inst in instructions(dockerfile):
        stage = stage_of(dockerfile, inst)
        if stage is None:
            continue
        earlier = names[: stage.index]
        later = [n for n in names[stage.index:] if n]
        refs = [(f.value, f.region) for f in inst.flags_named("from") if inst.keyword in ("COPY", "ADD")]
        if inst.keyword == "RUN":
            for f, m in zip(inst.flags_named("mount"), mounts(inst)):
                if m.get("from"):
                    refs.append((m["from"], f.region))
        for ref, region in refs:
            if not ref or ref.lower() in earlier or (ref.isdigit() and int(ref) < stage.index):
                continue
            why = _why(ref, earlier, later)
            if why is None:
                continue
            yield Hit(
                f"--from={ref}: {why}, so BuildKit pulls an image named '{ref}' from Docker Hub "
                "instead (a typo becomes a download of whatever that image is)",
                region,
                subject=f"stage[{stage.name or stage.index}].from:{ref}",
            )
