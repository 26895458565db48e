"""The shell a ``RUN`` executes, split into commands once per instruction.

A RUN runs one script (shell form, or exec form ``["sh", "-c", "…"]``) and, with heredocs, the
bodies that are shell scripts too.  :func:`run_scripts` splits them with
:func:`shiplint.sources.shell.split_commands` on first use and keeps the result in the
instruction's ``cache``: every rule that reads the commands of a RUN gets the same objects, so
a RUN is split once however many rules look at it.  Treat them as read-only.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Callable, Iterator

from shiplint.core.findings import Region
from shiplint.model.dockerfile.stages import chain, instructions, stage_of
from shiplint.model.packages import SHELLS
from shiplint.sources.dockerfile import Dockerfile, Heredoc, Instruction, Stage
from shiplint.sources.shell import Command, Word, split_commands

__all__ = ["RunScript", "all_commands", "run_scripts", "runs", "shell_of"]

_CACHE_KEY = "shiplint.run_scripts"


@dataclass(eq=False)
class RunScript:
    """One shell script of a RUN instruction, split into commands.

    Offsets of the commands and words are indices into ``text``; the region methods map them to
    the Dockerfile (across continuation lines, or into a heredoc body).
    """

    inst: Instruction
    text: str
    commands: list[Command]
    _region: Callable[[int, int], Region]
    #: the heredoc whose body this script is (None: the RUN's own text or ``sh -c`` argument)
    heredoc: Heredoc | None = None

    def region(self, start: int, end: int) -> Region:
        """The file region of ``text[start:end]``."""
        return self._region(start, end)

    def command_region(self, cmd: Command) -> Region:
        """From the program word (past assignments and wrappers) to the end of ``cmd``."""
        start = cmd.program_word.start if cmd.program_word is not None else cmd.start
        return self._region(start, cmd.end)

    def word_region(self, word: Word) -> Region:
        return self._region(word.start, word.end)


def run_scripts(inst: Instruction) -> tuple[RunScript, ...]:
    """The shell scripts a RUN executes (none for another instruction), split once and cached.

    Heredoc bodies count when they are the script itself (``RUN <<EOF``) or are fed to a shell
    (``RUN bash <<EOF``), unless a shebang names another interpreter; a heredoc fed to
    ``cat``/``python``... is data and is not checked.
    """
    if inst.keyword != "RUN":
        return ()
    scripts = inst.cache.get(_CACHE_KEY)
    if scripts is None:
        scripts = inst.cache[_CACHE_KEY] = _split_run(inst)
    return scripts


def _split_run(inst: Instruction) -> tuple[RunScript, ...]:
    if inst.exec_form:
        args = inst.args
        if len(args) >= 3 and args[0].value.rsplit("/", 1)[-1] in SHELLS:
            opt = args[1].value
            if opt.startswith("-") and opt.endswith("c"):
                arg = args[2]
                text = arg.value
                return (RunScript(inst, text, split_commands(text), lambda s, e, r=arg.region: r),)
        return ()
    main = RunScript(inst, inst.text, split_commands(inst.text), inst.region_of)
    if not inst.heredocs:
        return (main,)
    scripts = [main]
    programs = [c for c in main.commands if c.program is not None]
    as_script = not programs
    if len(programs) == 1 and programs[0].name in SHELLS:
        as_script = not any(w.value.startswith("-") and w.value.endswith("c") and not w.value.startswith("--")
                            for w in programs[0].args)
    if as_script:
        for doc in inst.heredocs:
            if doc.fd not in (None, 0) or not _shebang_is_shell(doc.body):
                continue
            scripts.append(RunScript(inst, doc.raw_body, split_commands(doc.raw_body), _heredoc_mapper(doc), doc))
    return tuple(scripts)


_SHEBANG = re.compile(r"#!\s*(\S+)(?:[ \t]+(\S+))?")


def _shebang_is_shell(body: str) -> bool:
    m = _SHEBANG.match(body)
    if not m:
        return True
    prog = m.group(1).rsplit("/", 1)[-1]
    if prog == "env" and m.group(2):
        prog = m.group(2).rsplit("/", 1)[-1]
    return prog in SHELLS


def _heredoc_mapper(doc: Heredoc) -> Callable[[int, int], Region]:
    text = doc.raw_body
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())

    def pos(offset: int) -> tuple[int, int]:
        i = bisect_right(starts, offset) - 1
        return doc.body_start_line + i, offset - starts[i] + 1

    def region(start: int, end: int) -> Region:
        line, col = pos(start)
        if end <= start:
            return Region(line, col, line, col)
        eline, ecol = pos(end - 1)
        return Region(line, col, eline, ecol + 1)

    return region


def all_commands(scripts: tuple[RunScript, ...] | list[RunScript]) -> list[tuple[RunScript, Command]]:
    """Every command of ``scripts`` with the script it belongs to, in order."""
    return [(s, c) for s in scripts for c in s.commands]


def runs(df: Dockerfile, stage: Stage | None = None) -> Iterator[tuple[Instruction, tuple[RunScript, ...]]]:
    """Every RUN of a stage (or of the file), ONBUILD RUN triggers included, with its scripts."""
    for inst in instructions(df, stage):
        if inst.keyword == "RUN":
            yield inst, run_scripts(inst)


def shell_of(df: Dockerfile, inst: Instruction) -> list[str] | None:
    """The ``SHELL`` argv in effect for ``inst`` (a SHELL of a stage it is built FROM counts:
    the image configuration carries it); None for the default (``/bin/sh -c``)."""
    stage = stage_of(df, inst)
    if stage is None:
        return None
    current = None
    for s in reversed(chain(df, stage)):
        for i in s.instructions:
            if i is inst or i.inner is inst:
                return current
            if i.keyword == "SHELL" and i.exec_form:
                current = [a.value for a in i.args]
    return current
