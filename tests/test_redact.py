"""The redaction and escaping layer every output goes through (shiplint.core.redact)."""

from __future__ import annotations

import pytest

from shiplint.core.redact import escape_controls, escape_path, redact, uri_path

MASKED = [
    ("postgres://admin:S3cr3t@db:5432/app", "postgres://admin:****@db:5432/app"),
    ("postgres://admin:p@ss@db:5432/app", "postgres://admin:****@db:5432/app"),  # '@' in the password
    ("https://ghp_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2@github.com/o/r", "https://****@github.com/o/r"),
    ("https://0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c@github.com/o/r", "https://****@github.com/o/r"),
    ("https://oauth2:glpat-abcdefghijklmnopqrst@gitlab.com/x", "https://oauth2:****@gitlab.com/x"),
    ("https://h/a?private_token=abc123&x=1", "https://h/a?private_token=****&x=1"),
    ("https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAX%2F1&X-Amz-Signature=4f8e&X-Amz-Date=1",
     "https://b.s3.amazonaws.com/k?X-Amz-Credential=****&X-Amz-Signature=****&X-Amz-Date=1"),
    ("https://acct.blob.core.windows.net/c/b?sv=2022&sig=AbC%2Bd", "https://acct.blob.core.windows.net/c/b?sv=2022&sig=****"),
    ("unknown instruction: AKIAIOSFODNN7EXAMPLE", "unknown instruction: ****"),
    ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", "****"),
    ("token xoxb-123456789012-1234567890123-AbCdEfGhIjKl", "token ****"),
    ("hook https://hooks.slack.com/services/T000/B000/XXXXXXXX", "hook https://hooks.slack.com/services/****"),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt ****"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
     "-----BEGIN RSA PRIVATE KEY-----****-----END RSA PRIVATE KEY-----"),
    ("cut -----BEGIN PRIVATE KEY-----\nMIIEvQ", "cut -----BEGIN PRIVATE KEY-----****"),  # a message cut short
    ("DB_PASSWORD=hunter2 next", "DB_PASSWORD=**** next"),
    ('error: {"password": "hunter2"}', 'error: {"password": "****"}'),
    ("values: api_key: abc123", "values: api_key: ****"),
]

KEPT = [
    "container 'grafana' reads Secret 'x' key 'admin-password' into env var 'GF_SECURITY_ADMIN_PASSWORD': prefer "
    "mounting the Secret as a file",
    "Pod 'p' does not set automountServiceAccountToken: false: every container gets a Kubernetes API token",
    "env var 'MYSQL_PASSWORD' has a hard-coded value (not shown) that looks like a credential: it is readable",
    "base image 'alpine:3.20' is not pinned by digest; use alpine:3.20@sha256:<digest>",
    "https://git@github.com/acme/app.git and ssh://deploy@host/x",
    "image nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "https://example.com/chart?ref=v1.2.3&version=2",
]


@pytest.mark.parametrize("text, expected", MASKED)
def test_secrets_are_masked(text, expected):
    assert redact(text) == expected
    assert redact(expected) == expected  # idempotent


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_messages_are_unchanged(text):
    assert redact(text) == text


def test_patterns_stay_linear_on_crafted_text():
    text = "https://" + "a:" * 200_000 + " " + "x=" * 200_000 + ("?token" + "&" * 1000) * 100
    assert redact(text).startswith("https://")  # returns (quadratic patterns would not, here)


def test_escaping():
    assert escape_controls("a\nb\r\x1b[2J\x9b\u202e\u2028\tc") == "a\\nb\\r\\x1b[2J\\x9b\\u202e\\u2028\\tc"
    assert escape_controls("line\nbreak", keep="\n") == "line\nbreak"
    assert escape_path("dir\\name\udcff.yaml") == "dir\\\\name\\xff.yaml"
    assert escape_path("\\xff") != escape_path("\udcff")  # lossless: a literal '\xff' is not the byte
    assert uri_path("a b/é:\udcff%.yaml") == "a%20b/%C3%A9%3A%FF%25.yaml"


def _redact_unfiltered(text: str) -> str:
    """Every pattern applied in ``redact``'s order, without the cheap tests that skip them."""
    from shiplint.core import redact as r

    text = r._pattern("private_key").sub(lambda m: f"{m.group(1)}{r.MASK}{m.group(2)}", text)
    text = r._pattern("url_userinfo").sub(r._userinfo, text)
    text = r._pattern("query").sub(lambda m: m.group(1) + r.MASK, text)
    text = r._pattern("slack_hook").sub(lambda m: m.group(1) + r.MASK, text)
    text = r._pattern("keys").sub(r.MASK, text)
    return r._pattern("assignment").sub(lambda m: m.group(1) + r.MASK, text)


def test_the_cheap_tests_never_skip_a_pattern_that_matches():
    import random

    rng = random.Random(7)
    # the tests' own samples, their case changed, and the characters re.IGNORECASE equates with
    # ASCII letters (the Kelvin sign, the long s) put in their place
    samples = [t for t, _ in MASKED] + KEPT
    variants = list(samples)
    for text in samples:
        variants += [text.upper(), text.lower(), text.swapcase(),
                     text.replace("k", "\u212a").replace("s", "\u017f"), text.replace("K", "\u212a")]
    pieces = [s[i:i + rng.randint(1, 30)] for s in variants for i in range(0, len(s), 7)]
    for _ in range(3000):
        variants.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))))
    changed = 0
    for text in variants:
        expected = _redact_unfiltered(text)
        assert redact(text) == expected, text
        changed += expected != text
    assert changed > 300  # the comparison did see secrets masked
