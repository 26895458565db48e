"""``envFrom[].secretRef`` turns every key of a Secret into env vars."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    for c in resource.containers():
        env_from = c.data.get("envFrom")
        if not isinstance(env_from, list):
            continue
        for i, item in enumerate(env_from):
            if not isinstance(item, dict) or not isinstance(item.get("secretRef"), dict):
                continue
            secret = item["secretRef"].get("name")
            named = f"Secret '{secret}'" if isinstance(secret, str) and secret else "a Secret"
            yield Hit(
                f"container '{c.name}' loads every key of {named} into its environment (envFrom."
                "secretRef): values leak through /proc, crash dumps and child processes; mount the "
                "Secret as files or pick single keys",
                item.key_region("secretRef") or c.region_at(("envFrom", i)),
                subject=f"{c.subject}.envFrom[secretRef:{secret}]",
            )
