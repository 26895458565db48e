"""What users read about a rule cites public references, never the internal practice documents.

The rule metadata keeps `seeds:` for traceability to the internal (French) practice documents; no
text a user sees may point at them: the metadata's prose fields, `shiplint explain`, the SARIF rule
descriptors (shortDescription, fullDescription, help), the GitLab issue body and docs/rules.md.
Every rationale links to at least one public https page, and explain and SARIF `helpUri` point at
the rule's own section of docs/rules.md.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from conftest import ROOT

#: Citations of the internal documents, as they were written before the texts were made public:
#: "seed 000 [1.3]", "the seeds' example", "(seed 002 [7.3])", the documents' file names and
#: French titles, "§", and vague pointers to an unnamed internal source ("the practice", "the
#: checklist", "the runbook").
INTERNAL = re.compile(
    r"(?i)\bseeds?\b"
    r"|§"
    r"|\b\d{3}_[0-9a-f]{16}\b"
    r"|\bchapitre\b|d[ée]ploiement|proc[ée]dures? de|guide complet|stage d[ée]veloppeur"
    r"|int[ée]gration avec docker|table des mati[èe]res"
    r"|\bthe (?:[\w-]+ )?(?:practice|checklist|runbooks?)\b"
)
#: A section number in brackets ("[1.3]", "[12]", "[11 C]", "[1.4 E]"). Only searched in prose:
#: examples are code, where `[1]` or `[10.0.0.12]` are YAML. A markdown link's text is followed
#: by "(" and an index (`containers[0]`) by a word character before it; neither is a citation.
SECTION = re.compile(r"(?<![\w\]\[])\[\d{1,2}(?:\.\d{1,2})?(?: ?[A-Z])?\](?!\()")
#: A reference: an https URL outside code spans (a markdown link's target or a bare URL).
URL = re.compile(r"https://[^\s)\]>\"'`,]+[^\s)\]>\"'`,.;]")
CODE_SPAN = re.compile(r"`[^`]*`")


def _builtin_rules():
    from shiplint.plugins import Plugins

    return Plugins(load_entry_points=False).rules()


RULES = _builtin_rules()
CODES = sorted(RULES)


def _prose(meta) -> dict[str, str]:
    fields = {"name": meta.name, "summary": meta.summary, "rationale": meta.rationale, "fix": meta.fix,
              "autofix_note": meta.autofix_note or ""}
    for name, spec in (meta.options or {}).items():
        fields[f"options.{name}"] = str(spec.get("description", ""))
    return fields


def internal_citations(text: str, prose: bool = True) -> list[str]:
    found = [m.group(0) for m in INTERNAL.finditer(text)]
    if prose:
        found += [m.group(0) for m in SECTION.finditer(text)]
    return found


def test_the_patterns_catch_the_old_citations_and_nothing_else():
    for cited in ("pins by digest (seed 000 [1.3])", "the seeds' example images", "see 002_c2978d1cd305e2be.txt",
                  "Chapitre 10 — Packaging & Déploiement", "runbooks [11 C]", "§ 4.3", "(point 5) [1]",
                  "the least-privilege practice", "on the reliability checklist", "as in [1.4 E]"):
        assert internal_citations(cited), cited
    for public in ("see [Secrets](https://kubernetes.io/docs/concepts/configuration/secret/)",
                   "`containers[0].image`", "the [Kubernetes security checklist](https://kubernetes.io/x/)",
                   "a common practice", "`[10.0.0.12]`"):
        assert not internal_citations(public), public
    assert internal_citations("args: [1]")  # hence: section numbers are only searched in prose
    assert not internal_citations("args: [1]", prose=False)


@pytest.mark.parametrize("code", CODES)
def test_metadata_prose_cites_no_internal_document(code):
    meta = RULES[code].meta
    found = {field: internal_citations(text) for field, text in _prose(meta).items()}
    found["example"] = internal_citations(meta.example or "", prose=False)
    found["good_example"] = internal_citations(meta.good_example or "", prose=False)
    assert not {k: v for k, v in found.items() if v}, f"{code}: cite a public reference instead"


@pytest.mark.parametrize("code", CODES)
def test_rationale_links_a_public_reference(code):
    links = URL.findall(CODE_SPAN.sub("", RULES[code].meta.rationale))
    assert links, f"{code}: the rationale must link at least one public https reference"
    for url in links:
        assert not re.match(r"https://([\w-]+\.)*(example\.(com|org)|localhost)(/|$)", url), (code, url)
        assert "…" not in url, (code, url)


@pytest.fixture(scope="module")
def explained() -> dict[str, str]:
    from shiplint.cli import cli

    runner = CliRunner()
    out = {}
    for code in RULES:
        result = runner.invoke(cli, ["explain", code], env={"SHIPLINT_NO_PLUGINS": "1"})
        assert result.exit_code == 0, (code, result.output)
        out[code] = result.output
    return out


@pytest.fixture(scope="module")
def sarif_rules() -> dict[str, dict]:
    # a report describes only the rules its results use: one result of every rule describes them all
    from shiplint.core.findings import Finding, Region
    from shiplint.reporters import sarif
    from shiplint.engine.options import Report

    findings = [Finding(code, rule.meta.name, rule.meta.level, "x", "Dockerfile", Region(1, 1, 1, 2))
                for code, rule in RULES.items()]
    log = sarif.build(Report(findings, RULES, [], [], "."), {})
    return {d["id"]: d for d in log["runs"][0]["tool"]["driver"]["rules"]}


def _doc_sections() -> dict[str, str]:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    return {code: text.split(f"\n### {code}\n", 1)[1].split("\n### ", 1)[0] for code in RULES}


DOCS = _doc_sections()


@pytest.mark.parametrize("code", CODES)
def test_what_users_see_cites_no_internal_document(code, explained, sarif_rules):
    from shiplint.reporters.gitlab import _body

    d = sarif_rules[code]
    seen = {
        "explain": explained[code],
        "sarif shortDescription": d["shortDescription"]["text"],
        "sarif fullDescription": d["fullDescription"]["text"],
        "sarif help text": d["help"]["text"],
        "sarif help markdown": d["help"]["markdown"],
        "gitlab body": _body(RULES[code]) or "",
        "docs/rules.md": DOCS[code],
        "sarif descriptor (properties included)": json.dumps(d, ensure_ascii=False),
    }
    # these renderings hold the examples, so section numbers are checked in the prose fields only
    found = {where: internal_citations(text, prose=False) for where, text in seen.items()}
    assert not {k: v for k, v in found.items() if v}, code


@pytest.mark.parametrize("code", sorted(RULES))
def test_explain_and_sarif_link_the_rules_documentation_page(code, explained, sarif_rules):
    from shiplint.registry.loader import DOCS_BASE

    page = f"{DOCS_BASE}#{code.lower()}"
    assert RULES[code].meta.help_uri == page
    assert explained[code].rstrip().endswith(f"Documentation: {page}")
    assert sarif_rules[code]["helpUri"] == page
    for url in URL.findall(RULES[code].meta.rationale):  # whole, so that a terminal can open it
        assert url in explained[code], (code, url)
    # the anchor exists: GitHub derives it from the section's heading
    assert f"\n### {code}\n" in (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert DOCS_BASE.endswith("/docs/rules.md") and DOCS_BASE.startswith("https://")
