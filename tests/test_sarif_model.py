"""The SARIF report without importing sarif-om, against sarif-om itself.

The reporter builds its dicts from a table of sarif-om's fields (``reporters/_sarif_model.py``)
so that a one-file run does not pay for importing sarif-om and attrs.  These tests derive the
table from sarif-om's classes, build the report of the corpus slice (and of fixtures with fixes,
suppressions and related locations) both ways and require the same bytes, and check that the
rule descriptors are exactly those the results use.
"""

from __future__ import annotations

import json

import attr
import pytest
import sarif_om

from conftest import CORPUS_SLICE, FIXTURES, assert_valid_sarif
from shiplint.engine import Engine, Options
from shiplint.reporters import sarif
from shiplint.reporters._sarif_model import FIELDS, REQUIRED


@pytest.mark.parametrize("cls", sorted(FIELDS))
def test_the_table_is_sarif_om_s_own_fields(cls):
    fields = attr.fields(getattr(sarif_om, cls))
    kept = {name for name, _, _ in FIELDS[cls]}
    want = []
    for a in fields:
        if a.name not in kept and a.default is None:
            continue
        default = a.default
        if default is attr.NOTHING:
            default = REQUIRED
        elif isinstance(default, attr.Factory):
            default = default.factory()
        want.append((a.name, a.metadata.get("schema_property_name", a.name), default))
    assert list(FIELDS[cls]) == want


def test_unknown_and_missing_fields_are_refused():
    with pytest.raises(TypeError):
        sarif.FAST_MODEL.Region(start_lien=1)
    with pytest.raises(TypeError):
        sarif.FAST_MODEL.Tool()  # no driver


def _reports():
    yield "corpus", Engine(Options(root=str(CORPUS_SLICE))).run([str(CORPUS_SLICE)])
    yield "fixtures", Engine(Options(root=str(FIXTURES))).run([str(FIXTURES / "rules")])


@pytest.fixture(scope="module")
def reports():
    return list(_reports())


@pytest.mark.parametrize("category", [None, "dockerfiles"])
@pytest.mark.parametrize("suppressed", ["include", "exclude"])
def test_the_fast_model_writes_what_sarif_om_writes(reports, category, suppressed):
    options = {"sarif_suppressed": suppressed, **({"sarif_category": category} if category else {})}
    seen = set()
    for _, report in reports:
        fast = sarif.build(report, options)
        reference = sarif.build(report, options, model=sarif_om)
        assert json.dumps(fast, indent=2, ensure_ascii=False) == json.dumps(reference, indent=2, ensure_ascii=False)
        for result in fast["runs"][0]["results"]:
            seen.update(k for k in ("relatedLocations", "suppressions", "fixes", "properties") if k in result)
    # the comparison went through every optional part of a result
    assert seen == {"relatedLocations", "fixes", "properties"} | ({"suppressions"} if suppressed == "include" else set())


def test_rules_are_the_ones_the_results_use(reports):
    for _, report in reports:
        log = assert_valid_sarif(sarif.render(report, {}))
        run = log["runs"][0]
        ids = [d["id"] for d in run["tool"]["driver"]["rules"]]
        used = sorted({f.code for f in report.findings if f.code in report.rules and not f.suppressed})
        assert ids == used and len(used) > 3
        for result in run["results"]:
            assert ids[result["ruleIndex"]] == result["ruleId"]
        # each descriptor is the full one (GitHub shows its help), as sarif-om builds it
        for d in run["tool"]["driver"]["rules"]:
            assert d == sarif.to_sarif_dict(sarif._descriptor(sarif_om, report.rules[d["id"]]))
        assert len(ids) < len(report.rules)


def test_the_limit_keeps_the_descriptors_of_the_kept_results(reports):
    _, report = reports[0]
    log = sarif.build(report, {"sarif_max_results": 5})
    run = log["runs"][0]
    assert len(run["results"]) == 5
    assert [d["id"] for d in run["tool"]["driver"]["rules"]] == sorted({r["ruleId"] for r in run["results"]})


def test_a_clean_run_lists_no_rule(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY app /app\nUSER 10001\nENTRYPOINT [\"/app\"]\n")
    report = Engine(Options(root=str(tmp_path), select=["DF101"])).run([str(tmp_path)])
    log = assert_valid_sarif(sarif.render(report, {}))
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []
