"""A StatefulSet whose ``serviceName`` names no headless Service among the scanned resources."""

from shiplint.core.findings import Hit, Location
from shiplint.registry.rule import rule


@rule
def check(index, ctx):
    evidence = ctx.option("require-evidence", True)
    for sts in index.of_kind("StatefulSet"):
        name = sts.get(("spec", "serviceName"))
        if not isinstance(name, str) or not name.strip() or "{{" in name:
            continue  # optional since Kubernetes 1.27: no governing Service wanted
        ns = sts.namespace
        where = sts.region_at(("spec", "serviceName"))
        found = index.find("Service", ns, name)
        if not found:
            if evidence and not index.has_kind_near("Service", sts):
                continue  # no Service scanned in this namespace: it may be defined elsewhere
            yield Hit(
                f"StatefulSet '{sts.name}' names the governing Service '{name}', which is not among "
                f"the scanned resources of namespace {ns or '(unset)'}: its pods get no stable DNS "
                "names",
                where,
                subject=f"{sts.identity}:serviceName",
                path=sts.path,
            )
            continue
        svc = found[0]
        cluster_ip = svc.get(("spec", "clusterIP"))
        if cluster_ip == "None" or (isinstance(cluster_ip, str) and "{{" in cluster_ip):
            continue
        yield Hit(
            f"StatefulSet '{sts.name}' names the governing Service '{name}', which is not headless "
            f"(clusterIP: {cluster_ip if cluster_ip is not None else 'unset'}): set clusterIP: None "
            "so that each pod gets its own DNS name",
            where,
            subject=f"{sts.identity}:serviceName",
            path=sts.path,
            related=[Location(svc.path, svc.region_at(("spec", "clusterIP")), f"Service '{name}'")],
        )
