"""A binding that grants permissions to a namespace's ``default`` ServiceAccount (as a
``ServiceAccount`` subject or the user ``system:serviceaccount:NS:default``)."""

from shiplint.core.findings import Hit
from shiplint.model.k8s import rbac
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    if resource.kind not in rbac.BINDING_KINDS or not rbac.is_rbac(resource):
        return
    ref = rbac.role_ref(resource)
    role = f"{ref[0]} '{ref[1]}'" if ref else "its role"
    for s in rbac.subjects(resource):
        sa = s.service_account()
        if sa is None or sa[1] != "default":
            continue
        ns = sa[0] or "(unset)"
        yield Hit(
            f"{resource.kind} '{resource.name}' grants {role} to the default ServiceAccount of "
            f"namespace {ns}: every pod of that namespace that names no ServiceAccount gets these "
            "permissions; create a dedicated ServiceAccount and bind it instead",
            resource.region_at(s.path + ("name",)),
            subject=f"{resource.identity}:subjects[{s.kind}/{s.name}]",
        )
