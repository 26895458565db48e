"""A Role or ClusterRole that lets its subjects read Secrets (``get``, ``list`` or ``watch`` on
``secrets``, or on ``*``, in the core group).  ``resourceNames`` does not excuse it."""

from shiplint.core.findings import Hit
from shiplint.model.k8s import rbac
from shiplint.registry.rule import rule

READ = ("get", "list", "watch")


@rule
def check(index, ctx):
    for role in index.of_kind(*rbac.ROLE_KINDS):
        if not rbac.is_rbac(role):
            continue
        for pr in rbac.policy_rules(role):
            if not pr.core_group():
                continue
            verbs = sorted(v for v in READ if pr.grants(v))
            if not verbs:
                continue
            for i, res in pr.resources:
                if res not in ("secrets", "*"):
                    continue
                scope = "every Secret of the cluster" if role.kind == "ClusterRole" else "the Secrets of its namespace"
                yield Hit(
                    f"{role.kind} '{role.name}'{rbac.aggregation_note(role, index)} rules[{pr.index}] grants "
                    f"{'/'.join(verbs)} on {res!r}: its subjects can read {scope} (tokens, passwords, "
                    "keys); grant only the Secrets it needs, or mount them instead",
                    role.region_at(pr.path + ("resources", i)),
                    subject=f"{role.identity}:rules[{pr.index}].secrets",
                    path=role.path,
                )
                break
