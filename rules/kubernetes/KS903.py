"""A Role or ClusterRole that grants a privilege-escalation verb: ``escalate``, ``bind``,
``impersonate``, or ``create`` on ``pods/exec``, ``pods/attach``, ``nodes/proxy`` or
``serviceaccounts/token``.  A ``*`` verb is KS901's."""

from shiplint.core.findings import Hit
from shiplint.model.k8s import rbac
from shiplint.registry.rule import rule

VERBS = {
    "escalate": "grant itself any permission by editing roles",
    "bind": "bind any role, cluster-admin included, to anyone",
    "impersonate": "act as any user, group or service account",
}
SUBRESOURCES = {
    "pods/exec": "run commands in any pod",
    "pods/attach": "attach to the processes of any pod",
    "nodes/proxy": "reach the kubelet API of every node (and run commands in its pods)",
    "serviceaccounts/token": "mint tokens for service accounts",
}


@rule
def check(index, ctx):
    for role in index.of_kind(*rbac.ROLE_KINDS):
        if not rbac.is_rbac(role):
            continue
        for pr in rbac.policy_rules(role):
            found = []
            for i, verb in pr.verbs:
                if verb.lower() in VERBS:
                    found.append((("verbs", i), f"'{verb}'", VERBS[verb.lower()]))
            if "create" in pr.verb_set():
                for i, res in pr.resources:
                    if res in SUBRESOURCES:
                        found.append((("resources", i), f"'create' on '{res}'", SUBRESOURCES[res]))
            for path, what, why in found:
                yield Hit(
                    f"{role.kind} '{role.name}'{rbac.aggregation_note(role, index)} rules[{pr.index}] "
                    f"grants {what}: its subjects can {why}, a path to cluster-admin",
                    role.region_at(pr.path + path),
                    subject=f"{role.identity}:rules[{pr.index}].{path[0]}[{path[1]}]",
                    path=role.path,
                )
