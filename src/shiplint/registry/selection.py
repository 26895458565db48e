"""Which rules a run uses and at what level: ``select``/``extend-select``/``ignore`` tokens,
severity overrides, and the token grammar shared by the configuration, inline suppressions and
``per-file-ignores`` (a code, a name, a code prefix such as ``DF4`` or ``KS``, or ``ALL``)."""

from __future__ import annotations

import re

from shiplint.core.errors import UsageError

_PREFIX_RE = re.compile(r"[A-Z]+[0-9]*\Z")


def token_matches(token: str, r) -> bool:
    """A rule is named by its code, its name, a code prefix (``DF4``, ``KS``) or ``ALL``."""
    t = token.strip()
    if not t:
        return False
    upper = t.upper()
    if upper == "ALL" or t == r.name or upper == r.code:
        return True
    return bool(_PREFIX_RE.match(upper)) and r.code.startswith(upper)


def subcode(token: str, r) -> str | None:
    """The code of another tool that ``token`` names among the findings of ``r`` (``SC2086`` for
    DF601, whose metadata declares ``subcodes``), else None."""
    pattern = getattr(r.meta, "subcodes", "")
    t = token.strip().upper()
    return t if pattern and re.fullmatch(pattern, t) else None


def names_rule(token: str, r) -> bool:
    """``token`` names ``r`` or some of its findings (a sub-code)."""
    return token_matches(token, r) or subcode(token, r) is not None


def finding_matches(token: str, r, properties: dict) -> bool:
    """``token`` covers a finding of ``r``: it names the rule, or it is the finding's sub-code."""
    if token_matches(token, r):
        return True
    sub = subcode(token, r)
    return sub is not None and properties.get("subcode") == sub


def subcode_filter(r, select: list[str] | None, extend_select: list[str], ignore: list[str]) -> tuple[list[str], list[str]]:
    """(sub-codes to keep, sub-codes to drop) for a rule with sub-codes: ``--select SC2086``
    keeps only that code unless another token selects the whole rule; ``--ignore SC2086``
    drops it."""
    chosen = list(select or []) + list(extend_select)
    keep: list[str] = []
    if not any(token_matches(t, r) for t in chosen):
        keep = [s for s in (subcode(t, r) for t in chosen) if s]
    drop = [s for s in (subcode(t, r) for t in ignore) if s]
    return keep, drop


def select_rules(rules: dict, select: list[str] | None, extend_select: list[str], ignore: list[str]) -> dict:
    """The rules a run uses; an unknown token is a usage error (a typo must not silence a gate).

    A sub-code (``SC2086``) selects its rule; ignoring one leaves the rule on (the rule drops
    that code: :func:`subcode_filter`)."""
    tokens = list(select or []) + list(extend_select) + list(ignore)
    for tok in tokens:
        if tok.strip() and tok.strip().upper() != "ALL" and not any(names_rule(tok, r) for r in rules.values()):
            raise UsageError(f"unknown rule or prefix {tok.strip()!r} (see 'shiplint rules')")
    chosen = {}
    for code, r in rules.items():
        selected = select is None or any(names_rule(t, r) for t in select)
        if any(names_rule(t, r) for t in extend_select):
            selected = True
        if selected and not any(token_matches(t, r) for t in ignore):
            chosen[code] = r
    return chosen


def severity_levels(rules: dict, severity: dict[str, str]) -> dict[str, str]:
    """The overridden level of each rule: a code or name beats a prefix, a longer prefix a
    shorter one, and ``ALL`` comes last."""
    for tok in severity:
        if not any(token_matches(tok, r) for r in rules.values()):
            raise UsageError(f"severity: unknown rule {tok!r}")
    levels: dict[str, str] = {}
    for r in rules.values():
        best = None
        for tok, level in severity.items():
            if not token_matches(tok, r):
                continue
            t = tok.strip()
            rank = 3 if (t.upper() == r.code or t == r.name) else (1 if t.upper() == "ALL" else 2)
            key = (rank, len(t))
            if best is None or key > best[0]:
                best = (key, level)
        if best is not None:
            levels[r.code] = best[1]
    return levels


class RuleMatcher:
    """``token → rules`` lookups, cached: suppressions and per-file-ignores ask the same tokens
    for thousands of findings."""

    def __init__(self, rules: dict) -> None:
        self.rules = rules
        self._cache: dict[str, list] = {}

    def matching(self, token: str) -> list:
        found = self._cache.get(token)
        if found is None:
            found = self._cache[token] = [r for r in self.rules.values() if names_rule(token, r)]
        return found

    def matches(self, token: str, code: str) -> bool:
        r = self.rules.get(code)
        return r is not None and token_matches(token, r)
