"""Helpers shared by the Dockerfile rules (not a rule module: the leading ``_`` hides it).

* stage relations: the chain of base stages, which stages ship (end up in an image);
* RUN scripts: the shell text of a ``RUN`` (shell form, ``sh -c`` exec form, heredoc bodies
  that are shell scripts), split into commands, with offsets mapped back to file positions;
* ``--mount`` flags, variable resolution for ``USER``/``LABEL``, unquoting of keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator

from shiplint.core.findings import Region
from shiplint.sources.imageref import ImageRef, parse_image_ref
from shiplint.sources.dockerfile import Dockerfile, Instruction, Stage, expand_word, unquote as _unquote
from shiplint.sources.shell import Command, split_commands

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})


# ---------------------------------------------------------------------------------------------
# Stages


def subject(stage: Stage, what: str) -> str:
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


def shipped_stages(df: Dockerfile) -> set[int]:
    """Stages whose layers end up in an image someone runs.

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


def instructions(df: Dockerfile, stage: Stage | None = None, onbuild: bool = True) -> Iterator[Instruction]:
    """Instructions of ``stage`` (or of the whole file), with ``ONBUILD`` triggers unwrapped."""
    source = stage.instructions if stage is not None else df.instructions
    for inst in source:
        if inst.keyword == "ONBUILD":
            if onbuild and inst.inner is not None:
                yield inst.inner
            continue
        yield inst


# ---------------------------------------------------------------------------------------------
# Variables


def stage_env(df: Dockerfile, stage: Stage, upto: Instruction | None = None) -> dict[str, str | None]:
    """ARG defaults and ENV values visible in ``stage`` before ``upto`` (base stages first)."""
    env: dict[str, str | None] = {}
    glob: dict[str, str | None] = {}
    for g in df.global_args:
        for a in g.args:
            name, eq, value = a.value.partition("=")
            glob[name] = expand_word(value, glob, df.escape)[0] if eq else None
    for s in reversed(chain(df, stage)):
        for inst in s.instructions[1:]:
            if inst is upto:
                return env
            if inst.keyword == "ARG":
                for a in inst.args:
                    name, eq, value = a.value.partition("=")
                    if eq:
                        env[name] = expand_word(value, env, df.escape)[0]
                    else:
                        env[name] = glob.get(name, env.get(name))
            elif inst.keyword == "ENV":
                for key, value, _ in key_values(inst, df.escape, env):
                    env[key] = value
    return env


unquote = _unquote


def key_values(inst: Instruction, escape: str = "\\", env: dict | None = None):
    """(key, value, arg) of an ``ENV``/``LABEL``/``ARG`` instruction (legacy ``ENV k v`` too).

    The key is unquoted; the value is expanded from ``env`` when given (else just unquoted).
    ``ARG NAME`` without a default yields a value of None.
    """
    args = inst.args
    if not args:
        return
    if inst.keyword in ("ENV", "LABEL") and "=" not in args[0].value:
        # legacy form: the first word is the key, the rest of the text is the value
        key = unquote(args[0].value, escape)
        rest = " ".join(a.value for a in args[1:])
        yield key, _value(rest, escape, env), args[0]
        return
    for a in args:
        key, eq, value = a.value.partition("=")
        key = unquote(key, escape)
        if not eq:
            yield key, None, a
        else:
            yield key, _value(value, escape, env), a


def _value(raw: str, escape: str, env: dict | None) -> str:
    if env is None:
        return unquote(raw, escape)
    value, ok = expand_word(raw, env, escape)
    return value if ok else unquote(raw, escape)


# ---------------------------------------------------------------------------------------------
# --mount


def mounts(inst: Instruction) -> list[dict[str, str]]:
    """The ``--mount`` flags of a RUN as dicts (``type`` defaults to ``bind``)."""
    out = []
    for f in inst.flags_named("mount"):
        d: dict[str, str] = {"type": "bind"}
        for part in (f.value or "").split(","):
            k, eq, v = part.partition("=")
            k = k.strip().lower()
            if k in ("target", "dst", "destination"):
                k = "target"
            d[k] = v.strip() if eq else "true"
        out.append(d)
    return out


def cache_mount_targets(inst: Instruction) -> list[str]:
    """Targets of ``--mount=type=cache`` (and ``tmpfs``: nothing there persists either)."""
    return [
        m["target"].rstrip("/") or "/"
        for m in mounts(inst)
        if m.get("type") in ("cache", "tmpfs") and m.get("target")
    ]


def covered_by_mount(inst: Instruction, path: str) -> bool:
    """A cache/tmpfs mount at ``path`` or at one of its parents."""
    path = path.rstrip("/")
    return any(path == t or path.startswith(t + "/") or t == "/" for t in cache_mount_targets(inst))


# ---------------------------------------------------------------------------------------------
# RUN scripts


@dataclass(eq=False)
class Script:
    """One shell script of a RUN instruction, split into commands."""

    inst: Instruction
    text: str
    commands: list[Command]
    _region: Callable[[int, int], Region]

    def region(self, start: int, end: int) -> Region:
        return self._region(start, end)

    def command_region(self, cmd: Command) -> Region:
        start = cmd.program_word.start if cmd.program_word is not None else cmd.start
        return self._region(start, cmd.end)

    def word_region(self, word) -> Region:
        return self._region(word.start, word.end)


_SHEBANG = re.compile(r"#!\s*(\S+)(?:[ \t]+(\S+))?")


def _shebang_is_shell(body: str) -> bool:
    m = _SHEBANG.match(body)
    if not m:
        return True
    prog = m.group(1).rsplit("/", 1)[-1]
    if prog == "env" and m.group(2):
        prog = m.group(2).rsplit("/", 1)[-1]
    return prog in SHELLS


def _heredoc_mapper(doc) -> Callable[[int, int], Region]:
    text = doc.raw_body
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())

    def pos(offset: int) -> tuple[int, int]:
        import bisect

        i = bisect.bisect_right(starts, offset) - 1
        return doc.body_start_line + i, offset - starts[i] + 1

    def region(start: int, end: int) -> Region:
        line, col = pos(start)
        if end <= start:
            return Region(line, col, line, col)
        eline, ecol = pos(end - 1)
        return Region(line, col, eline, ecol + 1)

    return region


def run_scripts(inst: Instruction) -> list[Script]:
    """The shell scripts a RUN executes.  Heredoc bodies count when they are the script itself
    (``RUN <<EOF``) or are fed to a shell (``RUN bash <<EOF``), unless a shebang names another
    interpreter; a heredoc fed to ``cat``/``python``... is data and is not checked."""
    if inst.keyword != "RUN":
        return []
    if inst.exec_form:
        args = inst.args
        if len(args) >= 3 and args[0].value.rsplit("/", 1)[-1] in SHELLS:
            opt = args[1].value
            if opt.startswith("-") and opt.endswith("c"):
                arg = args[2]
                text = arg.value
                return [Script(inst, text, split_commands(text), lambda s, e, r=arg.region: r)]
        return []
    scripts = [Script(inst, inst.text, split_commands(inst.text), inst.region_of)]
    if inst.heredocs:
        main = scripts[0].commands
        programs = [c for c in main if c.program is not None]
        as_script = not programs
        if len(programs) == 1 and programs[0].name in SHELLS:
            as_script = not any(w.value.startswith("-") and w.value.endswith("c") and not w.value.startswith("--")
                                for w in programs[0].args)
        if as_script:
            for doc in inst.heredocs:
                if doc.fd not in (None, 0) or not _shebang_is_shell(doc.body):
                    continue
                scripts.append(Script(inst, doc.raw_body, split_commands(doc.raw_body), _heredoc_mapper(doc)))
    return scripts


def all_commands(scripts: list[Script]) -> list[tuple[Script, Command]]:
    return [(s, c) for s in scripts for c in s.commands]


def runs(df: Dockerfile, stage: Stage | None = None) -> Iterator[tuple[Instruction, list[Script]]]:
    """Every RUN of a stage (or of the file), ONBUILD RUN triggers included, with its scripts."""
    for inst in instructions(df, stage):
        if inst.keyword == "RUN":
            yield inst, run_scripts(inst)


def stage_of(df: Dockerfile, inst: Instruction) -> Stage | None:
    return df.stages[inst.stage] if inst.stage is not None and inst.stage < len(df.stages) else None


_DRY_RUN = frozenset({"-s", "--simulate", "--dry-run", "--just-print", "--no-act", "--recon"})


def is_dry_run(op) -> bool:
    """``apt-get install -s ...`` only simulates."""
    return bool(_DRY_RUN & op.flags)


def is_windows(stage: Stage) -> bool:
    ref = external_ref(stage)
    if ref is None:
        return False
    repo = ref.repository.lower()
    tag = (ref.tag or "").lower()
    return "windows" in repo or "nanoserver" in tag or "servercore" in tag or "windowsservercore" in tag
