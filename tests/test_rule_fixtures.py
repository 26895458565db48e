"""Every rule has a bad and a good fixture: the bad one fires, the good one does not.

Layout: ``tests/fixtures/rules/<CODE>/bad.<ext>`` and ``good.<ext>`` (a Dockerfile is named
``bad.Dockerfile``), or ``bad/`` and ``good/`` directories for multi-file cases.  A bad fixture
may pin exact positions with comment lines ``# expect: CODE@LINE:COLUMN`` (several allowed):
then the rule must report exactly those positions.  A rule that is inactive until configured
reads its options from ``tests/fixtures/rules/<CODE>/options.json`` (both fixtures).
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import FIXTURES, lint_files

RULES_DIR = FIXTURES / "rules"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]+)@(\d+):(\d+)")
#: Rules stamped by the engine itself, tested in their own modules.
ENGINE_RULES = {"SL001", "SL002", "SL003", "SL004", "SL007"}  # SL007: tests/test_hostile.py


def _all_codes():
    from shiplint.plugins import Plugins

    return sorted(Plugins(load_entry_points=False).rules())


def _fixture(code: str, kind: str):
    base = RULES_DIR / code
    if (base / kind).is_dir():
        return base / kind
    matches = sorted(base.glob(f"{kind}.*"))
    return matches[0] if matches else None


def _options(code: str) -> dict:
    # rule options for both fixtures of a rule that is inactive until configured (DF104, …)
    path = RULES_DIR / code / "options.json"
    return {"rule_options": {code: json.loads(path.read_text(encoding="utf-8"))}} if path.is_file() else {}


def _expected(path):
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    out = set()
    for f in files:
        for m in EXPECT.finditer(f.read_text(encoding="utf-8", errors="replace")):
            out.add((f, m.group(1), int(m.group(2)), int(m.group(3))))
    return out


@pytest.mark.parametrize("code", [c for c in _all_codes() if c not in ENGINE_RULES])
def test_rule_has_fixtures(code):
    assert _fixture(code, "bad") is not None, f"{code}: no tests/fixtures/rules/{code}/bad.*"
    assert _fixture(code, "good") is not None, f"{code}: no tests/fixtures/rules/{code}/good.*"


@pytest.mark.parametrize("code", [c for c in _all_codes() if c not in ENGINE_RULES])
def test_bad_fixture_fires(code):
    bad = _fixture(code, "bad")
    if bad is None:
        pytest.fail(f"{code}: missing bad fixture")
    report = lint_files([bad], select=[code], root=bad.parent if bad.is_file() else bad, **_options(code))
    hits = [f for f in report.findings if f.code == code]
    assert hits, f"{code} did not fire on {bad}"
    expected = _expected(bad)
    if expected:
        root = bad.parent if bad.is_file() else bad
        got = {(root / f.path, f.code, f.region.line, f.region.column) for f in hits}
        want = {e for e in expected if e[1] == code}
        assert got == want, f"{code}: positions {sorted(got)} != expected {sorted(want)}"


@pytest.mark.parametrize("code", [c for c in _all_codes() if c not in ENGINE_RULES])
def test_good_fixture_is_clean(code):
    good = _fixture(code, "good")
    if good is None:
        pytest.fail(f"{code}: missing good fixture")
    report = lint_files([good], select=[code], root=good.parent if good.is_file() else good, **_options(code))
    hits = [f"{f.path}:{f.region.line}:{f.region.column} {f.message}" for f in report.findings if f.code == code]
    assert not hits, f"{code} fired on its good fixture: {hits}"
