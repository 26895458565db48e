"""docs/rules.md is generated from the metadata and kept in sync; every rule is documented."""

from __future__ import annotations

from conftest import ROOT, run_shiplint


def _builtin_rules():
    from shiplint.plugins import Plugins

    return Plugins(load_entry_points=False).rules()


def test_rules_reference_is_in_sync():
    from shiplint.ruledocs import builtin_reference

    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == builtin_reference(), (
        "docs/rules.md is stale: regenerate it with `python -m shiplint.ruledocs` (from the repository root)"
    )


def test_the_regeneration_command_writes_the_reference(tmp_path):
    import subprocess
    import sys

    (tmp_path / "docs").mkdir()
    proc = subprocess.run([sys.executable, "-m", "shiplint.ruledocs"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "docs" / "rules.md").read_text(encoding="utf-8") == (ROOT / "docs" / "rules.md").read_text(
        encoding="utf-8")
    again = subprocess.run([sys.executable, "-m", "shiplint.ruledocs"], cwd=tmp_path, capture_output=True, text=True)
    assert again.returncode == 0 and "up to date" in again.stdout
    elsewhere = subprocess.run([sys.executable, "-m", "shiplint.ruledocs"], cwd=tmp_path / "docs",
                               capture_output=True, text=True)
    assert elsewhere.returncode == 2 and "repository root" in elsewhere.stderr


def test_the_cli_markdown_lists_the_same_builtin_rules():
    from shiplint.ruledocs import builtin_reference, render_markdown

    assert render_markdown(_builtin_rules().values()) == builtin_reference()


def test_every_rule_has_what_why_example_fix_and_an_anchor():
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for code, r in _builtin_rules().items():
        section = text.split(f"### {code}\n", 1)[1].split("\n### ", 1)[0]
        for part in ("**What it flags.**", "**Why.**", "**Example that fires:**", "**Fix.**"):
            assert part in section, (code, part)
        assert r.meta.help_uri.endswith(f"#{code.lower()}")


def test_cli_markdown_format():
    r = run_shiplint("rules", "--format", "markdown", env={"SHIPLINT_NO_PLUGINS": "1"})
    assert r.code == 0 and r.out.startswith("# Rule reference")
