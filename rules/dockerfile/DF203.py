"""An ``ENV``/``ARG`` whose key names a credential.

The key is normalised before matching: camelCase, ``-`` and ``.`` become ``_`` and it is
upper-cased (``apiKey`` -> ``API_KEY``), so the default patterns match whole words only
(``TOKENIZERS_PARALLELISM`` is not a token).  Not flagged, whatever the key:

* a key whose last word says it holds a reference, not the secret (``*_FILE``, ``*_PATH``,
  ``*_DIR``, ``*_URL``, ``*_NAME``, ``*_LENGTH``...): ``POSTGRES_PASSWORD_FILE``,
  ``TOKEN_URL``, ``SECRET_PATH``;
* an ``ENV`` value that is empty, a boolean, or an absolute path (``/run/secrets/db``).

An ``ARG`` without a default is flagged: its value comes from ``--build-arg`` and is recorded in
the image history of every ``RUN`` that follows.  Values are never printed.
"""

import re

from shiplint.core.findings import Hit, Region
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import instructions, key_values

DEFAULT_PATTERNS = [
    r"(^|_)(PASSWORD|PASSWD|PASSPHRASE)S?(_|$)",
    r"(^|_)PASS$",
    r"(^|_)SECRETS?(_|$)",
    r"(^|_)TOKENS?(_|$)",
    r"(^|_)API_?KEYS?(_|$)",
    r"(^|_)(ACCESS|SECRET|PRIVATE|SIGNING|ENCRYPTION|MASTER|SSH|CLIENT)_KEYS?(_|$)",
    r"(^|_)CREDENTIALS?(_|$)",
    r"(^|_)(AUTH|BEARER)_?TOKENS?(_|$)",
]
#: Last words of a key that holds a reference to a secret, not the secret.
NOT_A_SECRET_SUFFIX = frozenset({
    "FILE", "FILES", "PATH", "DIR", "DIRECTORY", "LOCATION", "MOUNT", "URL", "URI", "ENDPOINT",
    "HOST", "PORT", "NAME", "USER", "USERNAME", "ID", "TYPE", "LENGTH", "LEN", "SIZE", "TTL",
    "TIMEOUT", "EXPIRY", "EXPIRES", "EXPIRATION", "LIFETIME", "ENABLED", "DISABLED", "ENABLE",
    "REQUIRED", "HEADER", "ALGORITHM", "ALG", "VERSION", "POLICY", "PROVIDER", "METHOD", "MODE",
    "FORMAT", "PREFIX", "KEY_ID", "REF", "ARN", "REGION",
})
_BOOLEAN = frozenset({"true", "false", "yes", "no", "on", "off", "0", "1", "none", "null"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ABSPATH = re.compile(r"/[\w.@+/-]*")


def normalise_key(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", _CAMEL.sub("_", key)).strip("_").upper()


def credential_key(key: str, patterns: list[re.Pattern]) -> bool:
    norm = normalise_key(key)
    if not norm or not any(p.search(norm) for p in patterns):
        return False
    last = norm.rsplit("_", 1)[-1]
    return last not in NOT_A_SECRET_SUFFIX and not norm.endswith("_KEY_ID")


def _compile(patterns) -> list[re.Pattern]:
    out = []
    for p in patterns or []:
        try:
            out.append(re.compile(str(p), re.IGNORECASE))
        except re.error:
            continue  # a broken pattern in the configuration must not stop the run
    return out


@rule
def check(dockerfile, ctx):
    patterns = _compile(ctx.option("credential-patterns") or DEFAULT_PATTERNS)
    for inst in instructions(dockerfile):
        if inst.keyword not in ("ENV", "ARG"):
            continue
        for key, value, arg in key_values(inst, dockerfile.escape):
            if not credential_key(key, patterns):
                continue
            if inst.keyword == "ENV":
                v = (value or "").strip()
                if not v or v.lower() in _BOOLEAN or _ABSPATH.fullmatch(v):
                    continue
                why = "its value is stored in the image configuration (docker inspect shows it)"
            else:
                if value is not None and _ABSPATH.fullmatch(value.strip()):
                    continue
                why = ("build arguments are recorded in the image history of every RUN that "
                       "follows" if value in (None, "") else
                       "its default value and build-time overrides are recorded in the image history")
            r = arg.region
            region = Region(r.line, r.column, r.line, r.column + len(arg.value.partition("=")[0])) \
                if r.line == r.end_line else r
            yield Hit(
                f"{inst.keyword} '{key}' looks like a credential: {why}; use "
                "RUN --mount=type=secret at build time or a runtime secret instead",
                region,
                subject=f"{inst.keyword}:{key}",
            )
