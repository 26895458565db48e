"""``env[].valueFrom.secretKeyRef`` (prefer a mounted file)."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    for c in resource.containers():
        env = c.data.get("env")
        if not isinstance(env, list):
            continue
        for i, item in enumerate(env):
            if not isinstance(item, dict):
                continue
            value_from = item.get("valueFrom")
            if not isinstance(value_from, dict) or not isinstance(value_from.get("secretKeyRef"), dict):
                continue
            ref = value_from["secretKeyRef"]
            name = item.get("name", "?")
            yield Hit(
                f"container '{c.name}' reads Secret '{ref.get('name', '?')}' key '{ref.get('key', '?')}' "
                f"into env var '{name}': prefer mounting the Secret as a file",
                value_from.key_region("secretKeyRef") or c.region_at(("env", i)),
                subject=f"{c.subject}.env[{name}]",
            )
