"""A Role or ClusterRole rule with ``*`` in ``apiGroups``, ``resources`` or ``verbs``."""

from shiplint.core.findings import Hit
from shiplint.model.k8s import rbac
from shiplint.registry.rule import rule

FIELDS = (("apiGroups", "api_groups", "every API group"), ("resources", "resources", "every resource"),
          ("verbs", "verbs", "every verb"))


@rule
def check(index, ctx):
    for role in index.of_kind(*rbac.ROLE_KINDS):
        if not rbac.is_rbac(role):
            continue
        note = None
        for pr in rbac.policy_rules(role):
            for key, attr, what in FIELDS:
                for i, value in getattr(pr, attr):
                    if value != "*":
                        continue
                    if note is None:
                        note = rbac.aggregation_note(role, index)
                    yield Hit(
                        f"{role.kind} '{role.name}'{note} rules[{pr.index}] grants {what} ('*' in {key}): "
                        "it also covers what is added later (new resources, subresources, CRDs); "
                        "list what is needed",
                        role.region_at(pr.path + (key, i)),
                        subject=f"{role.identity}:rules[{pr.index}].{key}",
                        path=role.path,
                    )
