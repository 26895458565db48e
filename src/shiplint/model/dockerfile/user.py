"""The user the final image runs as."""

from __future__ import annotations

from dataclasses import dataclass

from shiplint.model.dockerfile.env import stage_env
from shiplint.model.dockerfile.stages import chain, external_ref, stage_of
from shiplint.sources.dockerfile import Dockerfile, Instruction, Stage, expand_word

__all__ = ["EffectiveUser", "base_runs_as_non_root", "final_user", "is_root"]


@dataclass
class EffectiveUser:
    instruction: Instruction  # the USER instruction in effect
    user: str  # the user part, ARGs and ENVs resolved when possible
    group: str | None  # after ``:``, if any
    resolved: bool  # False: ``user`` is the word as written (a variable without a value)


def final_user(df: Dockerfile) -> EffectiveUser | None:
    """The last ``USER`` of the final stage, or of the stages it is built FROM; None when no
    stage of that chain sets one (the base image's user applies)."""
    final = df.final_stage
    if final is None:
        return None
    for stage in chain(df, final):
        users = [i for i in stage.instructions if i.keyword == "USER" and i.args]
        if users:
            inst = users[-1]
            raw = inst.args[0].value
            value, ok = expand_word(raw, stage_env(df, stage_of(df, inst) or stage, inst), df.escape)
            if not ok:
                value = raw
            user, colon, group = value.partition(":")
            return EffectiveUser(inst, user, group if colon else None, ok)
    return None


def is_root(user: str) -> bool:
    return user in ("root", "0")


def base_runs_as_non_root(stage: Stage) -> bool:
    """Well-known image variants whose configured user is not root."""
    ref = external_ref(stage)
    if ref is None:
        return False
    tag = (ref.tag or "").lower()
    repo = ref.repository.lower()
    return "nonroot" in tag or repo.endswith("-unprivileged") or repo.endswith("-rootless")
