"""Variables: the ARG and ENV values a stage sees, and the keys and values of ``ENV``, ``LABEL``
and ``ARG``."""

from __future__ import annotations

from typing import Iterator

from shiplint.model.dockerfile.stages import chain
from shiplint.sources.dockerfile import Arg, Dockerfile, Instruction, Stage, expand_word, unquote

__all__ = ["key_values", "stage_env", "unquote"]


def stage_env(df: Dockerfile, stage: Stage, upto: Instruction | None = None) -> dict[str, str | None]:
    """ARG defaults and ENV values visible in ``stage`` before ``upto`` (base stages first).

    A declared ``ARG`` without a default (nor a global one) maps to None: its value comes from
    ``--build-arg``."""
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


def key_values(
    inst: Instruction, escape: str = "\\", env: dict[str, str | None] | None = None
) -> Iterator[tuple[str, str | None, Arg]]:
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


def _value(raw: str, escape: str, env: dict[str, str | None] | None) -> str:
    if env is None:
        return unquote(raw, escape)
    value, ok = expand_word(raw, env, escape)
    return value if ok else unquote(raw, escape)
