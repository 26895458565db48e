"""Telling a literal credential from a reference to one, shared by every source whose values may
hold secrets (Kubernetes ``env``, Compose ``environment``/``command``).

Nothing here prints a value: callers name the key, and a URL's password comes back as ``****``."""

from __future__ import annotations

import re
from functools import lru_cache

_REF = re.compile(r"\$\([A-Za-z_][A-Za-z0-9_.-]*\)|\$\{[^}]*\}")
_URL_CRED = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^:/?#@\s]*):([^@/?#\s]+)@([^/?#\s]*)")
_PLACEHOLDER = re.compile(r"(?i)(insert|replace|your|fill|enter|put)[_ -]|x{3,}\Z|\*{3,}\Z")
_SCALAR_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "none"}


@lru_cache(maxsize=32)
def compile_patterns(patterns: tuple) -> tuple:
    """The ``credential-patterns`` option compiled; a bad expression is a ValueError naming it."""
    out = []
    for p in patterns:
        try:
            out.append(re.compile(p))
        except re.error as exc:
            raise ValueError(f"credential-patterns: invalid regular expression {p!r}: {exc}") from None
    return tuple(out)


def listify(value) -> tuple:
    """An option that may be one string or a list, as a tuple of non-empty strings."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(str(v) for v in value if str(v))


def not_a_literal(value: str) -> bool:
    """True for values that cannot be a hard-coded secret: empty, only ``$(VAR)``/``${VAR}``
    references, unrendered ``{{ }}`` templates, placeholders (``<password>``, ``INSERT_…``,
    ``xxxx``, ``****``), absolute file paths, booleans and plain integers."""
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


def url_with_password(value: str) -> str | None:
    """The URL redacted (``scheme://user:****@host``) when ``value`` holds one with a literal
    password, else None."""
    for m in _URL_CRED.finditer(value):
        password = m.group(3)
        if not_a_literal(password):
            continue
        return f"{m.group(1)}://{m.group(2)}:****@{m.group(4)}"
    return None


def is_credential_name(name: str, patterns: tuple, suffixes: tuple) -> bool:
    """Whether a variable or flag name says it holds a credential (and does not end like a
    reference to one: ``_FILE``, ``_URL``…)."""
    if suffixes and name.lower().endswith(suffixes):
        return False
    return any(p.search(name) for p in patterns)
