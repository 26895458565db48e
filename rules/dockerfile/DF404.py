"""The whole build context is copied, then dependencies are
installed in the same stage, so any source change re-runs the install.

Whole context: a ``COPY``/``ADD`` (not ``--from``) of ``.``, ``./`` or ``*``.  Dependency
installs: ``npm install|ci`` (not ``-g``), ``yarn [install]``, ``pnpm install``,
``pip install -r``, ``pipenv install``, ``poetry install``, ``uv sync``, ``go mod download``,
``bundle install``, ``composer install``, ``mvn dependency:*``, ``gradle dependencies``,
``cargo fetch``, ``dotnet restore``.  Copying the manifests first, installing, then
``COPY . .`` is the recommended order and is not flagged.
"""

from shiplint.core.findings import Hit, Location
from shiplint.registry.rule import rule
from shiplint.model.packages import package_operations

from shiplint.model.dockerfile import all_commands, run_scripts, subject

_WHOLE = frozenset({".", "./", "./.", "*", "./*", ".\\"})


def dependency_install(cmd) -> str | None:
    """A short description when ``cmd`` installs project dependencies."""
    name = cmd.name
    args = cmd.arg_values
    plain = [a for a in args if not a.startswith("-")]
    first = plain[0] if plain else None
    if name == "go" and args[:2] == ["mod", "download"]:
        return "go mod download"
    if name == "bundle" and first in ("install", None):
        return "bundle install"
    if name == "composer" and first in ("install", "update"):
        return f"composer {first}"
    if name in ("mvn", "mvnw", "./mvnw") or (cmd.program or "").endswith("mvnw"):
        if any(a.startswith("dependency:") or a.endswith(":go-offline") for a in args):
            return "mvn dependency:..."
    if (name in ("gradle", "gradlew") or (cmd.program or "").endswith("gradlew")) and "dependencies" in args:
        return "gradle dependencies"
    if name == "cargo" and first == "fetch":
        return "cargo fetch"
    if name == "dotnet" and first == "restore":
        return "dotnet restore"
    if name == "pnpm" and first in ("install", "i", None):
        return "pnpm install"
    if name == "pipenv" and first in ("install", "sync"):
        return f"pipenv {first}"
    if name == "poetry" and first == "install":
        return "poetry install"
    if name == "uv" and first == "sync":
        return "uv sync"
    ops = package_operations([cmd])
    if ops:
        op = ops[0]
        if op.manager == "npm" and op.action in ("install", "ci") and not op.packages \
                and not ({"-g", "--global"} & op.flags):
            return f"npm {op.action}"
        if op.manager == "yarn" and op.action == "install" and "global" not in op.flags:
            return "yarn install"
        if op.manager == "pip" and op.action == "install" and ("-r" in op.option_values or "--requirement" in op.option_values):
            return "pip install -r"
    return None


@rule
def check(dockerfile, ctx):
    for stage in dockerfile.stages:
        whole = None
        for inst in stage.instructions:
            if inst.keyword in ("COPY", "ADD") and inst.flag("from") is None and len(inst.args) >= 2:
                src = next((a for a in inst.args[:-1] if a.value in _WHOLE), None)
                if src is not None and whole is None:
                    whole = (inst, src)
                continue
            if whole is None or inst.keyword != "RUN":
                continue
            scripts = run_scripts(inst)
            for script, cmd in all_commands(scripts):
                what = dependency_install(cmd)
                if what is None:
                    continue
                copy, src = whole
                region = script.command_region(cmd)
                yield Hit(
                    f"{copy.keyword} {src.value} copies the whole build context before '{what}' "
                    f"(line {region.line}): every source change invalidates the dependency layer; "
                    "copy the dependency manifests first, install, then copy the rest",
                    src.region,
                    subject=subject(stage, f"copy-context:{what}"),
                    related=[Location(dockerfile.path, region, f"dependency install: {what}")],
                )
                whole = None  # one finding per COPY
                break
