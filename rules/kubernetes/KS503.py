"""A literal credential in a container's ``env``.

Two cases, never printing the value:

* an ``env[].value`` literal whose *name* looks like a credential (option
  ``credential-patterns``: regexes searched in the name) and does not end like a reference to
  one (option ``non-secret-suffixes``: ``_FILE``, ``_PATH``, ``_URL``, ``_NAME``…);
* any ``env[].value`` holding a URL with an embedded password (``scheme://user:pass@host``).

Values that cannot be a literal secret are skipped: empty values, values made only of
``$(VAR)``/``${VAR}`` references, unrendered ``{{ }}`` templates, placeholders (``<password>``,
``INSERT_…``, ``REPLACE_…``, ``YOUR_…``, ``xxxx``, ``****``), absolute file paths, booleans
and plain integers.  Well-known defaults such as ``changeme``
are *not* skipped: they are real credentials once deployed.
"""

from __future__ import annotations

from shiplint.core.findings import Hit
from shiplint.model.credentials import (compile_patterns, holds_private_key, listify, names_credential, not_a_literal,
                                        url_with_password)
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    patterns = compile_patterns(listify(ctx.option("credential-patterns")))
    suffixes = tuple(s.lower() for s in listify(ctx.option("non-secret-suffixes")))
    for c in resource.containers():
        env = c.data.get("env")
        if not isinstance(env, list):
            continue
        for i, item in enumerate(env):
            if not isinstance(item, dict) or "value" not in item:
                continue
            name, value = item.get("name"), item.get("value")
            if not isinstance(name, str) or not isinstance(value, str) or not_a_literal(value):
                continue
            where = item.value_region("value") or c.region_at(("env", i))
            subject = f"{c.subject}.env[{name}]"
            if holds_private_key(value):
                yield Hit(
                    f"container '{c.name}' env var '{name}' holds a private key (not shown): "
                    "anyone who can read the manifest has it; mount it from a Secret instead",
                    where,
                    subject=subject,
                )
                continue
            redacted = url_with_password(value)
            if redacted:
                yield Hit(
                    f"container '{c.name}' env var '{name}' holds a URL with an embedded password "
                    f"({redacted}): reference a Secret (valueFrom.secretKeyRef or a mounted file)",
                    where,
                    subject=subject,
                )
                continue
            if names_credential(name, patterns, suffixes):
                yield Hit(
                    f"container '{c.name}' env var '{name}' has a hard-coded value (not shown) that looks "
                    "like a credential: it is readable by anyone with access to the manifest; "
                    "reference a Secret instead",
                    where,
                    subject=subject,
                )
