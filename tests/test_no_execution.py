"""Nothing from the scanned repository is ever executed, even under ``python -m shiplint``."""

from __future__ import annotations

from conftest import run_shiplint


def test_repository_module_cannot_shadow_an_import(tmp_path):
    # `python -m` puts the current directory first on sys.path: a click.py, json.py or
    # jsonschema.py in the scanned repository must not be imported in place of the real one
    for name in ("click", "json", "jsonschema", "sarif_om", "pluggy"):
        (tmp_path / f"{name}.py").write_text(
            "import pathlib\npathlib.Path('PWNED').write_text('x')\nraise SystemExit(99)\n"
        )
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n")
    r = run_shiplint("check", "--select", "DF101", "--format", "sarif", ".", cwd=tmp_path)
    assert r.code == 1, r.err
    assert "DF101" in r.out
    assert not (tmp_path / "PWNED").exists()
