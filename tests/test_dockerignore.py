"""The .dockerignore reader (shiplint.sources.dockerignore), on its own."""

from __future__ import annotations

import pytest

from shiplint.sources.dockerignore import excluded, parse_dockerignore


@pytest.mark.parametrize(
    "text, path, expected",
    [
        (".git\n", ".git", True),
        (".git\n", ".git/HEAD", True),  # everything under an excluded directory
        (".git\n", "src/.git", False),  # patterns are anchored at the context root
        ("**/.git\n", "src/.git", True),
        ("*.env\n", ".env", True),
        ("*\n!.env\n", ".env", False),  # the last matching rule wins
        ("!.env\n*\n", ".env", True),
        ("# .git\n\n", ".git", False),  # comments and blank lines
        ("./.git/\n", ".git", True),  # cleaned like filepath.Clean
        ("/.env\n", ".env", True),
        ("[.]env\n", ".env", True),
        ("[!.]env\n", ".env", False),
        ("\\*\n", "*", True),
        ("?git\n", ".git", True),
    ],
)
def test_dockerignore_rules(text, path, expected):
    assert excluded(parse_dockerignore(text), path) is expected
