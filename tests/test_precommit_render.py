"""The hook on chart and overlay changes, run by the real pre-commit: `git commit` on a repository
with a Helm chart and a Kustomize base and overlay, changing one template, one values file, one
patch.  Each commit is refused with the findings the change concerns, at their exact lines.

The hook is the `shiplint` hook of .pre-commit-hooks.yaml (its file patterns) run as a `local`
hook with `language: system` on this environment's shiplint: nothing is installed or fetched."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import ROOT
from test_precommit import _env, _git

pytest.importorskip("pre_commit", reason="pre-commit is not installed (it is in the `test` extra)")


from test_untrusted import HELM, KUSTOMIZE  # noqa: E402

pytestmark = pytest.mark.skipif(HELM is None or KUSTOMIZE is None, reason="helm and kubectl (or kustomize) are needed")

#: a few rules, so that the expected findings are exactly these whatever rules are added later
SELECT = "KS101,KS403,KS405,KS407,SL007"

CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: \"1.0\"\n",
    "chart/values.yaml": (
        "image:\n"
        "  repository: nginx\n"
        "  digest: sha256:" + "a" * 64 + "\n"
        "securityContext:\n"
        "  runAsNonRoot: true\n"
        "  readOnlyRootFilesystem: true\n"
        "  allowPrivilegeEscalation: false\n"
    ),
    "chart/templates/_helpers.tpl": (
        '{{- define "demo.labels" -}}\n'
        "app.kubernetes.io/name: {{ .Chart.Name }}\n"
        "{{- end }}\n"
    ),
    "chart/templates/deployment.yaml": (
        "apiVersion: apps/v1\n"                                                    # 1
        "kind: Deployment\n"                                                       # 2
        "metadata:\n"                                                              # 3
        "  name: {{ .Release.Name }}\n"                                            # 4
        "spec:\n"                                                                  # 5
        "  selector:\n"                                                            # 6
        "    matchLabels:\n"                                                       # 7
        '      {{- include "demo.labels" . | nindent 6 }}\n'                       # 8
        "  template:\n"                                                            # 9
        "    metadata:\n"                                                          # 10
        "      labels:\n"                                                          # 11
        '        {{- include "demo.labels" . | nindent 8 }}\n'                     # 12
        "    spec:\n"                                                              # 13
        "      containers:\n"                                                      # 14
        "        - name: app\n"                                                    # 15
        '          image: "{{ .Values.image.repository }}@{{ .Values.image.digest }}"\n'  # 16
        "          securityContext:\n"                                             # 17
        "            {{- toYaml .Values.securityContext | nindent 12 }}\n"         # 18
    ),
}

BASE_DEPLOY = (
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: web\n"
    "spec:\n"
    "  selector:\n"
    "    matchLabels:\n"
    "      app: web\n"
    "  template:\n"
    "    metadata:\n"
    "      labels:\n"
    "        app: web\n"
    "    spec:\n"
    "      containers:\n"
    "        - name: web\n"
    "          image: nginx:1.27\n"  # line 16: KS101, in the base, which no commit below touches
    "          securityContext:\n"
    "            readOnlyRootFilesystem: true\n"
)
PATCH = (
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: web\n"
    "spec:\n"
    "  replicas: 3\n"
)
KUSTOMIZE = {
    "k8s/base/kustomization.yaml": "resources:\n  - deploy.yaml\n",
    "k8s/base/deploy.yaml": BASE_DEPLOY,
    "k8s/overlays/prod/kustomization.yaml": "resources:\n  - ../../base\npatches:\n  - path: patch.yaml\n",
    "k8s/overlays/prod/patch.yaml": PATCH,
}

_FINDING = re.compile(r"^\./(\S+):(\d+):(\d+)\s+\w+\s+([A-Z]+\d+)\s", re.M)


def _hook_config(shiplint: str) -> str:
    """The `shiplint` hook of .pre-commit-hooks.yaml as a local system hook."""
    (hook,) = [h for h in YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text()) if h["id"] == "shiplint"]
    local = {k: hook[k] for k in ("id", "name", "files", "types", "pass_filenames", "require_serial") if k in hook}
    if "exclude" in hook:
        local["exclude"] = hook["exclude"]
    local.update(language="system", entry=f"{shiplint} check", args=["--select", SELECT])
    import io

    out = io.StringIO()
    YAML().dump({"repos": [{"repo": "local", "hooks": [local]}]}, out)
    return out.getvalue()


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("precommit-render")
    env = _env(tmp)
    env["PATH"] = os.pathsep.join([os.path.dirname(HELM), env.get("PATH", "")])
    shiplint = Path(sys.executable).with_name("shiplint")
    if not shiplint.exists():
        pytest.skip(f"no shiplint console script beside {sys.executable}")
    work = tmp / "work"
    for rel, text in {**CHART, **KUSTOMIZE, ".pre-commit-config.yaml": _hook_config(str(shiplint))}.items():
        p = work / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    _git(work, "init", "-q", "-b", "main", env=env)
    _git(work, "add", ".", env=env)
    _git(work, "commit", "-q", "-m", "start", env=env)  # before the hook is installed
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return work, env


def _commit(work: Path, env: dict, rel: str, old: str, new: str) -> tuple[int, str, set]:
    """Change ``old`` into ``new`` in one file and try to commit it; the working tree is back at
    the last commit afterwards."""
    p = work / rel
    text = p.read_text()
    assert old in text
    p.write_text(text.replace(old, new, 1))
    try:
        _git(work, "add", rel, env=env)
        proc = subprocess.run(["git", "commit", "-m", f"change {rel}"], cwd=work, env=env, capture_output=True,
                              text=True, timeout=300, stdin=subprocess.DEVNULL)
    finally:
        _git(work, "reset", "-q", "--hard", "HEAD", env=env)
    out = proc.stdout + proc.stderr
    return proc.returncode, out, {(m[0], int(m[1]), int(m[2]), m[3]) for m in _FINDING.findall(out)}


def test_a_template_change_renders_its_chart(repo):
    work, env = repo
    code, out, found = _commit(work, env, "chart/templates/deployment.yaml",
                               "    spec:\n      containers:", "    spec:\n      hostPID: true\n      containers:")
    assert code != 0, out
    assert "- hook id: shiplint" in out and "Failed" in out
    assert found == {("chart/templates/deployment.yaml", 14, 16, "KS407")}, out
    assert "SL001" not in out  # the template is rendered, never parsed as YAML


def test_a_values_change_reports_the_template_line_it_changes(repo):
    work, env = repo
    code, out, found = _commit(work, env, "chart/values.yaml",
                               "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false")
    assert code != 0, out
    # the template line the value lands on (the `securityContext:` that `toYaml` fills)
    assert found == {("chart/templates/deployment.yaml", 17, 11, "KS403")}, out
    assert "No findings" not in out


def test_a_patch_change_renders_the_overlay(repo):
    work, env = repo
    code, out, found = _commit(work, env, "k8s/overlays/prod/patch.yaml", "  replicas: 3\n", (
        "  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: web\n"
        "          securityContext:\n            privileged: true\n"))
    assert code != 0, out
    # the privileged flag where the patch sets it; the base's unpinned image (KS101 on
    # k8s/base/deploy.yaml:16) is in the render too, but belongs to a file this commit leaves alone
    assert found == {("k8s/overlays/prod/patch.yaml", 12, 25, "KS405")}, out


def test_a_helper_change_goes_to_shiplint_and_renders_its_chart(repo):
    work, env = repo
    code, out, found = _commit(work, env, "chart/templates/_helpers.tpl", "{{ .Chart.Name }}",
                               '{{ include "demo.missing" . }}')
    assert code != 0, out
    assert found == {("chart/Chart.yaml", 1, 1, "SL007")}, out  # the render fails: said on the chart
    assert 'no template "demo.missing"' in out


def test_an_unrelated_clean_change_passes(repo):
    """The same hook lets a commit through when what it renders is clean for the change."""
    work, env = repo
    code, out, found = _commit(work, env, "k8s/overlays/prod/patch.yaml", "replicas: 3", "replicas: 4")
    assert code == 0, out
    assert found == set()
