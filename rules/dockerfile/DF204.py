"""``COPY``/``ADD`` of ``.env``, private keys or credential files."""

import re

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule

from shiplint.model.dockerfile import instructions

# Base names (glob patterns, matched case-insensitively) of files that hold secrets.
SECRET_NAMES = [
    ".env", ".env.*", "*.env",
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk",
    "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "*.ppk",
    "key.pem", "privkey.pem", "*-key.pem", "*_key.pem", "*.key.pem", "private*.pem",
    ".npmrc", ".pypirc", ".netrc", "_netrc", ".git-credentials", ".pgpass", ".dockercfg",
    "credentials", "credentials.json", "*credentials*.json", "client_secret*.json",
    "service-account*.json", "secrets.json", "secrets.yml", "secrets.yaml", "*.tfvars",
]
# Directories that hold keys and tokens.
SECRET_DIRS = [".ssh", ".aws", ".gnupg", ".docker", ".kube", ".azure", ".config/gcloud"]
# Templates meant to be committed.
HARMLESS = re.compile(r".*\.(example|sample|template|tmpl|dist|defaults?|tpl|pub|crt|cert)$|.*\.env\.(example|sample|template|dist|defaults?)$", re.I)


def glob_match(name: str, pattern: str) -> bool:
    """``fnmatch.fnmatchcase`` for patterns whose only wildcard is ``*`` (all of the above),
    without compiling a regular expression per pattern: that costs more than a one-file check's
    rules together, and most runs never call it twice."""
    parts = pattern.split("*")
    if len(parts) == 1:
        return name == pattern
    head, tail = parts[0], parts[-1]
    if len(name) < len(head) + len(tail) or not name.startswith(head) or not name.endswith(tail):
        return False
    pos, end = len(head), len(name) - len(tail)
    for middle in parts[1:-1]:
        at = name.find(middle, pos, end)
        if at < 0:
            return False
        pos = at + len(middle)
    return True


def secret_kind(source: str) -> str | None:
    path = source.strip().rstrip("/")
    if not path or path.startswith(("http://", "https://", "git@")) or "$" in path:
        return None
    base = path.rsplit("/", 1)[-1]
    if HARMLESS.fullmatch(base):
        return None
    for d in SECRET_DIRS:
        if path == d or path.endswith("/" + d):
            return f"the {d} directory"
    low = base.lower()
    for pattern in SECRET_NAMES:
        if glob_match(low, pattern):
            return f"a file named like {pattern}"
    return None


@rule
def check(dockerfile, ctx):
    for inst in instructions(dockerfile):
        if inst.keyword not in ("COPY", "ADD") or len(inst.args) < 2:
            continue
        for arg in inst.args[:-1]:
            kind = secret_kind(arg.value)
            if kind is None:
                continue
            yield Hit(
                f"{inst.keyword} '{arg.value}' puts {kind} into an image layer, readable by anyone "
                "who pulls the image; use RUN --mount=type=secret or a runtime secret, and list it "
                "in .dockerignore",
                arg.region,
                subject=f"{inst.keyword}:{arg.value}",
            )
