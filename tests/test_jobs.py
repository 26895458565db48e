"""``--jobs N``: files spread over worker processes, output identical to ``--jobs 1``.

The comparisons are byte for byte on stdout (text, JSON, SARIF) and cover what the engine
collects besides findings: notifications, inline suppressions and annotations (SL005/SL006),
per-file ignores and severities from a configuration, a baseline, kustomization rules on a base
shared by two overlays (run once), Helm renders remapped to their templates, and project rules
that need every resource.  Durations are not asserted anywhere (see benchmarks/).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, CORPUS_NAME, FIXTURES, ROOT, run_shiplint

from shiplint.engine import parallel as engine_mod
from shiplint.engine import Engine, Options, parallel_jobs
from shiplint.core.findings import Hit, Region
from shiplint.plugins import Plugins
from shiplint.registry.rule import Rule, RuleMeta

FORMATS = ("text", "json", "sarif")


def _helm() -> str | None:
    for cand in (os.environ.get("SHIPLINT_HELM"), str(ROOT / ".tools" / "bin" / "helm"), shutil.which("helm")):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


def _same_output(paths, cwd, extra=()):
    """Run every format with --jobs 1 and --jobs 2; assert identical stdout and exit codes."""
    env = {"PATH": f"{ROOT / '.tools' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}  # helm
    outs = {}
    for fmt in FORMATS:
        one = run_shiplint("check", "--jobs", "1", "--format", fmt, *extra, *paths, cwd=cwd, env=env)
        two = run_shiplint("check", "--jobs", "2", "--format", fmt, *extra, *paths, cwd=cwd, env=env)
        assert one.code in (0, 1), one.err
        assert one.out, f"{fmt}: empty output"
        assert (two.code, two.out) == (one.code, one.out), f"{fmt}: --jobs 2 differs from --jobs 1"
        assert two.err == one.err
        outs[fmt] = one.out
    return outs


#: Lower bounds on the findings of kubernetes/ and dockerfiles/ with every rule, by corpus (the
#: largest present runs).  The slice's was set from a run (``SHIPLINT_FULL_CORPUS=none python -m
#: pytest -s tests/test_jobs.py -k corpus`` prints it; 2419 findings at the time of writing), with a
#: margin for rule changes.
MIN_FINDINGS = {"slice": 1500, "full": 1001}


def test_corpus_output_is_identical_with_jobs(tmp_path):
    if not (shutil.which("kustomize") or shutil.which("kubectl")):
        pytest.skip("corpus/kubernetes holds kustomizations: kustomize or kubectl needed")
    outs = _same_output([CORPUS / "kubernetes", CORPUS / "dockerfiles"], tmp_path, ("--no-config",))
    print(f"\n{CORPUS_NAME}: {len(json.loads(outs['json']))} findings")
    assert len(json.loads(outs["json"])) >= MIN_FINDINGS[CORPUS_NAME]


@pytest.fixture
def features_tree(tmp_path) -> Path:
    """Rule fixtures (bad and good: comments, annotations, SL005/SL006), a kustomize base shared
    by two overlays, a Helm chart when helm is available, a configuration and a baseline."""
    repo = tmp_path / "repo"
    for d in sorted((FIXTURES / "rules").iterdir()):
        for f in d.iterdir():
            if f.is_file():
                dest = repo / "rules" / d.name / f.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(f, dest)
    extra = repo / "extra"
    extra.mkdir()
    (extra / "Dockerfile").write_text(
        "# shiplint ignore=DF101 -- pinned by the mirror\nFROM alpine:3.20\n"
        "# shiplint ignore=no-such-rule\nRUN apk add curl\n# shiplint ignore=DF405\nUSER 10001\n")
    (extra / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n"
        "    shiplint.io/ignore: KS101\n    shiplint.io/ignore-reason: pinned upstream\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n"
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n"
        "---\nkind: [broken\n")
    (extra / "binary.yaml").write_bytes(b"a: 1\x00\n")
    (extra / "many.yaml").write_text("".join(  # enough work for the workers to start
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{k: '{'v' * 400}'}}\n"
        for i in range(800)))
    if shutil.which("kustomize") or shutil.which("kubectl"):
        shutil.copytree(FIXTURES / "kustomize" / "deploy", repo / "deploy")
        base = repo / "deploy" / "kustomize" / "base" / "kustomization.yaml"  # a KZ101 finding on the shared base
        base.write_text(base.read_text() + "images:\n  - name: docker.io/library/nginx\n    newTag: '1.27'\n")
    if _helm():
        shutil.copytree(FIXTURES / "helm" / "api", repo / "charts" / "api")
    (repo / ".shiplint.yaml").write_text(
        "severity:\n  DF303: error\n  KS2: note\nper-file-ignores:\n  'rules/DF1*/**': [DF501]\n")
    return repo


def test_features_output_is_identical_with_jobs(features_tree):
    found = json.loads(_same_output(["."], features_tree)["json"])
    codes = {f["code"] for f in found}
    assert {"SL001", "SL005", "SL006", "DF101", "KS101"} <= codes  # what the comparison covers
    assert any(f.get("suppressed") for f in found)
    if shutil.which("kustomize") or shutil.which("kubectl"):
        kz = [f for f in found if f["code"] == "KZ101"]
        assert len({(f["path"], f["region"]["line"]) for f in kz}) == len(kz)  # a shared base once
        assert any(f["path"] == "deploy/kustomize/base/kustomization.yaml" for f in kz)
    base = run_shiplint("check", "--jobs", "1", "--write-baseline", "baseline.json", "rules/DF101", "rules/KS101",
                        cwd=features_tree)
    assert base.code == 0, base.err
    _same_output(["."], features_tree, ("--baseline", "baseline.json"))
    _same_output(["."], features_tree, ("--strict", "--select", "DF,KS,KZ,SL"))


# -- in-process: project rules, progress, and that workers really ran -----------------------------

def _project_plugin(pids: list | None = None):
    """A plugin with a project rule (every resource is needed after the per-file work) and,
    when ``pids`` is given, a Dockerfile rule that reports the process it ran in."""

    class Plugin:
        @staticmethod
        def shiplint_rules():
            def count(index, ctx):
                kinds = sorted({r.kind for r in index})
                yield Hit(f"{len(index.resources)} resources of kinds {', '.join(kinds)}", Region(1, 1),
                          path=sorted(r.path for r in index)[0] if index.resources else "x", subject="count")

            def where(df, ctx):
                yield Hit(f"pid {os.getpid()}", Region(1, 1), subject="pid")

            meta = dict(level="note", summary="test", rationale="test", fix="test", example="x")
            rules = [Rule(RuleMeta(code="XP001", name="count-resources", target="project", **meta), count, "test")]
            if pids is not None:
                rules.append(Rule(RuleMeta(code="XP002", name="which-process", target="dockerfile", **meta), where, "test"))
            return rules

    from shiplint.plugins.hookspecs import hookimpl

    Plugin.shiplint_rules = hookimpl(Plugin.shiplint_rules)
    return Plugin


def _run(paths, jobs, plugin, root):
    plugins = Plugins(load_entry_points=False)
    plugins.pm.register(plugin, name="test-project")
    calls = []
    eng = Engine(Options(jobs=jobs, root=str(root)), plugins)
    report = eng.run([str(p) for p in paths], progress=lambda done, total: calls.append((done, total)))
    return report, calls, eng


def _key(f):
    return (f.code, f.path, f.region, f.message, f.level, f.subject, f.suppressed, f.fingerprint,
            [(r.path, r.region, r.message) for r in f.related], f.properties)


def test_project_rules_see_every_resource_with_jobs(tmp_path):
    for i in range(12):
        (tmp_path / f"m{i:02}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n"
            f"data: {{k: '{'v' * (engine_mod.PARALLEL_MIN_WORK // 10)}'}}\n---\n"
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}}}\n"
            "spec: {template: {spec: {containers: [{name: a, image: 'x:1'}]}}}\n")
    plugin = _project_plugin()
    one, calls1, _ = _run([tmp_path], 1, plugin, tmp_path)
    two, calls2, eng2 = _run([tmp_path], 2, plugin, tmp_path)
    assert [_key(f) for f in two.findings] == [_key(f) for f in one.findings]
    counted = [f.message for f in two.findings if f.code == "XP001"]
    assert counted == ["24 resources of kinds ConfigMap, Deployment"]
    assert calls1 == calls2 == [(i, 12) for i in range(1, 13)]  # progress as results arrive
    assert eng2.stats["resources"] == 24 and eng2.stats["files"] == 12


def test_workers_really_run_and_a_single_file_does_not_fork(tmp_path):
    for i in range(10):
        padding = "# padding\n" * (engine_mod.PARALLEL_MIN_WORK // 100)
        (tmp_path / f"Dockerfile.{i}").write_text(f"FROM alpine:3.{i}\n{padding}USER 1000{i}\n")
    pids: list = []
    report, _, _ = _run([tmp_path], 2, _project_plugin(pids), tmp_path)
    ran_in = {f.message for f in report.findings if f.code == "XP002"}
    assert len([f for f in report.findings if f.code == "XP002"]) == 10
    assert f"pid {os.getpid()}" not in ran_in  # checked in worker processes
    report, _, _ = _run([tmp_path / "Dockerfile.1"], 2, _project_plugin(pids), tmp_path)
    assert {f.message for f in report.findings if f.code == "XP002"} == {f"pid {os.getpid()}"}


def test_parallel_jobs_policy(tmp_path):
    from shiplint.inputs.discovery import Input

    def files(n, size):
        out = []
        for i in range(n):
            p = tmp_path / f"f{n}-{size}-{i}.yaml"
            p.write_text("#" * size)
            out.append(Input(p.name, str(p), "yaml"))
        return out

    big = files(4, engine_mod.PARALLEL_MIN_WORK // 3)
    assert parallel_jobs(1, big) == 1
    assert parallel_jobs(2, big) == 2
    assert parallel_jobs(64, big) == len(big)  # never more workers than inputs
    assert parallel_jobs(0, big) == min(engine_mod.default_jobs(), len(big))
    assert parallel_jobs(2, big[:1]) == 1  # one file is never split
    assert parallel_jobs(2, files(50, 100)) == 1  # too little work to pay for the workers
    renders = [Input(f"k{i}", str(tmp_path), "kustomize") for i in range(2)]
    assert parallel_jobs(2, renders) == (2 if 2 * engine_mod.RENDER_WORK >= engine_mod.PARALLEL_MIN_WORK else 1)


def test_jobs_option_is_validated():
    res = run_shiplint("check", "--jobs", "-1", "x")
    assert res.code == 2 and "Traceback" not in res.err
