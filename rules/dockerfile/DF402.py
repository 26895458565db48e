"""Package-manager caches left in the layer.

* apt: ``apt-get/apt install`` without ``rm -rf /var/lib/apt/lists/*`` (or ``apt-get dist-clean``)
  after it in the same RUN;
* apk: ``apk add`` without ``--no-cache`` (or ``--no-network``, or ``rm -rf /var/cache/apk/*``);
* pip: ``pip install`` without ``--no-cache-dir`` (or ``PIP_NO_CACHE_DIR`` set by ``ENV``, by an
  assignment before the command, or by an ``export`` earlier in the RUN);
* yum/dnf/microdnf/tdnf: ``install``/``reinstall`` without ``clean all`` (or ``rm -rf
  /var/cache/yum|dnf|libdnf5``) after it.

A clean *before* the install does not count: the install fills the cache again.  A
``RUN --mount=type=cache`` (or ``tmpfs``) at the cache directory satisfies the rule: the cache
then lives outside the layer.  Only the final stage and the stages it is built ``FROM`` are
checked: a builder stage used through ``COPY --from`` is discarded, and a stage the final image
never uses is not part of it.
"""

from shiplint.core.findings import Fix, Hit
from shiplint.registry.rule import rule
from shiplint.model.packages import cleans_yum, is_dry_run, package_operations, removes_apt_lists, rm_targets

from shiplint.model.dockerfile import all_commands, covered_by_mount, final_image_stages, runs, stage_env
from shiplint.rules.dockerfile._fix import action_word, append_to_run, insert_after

_RPM = ("yum", "dnf", "microdnf", "tdnf")
_PIP_CACHES = ("/root/.cache", "/root/.cache/pip", "~/.cache", "~/.cache/pip")


def _sets_pip_no_cache(word) -> bool:
    name, eq, value = word.value.partition("=")
    return name == "PIP_NO_CACHE_DIR" and bool(eq) and value != ""


def _last_index(cmds, test) -> int:
    """The index of the last command for which ``test([command])`` holds (-1 if none)."""
    last = -1
    for i, c in enumerate(cmds):
        if test([c]):
            last = i
    return last


@rule
def check(dockerfile, ctx):
    for stage in final_image_stages(dockerfile):
        for inst, scripts in runs(dockerfile, stage):
            pairs = all_commands(scripts)
            cmds = [c for _, c in pairs]
            where = {id(c): s for s, c in pairs}
            ops = package_operations(cmds)
            if not ops:
                continue
            index = {id(c): i for i, c in enumerate(cmds)}
            # where the last clean of each cache happens, worked out once: a RUN may hold
            # thousands of installs; an install is covered by a clean that comes after it
            apt_clean = max(
                _last_index(cmds, removes_apt_lists),
                max((index[id(o.command)] for o in ops
                     if o.manager in ("apt-get", "apt") and o.action == "dist-clean"), default=-1),
            )
            rpm_clean = max(
                _last_index(cmds, cleans_yum),
                _last_index(cmds, lambda c: any(t.startswith("/var/cache/") for t in rm_targets(c))),
            )
            apk_clean = _last_index(cmds, lambda c: any(t.startswith("/var/cache/apk") for t in rm_targets(c)))
            pip_clean = _last_index(cmds, lambda c: any(t.rstrip("/*").rstrip("/") in _PIP_CACHES for t in rm_targets(c)))
            pip_exported = min(
                (i for i, c in enumerate(cmds) if c.name == "export" and any(map(_sets_pip_no_cache, c.args))),
                default=len(cmds),
            )
            env = None
            for op in ops:
                problem = None
                at = index[id(op.command)]
                if is_dry_run(op):
                    continue
                if op.manager in ("apt-get", "apt", "aptitude") and op.action == "install":
                    if apt_clean < at and not covered_by_mount(inst, "/var/lib/apt/lists"):
                        problem = ("the apt package lists stay in the layer; end the same RUN with "
                                   "'rm -rf /var/lib/apt/lists/*' (or use a cache mount)")
                elif op.manager == "apk" and op.action == "add":
                    if not ({"--no-cache", "--no-network"} & op.flags) and not covered_by_mount(inst, "/var/cache/apk") \
                            and apk_clean < at:
                        problem = "the apk index and package cache stay in the layer; use 'apk add --no-cache'"
                elif op.manager == "pip" and op.action == "install":
                    if env is None:
                        env = stage_env(dockerfile, stage, inst)
                    if "--no-cache-dir" not in op.flags and env.get("PIP_NO_CACHE_DIR") in (None, "") \
                            and not any(map(_sets_pip_no_cache, op.command.assignments)) \
                            and pip_exported > at \
                            and not any(covered_by_mount(inst, p) for p in _PIP_CACHES[:2]) \
                            and pip_clean < at:
                        problem = ("pip keeps downloaded wheels in ~/.cache/pip inside the layer; add "
                                   "--no-cache-dir (or a cache mount at /root/.cache/pip)")
                elif op.manager in _RPM and op.action in ("install", "reinstall"):
                    if rpm_clean < at and not covered_by_mount(inst, f"/var/cache/{'yum' if op.manager == 'yum' else 'dnf'}") \
                            and not covered_by_mount(inst, "/var/cache/libdnf5"):
                        problem = (f"the {op.manager} metadata and package cache stay in the layer; "
                                   f"end the same RUN with '{op.manager} clean all'")
                if problem:
                    yield Hit(
                        f"'{op.manager} {op.action}': {problem}",
                        where[id(op.command)].command_region(op.command),
                        subject=f"RUN:{op.manager}-{op.action}:{','.join(op.packages)[:80]}",
                        fix=_fix(inst, where[id(op.command)], op),
                    )


def _fix(inst, script, op):
    """A flag after the action for apk and pip; a cleaning command at the end of the RUN for
    apt and the rpm managers (there is no flag that keeps their caches out)."""
    if op.manager in ("apk", "pip"):
        flag = " --no-cache" if op.manager == "apk" else " --no-cache-dir"
        word = action_word(script, op)
        return Fix(f"add{flag}", [insert_after(script.word_region(word), flag)]) if word else None
    if op.manager in ("apt-get", "apt", "aptitude"):
        command = " && rm -rf /var/lib/apt/lists/*"
    else:
        command = f" && {op.manager} clean all"
    edit = append_to_run(inst, command)
    return Fix(f"end the RUN with '{command[4:]}'", [edit]) if edit else None
