"""A binding that grants ``cluster-admin`` to anything but a ``system:`` subject (the groups of
everyone — ``system:authenticated``, ``system:unauthenticated``, ``system:anonymous`` — always
fire)."""

from shiplint.core.findings import Hit
from shiplint.model.k8s import rbac
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    if resource.kind not in rbac.BINDING_KINDS or not rbac.is_rbac(resource):
        return
    if rbac.role_ref(resource) != ("ClusterRole", "cluster-admin"):
        return
    for s in rbac.subjects(resource):
        if s.name.startswith("system:") and s.name not in rbac.EVERYONE:
            continue
        who = f"{s.kind or 'subject'} '{s.name}'"
        if s.name in rbac.EVERYONE:
            who += " (every client that reaches the API server)" if s.name != "system:authenticated" \
                else " (every authenticated identity)"
        yield Hit(
            f"{resource.kind} '{resource.name}' grants cluster-admin to {who}: full control of the "
            "cluster, every Secret included; bind a role with only the permissions it needs",
            resource.region_at(s.path + ("name",)),
            subject=f"{resource.identity}:subjects[{s.kind}/{s.name}]",
        )
