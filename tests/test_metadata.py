"""Rule metadata: every file is valid against schemas/rule.schema.json; its code is its file name."""

from __future__ import annotations

import pytest

from conftest import ROOT
from shiplint.registry.rule import _plain, validate_metadata
from shiplint.sources.yamlsrc import parse_yaml_stream

FILES = sorted((ROOT / "rules").rglob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_metadata_valid(path):
    (doc,) = parse_yaml_stream(path.read_text(encoding="utf-8"))
    data = _plain(doc.data)
    validate_metadata(data, path.name)
    assert "code" not in data  # the file name is the code
    assert not data["summary"].endswith(".")


def test_codes_and_names_are_unique():
    from shiplint.plugins import Plugins

    rules = Plugins(load_entry_points=False).rules()
    # a name is unique within a family; the catalogue gives the Dockerfile and Kubernetes twins
    # of a practice the same name (untrusted-registry, invalid-image-digest): naming it selects both
    by_family = {}
    for r in rules.values():
        by_family.setdefault(r.code[:2], []).append(r.name)
    for family, names in by_family.items():
        assert len(names) == len(set(names)), family
    assert len(rules) == len(FILES)


def test_invalid_metadata_is_explained():
    from shiplint.core.errors import UsageError

    with pytest.raises(UsageError, match="level"):
        validate_metadata({"code": "XX001", "name": "x", "level": "fatal", "summary": "s" * 12, "target": "file",
                           "rationale": "r" * 30, "fix": "f" * 12, "example": "e"})
