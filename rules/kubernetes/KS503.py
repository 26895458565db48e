"""A literal credential in a container's ``env``.

Two cases, never printing the value:

* an ``env[].value`` literal whose *name* looks like a credential (option
  ``credential-patterns``: regexes searched in the name) and does not end like a reference to
  one (option ``non-secret-suffixes``: ``_FILE``, ``_PATH``, ``_URL``, ``_NAME``…);
* any ``env[].value`` holding a URL with an embedded password (``scheme://user:pass@host``);
* any ``env[].value`` holding a private key block, whatever its armour looks like (three to
  five dashes or more, ``RSA``/``EC``/``OPENSSH``/``ENCRYPTED``/``PGP … BLOCK``, spaces).

Values that cannot be a literal secret are skipped: empty values, values made only of
``$(VAR)``/``${VAR}`` references, unrendered ``{{ }}`` templates, placeholders (``<password>``,
``INSERT_…``, ``REPLACE_…``, ``YOUR_…``, ``xxxx``, ``****``), absolute file paths, booleans
and plain integers.  Well-known defaults such as ``changeme``
are *not* skipped: they are real credentials once deployed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

_REF = re.compile(r"\$\([A-Za-z_][A-Za-z0-9_.-]*\)|\$\{[^}]*\}")
_URL_CRED = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^:/?#@\s]*):([^@/?#\s]+)@([^/?#\s]*)")
_PLACEHOLDER = re.compile(r"(?i)(insert|replace|your|fill|enter|put)[_ -]|x{3,}\Z|\*{3,}\Z")
# "-----BEGIN RSA PRIVATE KEY-----", "---BEGIN OPENSSH PRIVATE KEY---", "-----BEGIN PGP PRIVATE KEY BLOCK-----"
_KEY_BLOCK = re.compile(r"-{2,}\s*BEGIN\s+(?:[A-Z0-9]+\s+){0,3}PRIVATE\s+KEY(?:\s+BLOCK)?\s*-{2,}", re.I)
_SCALAR_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "none"}


@lru_cache(maxsize=32)
def _compile(patterns: tuple) -> tuple:
    out = []
    for p in patterns:
        try:
            out.append(re.compile(p))
        except re.error as exc:
            raise ValueError(f"credential-patterns: invalid regular expression {p!r}: {exc}") from None
    return tuple(out)


def _listify(value) -> tuple:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(str(v) for v in value if str(v))


def not_a_literal(value: str) -> bool:
    """True for values that cannot be a hard-coded secret (see the module docstring)."""
    s = value.strip()
    if not s or "{{" in s:
        return True
    if not re.search(r"[A-Za-z0-9]", _REF.sub("", s)):
        return True  # only references to other variables
    if s.startswith("<") and s.endswith(">"):
        return True
    if _PLACEHOLDER.match(s):
        return True  # INSERT_TOKEN_HERE, REPLACE_ME, your-password, xxxx, ****
    if s.startswith("/") and not any(ch.isspace() for ch in s):
        return True  # a file path
    if s.lower() in _SCALAR_WORDS or s.isdigit():
        return True
    return False


def url_with_password(value: str):
    """``(redacted_url, True)`` when ``value`` holds ``scheme://user:password@host``."""
    for m in _URL_CRED.finditer(value):
        password = m.group(3)
        if not_a_literal(password):
            continue
        return f"{m.group(1)}://{m.group(2)}:****@{m.group(4)}"
    return None


@rule
def check(resource, ctx):
    patterns = _compile(_listify(ctx.option("credential-patterns")))
    suffixes = tuple(s.lower() for s in _listify(ctx.option("non-secret-suffixes")))
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
            if _KEY_BLOCK.search(value):
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
            if suffixes and name.lower().endswith(suffixes):
                continue
            if any(p.search(name) for p in patterns):
                yield Hit(
                    f"container '{c.name}' env var '{name}' has a hard-coded value (not shown) that looks "
                    "like a credential: it is readable by anyone with access to the manifest; "
                    "reference a Secret instead",
                    where,
                    subject=subject,
                )
