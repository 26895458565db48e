""".dockerignore files: which paths of the build context BuildKit leaves out.

``parse_dockerignore(text)`` returns the rules in order; ``excluded(rules, path)`` applies them
to a slash-separated path relative to the context (the last matching rule wins, ``!`` re-includes).
Patterns are Go's ``filepath.Match`` plus ``**``, cleaned like ``filepath.Clean``; a pattern
also excludes everything under a directory it matches.
"""

from __future__ import annotations

import os
import re

__all__ = ["excluded", "parse_dockerignore", "pattern_re"]


def pattern_re(pattern: str) -> re.Pattern:
    """A .dockerignore pattern (Go filepath.Match plus ``**``) as a regex on slash paths."""
    out = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                i += 2
                if i < n and pattern[i] == "/":
                    i += 1
                    out.append("(?:.*/)?")
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.find("]", i + 1)
            if j < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:j]
                if body.startswith("^"):
                    body = "!" + body[1:]
                out.append("[" + ("^" + re.escape(body[1:]) if body.startswith("!") else re.escape(body)) + "]")
                i = j
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    # a pattern also excludes everything under a matching directory
    return re.compile("".join(out) + "(?:/.*)?")


def parse_dockerignore(text: str) -> list[tuple[bool, re.Pattern]]:
    """The rules of a .dockerignore text in order: (re-include, pattern); comments and blank
    lines skipped."""
    rules = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if negate:
            line = line[1:].strip()
        line = os.path.normpath(line).replace(os.sep, "/").lstrip("/") if line not in ("/", ".") else line
        if line.startswith("./"):
            line = line[2:]
        if not line:
            continue
        rules.append((negate, pattern_re(line)))
    return rules


def excluded(rules: list[tuple[bool, re.Pattern]], path: str) -> bool:
    """Whether ``path`` (relative to the context, slash-separated) is left out of the context."""
    result = False
    for negate, pattern in rules:
        if pattern.fullmatch(path):
            result = not negate
    return result
