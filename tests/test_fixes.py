"""Automatic fixes: ``check --fix``, ``--diff``, ``--unsafe-fixes``; the fixes of each rule."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, FIXTURES, assert_valid_sarif, run_shiplint

FIXABLE = {
    "DF301": "safe", "DF402": "safe", "DF403": "safe", "DF405": "safe", "DF502": "safe",
    "KS401": "unsafe", "KS402": "safe", "KS403": "unsafe", "KS404": "safe", "KS409": "unsafe",
    "KS410": "safe", "KS601": "safe",
    "DC205": "safe", "DC402": "unsafe",
}


def _bad(code: str) -> Path:
    return next((FIXTURES / "rules" / code).glob("bad.*"))


def _fix_in_process(root: Path, paths, select=None, unsafe=True, write=True):
    from shiplint.engine import Engine, Options
    from shiplint.engine.fixer import run_fixes, write_fixes

    engine = Engine(Options(select=select, root=str(root)))
    outcome = run_fixes(engine, [str(p) for p in paths], unsafe=unsafe)
    if write:
        write_fixes(outcome)
    return outcome


def test_metadata_declares_the_fixable_rules():
    from shiplint.registry.loader import builtin_rules

    declared = {r.code: r.meta.autofix for r in builtin_rules() if r.meta.autofix}
    assert declared == FIXABLE


@pytest.mark.parametrize("code", sorted(FIXABLE))
def test_fix_of_each_rule_gives_the_expected_file(code, tmp_path):
    bad = _bad(code)
    target = tmp_path / bad.name
    shutil.copyfile(bad, target)
    r = run_shiplint("check", "--no-config", "--fix", "--unsafe-fixes", "--select", code, "--format", "json",
                     target.name, cwd=tmp_path)
    assert r.code in (0, 1), r.err
    expected = FIXTURES / "fixes" / code / ("expected" + bad.suffix)
    assert target.read_bytes() == expected.read_bytes()
    assert target.read_bytes() != bad.read_bytes()
    # what remains of the rule are the cases its fix does not cover (none carries a fix)
    remaining = [f for f in r.json() if f["code"] == code]
    assert len(remaining) < len(bad.read_text().split("# expect: ")) - 1
    again = run_shiplint("check", "--no-config", "--fix", "--unsafe-fixes", "--select", code, target.name,
                         cwd=tmp_path)
    assert "fixed 0 findings" in again.err
    assert target.read_bytes() == expected.read_bytes()


def test_unsafe_fixes_need_the_flag(tmp_path):
    target = tmp_path / "pod.yaml"
    shutil.copyfile(_bad("KS403"), target)
    r = run_shiplint("check", "--no-config", "--fix", "--select", "KS403", target.name, cwd=tmp_path)
    assert target.read_bytes() == _bad("KS403").read_bytes()
    assert "2 more fixes may change behaviour" in r.err


def test_diff_prints_and_does_not_write(tmp_path):
    target = tmp_path / "Dockerfile"
    shutil.copyfile(_bad("DF405"), target)
    r = run_shiplint("check", "--no-config", "--diff", "Dockerfile", cwd=tmp_path)
    assert r.code == 1
    assert "-ADD nginx.conf /etc/nginx/nginx.conf\n+COPY nginx.conf /etc/nginx/nginx.conf\n" in r.out
    assert r.out.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n")
    assert target.read_bytes() == _bad("DF405").read_bytes()


def test_select_limits_the_fixes(tmp_path):
    target = tmp_path / "Dockerfile"
    target.write_text("FROM debian:12\nMAINTAINER me\nADD a.txt /a.txt\n")
    run_shiplint("check", "--no-config", "--fix", "--select", "DF405", "Dockerfile", cwd=tmp_path)
    assert target.read_text() == "FROM debian:12\nMAINTAINER me\nCOPY a.txt /a.txt\n"


def test_suppressed_findings_are_not_fixed(tmp_path):
    target = tmp_path / "Dockerfile"
    text = "FROM debian:12\n# shiplint ignore=DF405 -- the archive is unpacked on purpose\nADD a.bin /a\nADD b.txt /b\n"
    target.write_text(text)
    run_shiplint("check", "--no-config", "--fix", "--select", "DF405", "Dockerfile", cwd=tmp_path)
    assert target.read_text() == text.replace("ADD b.txt", "COPY b.txt")


def test_crlf_and_bom_are_kept(tmp_path):
    yaml_text = ("\ufeffapiVersion: v1\nkind: Pod\nmetadata:\n  name: p  # the pod\nspec:\n  containers:\n"
                 "  - name: c\n    image: 'nginx:1.27'\n").replace("\n", "\r\n")
    target = tmp_path / "pod.yaml"
    target.write_bytes(yaml_text.encode())
    _fix_in_process(tmp_path, [target], select=["KS402"])
    data = target.read_bytes().decode()
    assert data.startswith("\ufeff") and "\n" not in data.replace("\r\n", "")
    assert data == yaml_text.rstrip("\r\n") + "\r\n    securityContext:\r\n      allowPrivilegeEscalation: false\r\n"


def test_indentation_style_of_the_file_is_followed(tmp_path):
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n    name: d\nspec:\n    template:\n        spec:\n"
            "            containers:\n            -   name: c\n                image: nginx:1.27\n")
    target = tmp_path / "d.yaml"
    target.write_text(text)
    _fix_in_process(tmp_path, [target], select=["KS404"], unsafe=True)
    assert target.read_text() == text + (
        "                securityContext:\n                    capabilities:\n                        drop:\n"
        "                        - ALL\n")


def test_flow_mappings_get_flow_entries(tmp_path):
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    securityContext: {runAsUser: 1000}\n"
    target = tmp_path / "p.yaml"
    target.write_text(text)
    _fix_in_process(tmp_path, [target], select=["KS402"])
    assert target.read_text() == text.replace("{runAsUser", "{allowPrivilegeEscalation: false, runAsUser")


def test_anchors_are_not_edited(tmp_path):
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - &c\n    name: c\n"
            "    image: nginx:1.27\n")
    target = tmp_path / "p.yaml"
    target.write_text(text)
    outcome = _fix_in_process(tmp_path, [target], select=["KS402"])
    assert target.read_text() == text and outcome.fixed == 0


def test_parse_errors_templates_and_symlinks_are_never_written(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n---\n"
                      "a: [unclosed\n")
    real = tmp_path / "real" / "Dockerfile"
    real.parent.mkdir()
    real.write_text("FROM a\nADD x /x\n")
    link = tmp_path / "Dockerfile"
    os.symlink(real, link)
    before = {p: p.read_bytes() for p in (broken, real)}
    outcome = _fix_in_process(tmp_path, [broken, link])
    assert {p: p.read_bytes() for p in (broken, real)} == before
    assert os.path.islink(link)
    assert any("symlink" in n for n in outcome.notes)


def test_helm_templates_are_not_edited(tmp_path):
    chart = tmp_path / "chart"
    shutil.copytree(FIXTURES / "helm" / "api", chart)
    if not chart.is_dir():
        pytest.skip("no basic chart fixture")
    before = {p: p.read_bytes() for p in chart.rglob("*") if p.is_file()}
    r = run_shiplint("check", "--no-config", "--fix", "--unsafe-fixes", "chart", cwd=tmp_path,
                     env={"PATH": f"{Path(__file__).resolve().parent.parent / '.tools' / 'bin'}:{os.environ['PATH']}"})
    assert {p: p.read_bytes() for p in chart.rglob("*") if p.is_file()} == before
    assert "templates and renders are never edited" in r.err


def test_sarif_carries_the_fixes(tmp_path):
    shutil.copyfile(_bad("DF405"), tmp_path / "Dockerfile")
    r = run_shiplint("check", "--no-config", "--format", "sarif", "--select", "DF405", "Dockerfile", cwd=tmp_path)
    data = assert_valid_sarif(r.out)
    fix = data["runs"][0]["results"][0]["fixes"][0]
    change = fix["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == "Dockerfile"
    assert change["replacements"] == [{"deletedRegion": {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 4},
                                       "insertedContent": {"text": "COPY"}}]
    assert fix["properties"] == {"safety": "safe"}


def test_explain_shows_the_fix_safety():
    assert "Automatic fix: unsafe, applied by --fix --unsafe-fixes" in run_shiplint("explain", "KS403").out
    assert "Automatic fix: safe, applied by --fix" in run_shiplint("explain", "DF405").out
    assert "Automatic fix" not in run_shiplint("explain", "DF101").out


def test_fix_refuses_stdin():
    r = run_shiplint("check", "--no-config", "--fix", "-", stdin="FROM a\nADD x /x\n")
    assert r.code == 2 and "--diff" in r.err


def test_edits_apply_whole_and_never_overlap():
    from shiplint.core.findings import Edit, Finding, Fix, Region
    from shiplint.engine.fixer import apply_fixes

    def finding(code, *edits):
        return Finding(code, code.lower(), "warning", "m", "f", Region(1), fix=Fix("d", list(edits), "safe"))

    a = finding("A1", Edit(Region(1, 1, 1, 4), "XYZ"), Edit(Region(2, 1), "+"))
    b = finding("B1", Edit(Region(1, 3, 1, 5), "??"))  # overlaps a: waits
    c = finding("C1", Edit(Region(9, 1), "x"))  # not in the text: dropped
    text, applied = apply_fixes("abcdef\nline\n", [b, a, c])
    assert text == "XYZdef\n+line\n" and applied == [a]


def test_atomic_writes_keep_the_mode_when_asked_and_sync_before_the_rename(tmp_path, monkeypatch):
    from shiplint.core.fsutil import write_atomic

    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    script = tmp_path / "entrypoint.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o750)
    write_atomic(str(script), b"#!/bin/sh\nexec app\n", keep_mode=True, fsync=True)
    assert script.read_bytes() == b"#!/bin/sh\nexec app\n" and (script.stat().st_mode & 0o777) == 0o750
    assert len(synced) == 1
    report = tmp_path / "report.txt"
    report.write_text("old")
    report.chmod(0o750)
    write_atomic(str(report), b"new")  # a report: the umask's mode, no sync
    umask = os.umask(0)
    os.umask(umask)
    assert (report.stat().st_mode & 0o777) == 0o666 & ~umask and len(synced) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["entrypoint.sh", "report.txt"]


def test_fixed_file_keeps_its_permission_bits(tmp_path):
    target = tmp_path / "Dockerfile"
    target.write_text("FROM debian:12\nMAINTAINER me\n")
    target.chmod(0o640)
    _fix_in_process(tmp_path, [target], select=["DF502"])
    assert "MAINTAINER" not in target.read_text() and (target.stat().st_mode & 0o777) == 0o640


# -- Compose --------------------------------------------------------------------------------------------
def test_compose_fix_lands_in_the_file_that_defines_the_service(tmp_path):
    base = "services:\n  web:\n    image: nginx:1.27\n  api:\n    image: example/api:1.0\n"
    override = ("services:\n  web:\n    ports: ['8080:80']\n  worker:\n    image: example/worker:1.0\n"
                "    security_opt: ['seccomp:unconfined']\n")
    (tmp_path / "compose.yaml").write_text(base)
    (tmp_path / "compose.override.yaml").write_text(override)
    outcome = _fix_in_process(tmp_path, [tmp_path], select=["DC205", "DC402"], unsafe=True)
    assert (tmp_path / "compose.yaml").read_text() == (
        "services:\n  web:\n    image: nginx:1.27\n    security_opt:\n      - no-new-privileges:true\n"
        "    restart: unless-stopped\n  api:\n    image: example/api:1.0\n    security_opt:\n"
        "      - no-new-privileges:true\n    restart: unless-stopped\n")
    # web is defined in the base file: its fixes went there, not into the override
    assert (tmp_path / "compose.override.yaml").read_text() == override.replace(
        "['seccomp:unconfined']\n", "[\"no-new-privileges:true\", 'seccomp:unconfined']\n    restart: unless-stopped\n")
    assert outcome.report.active() == []


def test_compose_fix_keeps_crlf_comments_quoting_and_flow_style(tmp_path):
    text = ("# the stack\r\nservices:\r\n    web:   # front\r\n        image: 'nginx:1.27'\r\n"
            "        security_opt: [\"label:disable\"]\r\n    db: {image: \"postgres:16\"}\r\n")
    target = tmp_path / "docker-compose.yml"
    target.write_bytes(text.encode())
    _fix_in_process(tmp_path, [target], select=["DC205", "DC402"], unsafe=True)
    assert target.read_bytes().decode() == (
        "# the stack\r\nservices:\r\n    web:   # front\r\n        image: 'nginx:1.27'\r\n"
        "        security_opt: [\"no-new-privileges:true\", \"label:disable\"]\r\n"
        "        restart: unless-stopped\r\n"
        "    db: {restart: unless-stopped, security_opt: [\"no-new-privileges:true\"], image: \"postgres:16\"}\r\n")


def test_compose_fixes_left_out(tmp_path):
    """An explicit no-new-privileges:false, a service sharing YAML anchors, a stack file's
    restart: (ignored by docker stack deploy), and DC402 without --unsafe-fixes."""
    text = ("x-base: &base\n  image: example/base:1.0\nservices:\n  web:\n    <<: *base\n  api:\n"
            "    image: example/api:1.0\n    security_opt:\n      - no-new-privileges:false\n  ok:\n"
            "    image: example/ok:1.0\n")
    target = tmp_path / "compose.yaml"
    target.write_text(text)
    outcome = _fix_in_process(tmp_path, [target], select=["DC205", "DC402"], unsafe=False)
    assert target.read_text() == text + "    security_opt:\n      - no-new-privileges:true\n"
    assert outcome.unsafe_skipped == 2  # DC402 on api and ok (web shares an anchor: no fix at all)
    remaining = sorted((f.code, f.subject) for f in outcome.report.active())
    assert remaining == [("DC205", "services.api.security_opt"), ("DC205", "services.web.security_opt"),
                         ("DC402", "services.api.restart"), ("DC402", "services.ok.restart"),
                         ("DC402", "services.web.restart")]
    stack = tmp_path / "docker-stack.yml"
    stack.write_text("services:\n  web:\n    image: nginx:1.27\n    deploy:\n      replicas: 2\n")
    outcome = _fix_in_process(tmp_path, [stack], select=["DC402"], unsafe=True)
    assert outcome.fixed == 0 and [f.code for f in outcome.report.active()] == ["DC402"]


# -- KS409, a cross-resource rule -----------------------------------------------------------------------
def test_project_rule_fix_in_each_file_and_with_jobs(tmp_path):
    deploy = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n    name: api\nspec:\n    template:\n"
              "        spec:\n            containers:\n            -   name: api\n                image: a:1\n")
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: 'b:1'}]}\n"
    for jobs in ("1", "2"):
        (tmp_path / "deploy.yaml").write_text(deploy)
        (tmp_path / "pod.yaml").write_text(pod)
        r = run_shiplint("check", "--no-config", "--fix", "--unsafe-fixes", "--select", "KS409", "--jobs", jobs,
                         ".", cwd=tmp_path)
        assert r.code == 0, r.err
        assert (tmp_path / "deploy.yaml").read_text() == deploy + "            automountServiceAccountToken: false\n"
        fixed_pod = pod.replace("spec: {", "spec: {automountServiceAccountToken: false, ")
        assert (tmp_path / "pod.yaml").read_text() == fixed_pod


def test_project_rule_fix_in_sarif_and_not_in_renders(tmp_path):
    shutil.copyfile(_bad("KS409"), tmp_path / "app.yaml")
    r = run_shiplint("check", "--no-config", "--format", "sarif", "--select", "KS409", "app.yaml", cwd=tmp_path)
    results = assert_valid_sarif(r.out)["runs"][0]["results"]
    assert len(results) == 2
    change = results[0]["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == "app.yaml"
    assert change["replacements"] == [{"deletedRegion": {"startLine": 11, "startColumn": 40, "endLine": 11,
                                                         "endColumn": 40},
                                       "insertedContent": {"text": "\n      automountServiceAccountToken: false"}}]
    assert results[0]["fixes"][0]["properties"] == {"safety": "unsafe"}
    base = tmp_path / "k" / "base"
    base.mkdir(parents=True)
    shutil.copyfile(_bad("KS409"), base / "app.yaml")
    (base / "kustomization.yaml").write_text("resources:\n  - app.yaml\n")
    before = (base / "app.yaml").read_bytes()
    r = run_shiplint("check", "--no-config", "--fix", "--unsafe-fixes", "--select", "KS409", "k", cwd=tmp_path)
    assert (base / "app.yaml").read_bytes() == before
    assert "templates and renders are never edited" in r.err


# -- property test ----------------------------------------------------------------------------------
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402


def _manifest(step: int, seq_indent: int, settings_present: list[bool], crlf: bool, comment: bool) -> str:
    i = " " * step
    d = " " * seq_indent
    sc = ["allowPrivilegeEscalation: false", "runAsNonRoot: true", "seccompProfile: {type: RuntimeDefault}"]
    present = [s for s, keep in zip(sc, settings_present) if keep]
    lines = ["apiVersion: apps/v1", "kind: Deployment", "metadata:", f"{i}name: web", "spec:",
             f"{i}replicas: 2", f"{i}template:", f"{i * 2}spec:", f"{i * 3}containers:",
             f"{i * 3}{d}- name: web", f"{i * 3}{d}  image: 'nginx:1.27'" + ("  # pinned" if comment else "")]
    if present:
        lines.append(f"{i * 3}{d}  securityContext:")
        lines += [f"{i * 3}{d}  {i}{s}" for s in present]
    if comment:
        lines.append("# trailing comment")
    nl = "\r\n" if crlf else "\n"
    return nl.join(lines) + nl


def _compose(step: int, seq_indent: int, services: list[tuple[bool, int]], crlf: bool, comment: bool) -> str:
    """Services with or without ``restart:``, and with no ``security_opt``, a block one or a flow one."""
    i, d = " " * step, " " * seq_indent
    lines = ["services:"]
    for n, (restart, security) in enumerate(services):
        lines += [f"{i}s{n}:", f"{i * 2}image: 'example/s{n}:1.0'" + ("  # pinned" if comment else "")]
        if restart:
            lines.append(f"{i * 2}restart: always")
        if security == 1:
            lines += [f"{i * 2}security_opt:", f"{i * 2}{d}- label:disable"]
        elif security == 2:
            lines.append(f'{i * 2}security_opt: ["label:disable"]')
    if comment:
        lines.append("# trailing comment")
    nl = "\r\n" if crlf else "\n"
    return nl.join(lines) + nl


_DF_LINES = ["RUN apt-get update && apt-get install -y curl", "RUN pip install flask", "RUN apk add git",
             "ADD app.py /app/app.py", "MAINTAINER dev <dev@example.com>", "CMD python app.py", "# a comment",
             "ENV A=1", "RUN dnf install -y jq"]


def _untouched_kept(before: str, after: str, applied) -> bool:
    touched = {ln for f in applied for e in f.fix.edits for ln in range(e.region.line, e.region.end_line + 1)}
    kept = [ln for n, ln in enumerate(before.splitlines(keepends=True), 1) if n not in touched]
    it = iter(after.splitlines(keepends=True))
    return all(any(line == other for other in it) for line in kept)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(step=st.sampled_from([2, 4]), seq_indent=st.sampled_from([0, 2]), present=st.lists(st.booleans(), min_size=3,
       max_size=3), crlf=st.booleans(), comment=st.booleans(),
       df=st.lists(st.sampled_from(_DF_LINES), min_size=1, max_size=6),
       services=st.lists(st.tuples(st.booleans(), st.sampled_from([0, 1, 2])), min_size=1, max_size=3))
def test_property_fixed_files_parse_keep_their_lines_and_stop_firing(tmp_path_factory, step, seq_indent, present,
                                                                      crlf, comment, df, services):
    from shiplint.engine import Engine, Options

    root = tmp_path_factory.mktemp("prop")
    files = {root / "deploy.yaml": _manifest(step, seq_indent, present, crlf, comment),
             root / "Dockerfile": "FROM python:3.12-slim\n" + "\n".join(df) + "\n",
             root / "compose.yaml": _compose(step, seq_indent, services, crlf, comment)}
    for p, text in files.items():
        p.write_bytes(text.encode())
    fixed_rules = sorted(FIXABLE)
    outcome = _fix_in_process(root, list(files), select=fixed_rules, unsafe=True)
    for p, before in files.items():
        after = p.read_bytes().decode()
        ff = outcome.files.get(p.name)
        applied = ff.applied if ff else []
        assert _untouched_kept(before, after, applied), (before, after)
        if crlf and p.suffix == ".yaml":
            assert "\n" not in after.replace("\r\n", "")
    report = Engine(Options(select=fixed_rules, root=str(root))).run([str(p) for p in files])
    assert not [f for f in report.findings if f.code == "SL001"]
    applied_codes = {f.code for ff in outcome.files.values() for f in ff.applied}
    assert not [f for f in report.findings if f.code in applied_codes], [f.message for f in report.findings]
    # every generated service and the Deployment can be fixed: none of these remain
    left = [f.message for f in report.findings if f.code in ("DC205", "DC402", "KS409")]
    assert not left, left


# -- the corpus ---------------------------------------------------------------------------------------
@pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus")
def test_fix_on_a_copy_of_the_corpus(tmp_path, capsys):
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS / "dockerfiles", copy / "dockerfiles", symlinks=True)
    shutil.copytree(CORPUS / "kubernetes", copy / "kubernetes", symlinks=True)
    r = run_shiplint("check", "--no-config", "--fix", "--format", "json", ".", cwd=copy)
    assert r.code in (0, 1), r.err
    assert "Traceback" not in r.err and "internal error" not in r.err
    summary = next(line for line in r.err.splitlines() if " remain" in line)
    with capsys.disabled():
        print(f"\ncorpus --fix: {summary}")
    again = run_shiplint("check", "--no-config", "--fix", ".", cwd=copy)
    assert "fixed 0 findings" in again.err
    assert len(json.loads(r.out)) == int(summary.split("; ")[1].split()[0])
