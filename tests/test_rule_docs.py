"""docs/rules.md is generated from the metadata and kept in sync; every rule is documented."""

from __future__ import annotations

from conftest import ROOT, run_shiplint


def _builtin_rules():
    from shiplint.plugins import Plugins

    return Plugins(load_entry_points=False).rules()


def test_rules_reference_is_in_sync():
    from shiplint.ruledocs import render_markdown

    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render_markdown(_builtin_rules().values()), (
        "docs/rules.md is stale: regenerate it with `shiplint rules --format markdown > docs/rules.md`"
    )


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
