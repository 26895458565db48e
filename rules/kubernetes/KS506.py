"""A credential written into a ConfigMap's ``data``.

A key that names a credential (the options of KS503: ``credential-patterns`` and
``non-secret-suffixes``) with a literal value, or any value holding a URL with an embedded
password.  ``binaryData`` is not read.  The value is never printed."""

from shiplint.core.findings import Hit
from shiplint.model.credentials import compile_patterns, listify, names_credential, not_a_literal, url_with_password
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    if resource.kind != "ConfigMap" or resource.api_version != "v1":
        return
    data = resource.get(("data",))
    if not isinstance(data, dict):
        return
    patterns = compile_patterns(listify(ctx.option("credential-patterns")))
    suffixes = tuple(s.lower() for s in listify(ctx.option("non-secret-suffixes")))
    for key, value in data.items():
        if not isinstance(key, str) or not isinstance(value, str) or not_a_literal(value):
            continue
        where = data.value_region(key) or resource.region_at(("data", key))
        redacted = url_with_password(value)
        if redacted:
            why = f"holds a URL with an embedded password ({redacted})"
        elif "\n" not in value.strip() and names_credential(key, patterns, suffixes):
            why = "names a credential and holds a literal value (not shown)"
        else:
            continue
        yield Hit(
            f"ConfigMap '{resource.name}' key '{key}' {why}: ConfigMaps are not meant for secrets "
            "(readable with any 'get configmaps' permission, shown in clear); use a Secret",
            where,
            subject=f"{resource.identity}:data[{key}]",
        )
