"""A literal credential in a container's ``command`` or ``args``.

The command line is read as words, across items (``["--password", "x"]``) and inside one item
(``sh -c "redis-server --requirepass x"``): an option whose name passes a credential
(``--password``, ``--requirepass``, ``--auth-token``, ``--api-key``…) followed by a literal
value, and any URL with an embedded password.  The value is never printed."""

from shiplint.core.findings import Hit
from shiplint.model.credentials import options_with_values, url_with_password
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    for c in resource.containers():
        for field in ("command", "args"):
            items = c.data.get(field)
            if not isinstance(items, list):
                continue
            words, owner = [], []
            for i, item in enumerate(items):
                if isinstance(item, str):
                    for w in item.split():
                        words.append(w)
                        owner.append(i)
            reported = set()
            for wi, option in options_with_values(words):
                i = owner[wi]
                if i in reported:
                    continue
                reported.add(i)
                yield _hit(c, field, i, f"passes a literal value (not shown) to {option}")
            for i, item in enumerate(items):
                if i in reported or not isinstance(item, str):
                    continue
                redacted = url_with_password(item)
                if redacted:
                    reported.add(i)
                    yield _hit(c, field, i, f"holds a URL with an embedded password ({redacted})")


def _hit(c, field, i, what):
    return Hit(
        f"container '{c.name}' {field}[{i}] {what}: anyone who can read the manifest or the pod "
        "spec sees it; read it from a Secret (an env var from secretKeyRef, expanded as $(VAR), "
        "or a mounted file)",
        c.region_at((field, i)),
        subject=f"{c.subject}.{field}[{i}]",
    )
