"""Build stages: which stage is built FROM which, which ones ship, what image a stage starts
from."""

from __future__ import annotations

from typing import Iterator

from shiplint.model.dockerfile.mount import mounts
from shiplint.sources.dockerfile import Dockerfile, Instruction, Stage
from shiplint.sources.imageref import ImageRef, parse_image_ref

__all__ = [
    "chain",
    "external_ref",
    "final_image_stages",
    "instructions",
    "is_windows",
    "root_image",
    "shipped_stages",
    "stage_by_ref",
    "stage_of",
    "subject",
]


def subject(stage: Stage, what: str) -> str:
    """A finding's subject about ``what`` in ``stage``: ``stage[build].from``, ``stage[0].user``."""
    return f"stage[{stage.name or stage.index}].{what}"


def chain(df: Dockerfile, stage: Stage) -> list[Stage]:
    """``stage``, then the stage it is built ``FROM``, and so on (no cycles possible)."""
    out = [stage]
    seen = {stage.index}
    while out[-1].base_stage is not None and out[-1].base_stage not in seen:
        nxt = df.stages[out[-1].base_stage]
        seen.add(nxt.index)
        out.append(nxt)
    return out


def final_image_stages(df: Dockerfile) -> list[Stage]:
    """The stages whose layers make the final image: the last stage, then the stages it is built
    ``FROM`` (empty for a file without a stage).  Any other stage is a builder whose layers are
    discarded, or a stage the final image never uses."""
    final = df.final_stage
    return chain(df, final) if final is not None else []


def root_image(df: Dockerfile, stage: Stage) -> Stage:
    """The stage of ``chain(stage)`` that names the external image (or scratch)."""
    return chain(df, stage)[-1]


def stage_by_ref(df: Dockerfile, ref: str | None) -> Stage | None:
    """The stage a ``--from=`` value names (a stage name or index), if any."""
    if not ref:
        return None
    low = ref.lower()
    for s in df.stages:
        if s.name == low:
            return s
    if ref.isdigit() and int(ref) < len(df.stages):
        return df.stages[int(ref)]
    return None


def stage_of(df: Dockerfile, inst: Instruction) -> Stage | None:
    """The stage ``inst`` belongs to (None for a global ``ARG``)."""
    return df.stages[inst.stage] if inst.stage is not None and inst.stage < len(df.stages) else None


def shipped_stages(df: Dockerfile) -> set[int]:
    """Indexes of the stages whose layers end up in an image someone runs.

    The final stage and any stage that nothing else uses (a possible ``--target``), plus the
    stages they are built ``FROM``.  A stage only used through ``COPY --from`` or
    ``RUN --mount=from=`` is a builder: its layers are discarded.
    """
    used: set[int] = set()
    for s in df.stages:
        if s.base_stage is not None:
            used.add(s.base_stage)
        for inst in s.instructions:
            refs = [f.value for f in inst.flags_named("from")]
            refs += [m.get("from") for m in mounts(inst)]
            for r in refs:
                target = stage_by_ref(df, r)
                if target is not None:
                    used.add(target.index)
    out: set[int] = set()
    for s in df.stages:
        if s.index == len(df.stages) - 1 or s.index not in used:
            out.update(x.index for x in chain(df, s))
    return out


def external_ref(stage: Stage) -> ImageRef | None:
    """The parsed image of an external stage whose reference is known (ARGs resolved)."""
    if not stage.is_external or not stage.image_resolved:
        return None
    return parse_image_ref(stage.image)


def is_windows(stage: Stage) -> bool:
    """The stage starts from a Windows image (by its repository or tag)."""
    ref = external_ref(stage)
    if ref is None:
        return False
    repo = ref.repository.lower()
    tag = (ref.tag or "").lower()
    return "windows" in repo or "nanoserver" in tag or "servercore" in tag or "windowsservercore" in tag


def instructions(df: Dockerfile, stage: Stage | None = None, onbuild: bool = True) -> Iterator[Instruction]:
    """Instructions of ``stage`` (or of the whole file), with ``ONBUILD`` triggers unwrapped
    (or skipped when ``onbuild`` is false)."""
    source = stage.instructions if stage is not None else df.instructions
    for inst in source:
        if inst.keyword == "ONBUILD":
            if onbuild and inst.inner is not None:
                yield inst.inner
            continue
        yield inst
