"""An Ingress with no ``tls`` section and no controller-managed certificate annotation."""

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule


def _hosts(ingress) -> set:
    out = set()
    rules = ingress.get(("spec", "rules"))
    if isinstance(rules, list):
        for item in rules:
            if isinstance(item, dict) and isinstance(item.get("host"), str):
                out.add(item["host"])
    return out


def _tls_hosts(ingress) -> set:
    out = set()
    tls = ingress.get(("spec", "tls"))
    if isinstance(tls, list):
        for item in tls:
            hosts = item.get("hosts") if isinstance(item, dict) else None
            if isinstance(hosts, list):
                out.update(h for h in hosts if isinstance(h, str))
    return out


#: Annotations through which an ingress controller terminates TLS with a certificate it manages
#: itself (the Ingress then has no tls section by design).
_CONTROLLER_TLS = (
    "networking.gke.io/managed-certificates",  # GKE ManagedCertificate
    "ingress.gcp.kubernetes.io/pre-shared-cert",  # GKE certificate uploaded to the project
    "alb.ingress.kubernetes.io/certificate-arn",  # AWS Load Balancer Controller (ACM)
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",  # Azure Application Gateway
)


def _controller_tls(ingress) -> bool:
    annotations = ingress.annotations
    return any(isinstance(annotations.get(k), str) and annotations[k].strip() for k in _CONTROLLER_TLS)


@rule
def check(index, ctx):
    ingresses = list(index.of_kind("Ingress"))
    covered: dict[str, set] = {}
    for ing in ingresses:
        covered.setdefault(ing.namespace, set()).update(_tls_hosts(ing))
    for ing in ingresses:
        tls = ing.get(("spec", "tls"))
        if isinstance(tls, list) and tls or _controller_tls(ing):
            continue
        hosts = _hosts(ing)
        # controllers such as ingress-nginx serve a host with the TLS set by any Ingress of it
        # (canary Ingresses rely on this): fully covered hosts are not flagged
        if hosts and hosts <= covered.get(ing.namespace, set()):
            continue
        yield Hit(
            f"Ingress '{ing.name}' has no tls section: its traffic is served over plain HTTP",
            ing.anchor,
            subject=f"{ing.identity}:tls",
            path=ing.path,
        )
