"""Shared test helpers: run the CLI for real, lint snippets in-process, validate SARIF."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def run_shiplint(*args, cwd=None, stdin: str | bytes | None = None, env=None) -> Result:
    """Run ``python -m shiplint`` in a subprocess, exactly as a user would."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [sys.executable, "-m", "shiplint", *map(str, args)],
        cwd=cwd, input=data, capture_output=True, env=full_env, timeout=300,
    )
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


_VALIDATOR = None


def sarif_validator():
    global _VALIDATOR
    if _VALIDATOR is None:
        import jsonschema

        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        _VALIDATOR = jsonschema.Draft4Validator(schema)
    return _VALIDATOR


def assert_valid_sarif(data) -> dict:
    """Validate a SARIF log (dict or JSON text) against the official 2.1.0 schema."""
    if isinstance(data, str):
        data = json.loads(data)
    errors = sorted(sarif_validator().iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "invalid SARIF: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return data


def lint_files(paths, select=None, root=None, **options):
    """Run the engine in-process on files or directories; returns the Report."""
    from shiplint.engine import Engine, Options

    opts = Options(select=select, root=str(root or os.getcwd()), **options)
    return Engine(opts).run([str(p) for p in paths])


def lint_text(tmp_path, text: str, filename: str, select=None, **options):
    """Write ``text`` to ``tmp_path/filename`` and lint it; returns the list of findings."""
    target = Path(tmp_path) / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return lint_files([target], select=select, root=tmp_path, **options).findings


@pytest.fixture
def shiplint():
    return run_shiplint
