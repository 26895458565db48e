"""The Dockerfile model: what the Dockerfile rules (built-in and plugins) see on top of the
syntax tree of :mod:`shiplint.sources.dockerfile`.

A ``dockerfile`` rule receives a parsed :class:`~shiplint.sources.dockerfile.Dockerfile`; these
functions answer the questions rules ask about it::

    from shiplint.model.dockerfile import final_user, runs, shipped_stages

    @rule("ACME001")
    def check(dockerfile, ctx):
        shipped = shipped_stages(dockerfile)
        for inst, scripts in runs(dockerfile):
            if inst.stage not in shipped:
                continue
            for script in scripts:
                for cmd in script.commands:
                    if cmd.name == "chmod" and "777" in cmd.arg_values:
                        yield Hit("chmod 777 …", script.command_region(cmd), subject="RUN:chmod")

Stages (:mod:`.stages`)
    ``chain(df, stage)`` (the stage and the stages it is built FROM), ``final_image_stages(df)``
    (the chain of the final stage: what the final image is made of), ``root_image``,
    ``stage_by_ref`` (a ``--from=`` value), ``stage_of(df, inst)``, ``shipped_stages(df)`` (the
    stages whose layers end up in an image), ``external_ref(stage)`` (the parsed base image),
    ``is_windows``, ``instructions(df, stage)`` (ONBUILD triggers unwrapped), ``subject``.
RUN scripts (:mod:`.run`)
    ``run_scripts(inst)``: the shell scripts of a RUN as :class:`RunScript` (commands from
    :mod:`shiplint.sources.shell`, regions in the file), split once per instruction and shared
    by every rule; ``runs(df, stage)`` yields ``(inst, scripts)`` for every RUN;
    ``all_commands(scripts)``; ``shell_of(df, inst)`` (the ``SHELL`` in effect).  What commands mean (``apt-get install``, ``curl | sh``) is in
    :mod:`shiplint.model.packages`.
Pulled images (:mod:`.images`)
    ``pulled_images(df)``: every image the build pulls (``FROM``, ``COPY --from``,
    ``RUN --mount=from``) as :class:`PulledImage` (text, region, subject, parsed reference).
Mounts (:mod:`.mount`)
    ``mounts(inst)`` (``--mount`` flags as dicts), ``cache_mount_targets``,
    ``covered_by_mount(inst, path)``.
Variables (:mod:`.env`)
    ``stage_env(df, stage, upto)`` (ARG and ENV values in effect), ``key_values(inst)`` (the
    pairs of ``ENV``/``LABEL``/``ARG``), ``unquote``.
User (:mod:`.user`)
    ``final_user(df)`` (:class:`EffectiveUser` of the final stage), ``is_root``,
    ``base_runs_as_non_root``.
"""

from shiplint.model.dockerfile.env import key_values, stage_env, unquote
from shiplint.model.dockerfile.images import PulledImage, pulled_images
from shiplint.model.dockerfile.mount import cache_mount_targets, covered_by_mount, mounts
from shiplint.model.dockerfile.run import RunScript, all_commands, run_scripts, runs, shell_of
from shiplint.model.dockerfile.stages import (
    chain,
    external_ref,
    final_image_stages,
    instructions,
    is_windows,
    root_image,
    shipped_stages,
    stage_by_ref,
    stage_of,
    subject,
)
from shiplint.model.dockerfile.user import EffectiveUser, base_runs_as_non_root, final_user, is_root
from shiplint.model.packages import SHELLS

__all__ = [
    "SHELLS",
    "EffectiveUser",
    "PulledImage",
    "RunScript",
    "all_commands",
    "base_runs_as_non_root",
    "cache_mount_targets",
    "chain",
    "covered_by_mount",
    "external_ref",
    "final_user",
    "instructions",
    "is_root",
    "is_windows",
    "key_values",
    "mounts",
    "pulled_images",
    "root_image",
    "run_scripts",
    "runs",
    "shell_of",
    "shipped_stages",
    "stage_by_ref",
    "stage_env",
    "stage_of",
    "subject",
    "unquote",
]
