"""Words of a Dockerfile: variable expansion and quote removal.

* :func:`expand_word` expands ``$VAR``/``${VAR…}`` from a set of ARG/ENV values and removes
  quotes the way BuildKit's word lexer does (the escape character is the file's ``# escape=``);
* :func:`unquote` removes the quotes of a Dockerfile word and leaves ``$`` references as written;
* :func:`strip_quotes` removes the quotes of a shell word (a heredoc delimiter) or, with
  ``posix=False``, of a ``--flag`` word as BuildKit's flag scanner reads it.
"""

from __future__ import annotations

import re

__all__ = ["expand_word", "strip_quotes", "unquote"]

_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_EXPANSION_DEPTH = 8


def expand_word(word: str, env: dict[str, str | None], escape: str = "\\") -> tuple[str, bool]:
    """Expand ``$VAR``/``${VAR...}`` in ``word`` from ``env`` (None = declared, no value) and
    remove quotes; returns (value, fully resolved).  Used by rules for ``USER``, ``LABEL``..."""
    return _expand(word, env, escape)


def unquote(word: str, escape: str = "\\") -> str:
    """``word`` with its quotes and escapes removed, ``$`` references kept as written."""
    value, _ = _expand(word.replace("$", "\x00"), {}, escape)
    return value.replace("\x00", "$")


def strip_quotes(word: str, *, posix: bool = True) -> tuple[str, bool]:
    """Remove quotes and backslash escapes from one word; (value, quotes balanced).

    ``posix``: the shell's rules, as for a heredoc delimiter (``<<"EOF"``): single quotes are
    literal, inside double quotes a backslash only escapes ``"``, ``\\``, ``$`` and a backquote.
    Otherwise BuildKit's flag scanner (``--mount="type=cache,target=/x"``), where a backslash
    escapes the next character everywhere, inside single quotes too.
    """
    if "\\" not in word and '"' not in word and "'" not in word:
        return word, True
    out: list[str] = []
    quote = ""
    i, n = 0, len(word)
    while i < n:
        c = word[i]
        if quote == "'" and posix:
            if c == "'":
                quote = ""
            else:
                out.append(c)
        elif c == "\\":
            if i + 1 < n:
                nxt = word[i + 1]
                if posix and quote == '"' and nxt not in '"\\$`':
                    out.append(c)
                out.append(nxt)
            i += 2
            continue
        elif quote:
            if c == quote:
                quote = ""
            else:
                out.append(c)
        elif c in "\"'":
            quote = c
        else:
            out.append(c)
        i += 1
    return "".join(out), not quote


# ---------------------------------------------------------------------------------------------
# Variable substitution


def _expand(word: str, env: dict[str, str | None], escape: str, depth: int = 0) -> tuple[str, bool]:
    """Expand ``$VAR``/``${VAR...}`` and remove quotes; (value, fully resolved).

    A variable that is not declared, or declared without a default, is unresolved unless a
    ``${VAR:-default}``-style operator supplies a value.
    """
    if depth > _MAX_EXPANSION_DEPTH:
        return word, False
    out: list[str] = []
    resolved = True
    i, n = 0, len(word)
    in_dq = False
    while i < n:
        c = word[i]
        if c == "'" and not in_dq:
            j = word.find("'", i + 1)
            if j < 0:
                return word, False
            out.append(word[i + 1 : j])
            i = j + 1
        elif c == '"':
            in_dq = not in_dq
            i += 1
        elif c == escape:
            if i + 1 < n:
                nxt = word[i + 1]
                if in_dq and nxt not in ('"', "$", escape):
                    out.append(c)
                out.append(nxt)
            i += 2
        elif c == "$":
            value, i, ok = _expand_var(word, i, env, escape, depth)
            out.append(value)
            resolved = resolved and ok
        else:
            out.append(c)
            i += 1
    if in_dq:
        return word, False
    return "".join(out), resolved


def _expand_var(
    word: str, i: int, env: dict[str, str | None], escape: str, depth: int
) -> tuple[str, int, bool]:
    """Expand the variable reference at ``word[i] == '$'``: (value, next index, resolved)."""
    n = len(word)
    if i + 1 < n and word[i + 1] == "{":
        m = _VAR_NAME.match(word, i + 2)
        if not m:
            return word[i:], n, False  # ${#x}, ${!x}, ${} ...: not evaluated here
        name = m.group()
        k = m.end()
        if k < n and word[k] == "}":
            value = env.get(name)
            return (value, k + 1, True) if value is not None else (word[i : k + 1], k + 1, False)
        op = ""
        for candidate in (":-", ":+", ":?", "-", "+", "?"):
            if word.startswith(candidate, k):
                op = candidate
                break
        # find the matching close brace
        depth_braces = 1
        j = k + len(op)
        while j < n:
            ch = word[j]
            if ch == "$" and j + 1 < n and word[j + 1] == "{":
                depth_braces += 1
                j += 2
                continue
            if ch == "}":
                depth_braces -= 1
                if depth_braces == 0:
                    break
            j += 1
        if j >= n or not op:
            return word[i:j + 1], min(j + 1, n), False
        operand = word[k + len(op) : j]
        value = env.get(name)
        is_set = value is not None
        nonempty = bool(value)
        if op in (":-", "-"):
            use_value = nonempty if op == ":-" else is_set
            if use_value:
                return value, j + 1, True
            alt, ok = _expand(operand, env, escape, depth + 1)
            return alt, j + 1, ok
        if op in (":+", "+"):
            use_alt = nonempty if op == ":+" else is_set
            if use_alt:
                alt, ok = _expand(operand, env, escape, depth + 1)
                return alt, j + 1, ok
            # unset: empty, unless a build argument could still set it
            return "", j + 1, is_set or name not in env
        # :? and ?
        if is_set and (op == "?" or nonempty):
            return value, j + 1, True
        return word[i : j + 1], j + 1, False
    m = _VAR_NAME.match(word, i + 1)
    if not m:
        return "$", i + 1, True
    value = env.get(m.group())
    if value is None:
        return word[i : m.end()], m.end(), False
    return value, m.end(), True
