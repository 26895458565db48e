"""``npm install``/``npm ci``/``yarn install`` keeping dev dependencies in the shipped image."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.model.packages import package_operations

from shiplint.model.dockerfile import all_commands, final_image_stages, run_scripts, stage_env

_PROD_VALUES = frozenset({"production", "prod"})


def _production(op) -> bool:
    """The install leaves dev dependencies out."""
    if "dev" in op.option_values.get("--omit", []):
        return True
    if {"--production", "--prod", "-P"} & op.flags:
        return True
    for w in op.command.args:
        v = w.value.lower()
        if v.startswith("--only=") and v.split("=", 1)[1] in _PROD_VALUES:
            return True
        if v in ("--production=true", "--prod=true", "--omit=dev"):
            return True
    for w in op.command.assignments:
        key, _, value = w.value.partition("=")
        if key == "NODE_ENV" and value.strip("\"'") == "production":
            return True
        if key.lower() in ("npm_config_production", "yarn_production") and value.strip("\"'") == "true":
            return True
        if key.lower() == "npm_config_omit" and "dev" in value:
            return True
    return False


def _prunes(op) -> bool:
    return op.action == "prune" and (_production(op) or op.manager == "pnpm" and "--prod" in op.flags)


def _env_production(env: dict) -> bool:
    if (env.get("NODE_ENV") or "").strip("\"'") == "production":
        return True
    if (env.get("NPM_CONFIG_PRODUCTION") or env.get("npm_config_production") or "") == "true":
        return True
    return "dev" in (env.get("NPM_CONFIG_OMIT") or env.get("npm_config_omit") or "")


@rule
def check(dockerfile, ctx):
    for stage in final_image_stages(dockerfile):
        for inst in stage.instructions:
            if inst.keyword != "RUN":
                continue
            pairs = all_commands(run_scripts(inst))
            if not pairs:
                continue
            ops = package_operations([c for _, c in pairs])
            installs = [op for op in ops if op.manager in ("npm", "yarn", "pnpm") and op.action in ("install", "ci")
                        and not op.packages and not ({"-g", "--global", "global"} & op.flags)]
            if not installs:
                continue
            loose = [op for op in installs if not _production(op)]
            if not loose or any(_prunes(op) for op in ops[ops.index(loose[-1]):]):
                continue
            if _env_production(stage_env(dockerfile, stage, inst)):
                continue
            where = {id(c): s for s, c in pairs}
            op = loose[0]
            yield Hit(
                f"'{op.manager} {op.action}' installs the dev dependencies too, in a layer the "
                "final image ships: test tools and build plugins add size and vulnerabilities "
                "to production; use --omit=dev (npm), --production (yarn 1) or --prod (pnpm), "
                "or build in an earlier stage",
                where[id(op.command)].command_region(op.command),
                subject=f"stage[{stage.name or stage.index}].RUN:{op.manager}-{op.action}",
            )
