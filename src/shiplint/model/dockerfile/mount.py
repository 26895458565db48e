"""``RUN --mount=…`` flags."""

from __future__ import annotations

from shiplint.sources.dockerfile import Instruction

__all__ = ["cache_mount_targets", "covered_by_mount", "mounts"]


def mounts(inst: Instruction) -> list[dict[str, str]]:
    """The ``--mount`` flags of a RUN as dicts (``type`` defaults to ``bind``; ``dst`` and
    ``destination`` are spelled ``target``; a key without a value is ``"true"``)."""
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
