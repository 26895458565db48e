"""The shell of every RUN as standalone scripts for a shell checker (ShellCheck), with a map from
each script position back to the exact Dockerfile line and column.

A RUN's shell is not a file: its continuation lines are joined (the escape character and the
comment lines inside them removed), a heredoc body sits after the instruction, an exec-form
``["sh", "-c", "…"]`` holds the script in a JSON string with its own escapes.  :func:`shell_sources`
rebuilds each script a shell would run, in the dialect the stage's shell speaks, as lines that
each know where they come from:

* shell form: the joined instruction text, then — as a shell reads them — the lines of its
  heredocs and their terminators, verbatim from the file (a heredoc that is a script of its own
  is left blank there and checked on its own);
* a heredoc that is the script (``RUN <<EOF``, ``RUN bash <<EOF``): its body lines;
* exec form ``["bash", "-c", "SCRIPT"]``: the decoded string, each character mapped to the
  character of the JSON literal it comes from.

A header goes first and maps nowhere: a shebang naming the dialect (unless the script has its
own), the ``# shellcheck`` comments written above the RUN or among its continuation lines (which
BuildKit drops from the script), and ``export NAME …`` for the ARG and ENV names the stage
defines, so that the checker knows they are set (but not to what).  Nothing here runs anything.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Callable

from shiplint.core.findings import Region
from shiplint.model.dockerfile.env import key_values, stage_env
from shiplint.model.dockerfile.run import RunScript, run_scripts, shell_of
from shiplint.model.dockerfile.stages import chain, external_ref, instructions, is_windows, root_image, stage_of
from shiplint.sources.dockerfile import Dockerfile, Instruction

__all__ = ["ShellSource", "dialect_of", "shell_sources"]

#: program name → ShellCheck dialect (shells ShellCheck does not know, zsh or fish, are skipped)
_DIALECTS = {"sh": "sh", "bash": "bash", "dash": "dash", "ksh": "ksh", "mksh": "ksh", "ash": "busybox",
             "busybox": "busybox"}
_SHEBANG = re.compile(r"#!\s*(\S+)(?:[ \t]+(\S+))?")
_SC_COMMENT = re.compile(r"#\s*shellcheck\s+\S")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: BuildKit's platform arguments hold one word (``linux``, ``arm64``, ``linux/arm64/v8``): a
#: sample value tells the checker so
_PLATFORM_ARGS = {**dict.fromkeys(("TARGETOS", "BUILDOS"), "linux"),
                  **dict.fromkeys(("TARGETARCH", "BUILDARCH"), "amd64"),
                  **dict.fromkeys(("TARGETVARIANT", "BUILDVARIANT"), "v8"),
                  **dict.fromkeys(("TARGETPLATFORM", "BUILDPLATFORM"), "linux/amd64")}
_JSON_LITERAL = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"')

#: where one script line comes from: 1-based column in the line → (file line, file column)
Origin = Callable[[int], "tuple[int, int]"]


# The origins are small objects rather than closures so that a ShellSource can be pickled: a
# ``--jobs`` worker sends its scripts to the parent, which runs the checker for the whole run.
# They hold a copy of the instruction without the views rules cached on it (any object).
def _portable(inst: Instruction) -> Instruction:
    return dataclasses.replace(inst, cache={}, inner=None)


class _FileLine:
    """A line copied verbatim from the file."""

    __slots__ = ("line",)

    def __init__(self, line: int) -> None:
        self.line = line

    def __call__(self, col: int) -> tuple[int, int]:
        return self.line, col


class _JoinedLine:
    """A line of the joined instruction text, from offset ``base``."""

    __slots__ = ("inst", "base")

    def __init__(self, inst: Instruction, base: int) -> None:
        self.inst, self.base = inst, base

    def __call__(self, col: int) -> tuple[int, int]:
        return self.inst.position_of(self.base + col - 1)


class _JsonLine:
    """A line of the decoded exec-form string: each character at the JSON literal character it
    comes from (``offsets``, from the literal's start ``lit_start``)."""

    __slots__ = ("inst", "offsets", "lit_start", "lit_end", "base")

    def __init__(self, inst: Instruction, offsets: list[int], lit_start: int, lit_end: int, base: int) -> None:
        self.inst, self.offsets, self.lit_start, self.lit_end, self.base = inst, offsets, lit_start, lit_end, base

    def __call__(self, col: int) -> tuple[int, int]:
        k = self.base + col - 1
        if k < len(self.offsets):
            return self.inst.position_of(self.lit_start + self.offsets[k])
        return self.inst.position_of(self.lit_end - 1)  # past the end: the closing quote


@dataclass(eq=False)
class ShellSource:
    """One script to check: its lines, the dialect, and where each line comes from."""

    inst: Instruction
    dialect: str
    lines: list[str] = field(default_factory=list)
    origins: list[Origin | None] = field(default_factory=list)  # None: a header line

    @property
    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)

    def add(self, line: str, origin: Origin | None) -> None:
        self.lines.append(line)
        self.origins.append(origin)

    def position(self, line: int, column: int) -> tuple[int, int] | None:
        """The file position of 1-based (line, column) of the script; None in the header."""
        if not 1 <= line <= len(self.origins):
            return None
        origin = self.origins[line - 1]
        return origin(max(1, column)) if origin is not None else None

    def region(self, line: int, column: int, end_line: int, end_column: int) -> Region | None:
        """The file region of a script span (``end_column`` exclusive); None when it starts in
        the header."""
        start = self.position(line, column)
        if start is None:
            return None
        end = None
        if (end_line, end_column) > (line, column):
            last = self.position(end_line, end_column - 1) if end_column > 1 else None
            if last is not None:
                end = (last[0], last[1] + 1)
        if end is None or end < start:
            end = start
        return Region(start[0], start[1], end[0], end[1])


def dialect_of(program: str | None) -> str | None:
    """The ShellCheck dialect of a shell program (a path or a name), None when not a shell it knows."""
    if not program:
        return None
    return _DIALECTS.get(program.replace("\\", "/").rsplit("/", 1)[-1])


def _stage_dialect(df: Dockerfile, inst: Instruction) -> str | None:
    shell = shell_of(df, inst)
    if shell:
        return dialect_of(shell[0])
    stage = stage_of(df, inst)
    if stage is None:
        return "sh"
    base = root_image(df, stage)
    if is_windows(base):
        return None  # cmd.exe
    ref = external_ref(base)
    # Alpine's /bin/sh is busybox ash, which has much of bash: checking it as POSIX sh would
    # report its extensions as errors
    if ref is not None and ("alpine" in ref.repository.lower() or "alpine" in (ref.tag or "").lower()):
        return "busybox"
    return "sh"


def _directives(df: Dockerfile, inst: Instruction) -> list[str]:
    """``# shellcheck …`` comments among the RUN's continuation lines or directly above it."""
    first, last = inst.region.line, inst.region.end_line
    comments = dict(df.comments)
    out = [text for line, text in df.comments if first < line <= last and _SC_COMMENT.match(text.strip())]
    above = []
    line = first - 1
    while line in comments:
        if _SC_COMMENT.match(comments[line].strip()):
            above.append(comments[line].strip())
        line -= 1
    return list(reversed(above)) + [t.strip() for t in out]


def _header(src: ShellSource, shebang: bool, directives: list[str], names: dict[str, str | None]) -> None:
    if shebang:
        src.add("#!/bin/busybox sh" if src.dialect == "busybox" else f"#!/bin/{src.dialect}", None)
    for d in directives:
        src.add(d, None)
    unknown = [n for n, v in names.items() if v is None]
    if unknown:
        # declared without a value: set for the checker, yet of unknown content (a build
        # argument can hold spaces), so an unquoted use is still reported
        src.add("export " + " ".join(unknown), None)
    known = [f"{n}='" + v.replace("'", "'\\''") + "'" for n, v in names.items() if v is not None]
    if known:  # an ENV value written in the Dockerfile: the checker may judge its uses by it
        src.add("export " + " ".join(known), None)


def _script_shebang(body: str) -> str | None:
    m = _SHEBANG.match(body)
    if not m:
        return None
    prog = m.group(1)
    if prog.rsplit("/", 1)[-1] == "env" and m.group(2):
        prog = m.group(2)
    return dialect_of(prog)


def _heredoc_source(df: Dockerfile, script: RunScript, dialect: str | None, directives, names) -> ShellSource | None:
    doc = script.heredoc
    if doc is None or not doc.terminator_line:
        return None
    lines = df.lines[doc.body_start_line - 1 : doc.terminator_line - 1]
    has_shebang = script.text.startswith("#!")
    if has_shebang:
        dialect = _script_shebang(script.text)
    else:
        main = [c for c in run_scripts(script.inst)[0].commands if c.program is not None]
        if len(main) == 1:  # RUN bash <<EOF: that shell reads the body
            dialect = dialect_of(main[0].program) or dialect
    if dialect is None or not lines:
        return None
    src = ShellSource(script.inst, dialect)
    start = doc.body_start_line
    if has_shebang:  # the script's own shebang stays first; the header follows it
        src.add(lines[0], _FileLine(start))
        _header(src, False, directives, names)
        lines, start = lines[1:], start + 1
    else:
        _header(src, True, directives, names)
    for k, line in enumerate(lines):
        src.add(line, _FileLine(start + k))
    return src


def _main_source(df: Dockerfile, script: RunScript, own: set, dialect: str, directives, names) -> ShellSource:
    inst = script.inst
    src = ShellSource(inst, dialect)
    _header(src, True, directives, names)
    base = 0
    at = _portable(inst)
    for piece in inst.text.split("\n"):
        src.add(piece, _JoinedLine(at, base))
        base += len(piece) + 1
    for doc in inst.heredocs:
        if not doc.terminator_line:
            continue
        for line in range(doc.body_start_line, doc.terminator_line + 1):
            text = df.lines[line - 1] if line <= len(df.lines) else ""
            if id(doc) in own and line < doc.terminator_line:
                text = ""  # checked as a script of its own
            src.add(text, _FileLine(line))
    return src


def _json_char_map(raw: str) -> list[int]:
    """Offsets in the JSON literal ``raw`` (quotes included) of each decoded character."""
    out = []
    i = 1
    end = len(raw) - 1
    while i < end:
        out.append(i)
        if raw[i] == "\\":
            i += 6 if raw.startswith("u", i + 1) else 2
        else:
            i += 1
    return out


def _exec_source(script: RunScript, dialect: str, directives, names) -> ShellSource | None:
    inst = script.inst
    literals = list(_JSON_LITERAL.finditer(inst.text))
    if len(literals) < 3:
        return None
    lit = literals[2]
    offsets = _json_char_map(lit.group())
    text = script.text
    if len(offsets) != len(text):  # a surrogate pair: fall back to the literal's start
        offsets = [1] * len(text)
    src = ShellSource(inst, dialect)
    _header(src, True, directives, names)
    base = 0
    at = _portable(inst)
    for piece in text.split("\n"):
        src.add(piece, _JsonLine(at, offsets, lit.start(), lit.end(), base))
        base += len(piece) + 1
    return src


def _variables(df: Dockerfile, inst: Instruction) -> dict[str, str | None]:
    """The ARG and ENV names a RUN sees, each with its value when an ENV sets it to a literal
    (no variable in it, one line): a build argument can be overridden, so its value is unknown."""
    stage = stage_of(df, inst)
    if stage is None:
        return {}
    env = stage_env(df, stage, inst)
    literal: dict[str, str] = {}
    for s in reversed(chain(df, stage)):
        for i in s.instructions:
            if i is inst or i.inner is inst:
                break
            if i.keyword == "ENV":
                for key, value, _ in key_values(i, df.escape):
                    if value is not None and "$" not in value and "\n" not in value:
                        literal[key] = value
                    else:
                        literal.pop(key, None)
            elif i.keyword == "ARG":
                for key, _, _ in key_values(i, df.escape):
                    literal.pop(key, None)
    return {n: literal.get(n, _PLATFORM_ARGS.get(n)) for n in sorted(env) if _NAME.match(n)}


def shell_sources(df: Dockerfile) -> list[ShellSource]:
    """Every shell script the RUNs of ``df`` run (ONBUILD triggers included), ready for a
    checker; RUNs in a shell the checker does not know (PowerShell, cmd, zsh) are left out."""
    out: list[ShellSource] = []
    for inst in instructions(df):
        scripts = run_scripts(inst)
        if not scripts:
            continue
        names = _variables(df, inst)
        directives = _directives(df, inst)
        if inst.exec_form:
            dialect = dialect_of(inst.args[0].value)
            src = _exec_source(scripts[0], dialect, directives, names) if dialect else None
            if src is not None:
                out.append(src)
            continue
        dialect = _stage_dialect(df, inst)
        own = {id(s.heredoc) for s in scripts if s.heredoc is not None}
        main_programs = [c for c in scripts[0].commands if c.program is not None]
        if dialect is not None and (main_programs or not inst.heredocs):
            out.append(_main_source(df, scripts[0], own, dialect, directives, names))
        for s in scripts[1:]:
            src = _heredoc_source(df, s, dialect, directives, names)
            if src is not None:
                out.append(src)
    return out
