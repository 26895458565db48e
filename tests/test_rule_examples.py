"""Every rule's documented examples do what the documentation says: the "example that fires"
snippet (``example:``) fires the rule and the "fixed" one (``good_example:``) does not.

A snippet is written into an empty directory and checked as a whole, with that rule selected.
It is one file, named after the rule's target (``Dockerfile``, ``kustomization.yaml``,
``manifest.yaml``; several YAML documents for a cross-resource rule), unless it contains
``# file: NAME`` lines: each one starts a file of that name (a chart, a Dockerfile and its
``.dockerignore``).  A rule that is inactive until configured reads its options from
``tests/fixtures/rules/<CODE>/options.json``, as its fixtures do.  ``example_language: text``
snippets are command lines (SL003, SL004), not files, and are not run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import FIXTURES, lint_files

_FILE_MARK = re.compile(r"^# file: (\S+)[ \t]*$", re.M)
_DEFAULT_NAME = {"dockerfile": "Dockerfile", "kustomization": "kustomization.yaml", "compose": "compose.yaml",
                 "ci": ".github/workflows/build.yml"}


def _builtin():
    from shiplint.registry.loader import builtin_metadata

    return builtin_metadata()


def example_files(meta, text: str) -> dict[str, str]:
    """``{relative path: content}`` of one example snippet."""
    marks = list(_FILE_MARK.finditer(text))
    if not marks:
        default = _DEFAULT_NAME.get(meta.target)
        if default is None:
            default = "Dockerfile" if meta.example_language == "dockerfile" else "manifest.yaml"
        return {default: text}
    assert text[:marks[0].start()].strip() == "", f"{meta.code}: text before the first '# file:' line"
    out = {}
    for mark, following in zip(marks, marks[1:] + [None]):
        out[mark.group(1)] = text[mark.end() + 1:following.start() if following else len(text)]
    return out


def _fired(tmp_path: Path, meta, text: str) -> list[str]:
    for rel, content in example_files(meta, text).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(content, encoding="utf-8")
    options = {}
    path = FIXTURES / "rules" / meta.code / "options.json"
    if path.is_file():
        options["rule_options"] = {meta.code: json.loads(path.read_text(encoding="utf-8"))}
    if meta.code == "SL007":  # the renderer must be there for a template error to be the reason
        from test_helm import _find_helm

        options["helm_bin"] = _find_helm() or pytest.skip("helm not installed")
    report = lint_files([tmp_path], select=[meta.code], root=tmp_path, **options)
    return [f"{f.path}:{f.region.line}:{f.region.column} {f.message}" for f in report.findings if f.code == meta.code]


RUNNABLE = sorted(code for code, m in _builtin().items() if m.example_language != "text")


def test_examples_are_run_for_nearly_every_rule():
    assert len(RUNNABLE) >= len(_builtin()) - 2


@pytest.mark.parametrize("code", RUNNABLE)
def test_example_fires(tmp_path, code):
    meta = _builtin()[code]
    assert _fired(tmp_path, meta, meta.example), f"{code}: its 'example that fires' does not fire"


@pytest.mark.parametrize("code", [c for c in RUNNABLE if _builtin()[c].good_example])
def test_fixed_example_is_clean(tmp_path, code):
    meta = _builtin()[code]
    hits = _fired(tmp_path, meta, meta.good_example)
    assert not hits, f"{code}: its fixed example still fires: {hits}"


def test_file_marks_split_a_snippet():
    from shiplint.registry.rule import RuleMeta

    meta = RuleMeta("DF999", "x", "note", "summary", "dockerfile", example_language="dockerfile")
    files = example_files(meta, "# file: .dockerignore\n.git\n# file: app/Dockerfile\nFROM scratch\nCOPY . .\n")
    assert files == {".dockerignore": ".git\n", "app/Dockerfile": "FROM scratch\nCOPY . .\n"}
    assert example_files(meta, "FROM scratch\n") == {"Dockerfile": "FROM scratch\n"}
