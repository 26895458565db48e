"""action.yml, the GitHub Action: valid against SchemaStore's action metadata schema (as vendored
by check-jsonschema), and its shell steps run as a runner runs them (``bash --noprofile --norc
-eo pipefail``), in order, with a simulated GitHub environment: ``GITHUB_ACTION_PATH`` on a copy of
this checkout, ``RUNNER_TEMP``, ``GITHUB_OUTPUT`` files, a temporary ``GITHUB_STEP_SUMMARY``, the
``if:`` conditions and ``${{ }}`` expressions of the action evaluated.  ``uses:`` steps are not
run; the test checks what they would be given.  Installing shiplint from the checkout needs pip
to reach the package index for the dependencies (as the pre-commit test does)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import FIXTURES, ROOT, assert_valid_sarif

ACTION = ROOT / "action.yml"
#: What the action's checkout needs for `pip install $GITHUB_ACTION_PATH`.
CHECKOUT_FILES = ("pyproject.toml", "README.md", "LICENSE", "action.yml", "src", "rules", "schemas")
BAD_DF = (FIXTURES / "unpinned" / "Dockerfile").read_text()
BAD_DEPLOY = (FIXTURES / "unpinned" / "k8s" / "deploy.yaml").read_text()


def _action() -> dict:
    return YAML(typ="safe", pure=True).load(ACTION.read_text(encoding="utf-8"))


# -- the metadata schema ------------------------------------------------------------------------


def _check_jsonschema(path: Path):
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-actions",
                           str(path)], capture_output=True, text=True, timeout=120)


def test_action_metadata_is_valid(tmp_path):
    proc = _check_jsonschema(ACTION)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the schema does bite: a composite `run` step without its shell is refused
    broken = tmp_path / "action.yml"
    broken.write_text(ACTION.read_text().replace("      id: gate\n      shell: bash\n", "      id: gate\n"))
    assert broken.read_text() != ACTION.read_text()
    assert _check_jsonschema(broken).returncode == 1


def test_scripts_take_inputs_from_the_environment_only():
    """No ${{ }} inside a script: an input is data, never shell code."""
    action = _action()
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step["name"]
            assert step["shell"] == "bash"
    uploads = [s for s in action["runs"]["steps"] if "uses" in s]
    assert [s["uses"] for s in uploads] == ["github/codeql-action/upload-sarif@v4"]
    assert set(action["inputs"]) >= {"paths", "format", "fail-on", "config", "args", "sarif-file", "upload-sarif"}


# -- a tiny evaluator of the expressions the action uses -------------------------------------

_TOKEN = re.compile(r"\s*(?:'((?:[^']|'')*)'|(==|!=|&&|\|\||!|\(|\))|([A-Za-z_][\w-]*(?:\.[\w-]+)*)(\(\))?)")


def evaluate(expr: str, ctx: dict):
    """``inputs.x``, ``steps.id.outputs.y``, ``github.action_path``, ``runner.temp``, string
    literals, ``== != && || !`` and ``always()``/``success()``, as GitHub evaluates them."""
    out, values, pos = [], [], 0
    expr = expr.strip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        assert m and m.end() > pos, f"cannot evaluate {expr!r} at {pos}"
        pos = m.end()
        string, op, name, call = m.groups()
        if string is not None:
            values.append(string.replace("''", "'"))
            out.append(f"_v[{len(values) - 1}]")
        elif op:
            out.append({"&&": " and ", "||": " or ", "!": " not "}.get(op, f" {op} "))
        elif call:
            assert name in ("always", "success"), name
            out.append(" True ")
        elif name in ("true", "false"):
            out.append(" True " if name == "true" else " False ")
        else:
            node = ctx
            for part in name.split("."):
                node = node.get(part, "") if isinstance(node, dict) else ""
            values.append(node)
            out.append(f"_v[{len(values) - 1}]")
    return eval("".join(out), {"__builtins__": {}}, {"_v": values})  # noqa: S307 - our own tokens only


def substitute(text: str, ctx: dict) -> str:
    def one(m):
        value = evaluate(m.group(1), ctx)
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    return re.sub(r"\$\{\{(.*?)\}\}", one, text)


def test_the_evaluator_reads_contexts_and_operators():
    ctx = {"inputs": {"upload-sarif": "true", "sarif-file": ""}, "steps": {"sarif": {"outputs": {"file": "x.sarif"}}}}
    assert evaluate("inputs.upload-sarif == 'true' && steps.sarif.outputs.file != ''", ctx) is True
    assert evaluate("inputs.sarif-file != ''", ctx) is False
    assert evaluate("!(inputs.missing == 'it''s')", ctx) is True
    assert substitute("a ${{ steps.sarif.outputs.file }} b", ctx) == "a x.sarif b"


# -- the simulated runner -------------------------------------------------------------------


def run_action(inputs: dict, *, workspace: Path, checkout: Path, temp: Path, done: dict | None = None,
               env: dict | None = None) -> dict:
    """Run the action's steps; ``done`` maps the id of each step already run to its outputs."""
    action = _action()
    given = {name: str(inputs.get(name, spec.get("default", ""))) for name, spec in action["inputs"].items()}
    assert not set(inputs) - set(given), set(inputs) - set(given)
    summary = temp / "step_summary.md"
    summary.touch()
    ctx = {"inputs": given, "steps": {k: {"outputs": v} for k, v in (done or {}).items()},
           "github": {"action_path": str(checkout), "workspace": str(workspace)}, "runner": {"temp": str(temp)}}
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_", "SHIPLINT_", "VIRTUAL_ENV"))}
    base.update(CI="true", GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(workspace), GITHUB_ACTION_PATH=str(checkout),
                RUNNER_TEMP=str(temp), GITHUB_STEP_SUMMARY=str(summary), NO_COLOR="1", **(env or {}))
    result = {"steps": [], "uses": [], "failed": None}
    for step in action["runs"]["steps"]:
        sid = step["id"]
        if sid in (done or {}):
            continue
        if "if" in step and not evaluate(step["if"], ctx):
            result["steps"].append((sid, "skipped", ""))
            continue
        if "uses" in step:
            result["steps"].append((sid, "uses", ""))
            result["uses"].append((step["uses"], {k: substitute(str(v), ctx) for k, v in step.get("with", {}).items()}))
            continue
        output_file = temp / f"output-{sid}"
        output_file.write_text("")
        step_env = {**base, "GITHUB_OUTPUT": str(output_file),
                    **{k: substitute(str(v), ctx) for k, v in step.get("env", {}).items()}}
        script = temp / f"script-{sid}.sh"
        script.write_text(step["run"])
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace,
                              env=step_env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
        outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
        ctx["steps"][sid] = {"outputs": outputs}
        result["steps"].append((sid, proc.returncode, proc.stdout + proc.stderr))
        if proc.returncode != 0:
            result["failed"] = sid
            break
    result["outputs"] = {name: substitute(spec["value"], ctx) for name, spec in action["outputs"].items()}
    result["summary"] = summary.read_text()
    result["ctx"] = ctx
    return result


def _log(result, sid) -> str:
    return next(log for s, _, log in result["steps"] if s == sid)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The action's checkout (a copy of this one) and the install step run for real once."""
    base = tmp_path_factory.mktemp("action")
    checkout = base / "shiplint-action"
    checkout.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc", "build")
    for name in CHECKOUT_FILES:
        src = ROOT / name
        shutil.copytree(src, checkout / name, ignore=ignore) if src.is_dir() else shutil.copy2(src, checkout / name)
    temp = base / "runner-temp"
    temp.mkdir()
    workspace = base / "empty"
    workspace.mkdir()
    # everything after the install step is skipped by marking it done
    later = {s["id"]: {} for s in _action()["runs"]["steps"] if s.get("id") not in (None, "install")}
    result = run_action({"python": sys.executable}, workspace=workspace, checkout=checkout, temp=temp, done=later)
    (sid, code, log), *_ = result["steps"]
    assert (sid, code) == ("install", 0), log[-3000:]
    python = result["ctx"]["steps"]["install"]["outputs"]["python"]
    assert python.startswith(str(temp)) and Path(python).is_file()
    version = subprocess.run([sys.executable, "-m", "shiplint", "--version"], capture_output=True, text=True).stdout
    assert version.strip() and version.strip() in log  # the version of this checkout, printed by the step
    return checkout, temp, {"install": {"python": python}}


def _workspace(root: Path, files: dict) -> Path:
    (root / ".git").mkdir(parents=True)  # the configuration lookup stops here, as in a real checkout
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_findings_fail_the_job_after_sarif_and_upload(installed, tmp_path):
    checkout, temp, done = installed
    ws = _workspace(tmp_path / "ws", {"Dockerfile": BAD_DF, "k8s/deploy.yaml": BAD_DEPLOY})
    result = run_action({"upload-sarif": "true"}, workspace=ws, checkout=checkout, temp=temp, done=done)
    assert result["failed"] == "gate", result["steps"]
    assert [(s, c) for s, c, _ in result["steps"]] == [("lint", 0), ("sarif", 0), ("summary", 0), ("upload", "uses"), ("gate", 1)], result["steps"]
    lint = _log(result, "lint")
    assert re.search(r"^::warning file=Dockerfile,line=\d+,.*DF101", lint, re.M), lint
    assert re.search(r"^::warning file=k8s/deploy.yaml,line=\d+,.*KS101", lint, re.M), lint
    assert result["outputs"] == {"exit-code": "1", "sarif-file": "shiplint.sarif"}
    sarif = assert_valid_sarif((ws / "shiplint.sarif").read_text())
    located = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in sarif["runs"][0]["results"]}
    assert {("DF101", "Dockerfile"), ("KS101", "k8s/deploy.yaml")} <= located
    assert "automationDetails" not in sarif["runs"][0]
    assert result["uses"] == [("github/codeql-action/upload-sarif@v4", {"sarif_file": "shiplint.sarif"})]
    # the job summary: shiplint's markdown format
    assert result["summary"].startswith("## shiplint\n") and "`DF101`" in result["summary"]
    assert "(https://github.com/shiplint/shiplint/blob/main/docs/rules.md#df101)" in result["summary"]


def test_clean_run_passes_without_sarif_or_upload(installed, tmp_path):
    checkout, temp, done = installed
    ws = _workspace(tmp_path / "ws", {"k8s/deploy.yaml": BAD_DEPLOY, "Dockerfile": BAD_DF})
    result = run_action({"paths": "k8s", "args": "--ignore KS101", "format": "text", "sarif-file": "",
                         "upload-sarif": "true"}, workspace=ws, checkout=checkout, temp=temp, done=done)
    assert result["failed"] is None, result["steps"]
    assert [(s, c) for s, c, _ in result["steps"]] == [("lint", 0), ("sarif", "skipped"), ("summary", 0), ("upload", "skipped"), ("gate", 0)]
    assert result["outputs"] == {"exit-code": "0", "sarif-file": ""}
    assert result["uses"] == []  # nothing to upload
    assert not (ws / "shiplint.sarif").exists()
    assert "KS101" not in _log(result, "lint")


def test_quoted_paths_config_category_and_a_markdown_summary(installed, tmp_path):
    """Paths with a space and shell syntax arrive as literal paths; the configuration file and the
    SARIF category are passed on; a markdown reporter (here from a plugin) fills the summary."""
    checkout, temp, done = installed
    ws = _workspace(tmp_path / "ws", {"my app/Dockerfile": BAD_DF, "ci/lint.yaml": "severity:\n  DF101: error\n",
                                      "$(touch pwned)/Dockerfile": BAD_DF, ";touch pwned/Dockerfile": BAD_DF})
    marker = ws / "pwned"  # the paths exist (a missing one is a usage error): only their names are hostile
    site = tmp_path / "site"
    dist = site / "md_summary-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: md-summary\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[shiplint]\nmd = md_summary\n")
    (site / "md_summary.py").write_text(
        "from shiplint.hookspecs import hookimpl\n\n"
        "@hookimpl\ndef shiplint_reporters():\n"
        "    return {'markdown': lambda report, options: '## shiplint\\n' + ''.join(\n"
        "        f'- `{f.code}` {f.path}:{f.region.line}\\n' for f in report.active())}\n")
    inputs = {"paths": "'my app' '$(touch pwned)' ';touch pwned'", "config": "ci/lint.yaml",
              "sarif-category": "images", "args": '--select "DF101"'}
    result = run_action(inputs, workspace=ws, checkout=checkout, temp=temp, done=done, env={"PYTHONPATH": str(site)})
    assert not marker.exists(), "an input ran as shell code"
    lint = _log(result, "lint")
    assert re.search(r"^::error file=my app/Dockerfile,line=\d+,.*DF101", lint, re.M), lint  # the config's severity
    assert "DF303" not in lint and "$(touch" in lint  # --select applied; the odd path reported, not run
    assert result["outputs"]["exit-code"] == "1" and result["failed"] == "gate"
    sarif = json.loads((ws / "shiplint.sarif").read_text())
    assert sarif["runs"][0]["automationDetails"]["id"] == "images/"  # SARIF: a trailing / names a category
    assert result["summary"].startswith("## shiplint\n") and "- `DF101` my app/Dockerfile:" in result["summary"]


def test_docs_show_the_action_with_inputs_it_has():
    """docs/ci.md: the snippet uses this action with declared inputs, and the table lists them all."""
    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```", doc, re.M | re.S)
    steps = [s for b in blocks for s in (YAML(typ="safe", pure=True).load(io.StringIO(b)) or [])
             if isinstance(s, dict) and str(s.get("uses", "")).startswith("shiplint/shiplint@")]
    assert steps, "no step using shiplint/shiplint@ in docs/ci.md"
    inputs = _action()["inputs"]
    for step in steps:
        assert set(step.get("with", {})) <= set(inputs), step
    for name, spec in inputs.items():  # each input in the table, with its default (a remark when empty)
        default = rf"`{re.escape(spec['default'])}`" if spec.get("default") else r"[^|`]*"
        assert re.search(rf"^\| `{re.escape(name)}` \| {default} \|", doc, re.M), name
