"""A credential-named key of the chart's own ``values.yaml`` with a literal default, used by the
default render or not (a value nobody overrides ships as the password of every install).

Keys are compared in snake case (``adminPassword`` → ``admin_password``) with the
``credential-patterns`` option; a key that names where a credential lives rather than holding
one is not flagged: ``non-secret-suffixes`` (``existingSecret``, ``passwordKey``,
``secretName``, ``passwordFile``…) and ``non-secret-prefixes`` (``existing…``, ``use…``,
``create…``).  ``""``, ``null``, template references (``{{ … }}``), placeholders and booleans
are not literals; ``changeme`` is.  The value is never printed (a URL shows as
``scheme://user:****@host``)."""

import re

from shiplint.core.findings import Hit
from shiplint.model.credentials import compile_patterns, listify, not_a_literal, url_with_password
from shiplint.registry.rule import rule
from shiplint.sources.yamlsrc import YMap, YSeq

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(name: str) -> str:
    return re.sub(r"[-.]", "_", _CAMEL.sub("_", name)).lower()


def _walk(node, path: tuple):
    """``(path, mapping, key, value)`` of every scalar of a mapping, at any depth."""
    if isinstance(node, YMap):
        for key, value in node.items():
            here = path + (str(key),)
            if isinstance(value, (YMap, YSeq)):
                yield from _walk(value, here)
            else:
                yield here, node, key, value
    elif isinstance(node, YSeq):
        for i, item in enumerate(node):
            yield from _walk(item, path[:-1] + (f"{path[-1]}[{i}]",) if path else (f"[{i}]",))


@rule
def check(chart, ctx):
    values = chart.values
    if values is None or not isinstance(values.data, YMap):
        return
    patterns = compile_patterns(listify(ctx.option("credential-patterns")))
    suffixes = tuple(s.lower() for s in listify(ctx.option("non-secret-suffixes")))
    prefixes = tuple(s.lower() for s in listify(ctx.option("non-secret-prefixes")))
    for path, mapping, key, value in _walk(values.data, ()):
        if not isinstance(value, str):
            continue  # null, numbers, booleans
        dotted = ".".join(path)
        region = mapping.value_region(key)
        subject = f"values:{chart.display}:{dotted}"
        name = snake(str(key))
        redacted = url_with_password(value)
        if redacted:
            yield Hit(f"values.yaml {dotted} defaults to a URL with an embedded password ({redacted}); take it "
                      "from a Secret (existingSecret) or leave the default empty", region, path=values.path,
                      subject=subject)
            continue
        if not any(p.search(name) for p in patterns):
            continue
        if ("_" + name).endswith(suffixes) or name.startswith(prefixes) or not_a_literal(value):
            continue
        yield Hit(f"values.yaml {dotted} has a literal credential default: every release that does not override "
                  "it runs with it; default to \"\" and read it from a Secret (existingSecret) or generate it",
                  region, path=values.path, subject=subject)
