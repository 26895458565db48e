"""A literal credential in ``environment:`` (list or map form) or ``command:``.

The credential detection is the one of KS503 (:mod:`shiplint.model.credentials`): a variable
whose name looks like a credential and whose value is a literal, or a URL with an embedded
password. A value that uses interpolation (``${VAR}``, ``${VAR:-default}``, ``$VAR``) comes from
the environment and is not a literal; ``*_FILE`` variables name a file. Values are never shown."""

import shlex

from shiplint.model.compose import interpolate
from shiplint.model.credentials import compile_patterns, names_credential, listify, not_a_literal, url_with_password
from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit


def _literal(value) -> bool:
    return isinstance(value, str) and not interpolate(value).variables and not not_a_literal(value)


def _command_tokens(command) -> list:
    """``(token, index in the list form or None)`` of a command."""
    if isinstance(command, list):
        return [(str(t), i) for i, t in enumerate(command) if isinstance(t, (str, int))]
    if isinstance(command, str):
        try:
            return [(t, None) for t in shlex.split(command)]
        except ValueError:
            return [(t, None) for t in command.split()]
    return []


def _command_hits(svc, patterns, suffixes):
    tokens = _command_tokens(svc.get("command"))
    for n, (token, index) in enumerate(tokens):
        keys = ("command", index) if index is not None else ("command",)
        if _literal(token):
            redacted = url_with_password(token)
            if redacted:
                yield service_hit(svc, f"passes a URL with an embedded password ({redacted}) on its command line",
                                  keys, ".command")
                continue
        if not token.startswith("-"):
            continue
        flag, eq, value = token.lstrip("-").partition("=")
        if not eq:
            if n + 1 >= len(tokens) or tokens[n + 1][0].startswith("-"):
                continue
            value, index = tokens[n + 1]
            keys = ("command", index) if index is not None else ("command",)
        if flag and _literal(value) and names_credential(flag.replace("-", "_"), patterns, suffixes):
            yield service_hit(svc, f"passes a literal credential (not shown) to --{flag} on its command line: it "
                              "shows in the file, `docker inspect` and the process list; read it from a secret",
                              keys, f".command[{flag}]")


@rule
def check(project, ctx):
    patterns = compile_patterns(listify(ctx.option("credential-patterns")))
    suffixes = tuple(s.lower() for s in listify(ctx.option("non-secret-suffixes")))
    for svc in project.services:
        for name, value in svc.environment.items():
            if not _literal(value):
                continue
            redacted = url_with_password(value)
            if redacted:
                yield service_hit(svc, f"environment variable '{name}' holds a URL with an embedded password "
                                  f"({redacted}): use a secret or an interpolated variable",
                                  ("environment", name), f".environment[{name}]")
            elif names_credential(name, patterns, suffixes):
                yield service_hit(svc, f"environment variable '{name}' has a hard-coded value (not shown) that "
                                  "looks like a credential: use Compose secrets (and a *_FILE variable) or "
                                  "${VARIABLE} from an untracked .env", ("environment", name),
                                  f".environment[{name}]")
        yield from _command_hits(svc, patterns, suffixes)
