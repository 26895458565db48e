"""Package-manager caches left in the layer.

* apt: ``apt-get/apt install`` without ``rm -rf /var/lib/apt/lists/*`` (or ``apt-get dist-clean``)
  in the same RUN;
* apk: ``apk add`` without ``--no-cache`` (or ``--no-network``, or ``rm -rf /var/cache/apk/*``);
* pip: ``pip install`` without ``--no-cache-dir`` (or ``PIP_NO_CACHE_DIR`` set);
* yum/dnf/microdnf/tdnf: ``install`` without ``clean all`` (or ``rm -rf /var/cache/yum|dnf``).

A ``RUN --mount=type=cache`` (or ``tmpfs``) at the cache directory satisfies the rule: the cache
then lives outside the layer.  Only stages whose layers ship are checked (a builder stage used
through ``COPY --from`` is discarded).
"""

from shiplint.core.findings import Fix, Hit
from shiplint.registry.rule import rule
from shiplint.model.packages import cleans_yum, is_dry_run, package_operations, removes_apt_lists, rm_targets

from shiplint.model.dockerfile import all_commands, covered_by_mount, runs, shipped_stages, stage_env
from shiplint.rules.dockerfile._fix import action_word, append_to_run, insert_after

_RPM = ("yum", "dnf", "microdnf", "tdnf")
_PIP_CACHES = ("/root/.cache/pip", "/root/.cache")


def _pip_cache_off(env: dict, cmd) -> bool:
    v = env.get("PIP_NO_CACHE_DIR")
    if v not in (None, ""):
        return True
    return any(w.raw.startswith("PIP_NO_CACHE_DIR=") and w.value != "PIP_NO_CACHE_DIR=" for w in cmd.assignments)


@rule
def check(dockerfile, ctx):
    shipped = shipped_stages(dockerfile)
    for stage in dockerfile.stages:
        if stage.index not in shipped:
            continue
        for inst, scripts in runs(dockerfile, stage):
            pairs = all_commands(scripts)
            cmds = [c for _, c in pairs]
            where = {id(c): s for s, c in pairs}
            ops = package_operations(cmds)
            if not ops:
                continue
            rm = list(rm_targets(cmds))
            # what the whole RUN does, worked out once: a RUN may hold thousands of installs
            apt_lists_removed = removes_apt_lists(cmds)
            yum_cleaned = cleans_yum(cmds)
            apt_dist_clean = any(o.manager in ("apt-get", "apt") and o.action == "dist-clean" for o in ops)
            apk_cache_removed = any(t.startswith("/var/cache/apk") for t in rm)
            pip_cache_removed = any(t.rstrip("/*").rstrip("/") in ("/root/.cache", "/root/.cache/pip", "~/.cache", "~/.cache/pip") for t in rm)
            rpm_cache_removed = any(t.startswith("/var/cache/") for t in rm)
            env = None
            for op in ops:
                problem = None
                if is_dry_run(op):
                    continue
                if op.manager in ("apt-get", "apt", "aptitude") and op.action == "install":
                    if not apt_lists_removed and not covered_by_mount(inst, "/var/lib/apt/lists") \
                            and not apt_dist_clean:
                        problem = ("the apt package lists stay in the layer; end the same RUN with "
                                   "'rm -rf /var/lib/apt/lists/*' (or use a cache mount)")
                elif op.manager == "apk" and op.action == "add":
                    if not ({"--no-cache", "--no-network"} & op.flags) and not covered_by_mount(inst, "/var/cache/apk") \
                            and not apk_cache_removed:
                        problem = "the apk index and package cache stay in the layer; use 'apk add --no-cache'"
                elif op.manager == "pip" and op.action == "install":
                    if env is None:
                        env = stage_env(dockerfile, stage, inst)
                    if "--no-cache-dir" not in op.flags and not _pip_cache_off(env, op.command) \
                            and not any(covered_by_mount(inst, p) for p in _PIP_CACHES) \
                            and not pip_cache_removed:
                        problem = ("pip keeps downloaded wheels in ~/.cache/pip inside the layer; add "
                                   "--no-cache-dir (or a cache mount at /root/.cache/pip)")
                elif op.manager in _RPM and op.action == "install":
                    if not yum_cleaned and not covered_by_mount(inst, f"/var/cache/{'yum' if op.manager == 'yum' else 'dnf'}") \
                            and not covered_by_mount(inst, "/var/cache/libdnf5") \
                            and not rpm_cache_removed:
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
