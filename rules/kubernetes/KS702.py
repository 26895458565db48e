"""An Ingress with no ``tls`` section."""

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


@rule
def check(index, ctx):
    ingresses = list(index.of_kind("Ingress"))
    covered: dict[str, set] = {}
    for ing in ingresses:
        covered.setdefault(ing.namespace, set()).update(_tls_hosts(ing))
    for ing in ingresses:
        tls = ing.get(("spec", "tls"))
        if isinstance(tls, list) and tls:
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
