"""The syntax tree of a Dockerfile: directives, instructions with their flags, arguments and
heredocs, build stages.  Every node carries its :class:`~shiplint.core.findings.Region` in the
file (1-based lines and columns, ``end_column`` exclusive).

Built by :func:`shiplint.sources.dockerfile.parse_dockerfile`; nothing here parses text.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from shiplint.core.findings import Region

#: Every instruction keyword BuildKit accepts (upper case).
KEYWORDS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
        "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
        "WORKDIR",
    }
)


@dataclass(slots=True)
class Directive:
    name: str  # lower case: syntax, escape or check
    value: str
    region: Region


@dataclass(slots=True)
class Flag:
    name: str  # without the leading "--"
    value: str | None  # unquoted; None for a bare ``--name``
    region: Region  # covers ``--name=value`` as written


@dataclass(slots=True)
class Arg:
    value: str
    region: Region


@dataclass(slots=True)
class Heredoc:
    delimiter: str
    body: str  # content, each line ending in "\n"; leading tabs removed when strip_tabs
    strip_tabs: bool  # ``<<-``
    quoted: bool  # the delimiter was quoted: no variable expansion in the body
    region: Region  # the body lines (empty region at the terminator line for an empty body)
    body_start_line: int
    raw_body: str = ""  # content as written (tabs not stripped)
    terminator_line: int = 0
    fd: int | None = None  # ``3<<EOF``


class PosMap:
    """Maps offsets of a joined (continuation-free) instruction line to file positions."""

    __slots__ = ("starts", "lines", "cols")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.lines: list[int] = []
        self.cols: list[int] = []

    def add(self, offset: int, line: int, col: int) -> None:
        self.starts.append(offset)
        self.lines.append(line)
        self.cols.append(col)

    def pos(self, offset: int) -> tuple[int, int]:
        i = bisect_right(self.starts, offset) - 1
        if i < 0:
            i = 0
        return self.lines[i], self.cols[i] + offset - self.starts[i]

    def region(self, start: int, end: int) -> Region:
        starts = self.starts
        i = bisect_right(starts, start) - 1
        if i < 0:
            i = 0
        line = self.lines[i]
        col = self.cols[i] + start - starts[i]
        if end <= start:
            return Region(line, col, line, col)
        if i + 1 == len(starts) or end <= starts[i + 1]:  # common case: one physical line
            return Region(line, col, line, col + end - start)
        end_line, end_col = self.pos(end - 1)
        return Region(line, col, end_line, end_col + 1)


@dataclass(slots=True, eq=False)
class Instruction:
    keyword: str
    region: Region
    keyword_region: Region
    flags: list[Flag]
    args: list[Arg]
    exec_form: bool
    text: str
    heredocs: list[Heredoc] = field(default_factory=list)
    stage: int | None = None
    inner: Instruction | None = None
    _posmap: PosMap | None = field(default=None, repr=False)
    _text_offset: int = field(default=0, repr=False)
    #: Views computed from this instruction by the layers above (the split shell of a RUN:
    #: :func:`shiplint.model.dockerfile.run_scripts`), kept with it so that every rule that
    #: looks at the instruction shares one copy.  Keys belong to whoever computes the view.
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def flag(self, name: str) -> Flag | None:
        """The last ``--name`` flag (BuildKit keeps the last value of a repeated flag)."""
        found = None
        for f in self.flags:
            if f.name == name:
                found = f
        return found

    def flags_named(self, name: str) -> list[Flag]:
        return [f for f in self.flags if f.name == name]

    def position_of(self, offset: int) -> tuple[int, int]:
        """(line, column) in the file of ``self.text[offset]``; ``len(text)`` is just past the end."""
        pm = self._posmap
        if pm is None:
            return self.region.line, self.region.column
        offset = max(0, min(offset, len(self.text)))
        if offset == len(self.text) and offset > 0:
            line, col = pm.pos(self._text_offset + offset - 1)
            return line, col + 1
        return pm.pos(self._text_offset + offset)

    def region_of(self, start: int, end: int) -> Region:
        """The file region of ``self.text[start:end]`` (may span continuation lines)."""
        pm = self._posmap
        if pm is None:
            return self.region
        n = len(self.text)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        if start == end:
            line, col = self.position_of(start)
            return Region(line, col, line, col)
        return pm.region(self._text_offset + start, self._text_offset + end)


@dataclass(slots=True, eq=False)
class Stage:
    index: int
    name: str | None
    from_instruction: Instruction
    image: str
    image_raw: str
    image_region: Region
    image_resolved: bool
    platform: str | None
    instructions: list[Instruction]
    base_stage: int | None
    is_scratch: bool

    @property
    def is_external(self) -> bool:
        """The stage starts from an image pulled from a registry (not scratch, not a stage)."""
        return not self.is_scratch and self.base_stage is None


@dataclass(slots=True, eq=False)
class Dockerfile:
    directives: list[Directive]
    escape: str
    instructions: list[Instruction]
    stages: list[Stage]
    global_args: list[Instruction]
    lines: list[str]
    comments: list[tuple[int, str]]
    #: Display path of the file, set by the engine (rules use it in subjects).
    path: str = ""

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def directive(self, name: str) -> Directive | None:
        name = name.lower()
        for d in self.directives:
            if d.name == name:
                return d
        return None
