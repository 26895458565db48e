"""tests/corpus, the slice of the public corpus kept in the repository: every file has its
provenance line and its repository's licence, it stays a few MB, and when the full corpus is
present the slice is exactly what SELECTION picks from it, byte for byte."""

from __future__ import annotations

import importlib.util

import pytest

from conftest import CORPUS_SLICE, FULL_CORPUS

OWN = {"README.md", "SELECTION", "refresh.py", "PROVENANCE.tsv"}


def _refresh():
    spec = importlib.util.spec_from_file_location("corpus_refresh", CORPUS_SLICE / "refresh.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


refresh = _refresh()


def _slice_files() -> set[str]:
    return {p.relative_to(CORPUS_SLICE).as_posix() for p in CORPUS_SLICE.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def test_every_file_has_one_provenance_line_and_a_licence():
    header, rows = refresh.read_provenance(CORPUS_SLICE / "PROVENANCE.tsv")
    assert header.split("\t") == ["repo", "commit", "original_path", "local_path", "license", "category", "note"]
    local = [row[3] for row in rows]
    assert len(local) == len(set(local))
    files = _slice_files()
    inputs = {f for f in files if f not in OWN and not f.startswith("licenses/")}
    assert set(local) == inputs
    for row in rows:
        assert len(row) == 7 and len(row[1]) == 40 and row[4], row
        assert row[3].startswith(row[5].replace("rendered-", "rendered/") + "/"), row
    licences = {f for f in files if f.startswith("licenses/")}
    assert licences == {"licenses/" + refresh.licence_name(row[0]) for row in rows}
    for name in licences:
        assert len((CORPUS_SLICE / name).read_text(encoding="utf-8").strip()) > 200, name


def test_every_kind_of_input_is_there_in_a_few_megabytes():
    _, rows = refresh.read_provenance(CORPUS_SLICE / "PROVENANCE.tsv")
    categories = {row[5] for row in rows}
    assert categories == {"dockerfiles", "kubernetes", "helm", "kustomize", "rendered-helm", "rendered-kustomize"}
    assert any(r[3].endswith("/Chart.yaml") for r in rows) and any(r[3].endswith("/kustomization.yaml") for r in rows)
    size = sum((CORPUS_SLICE / f).stat().st_size for f in _slice_files())
    assert size < 4_000_000, size


def test_selection_comments_and_exclusions_are_read():
    keep, drop = refresh.patterns("# a comment\n\nhelm/x/*\n!helm/*/README.md\n")
    assert (keep, drop) == (["helm/x/*"], ["helm/*/README.md"])
    rows = [["r", "c", "o", p, "MIT", "helm", "source"] for p in ("helm/x/Chart.yaml", "helm/x/README.md", "helm/y/Chart.yaml")]
    assert [r[3] for r in refresh.selected(rows, "helm/x/*\n!helm/*/README.md\n")] == ["helm/x/Chart.yaml"]


@pytest.mark.skipif(FULL_CORPUS is None, reason="the full corpus (../shared/corpus or SHIPLINT_FULL_CORPUS) is not present")
def test_slice_is_the_selection_of_the_full_corpus_byte_for_byte():
    header, rows = refresh.read_provenance(FULL_CORPUS / "PROVENANCE.tsv")
    want = refresh.selected(rows, (CORPUS_SLICE / "SELECTION").read_text(encoding="utf-8"))
    got_header, got = refresh.read_provenance(CORPUS_SLICE / "PROVENANCE.tsv")
    assert (got_header, got) == (header, want), "run: python tests/corpus/refresh.py"
    for row in got:
        assert (CORPUS_SLICE / row[3]).read_bytes() == (FULL_CORPUS / row[3]).read_bytes(), row[3]
    for name in {refresh.licence_name(row[0]) for row in got}:
        assert (CORPUS_SLICE / "licenses" / name).read_bytes() == (FULL_CORPUS / "licenses" / name).read_bytes()
