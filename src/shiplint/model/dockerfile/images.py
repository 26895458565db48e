"""The images a build pulls: the base images of its stages and the images that ``COPY --from``
and ``RUN --mount=…,from=`` name when they are not stages (the pinning, tag and registry rules
hold them all to the same standard)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from shiplint.core.findings import Region
from shiplint.model.dockerfile.env import stage_env
from shiplint.model.dockerfile.mount import mounts
from shiplint.model.dockerfile.stages import instructions, stage_by_ref, stage_of, subject
from shiplint.sources.dockerfile import Dockerfile, expand_word
from shiplint.sources.imageref import ImageRef, parse_image_ref

__all__ = ["PulledImage", "pulled_images"]


@dataclass(frozen=True)
class PulledImage:
    """An image the build pulls from a registry: the base image of a stage (``FROM``) or the
    image named by ``COPY --from=`` / ``RUN --mount=…,from=`` when it is not a stage."""

    text: str  # the reference, build arguments with defaults substituted
    resolved: bool  # every variable had a value
    region: Region  # the reference in the file (the ``from=`` part of a mount)
    subject: str  # line-independent identity: ``stage[build].from``, ``COPY.from:alpine``
    what: str  # for messages: ``base image``, ``'COPY --from' image``
    ref: ImageRef | None  # parsed when resolved
    stage: Stage | None = None  # the stage for a FROM image

    @property
    def unresolved_variables(self) -> list[str]:
        """The names of the variables left in :attr:`text` (no default, no build argument)."""
        return list(dict.fromkeys(m.group(1) or m.group(2) for m in _VARIABLE.finditer(self.text)))

    @property
    def tag_cannot_carry_digest(self) -> bool:
        """An unresolved reference written with a literal tag that is not just one variable
        (``static:latest-$ARCH``, ``golang:${GO}-alpine``) and no ``@``: whatever the variables
        hold, the image is named by a tag.  A variable standing for the whole reference or the
        whole tag (``$BASE``, ``img:${TAG}``) may hold a digest, so nothing is known."""
        if self.resolved or "@" in self.text:
            return False
        tail = _VARIABLE.sub("", self.text.rsplit("/", 1)[-1])
        name, colon, tag = self.text.rpartition(":")
        if not colon or "/" in tag or ":" not in tail:
            return False
        return _VARIABLE.fullmatch(tag) is None


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def _narrow_mount(region: Region, flag_text: str, key: str) -> Region:
    """The ``from=…`` part of a one-line ``--mount=…`` flag (the whole flag otherwise)."""
    m = re.search(r"(?:^|[=,])(" + key + r"=[^,]*)", flag_text)
    if m is None or region.line != region.end_line or region.end_column - region.column != len(flag_text):
        return region
    return Region(region.line, region.column + m.start(1), region.line, region.column + m.end(1))


def pulled_images(df: Dockerfile) -> Iterator[PulledImage]:
    """Every image the build pulls: external base images, then the images that ``COPY --from``
    and ``RUN --mount=from=`` name (a value naming a stage, by name or index, is not one).
    Build arguments are substituted with the values in effect at the instruction."""
    for stage in df.stages:
        if stage.is_external:
            yield PulledImage(
                stage.image, stage.image_resolved, stage.image_region, subject(stage, "from"),
                "base image", parse_image_ref(stage.image) if stage.image_resolved else None, stage,
            )
    for inst in instructions(df):
        refs: list[tuple[str, Region, str]] = []
        if inst.keyword in ("COPY", "ADD"):
            refs += [(f.value or "", f.region, f"'{inst.keyword} --from' image") for f in inst.flags_named("from")]
        elif inst.keyword == "RUN":
            for f, m in zip(inst.flags_named("mount"), mounts(inst)):
                if m.get("from") and m.get("type") in ("bind", "cache"):
                    text = f"--{f.name}={f.value}"
                    refs.append((m["from"], _narrow_mount(f.region, text, "from"), "'RUN --mount' image"))
        for value, region, what in refs:
            if not value or stage_by_ref(df, value) is not None:
                continue
            stage = stage_of(df, inst)
            if "$" in value:
                env = stage_env(df, stage, inst) if stage is not None else {}
                text, resolved = expand_word(value, env, df.escape)
                if not resolved:
                    text = value
                elif stage_by_ref(df, text) is not None:
                    continue
            else:
                text, resolved = value, True
            yield PulledImage(
                text, resolved, region, f"{inst.keyword}.from:{text.partition('@')[0]}", what,
                parse_image_ref(text) if resolved else None,
            )
