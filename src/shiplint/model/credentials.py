"""Telling a literal credential from a reference to one, shared by every source whose values may
hold secrets (Kubernetes ``env``, ``command``/``args``, ConfigMap ``data``; Compose
``environment``/``command``).

Nothing here ever returns a secret value: callers get booleans, names and redacted URLs.
"""

from __future__ import annotations

import re
from functools import lru_cache

_REF = re.compile(r"\$\([A-Za-z_][A-Za-z0-9_.-]*\)|\$\{[^}]*\}")
_URL_CRED = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^:/?#@\s]*):([^@/?#\s]+)@([^/?#\s]*)")
_PLACEHOLDER = re.compile(r"(?i)(insert|replace|your|fill|enter|put)[_ -]|x{3,}\Z|\*{3,}\Z")
_SCALAR_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "none"}


@lru_cache(maxsize=32)
def compile_patterns(patterns: tuple, option: str = "credential-patterns") -> tuple:
    out = []
    for p in patterns:
        try:
            out.append(re.compile(p))
        except re.error as exc:
            raise ValueError(f"{option}: invalid regular expression {p!r}: {exc}") from None
    return tuple(out)


def listify(value) -> tuple:
    """A rule option that may be one string or a list, as a tuple of non-empty strings."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(str(v) for v in value if str(v))


def not_a_literal(value: str) -> bool:
    """True for values that cannot be a hard-coded secret: empty values, values made only of
    ``$(VAR)``/``${VAR}`` references, unrendered ``{{ }}`` templates, placeholders
    (``<password>``, ``INSERT_…``, ``REPLACE_…``, ``YOUR_…``, ``xxxx``, ``****``), absolute
    file paths, booleans and plain integers.  Well-known defaults such as ``changeme`` are
    literals: they are real credentials once deployed."""
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
    """The URL with its password shown as ``****`` when ``value`` holds
    ``scheme://user:password@host`` with a literal password, else ``None``."""
    for m in _URL_CRED.finditer(value):
        if not_a_literal(m.group(3)):
            continue
        return f"{m.group(1)}://{m.group(2)}:****@{m.group(4)}"
    return None


def names_credential(name: str, patterns: tuple, suffixes: tuple) -> bool:
    """Whether a variable or key name designates a credential: a pattern matches and the name
    does not end like a reference to one (``_FILE``, ``_URL``…; ``-`` and ``.`` count as ``_``,
    as in ConfigMap keys such as ``db.password-file``)."""
    norm = re.sub(r"[-.]", "_", name.lower())
    if suffixes and norm.endswith(suffixes):
        return False
    return any(p.search(name) for p in patterns)


#: Last words of a command-line option that passes a credential (``--password``,
#: ``--requirepass``, ``--auth-token``, ``--client-secret``…).
_CRED_WORDS = frozenset({"password", "passwd", "pass", "pwd", "secret", "token", "requirepass",
                         "masterauth", "apikey", "passphrase", "credential", "credentials"})
_CRED_PAIRS = frozenset({("api", "key"), ("access", "key"), ("secret", "key"), ("private", "key"),
                         ("signing", "key"), ("encryption", "key"), ("master", "key"), ("auth", "key")})
_OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][A-Za-z0-9_.-]*)(?:=(\S*))?")


def credential_option(option: str) -> bool:
    """Whether a command-line option name (``--db-password``) passes a credential; options
    naming a file, a name or a setting about one (``--password-file``, ``--token-ttl``) do not."""
    words = [w for w in re.split(r"[-_.]+", option.lstrip("-").lower()) if w]
    if not words:
        return False
    if words[-1] in _CRED_WORDS:
        return True
    return len(words) >= 2 and (words[-2], words[-1]) in _CRED_PAIRS


def options_with_values(words: list[str]):
    """``(index of the word, option)`` for every credential option of a command line given as
    words whose value is a literal: ``--password=x`` or ``--password x``."""
    for i, word in enumerate(words):
        m = _OPTION.fullmatch(word)
        if not m or not credential_option(m.group(1)):
            continue
        if m.group(2) is not None:
            value = m.group(2)
        elif i + 1 < len(words):
            value = words[i + 1]
        else:
            continue
        value = value.strip("'\"")
        if value.startswith(("-", "$")) or not_a_literal(value):  # another option, a shell variable
            continue
        yield i, m.group(1)


#: A private key's armour, whatever the number of dashes ("-----BEGIN RSA PRIVATE KEY-----",
#: "---BEGIN OPENSSH PRIVATE KEY---", "-----BEGIN PGP PRIVATE KEY BLOCK-----").
_KEY_BLOCK = re.compile(r"-{2,}\s*BEGIN\s+(?:[A-Z0-9]+\s+){0,3}PRIVATE\s+KEY(?:\s+BLOCK)?\s*-{2,}", re.I)


def holds_private_key(value: str) -> bool:
    """Whether ``value`` holds a private key block (never returns the key)."""
    return bool(_KEY_BLOCK.search(value))
