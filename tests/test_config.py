"""The configuration file, end to end through the CLI: keys, precedence, discovery, errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from conftest import CLEAN_STAGE_TAIL, clean_deployment, run_shiplint

# clean for every rule but DF101 / KS101 (tests/test_clean_fixtures.py): one finding each
UNPINNED_DF = "FROM alpine:3.19\nRUN true\n" + CLEAN_STAGE_TAIL
UNPINNED_DEPLOY = clean_deployment(("api", "ghcr.io/acme/api:1.3.0"))


def _tree(tmp_path, config: str | None = None, name=".shiplint.yaml"):
    (tmp_path / "Dockerfile").write_text(UNPINNED_DF)
    (tmp_path / "deploy").mkdir(exist_ok=True)
    (tmp_path / "deploy" / "api.yaml").write_text(UNPINNED_DEPLOY)
    if config is not None:
        (tmp_path / name).write_text(textwrap.dedent(config))
    return tmp_path


def _codes(result):
    return sorted(f["code"] for f in result.json() if not f["suppressed"])


def test_without_config_both_rules_fire(tmp_path):
    _tree(tmp_path)
    r = run_shiplint("check", "--format", "json", ".", cwd=tmp_path)
    assert r.code == 1
    assert _codes(r) == ["DF101", "KS101"]


def test_ignore_silences_a_rule_globally(tmp_path):
    _tree(tmp_path, "ignore: [DF101]\n")
    r = run_shiplint("check", "--format", "json", ".", cwd=tmp_path)
    assert _codes(r) == ["KS101"]


def test_ignore_by_names_in_a_comma_separated_string(tmp_path):
    # Checkov silently drops comma-separated skip lists; here both rules are honoured
    _tree(tmp_path, "ignore: base-image-not-pinned, image-not-pinned-by-digest\n")
    r = run_shiplint("check", ".", cwd=tmp_path)
    assert r.code == 0, r.out + r.err
    assert "No findings" in r.out


def test_select_by_prefix_and_cli_select_replaces_it(tmp_path):
    _tree(tmp_path, "select: [KS]\n")
    assert _codes(run_shiplint("check", "--format", "json", ".", cwd=tmp_path)) == ["KS101"]
    assert _codes(run_shiplint("check", "--format", "json", "--select", "DF101", ".", cwd=tmp_path)) == ["DF101"]


def test_cli_ignore_adds_to_config_ignore(tmp_path):
    _tree(tmp_path, "ignore: [DF101]\n")
    r = run_shiplint("check", "--ignore", "KS101", ".", cwd=tmp_path)
    assert r.code == 0


def test_severity_raises_a_level_and_fail_on_uses_it(tmp_path):
    _tree(tmp_path, """\
        severity:
          KS101: error
        fail-on: error
        """)
    r = run_shiplint("check", "--format", "json", ".", cwd=tmp_path)
    levels = {f["code"]: f["level"] for f in r.json()}
    assert levels == {"DF101": "warning", "KS101": "error"}
    assert r.code == 1  # KS101 is now an error
    (tmp_path / ".shiplint.yaml").write_text("fail-on: error\n")
    assert run_shiplint("check", ".", cwd=tmp_path).code == 0  # only warnings left
    # the command line overrides the file
    assert run_shiplint("check", "--fail-on", "warning", ".", cwd=tmp_path).code == 1


def test_severity_code_beats_prefix(tmp_path):
    _tree(tmp_path, """\
        severity:
          KS: error
          DF: error
          DF101: note
        """)
    r = run_shiplint("check", "--format", "json", ".", cwd=tmp_path)
    assert {f["code"]: f["level"] for f in r.json()} == {"DF101": "note", "KS101": "error"}


def test_per_file_ignores(tmp_path):
    _tree(tmp_path, """\
        per-file-ignores:
          "deploy/**": [KS101]
          "legacy/*": DF101
        """)
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "Dockerfile").write_text(UNPINNED_DF)
    r = run_shiplint("check", "--format", "json", ".", cwd=tmp_path)
    found = sorted((f["code"], f["path"]) for f in r.json())
    assert found == [("DF101", "Dockerfile")]


def test_exclude(tmp_path):
    _tree(tmp_path, "exclude: [deploy/]\n")
    r = run_shiplint("check", "--format", "json", ".", cwd=tmp_path)
    assert _codes(r) == ["DF101"]
    # an explicitly named file is excluded too (pre-commit passes files one by one)
    r = run_shiplint("check", "--format", "json", "deploy/api.yaml", "Dockerfile", cwd=tmp_path)
    assert _codes(r) == ["DF101"]


def test_max_file_size(tmp_path):
    _tree(tmp_path, "max-file-size: 2K\nselect: [SL004, DF101]\n")  # the deployment is smaller
    (tmp_path / "Dockerfile").write_text(UNPINNED_DF + "# padding\n" * 200)
    r = run_shiplint("check", "--format", "json", ".", cwd=tmp_path)
    assert _codes(r) == ["SL004"]


def test_pyproject_tool_table(tmp_path):
    _tree(tmp_path)
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""\
        [project]
        name = "demo"

        [tool.shiplint]
        ignore = ["KS101"]

        [tool.shiplint.severity]
        DF101 = "error"
        """))
    r = run_shiplint("check", "--format", "json", ".", cwd=tmp_path)
    assert [(f["code"], f["level"]) for f in r.json()] == [("DF101", "error")]


def test_pyproject_without_table_is_skipped_and_yaml_wins(tmp_path):
    _tree(tmp_path, "ignore: [KS101]\n")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    assert _codes(run_shiplint("check", "--format", "json", ".", cwd=tmp_path)) == ["DF101"]


def test_config_found_by_walking_up_from_a_subdirectory(tmp_path):
    _tree(tmp_path, "ignore: [KS101]\nexclude: ['**/skipped.yaml']\n")
    sub = tmp_path / "deploy"
    (sub / "skipped.yaml").write_text(UNPINNED_DEPLOY.replace("name: api", "name: other"))
    r = run_shiplint("check", "--format", "json", "--select", "KS101,DF101", ".", "../Dockerfile", cwd=sub)
    # the configuration's directory is the root (no .git here): paths are relative to it
    assert [(f["code"], f["path"]) for f in r.json()] == [("DF101", "Dockerfile")]


def test_walk_stops_at_the_repository_root(tmp_path):
    (tmp_path / ".shiplint.yaml").write_text("ignore: [KS101]\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    _tree(repo)
    assert _codes(run_shiplint("check", "--format", "json", ".", cwd=repo)) == ["DF101", "KS101"]


def test_explicit_config_and_no_config(tmp_path):
    _tree(tmp_path, "ignore: [KS101]\n")
    (tmp_path / "ci.yaml").write_text("ignore: [DF101]\n")
    assert _codes(run_shiplint("check", "--format", "json", "--config", "ci.yaml", "Dockerfile", "deploy", cwd=tmp_path)) == ["KS101"]
    assert _codes(run_shiplint("check", "--format", "json", "--no-config", "Dockerfile", "deploy", cwd=tmp_path)) == ["DF101", "KS101"]
    r = run_shiplint("check", "--config", "missing.yaml", ".", cwd=tmp_path)
    assert r.code == 2
    assert "missing.yaml" in r.err and "not found" in r.err


@pytest.mark.parametrize(
    "config, expected",
    [
        # bad YAML: the line of the break
        ("select: [DF101\nignore: []\n", ".shiplint.yaml:2: invalid YAML"),
        # unknown key, with a suggestion and the allowed keys
        ("fail-on: error\nignor: [DF101]\n", ".shiplint.yaml:2: ignor: unknown key (did you mean 'ignore'?); allowed: "),
        # wrong type
        ("strict: sometimes\n", ".shiplint.yaml:1: strict: 'sometimes' is not allowed; expected true or false"),
        # not a level
        ("severity:\n  DF101: fatal\n", ".shiplint.yaml:2: severity.DF101: 'fatal' is not allowed; expected one of error, warning, note"),
        # unknown rule in severity
        ("severity:\n  DF101: error\n  XX999: note\n", ".shiplint.yaml:3: severity.XX999: unknown rule 'XX999'"),
        # unknown rule in a list: the item's line
        ("ignore:\n  - DF101\n  - not-a-rule\n", ".shiplint.yaml:3: ignore[1]: unknown rule 'not-a-rule'"),
        ("per-file-ignores:\n  'a/*': [DF101, DF9999]\n", ".shiplint.yaml:2: per-file-ignores.a/*[1]: unknown rule 'DF9999'"),
        ("fail-on: sometimes\n", ".shiplint.yaml:1: fail-on: 'sometimes' is not allowed; expected one of error, warning, note, never"),
        ("- select\n", ".shiplint.yaml:1: (top level): the configuration must be a mapping"),
        ("options:\n  DF101:\n    colour: red\n", ".shiplint.yaml:3: options.DF101.colour: DF101 has no option 'colour'"),
        ("options:\n  NOPE1:\n    x: 1\n", ".shiplint.yaml:2: options.NOPE1: unknown rule 'NOPE1'"),
        ("policies: [no-such-dir]\n", ".shiplint.yaml:1: policies[0]: 'no-such-dir' is not a directory"),
        ("ignore: [DF101]\nignore: [KS101]\n", ".shiplint.yaml:2: ignore: key repeated (first on line 1)"),
    ],
)
def test_broken_config_is_explained(tmp_path, config, expected):
    _tree(tmp_path, config)
    r = run_shiplint("check", ".", cwd=tmp_path)
    assert r.code == 2
    assert r.out == ""
    assert r.err.startswith("shiplint: error: " + expected), r.err
    assert len(r.err.strip().splitlines()) == 1
    assert "Traceback" not in r.err


def test_broken_pyproject_is_explained(tmp_path):
    _tree(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.shiplint]\nselect = ["DF101"]\nstrict = "no"\n')
    r = run_shiplint("check", ".", cwd=tmp_path)
    assert r.code == 2
    assert r.err.startswith("shiplint: error: pyproject.toml:6: strict: 'no' is not allowed; expected true or false"), r.err
    (tmp_path / "pyproject.toml").write_text('[tool.shiplint]\nselect = ["DF101"\n')
    r = run_shiplint("check", ".", cwd=tmp_path)
    assert r.code == 2 and "pyproject.toml" in r.err and "invalid TOML" in r.err


def test_explicit_pyproject_without_table_is_an_error(tmp_path):
    _tree(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    r = run_shiplint("check", "--config", "pyproject.toml", ".", cwd=tmp_path)
    assert r.code == 2 and "pyproject.toml: no [tool.shiplint] table" in r.err


def test_empty_config_is_fine(tmp_path):
    _tree(tmp_path, "# nothing configured yet\n")
    assert _codes(run_shiplint("check", "--format", "json", ".", cwd=tmp_path)) == ["DF101", "KS101"]


def test_jsonschema_is_imported_only_when_a_config_exists(tmp_path):
    _tree(tmp_path)
    probe = (
        "import sys\n"
        "from shiplint.cli import main\n"
        "try:\n    main(['check', '-q', '.'])\nexcept SystemExit:\n    pass\n"
        "print('jsonschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True).stdout
    assert out.strip().splitlines()[-1] == "False"
    (tmp_path / ".shiplint.yaml").write_text("ignore: [KS101]\n")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True).stdout
    assert out.strip().splitlines()[-1] == "True"


# -- in-process: rule options ---------------------------------------------------------------------

def _fake_rules():
    from shiplint.registry.rule import Rule, RuleMeta

    def make(code, name, options):
        return Rule(RuleMeta(code=code, name=name, level="warning", summary="s" * 10, target="dockerfile",
                             options=options), None)

    return {
        "DF104": make("DF104", "untrusted-registry", {"trusted-registries": {"description": "d", "default": []}}),
        "KS203": make("KS203", "slow-start", {"startup-delay-threshold": {"description": "d", "default": 30}}),
    }


def _load(tmp_path, text):
    from shiplint.config import apply_config, load_config
    from shiplint.engine import Options

    (tmp_path / ".shiplint.yaml").write_text(textwrap.dedent(text))
    opts = Options()
    extra = apply_config(load_config(str(tmp_path / ".shiplint.yaml")), opts, _fake_rules())
    return opts, extra


def test_rule_options_and_shortcuts_reach_rules(tmp_path):
    from shiplint.engine import Context

    (tmp_path / "policies").mkdir()
    opts, extra = _load(tmp_path, """\
        trusted-registries: [registry.internal, ghcr.io/acme]
        options:
          slow-start:
            startup-delay-threshold: 90
        policies: policies
        baseline: .shiplint-baseline.json
        fail-on: note
        """)
    rules = _fake_rules()
    ctx = Context(opts, opts.rule_options)
    ctx.rule = rules["DF104"]
    assert ctx.option("trusted-registries") == ["registry.internal", "ghcr.io/acme"]
    ctx.rule = rules["KS203"]
    assert ctx.option("startup-delay-threshold") == 90
    assert opts.policy_dirs == [str(tmp_path / "policies")]
    assert extra == {"fail-on": "note", "baseline": str(tmp_path / ".shiplint-baseline.json")}
    assert opts.config_dir == str(tmp_path)


@pytest.mark.parametrize(
    "text, message",
    [
        ("options:\n  KS203:\n    startup-delay-threshold: soon\n", "options.KS203.startup-delay-threshold: 'soon' is not allowed; expected a number"),
        ("options:\n  '*':\n    no-such-option: 1\n", "options.*.no-such-option: no rule has an option 'no-such-option'"),
        ("trusted-registries: ghcr.io\n", "trusted-registries: 'ghcr.io' is not allowed; expected a list of registry hosts"),
    ],
)
def test_rule_option_errors(tmp_path, text, message):
    from shiplint.core.errors import UsageError

    with pytest.raises(UsageError) as exc:
        _load(tmp_path, text)
    assert message in str(exc.value)


def test_a_fifo_named_as_the_config_is_refused_not_waited_on(tmp_path):
    import os

    fifo = tmp_path / "cfg.yaml"
    os.mkfifo(fifo)
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n")
    r = run_shiplint("check", "--config", str(fifo), ".", cwd=tmp_path)
    assert r.code == 2
    assert "not a regular file" in r.err and "Traceback" not in r.err
