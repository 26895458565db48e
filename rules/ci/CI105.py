"""A registry password passed on a login command line."""

from shiplint.core.findings import Hit
from shiplint.model.ci import LOGIN
from shiplint.registry.rule import rule


@rule
def check(pipeline, ctx):
    for e in pipeline.events(LOGIN):
        flag = e.password.value.split("=", 1)[0]
        yield Hit(
            f"'{e.what} {flag}' puts the registry password on the command line (process list, shell "
            "traces); pipe it to --password-stdin or use docker/login-action",
            e.region, path=e.path, subject=f"{e.job.id}:{e.what}:{flag}",
        )
