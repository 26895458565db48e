"""DF204 matches file names against its glob patterns without ``fnmatch``: the same answers on
every pattern for names built to hit each part of them."""

from __future__ import annotations

import fnmatch
import itertools

from shiplint.rules.dockerfile.DF204 import SECRET_NAMES, glob_match, secret_kind


def _names() -> set[str]:
    pieces = {p for pattern in SECRET_NAMES for p in pattern.split("*") if p}
    names = set(pieces) | {"", "a", "x.json", "env", ".envrc", "key", "credentials", "a.key.pem.bak"}
    for a, b in itertools.product(sorted(pieces), repeat=2):
        names.update({a + b, a + "x" + b, "x" + a + b + "x"})
    return names


def test_glob_match_is_fnmatchcase_for_star_patterns():
    assert all(set(p) - {"*"} == set(p.replace("*", "")) and "?" not in p and "[" not in p for p in SECRET_NAMES)
    names = _names()
    assert len(names) > 1000
    for pattern in SECRET_NAMES + ["*", "**", "a*b*c", "*a*a*"]:
        for name in names | {"aa", "aaa", "abc", "abbc", "ac"}:
            assert glob_match(name, pattern) == fnmatch.fnmatchcase(name, pattern), (name, pattern)


def test_secret_kind_names_the_pattern_and_spares_templates():
    assert secret_kind("config/.env.production") == "a file named like .env.*"
    assert secret_kind("./certs/server-key.pem") == "a file named like *-key.pem"
    assert secret_kind("home/.ssh/") == "the .ssh directory"
    assert secret_kind(".env.example") is None
    assert secret_kind("requirements.txt") is None
