"""A ``kind: Secret`` committed with its values.

``data`` is only base64: anyone who can read the repository can read the Secret.  A Secret with
empty ``data``/``stringData`` (a ``kubernetes.io/service-account-token`` Secret the control plane
fills, a placeholder filled by an operator) is not flagged; Helm-rendered Secrets (generated
passwords, TLS keys) are, since the rendered file carries the values."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


def _filled(section) -> list[str]:
    if not isinstance(section, dict):
        return []
    return [str(k) for k, v in section.items() if v not in (None, "")]


@rule
def check(resource, ctx):
    if resource.kind != "Secret" or resource.api_version not in ("v1", ""):
        return
    for field in ("data", "stringData"):
        keys = _filled(resource.data.get(field))
        if not keys:
            continue
        shown = ", ".join(keys[:5]) + (", …" if len(keys) > 5 else "")
        yield Hit(
            f"Secret '{resource.name}' commits {len(keys)} value(s) in {field} ({shown}; values not "
            "shown): encrypt it (SOPS, SealedSecrets) or source it from a secret manager "
            "(External Secrets, CSI driver)",
            resource.data.key_region(field) or resource.anchor,
            subject=f"{resource.identity}.{field}",
        )
