"""A database or cache port published on all interfaces."""

import re

from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit, text

#: container port → what usually listens there
_PORTS = {5432: "PostgreSQL", 3306: "MySQL/MariaDB", 33060: "MySQL X", 6379: "Redis", 27017: "MongoDB",
          11211: "Memcached", 9200: "Elasticsearch", 9300: "Elasticsearch"}
_IMAGES = re.compile(r"(?:^|/)(postgres|postgresql|postgis|timescaledb|mysql|mariadb|percona|redis|valkey|keydb|"
                     r"mongo|mongodb|memcached|elasticsearch|opensearch)(?:$|[-_])")
_ALL = ("", "0.0.0.0", "::", "[::]", "*")
_SHORT = re.compile(r"^(?:(?P<ip>\[[^\]]*\]|[^:]*):)??(?:(?P<host>[^:]*):)?(?P<target>[0-9]+)(?:-[0-9]+)?(?:/\w+)?$")


def _published(port):
    """``(host ip, target port, published on the host)`` of one ``ports:`` entry, or None."""
    if isinstance(port, dict):
        try:
            target = int(text(port.get("target")))
        except ValueError:
            return None
        return text(port.get("host_ip")), target, True
    spec = text(port)
    m = _SHORT.match(spec)
    if not m:
        return None
    return (m.group("ip") or "").strip("[]"), int(m.group("target")), True


def _database(svc) -> str | None:
    ref = svc.image_ref
    if ref is None:
        return None
    m = _IMAGES.search(ref.repository.lower())
    return m.group(1) if m else None


@rule
def check(project, ctx):
    for svc in project.services:
        ports = svc.get("ports")
        if not isinstance(ports, list):
            continue
        db = _database(svc)
        for i, port in enumerate(ports):
            parsed = _published(port)
            if parsed is None:
                continue
            ip, target, _ = parsed
            what = _PORTS.get(target) or db
            if not what or ip.strip("[]") not in _ALL:
                continue
            yield service_hit(svc, f"publishes {what} port {target} on every interface of the host: bind it to "
                              "127.0.0.1 (\"127.0.0.1:HOST:CONTAINER\") or drop it and use the Compose network",
                              ("ports", i), f".ports[{target}]")
