"""shiplint on a pull request from someone the repository does not trust, run as CI runs it.

Each test builds a hostile repository in a temporary directory (symlinks to system files
included), runs the ``shiplint`` console script from it with a token in the environment
(``SHIPLINT_CANARY_TOKEN``), and checks what an attacker would look for: the token or a line
of ``/etc/passwd`` in any output, a connection to a listener on 127.0.0.1, a process left
running, a write outside the tree, a renderer using unbounded memory, a run that never ends.

``python -m shiplint`` run from a repository holding a ``shiplint/`` package cannot be protected
by shiplint's code: that test documents the limit, marked ``xfail(strict=True)``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import ROOT, assert_valid_sarif, lint_files

FORMATS = ["text", "json", "sarif", "github", "gitlab", "junit"]
CANARY = "canary-" + uuid.uuid4().hex
#: What must never appear in any output.
LEAKS = (CANARY, "root:x:0:0")


def _helm() -> str | None:
    for cand in (os.environ.get("SHIPLINT_HELM"), str(ROOT / ".tools" / "bin" / "helm"), shutil.which("helm")):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


HELM = _helm()
KUSTOMIZE = shutil.which("kustomize") or shutil.which("kubectl")
needs_helm = pytest.mark.skipif(HELM is None, reason="helm is not installed")
needs_kustomize = pytest.mark.skipif(KUSTOMIZE is None, reason="neither kustomize nor kubectl is installed")
linux = pytest.mark.skipif(not os.path.isdir("/proc/self") or not hasattr(os, "fork"), reason="needs Linux /proc")


def _isolation() -> str:
    from shiplint.inputs.render import sandbox

    return sandbox.isolation() if sys.platform.startswith("linux") else ""


ISOLATED = _isolation()
needs_namespaces = pytest.mark.skipif("net pid" not in ISOLATED,
                                      reason="no network and PID namespaces here (see docs/security.md)")


@dataclass
class Run:
    code: int
    out: str
    err: str
    raw_out: bytes
    maxrss: int  # KiB: the largest resident set of shiplint and every process it started

    def json(self):
        return json.loads(self.out)


#: Runs a command and reports its exit status and the peak memory of it and its descendants.
_WRAPPER = """
import json, resource, subprocess, sys
out, err = sys.argv[1], sys.argv[2]
stdin = open(sys.argv[3], "rb") if sys.argv[3] != "-" else subprocess.DEVNULL
with open(out, "wb") as o, open(err, "wb") as e:
    code = subprocess.run(sys.argv[4:], stdin=stdin, stdout=o, stderr=e).returncode
print(json.dumps({"code": code, "maxrss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def _shiplint() -> list[str]:
    """The console script a CI job installs (``python -P -m shiplint`` where there is none)."""
    script = Path(sys.executable).with_name("shiplint")
    return [str(script)] if script.exists() else [sys.executable, "-P", "-m", "shiplint"]


def ci(*args, cwd: Path, stdin: bytes | None = None, env: dict | None = None) -> Run:
    """``shiplint ARGS`` from the repository, as a CI job runs it: a token in the environment."""
    full_env = {**os.environ, "NO_COLOR": "1", "SHIPLINT_CANARY_TOKEN": CANARY, **(env or {})}
    tmp = Path(cwd).parent / f".run-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        stdin_file = "-"
        if stdin is not None:
            (tmp / "in").write_bytes(stdin)
            stdin_file = str(tmp / "in")
        proc = subprocess.run([sys.executable, "-I", "-c", _WRAPPER, str(tmp / "out"), str(tmp / "err"), stdin_file,
                               *_shiplint(), *map(str, args)],
                              cwd=cwd, env=full_env, capture_output=True, timeout=600)
        status = json.loads(proc.stdout)
        raw = (tmp / "out").read_bytes()
        return Run(status["code"], raw.decode("utf-8", "replace"),
                   (tmp / "err").read_bytes().decode("utf-8", "replace"), raw, status["maxrss"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def assert_no_leak(where: str, text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, f"{leak[:12]}… leaked into {where}"


def every_output(repo: Path, *extra) -> list[tuple[str, str]]:
    """``(where, text)`` of each format on stdout and stderr, a ``--output`` file and a
    written baseline, for a check of ``repo``."""
    got = []
    for fmt in FORMATS:
        r = ci("check", ".", "--format", fmt, *extra, cwd=repo)
        assert "Traceback" not in r.err, r.err
        got += [(f"{fmt} stdout", r.out), (f"{fmt} stderr", r.err)]
    report = repo.parent / "report.sarif"
    r = ci("check", ".", "--format", "sarif", "--output", report, *extra, cwd=repo)
    got += [("--output", report.read_text(encoding="utf-8")), ("--output stderr", r.err + r.out)]
    baseline = repo.parent / "baseline.json"
    r = ci("check", ".", "--write-baseline", baseline, *extra, cwd=repo)
    got += [("baseline", baseline.read_text(encoding="utf-8")), ("baseline stderr", r.err + r.out)]
    return got


def _write(root: Path, files: dict) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def _fake(path: Path, body: str) -> Path:
    """An executable Python script standing for helm or kustomize."""
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  hostPID: true
  containers:
    - name: app
      image: {image}
      securityContext:
        privileged: true
"""

CHART = "apiVersion: v2\nname: {name}\nversion: 0.1.0\n"


# -- the render sandbox: symlinks to system files ---------------------------------------------------


def _leaky_chart(repo: Path) -> Path:
    chart = _write(repo / "chart", {
        "Chart.yaml": CHART.format(name="leaky"),
        "templates/pod.yaml": POD.format(
            name="leaky",
            image='{{ .Files.Get "passwd" | splitList "\\n" | first | quote }}') + """\
    - name: env
      image: {{ .Files.Get "environ" | replace "\\x00" " " | quote }}
    - name: dir
      image: {{ .Files.Get "etc/passwd" | splitList "\\n" | first | quote }}
    - name: glob
      image: {{ $all := "" }}{{ range $path, $_ := .Files.Glob "**" }}{{ $all = print $all ($.Files.Get $path) }}{{ end }}{{ $all | replace "\\n" " " | replace "\\x00" " " | quote }}
""",
    })
    (chart / "passwd").symlink_to("/etc/passwd")
    (chart / "environ").symlink_to("/proc/self/environ")
    (chart / "etc").symlink_to("/etc")
    return chart


@needs_helm
@linux
def test_chart_links_to_system_files_leak_into_no_output(tmp_path):
    repo = tmp_path / "repo"
    _leaky_chart(repo)
    outputs = every_output(repo, "--helm-bin", HELM)
    for where, text in outputs:
        assert_no_leak(where, text)
    # the chart was rendered and checked: the privileged pod's findings are on its template
    text = dict(outputs)["json stdout"]
    assert any(f["code"] != "SL007" and f["path"] == "chart/templates/pod.yaml" for f in json.loads(text))


@needs_helm
@linux
def test_links_inside_the_chart_still_work(tmp_path):
    """The copy keeps the links that stay in the tree: a template and a data file shared by
    symlinks render as before."""
    chart = _write(tmp_path / "repo" / "chart", {
        "Chart.yaml": CHART.format(name="linked"),
        "shared/pod.yaml": POD.format(name="linked", image='{{ .Files.Get "files/image.txt" | trim }}'),
        "data/image.txt": "registry.example/linked-app:1.0\n",
    })
    (chart / "templates").mkdir()
    (chart / "templates" / "pod.yaml").symlink_to("../shared/pod.yaml")
    (chart / "files").symlink_to("data")
    r = ci("check", ".", "--format", "json", "--helm-bin", HELM, cwd=tmp_path / "repo")
    assert r.code == 1 and not [f for f in r.json() if f["code"] == "SL007"]
    assert any("registry.example/linked-app:1.0" in f["message"] for f in r.json())


@needs_kustomize
@linux
def test_kustomize_generator_and_replacement_cannot_copy_system_files_into_a_finding(tmp_path):
    """A ConfigMap generated from ``passwd -> /etc/passwd`` (or the environment), copied into an
    image by ``replacements``: the image would be quoted by the image rules."""
    repo = tmp_path / "repo"
    for name, target in (("passwd", "/etc/passwd"), ("environ", "/proc/self/environ")):
        k = _write(repo / name, {
            "deploy.yaml": POD.format(name="app", image="nginx:1.27"),
            "kustomization.yaml": f"""\
resources: [deploy.yaml]
configMapGenerator:
  - name: leak
    files: [{name}]
replacements:
  - source: {{kind: ConfigMap, name: leak, fieldPath: data.{name}}}
    targets:
      - select: {{kind: Pod}}
        fieldPaths: [spec.containers.0.image]
""",
        })
        (k / name).symlink_to(target)
    for where, text in every_output(repo):
        assert_no_leak(where, text)


@needs_kustomize
@linux
def test_symlinked_base_outside_the_tree_is_not_rendered(tmp_path):
    outside = _write(tmp_path / "outside", {
        "kustomization.yaml": "resources: [pod.yaml]\n",
        "pod.yaml": POD.format(name="outside", image="outside-marker.example/app:1"),
    })
    repo = _write(tmp_path / "repo", {"overlay/kustomization.yaml": "resources: [base]\n"})
    (repo / "overlay" / "base").symlink_to(outside)
    r = ci("check", ".", "--format", "json", cwd=repo)
    assert "Traceback" not in r.err
    assert "outside-marker" not in r.out + r.err
    sl007 = [f for f in r.json() if f["code"] == "SL007"]
    assert [f["path"] for f in sl007] == ["overlay/kustomization.yaml"] and "overlay/base" in sl007[0]["message"]


# -- the render sandbox: environment, network, processes, memory ------------------------------------


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1; ``count()`` is how many connections reached it (a completed
    connection waits in the backlog until accepted, so none can be missed)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(128)
    srv.setblocking(False)

    def count() -> int:
        n = 0
        while True:
            try:
                conn, _ = srv.accept()
            except (BlockingIOError, InterruptedError):
                return n
            conn.close()
            n += 1

    yield SimpleNamespace(port=srv.getsockname()[1], count=count)
    srv.close()


def processes_with(marker: str) -> list[str]:
    """Live processes whose command line holds ``marker``."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read()
            with open(f"/proc/{pid}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmd and state not in (b"Z", b"X"):
            out.append(cmd.replace(b"\0", b" ").decode("utf-8", "replace"))
    return out


@linux
@needs_namespaces
def test_renderer_gets_a_minimal_environment_no_network_and_limits(tmp_path, listener):
    """A renderer records what it was given and tries to reach a listener on 127.0.0.1."""
    repo = tmp_path / "repo"
    _write(repo / "chart", {"Chart.yaml": CHART.format(name="api")})
    record = tmp_path / "record.json"
    (tmp_path / "bin").mkdir()
    fake = _fake(tmp_path / "bin" / "helm", f"""\
import json, os, resource, socket
s = socket.socket()
s.settimeout(5)
try:
    s.connect(("127.0.0.1", {listener.port}))
    reached = True
except OSError as exc:
    reached = str(exc)
json.dump({{"env": dict(os.environ), "reached": reached, "pid": os.getpid(),
           "interfaces": [name for _, name in socket.if_nameindex()],
           "as": resource.getrlimit(resource.RLIMIT_AS)[0], "cpu": resource.getrlimit(resource.RLIMIT_CPU)[0]}},
          open({str(record)!r}, "w"))
print("apiVersion: v1\\nkind: ConfigMap\\nmetadata: {{name: x}}")
""")
    r = ci("check", ".", "--format", "json", "--helm-bin", fake, cwd=repo)
    assert r.code in (0, 1) and "Traceback" not in r.err
    got = json.loads(record.read_text())
    env = got["env"]
    assert set(env) <= {"HOME", "TMPDIR", "LANG", "LC_ALL", "PATH", "KUBECONFIG", "KUSTOMIZE_PLUGIN_HOME"} | {
        k for k in env if k.startswith(("HELM_", "XDG_", "GIT_")) or k.lower().endswith("_proxy")}
    assert CANARY not in json.dumps(env) and "SHIPLINT_CANARY_TOKEN" not in env
    assert env["PATH"] == str(fake.parent)  # the renderer's own directory only
    assert not env["HOME"].startswith(str(tmp_path)) and not os.path.exists(env["HOME"])  # a removed scratch home
    assert got["reached"] is not True and listener.count() == 0
    assert got["pid"] == 1 and got["interfaces"] == ["lo"]  # own PID and network namespaces
    assert 0 < got["as"] <= 4 << 30 and 0 < got["cpu"] <= 600


@linux
@needs_namespaces
def test_no_process_is_left_behind(tmp_path):
    """A renderer that starts a daemon (a new session, so outside its process group)."""
    marker = f"shiplint-daemon-{uuid.uuid4().hex}"
    repo = tmp_path / "repo"
    _write(repo / "chart", {"Chart.yaml": CHART.format(name="api")})
    fake = _fake(tmp_path / "helm", f"""\
import os, sys
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv({sys.executable!r}, [{sys.executable!r}, "-c", "import time; time.sleep(600)", {marker!r}])
    os._exit(0)
print("apiVersion: v1\\nkind: ConfigMap\\nmetadata: {{name: x}}")
""")
    try:
        r = ci("check", ".", "--format", "json", "--helm-bin", fake, cwd=repo)
        assert "Traceback" not in r.err
        assert not any(f["code"] == "SL007" for f in r.json())
        assert processes_with(marker) == []
    finally:
        for pid in [p for p in os.listdir("/proc") if p.isdigit()]:  # never leave one to the next test
            try:
                if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(int(pid), 9)
            except OSError:
                pass


@linux
@needs_namespaces
def test_render_that_never_ends_is_killed_with_everything_it_started(tmp_path, monkeypatch):
    from shiplint.inputs.render import helm

    marker = f"shiplint-hang-{uuid.uuid4().hex}"
    repo = tmp_path / "repo"
    _write(repo / "chart", {"Chart.yaml": CHART.format(name="api")})
    fake = _fake(tmp_path / "helm", f"""\
import os, subprocess, sys, time
subprocess.Popen([{sys.executable!r}, "-c", "import time; time.sleep(600)", {marker!r}], start_new_session=True)
time.sleep(600)
""")
    monkeypatch.setattr(helm, "RENDER_TIMEOUT", 3)
    report = lint_files([repo], root=repo, helm_bin=str(fake))
    sl007 = [f for f in report.findings if f.code == "SL007"]
    assert len(sl007) == 1 and "did not finish within 3 s" in sl007[0].message
    assert processes_with(marker) == []


@needs_helm
@linux
@pytest.mark.parametrize("case", ["string-doubling", "tpl-recursion"])
def test_helm_memory_is_capped(tmp_path, case):
    from shiplint.inputs.render.sandbox import MEMORY_LIMIT

    templates = {
        "string-doubling": '{{- $s := "0123456789abcdef" }}{{- range until 40 }}{{ $s = print $s $s }}{{ end }}',
        "tpl-recursion": "{{- $x := tpl .Values.x . }}",
    }
    repo = _write(tmp_path / "repo", {
        "chart/Chart.yaml": CHART.format(name="bomb"),
        "chart/values.yaml": 'x: "{{ tpl .Values.x . }}{{ tpl .Values.x . }}"\n',
        "chart/templates/cm.yaml": templates[case] + "\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
        "pod.yaml": POD.format(name="next", image="nginx:1.27"),
    })
    r = ci("check", ".", "--format", "json", "--helm-bin", HELM, cwd=repo)
    assert r.code == 1 and "Traceback" not in r.err
    sl007 = [f for f in r.json() if f["code"] == "SL007"]
    assert len(sl007) == 1 and "ran out of memory" in sl007[0]["message"]
    assert any(f["path"] == "pod.yaml" for f in r.json())  # the run went on
    assert r.maxrss * 1024 < MEMORY_LIMIT


@needs_kustomize
@linux
def test_kustomize_memory_is_capped(tmp_path):
    """A 40 MiB file listed by ten generators (kustomize holds every copy)."""
    from shiplint.inputs.render.sandbox import MEMORY_LIMIT

    k = tmp_path / "repo" / "gen"
    k.mkdir(parents=True)
    with open(k / "big.txt", "w") as fh:
        for _ in range(40 * 1024):
            fh.write("x" * 1023 + "\n")
    (k / "kustomization.yaml").write_text(
        "configMapGenerator:\n" + "".join(f"  - name: g{i}\n    files: [big.txt]\n" for i in range(10)))
    r = ci("check", ".", "--format", "json", cwd=tmp_path / "repo")
    assert "Traceback" not in r.err
    assert [f["code"] for f in r.json() if f["path"] == "gen/kustomization.yaml"] == ["SL007"]
    assert r.maxrss * 1024 < MEMORY_LIMIT


# -- kustomize: remote forms and URLs in every field -------------------------------------------------


def _remote_forms(port: int, outside: Path) -> dict[str, str]:
    return {
        "git-ssh": f"resources:\n  - git::ssh://git@127.0.0.1:{port}/org/repo.git//base?ref=main\n",
        "git-https": f"resources:\n  - git::https://127.0.0.1:{port}/org/repo.git//base?ref=main\n",
        "git-file": f"resources:\n  - git::file://{outside}//base\n",
        "scp-like": f"resources:\n  - git@127.0.0.1:org/repo.git/base?ref=main&port={port}\n",
        "patch-url": f"resources: [pod.yaml]\npatches:\n  - path: http://127.0.0.1:{port}/patch.yaml\n",
        "smp-url": f"resources: [pod.yaml]\npatchesStrategicMerge:\n  - http://127.0.0.1:{port}/smp.yaml\n",
        "generator-url": f"configMapGenerator:\n  - name: c\n    files:\n      - http://127.0.0.1:{port}/data\n",
        "transformers-url": f"resources: [pod.yaml]\ntransformers:\n  - http://127.0.0.1:{port}/t.yaml\n",
        "configurations-url": f"resources: [pod.yaml]\nconfigurations:\n  - http://127.0.0.1:{port}/c.yaml\n",
        "crds-url": f"resources: [pod.yaml]\ncrds:\n  - http://127.0.0.1:{port}/crd.json\n",
        "openapi-url": f"resources: [pod.yaml]\nopenapi:\n  path: http://127.0.0.1:{port}/openapi.json\n",
    }


def _outside_git_repo(tmp_path: Path) -> Path:
    outside = _write(tmp_path / "outside-git", {
        "base/kustomization.yaml": "resources: [pod.yaml]\n",
        "base/pod.yaml": POD.format(name="outside", image="outside-marker.example/app:1"),
    })
    if shutil.which("git"):
        env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@e"}
        for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"]):
            subprocess.run(["git", *cmd], cwd=outside, env=env, capture_output=True)
    return outside


def _remote_repo(tmp_path: Path, port: int) -> Path:
    outside = _outside_git_repo(tmp_path)
    repo = tmp_path / "repo"
    for name, text in _remote_forms(port, outside).items():
        _write(repo / name, {"kustomization.yaml": text, "pod.yaml": POD.format(name=name, image="nginx:1.27")})
    return repo


@needs_kustomize
@linux
@needs_namespaces
def test_kustomize_remote_forms_reach_nothing_and_leave_nothing_running(tmp_path, listener):
    repo = _remote_repo(tmp_path, listener.port)
    r = ci("check", ".", "--format", "json", cwd=repo)
    assert "Traceback" not in r.err
    assert listener.count() == 0
    assert processes_with(str(listener.port)) == [] and processes_with(str(tmp_path)) == []
    assert "outside-marker" not in r.out + r.err  # git::file:// did not bring in another repository
    # every kustomization is accounted for: rendered or reported, none silently dropped
    assert {f["path"] for f in r.json() if f["code"] == "SL007"} >= {
        f"{name}/kustomization.yaml" for name in ("git-ssh", "git-https", "git-file", "scp-like")}


@needs_kustomize
def test_kustomization_shiplint_cannot_parse_is_not_rendered(tmp_path, listener):
    """``[http://host:port/x]`` is a YAML error for libyaml and a URL for kustomize: a
    kustomization whose entries shiplint cannot see is never handed to kustomize."""
    repo = _write(tmp_path / "repo", {
        "k/kustomization.yaml": f"resources: [pod.yaml]\nconfigMapGenerator:\n  - name: c\n"
                                f"    files: [http://127.0.0.1:{listener.port}/data]\n",
        "k/pod.yaml": POD.format(name="app", image="nginx:1.27"),
    })
    r = ci("check", ".", "--format", "json", cwd=repo)
    sl007 = [f for f in r.json() if f["code"] == "SL007"]
    assert [(f["path"], f["level"]) for f in sl007] == [("k/kustomization.yaml", "error")]
    assert "does not parse as YAML" in sl007[0]["message"]
    assert _privileged_findings(r, "k/pod.yaml") and listener.count() == 0


@needs_kustomize
@linux
def test_kustomize_remote_forms_are_refused_before_anything_runs(tmp_path, listener):
    repo = _remote_repo(tmp_path, listener.port)
    r = ci("check", ".", "--format", "json", cwd=repo)
    sl007 = {f["path"]: f for f in r.json() if f["code"] == "SL007"}
    for name in _remote_forms(listener.port, tmp_path):
        f = sl007.get(f"{name}/kustomization.yaml")
        assert f is not None and f["level"] == "warning" and "network" in f["message"], name


@needs_kustomize
@linux
def test_shiplint_opens_no_patch_outside_the_tree(tmp_path):
    """A FIFO outside the tree named as a patch: a writer waiting on it is released the moment
    anything opens it for reading."""
    outside = tmp_path / "outside"
    outside.mkdir()
    fifo = outside / "patch.yaml"
    os.mkfifo(fifo)
    opened = threading.Event()

    def writer():
        with open(fifo, "w"):
            opened.set()

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    repo = _write(tmp_path / "repo", {
        "k/kustomization.yaml": f"resources: [pod.yaml]\npatches:\n  - path: {fifo}\n  - path: ../../outside/patch.yaml\n",
        "k/pod.yaml": POD.format(name="app", image="nginx:1.27"),
    })
    try:
        r = ci("check", ".", "--format", "json", cwd=repo)
        assert "Traceback" not in r.err
        assert not opened.is_set()
    finally:
        if not opened.is_set():
            with open(fifo, "rb"):  # release the writer
                pass
        t.join()


# -- secrets never printed -----------------------------------------------------------------------------

#: Each value is a secret: none may appear anywhere.
SECRETS = {
    "add_url_token": "tok3nAddUrlSecret9",
    "add_s3_signature": "4f8e3b2c1a0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f",
    "add_s3_key_id": "AKIAIOSFODNN7EXAMPLE",
    "add_private_token": "glpat-Xy7Zk9Qw3Er5Ty1Ui8Op",
    "env_password_with_at": "p@ss-W0rd-With-At",
    "env_token_as_user": "ghp_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2",
    "env_hex_token_as_user": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
    "bare_aws_key": "AKIAJQ2EXAMPLEBAREKY",
    "bare_github_pat": "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
    "helm_url_password": "HelmFailUrlPassw0rd",
    "helm_slack": "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "helm_jwt": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjaSIsImlhdCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLXZhbHVlLWhlcmU",
    "helm_private_key": "MIIEowIBAAKCAQEAsecretkeymaterialQWERTYUIOP",
    "kustomize_remote_token": "KustRemoteTok3nValue",
}


def _secret_repo(root: Path) -> Path:
    s = SECRETS
    return _write(root, {
        "Dockerfile": f"""\
FROM alpine:3.20
ADD https://deploy:{s['add_url_token']}@files.example.com/app.tgz /app/
ADD https://bucket.s3.amazonaws.com/app.tgz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={s['add_s3_key_id']}%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Signature={s['add_s3_signature']} /app/
ADD https://gitlab.example.com/api/v4/projects/7/packages/generic/app/1.0/app.tgz?private_token={s['add_private_token']} /app/
USER 1000:1000
""",
        "bare-key.Dockerfile": f"FROM alpine:3.20\n{s['bare_aws_key']}\n",
        "bare-pat.Dockerfile": f"FROM alpine:3.20\n{s['bare_github_pat']}\n",
        "deploy.yaml": f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector: {{matchLabels: {{app: api}}}}
  template:
    metadata: {{labels: {{app: api}}}}
    spec:
      containers:
        - name: api
          image: nginx:1.27
          env:
            - name: DATABASE_URL
              value: postgres://admin:{s['env_password_with_at']}@db:5432/app
            - name: GIT_REMOTE_URL
              value: https://{s['env_token_as_user']}@github.com/acme/app.git
            - name: MIRROR_URL
              value: https://{s['env_hex_token_as_user']}@github.com/acme/mirror.git
""",
        "chart/Chart.yaml": CHART.format(name="failing"),
        "chart/values.yaml": f"""\
url: https://ci:{s['helm_url_password']}@registry.example.com
slack: {s['helm_slack']}
jwt: {s['helm_jwt']}
key: |
  -----BEGIN RSA PRIVATE KEY-----
  {s['helm_private_key']}
  -----END RSA PRIVATE KEY-----
""",
        "chart/templates/cm.yaml": '{{ fail (printf "cannot reach %s with %s / %s / %s" .Values.url .Values.slack '
                                   '.Values.jwt .Values.key) }}\n',
        "remote/kustomization.yaml": f"resources:\n  - https://ci:{s['kustomize_remote_token']}@example.com/x.yaml\n",
    })


@needs_helm
def test_secrets_in_every_format_stderr_output_file_and_baseline(tmp_path):
    repo = _secret_repo(tmp_path / "repo")
    outputs = every_output(repo, "--helm-bin", HELM)
    for where, text in outputs:
        for name, value in SECRETS.items():
            assert value not in text, f"secret {name!r} leaked into {where}"
    # the findings that would carry them are there, masked
    findings = json.loads(dict(outputs)["json stdout"])
    got = {(f["code"], f["path"]) for f in findings}
    assert {("SL001", "bare-key.Dockerfile"), ("SL001", "bare-pat.Dockerfile"), ("SL007", "chart/Chart.yaml"),
            ("SL007", "remote/kustomization.yaml"), ("KS503", "deploy.yaml")} <= got
    messages = " ".join(f["message"] for f in findings)
    assert "https://deploy:****@files.example.com" in messages and "private_token=****" in messages
    assert "postgres://admin:****@db" in messages and "-----BEGIN RSA PRIVATE KEY-----****" in messages


# -- report writes ---------------------------------------------------------------------------------------


def test_output_and_baseline_never_write_through_a_committed_symlink(tmp_path):
    outside = tmp_path / "site-packages"
    outside.mkdir()
    victim = outside / "evil.pth"
    victim.write_text("# untouched\n")
    repo = _write(tmp_path / "repo", {"pod.yaml": POD.format(name="app", image="nginx:1.27")})
    (repo / "report.txt").symlink_to(victim)
    (repo / "baseline.json").symlink_to(outside / "baseline.json")
    (repo / "reports").symlink_to(outside)
    for args in (["-o", "report.txt"], ["--write-baseline", "baseline.json"], ["-o", "reports/r.sarif"],
                 ["--format", "sarif", "--output", "reports/../report.txt"]):
        r = ci("check", ".", *args, cwd=repo)
        assert r.code == 2 and "Traceback" not in r.err, (args, r.err)
        assert "symbolic link" in r.err
    assert victim.read_text() == "# untouched\n" and sorted(p.name for p in outside.iterdir()) == ["evil.pth"]
    assert (repo / "report.txt").is_symlink() and (repo / "baseline.json").is_symlink()


def test_output_is_replaced_atomically_and_leaves_no_temporary_file(tmp_path):
    repo = _write(tmp_path / "repo", {"pod.yaml": POD.format(name="app", image="nginx:1.27")})
    out = repo / "out"
    out.mkdir()
    (out / "report.sarif").write_text("old")
    r = ci("check", ".", "--format", "sarif", "-o", "out/report.sarif", cwd=repo)
    assert r.code == 1
    assert_valid_sarif((out / "report.sarif").read_text())
    assert [p.name for p in out.iterdir()] == ["report.sarif"]


_HOSTILE_NAMES = ["::error file=x::pwned", "::add-mask::x", "import os;os.system('touch PWNED')#", "##[error]x"]


def test_text_and_github_lines_never_start_with_repository_text(tmp_path):
    """Resource names with newlines, carriage returns and ESC sequences, file names that are
    workflow commands or a ``.pth`` line."""
    repo = tmp_path / "repo"
    names = ['"app\\n::error file=x.yaml::injected\\r::add-mask::x\\u001b[2J\\u009b31m\\u202e"']
    files = {f"{name}.yaml": POD.format(name=names[0], image="nginx:1.27") for name in _HOSTILE_NAMES}
    _write(repo, files)
    for fmt in ("text", "github"):
        r = ci("check", ".", "--format", fmt, cwd=repo)
        assert r.code == 1 and "Traceback" not in r.err
        lines = r.out.splitlines() + r.err.splitlines()
        for ch in ("\x1b", "\r", "\x9b", "\u202e"):
            assert ch not in r.out + r.err, (fmt, repr(ch))
        if fmt == "github":  # one command per finding, each on its own line
            assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in r.out.splitlines())
            findings = ci("check", ".", "--format", "json", cwd=repo).json()
            assert len(r.out.splitlines()) == len(findings) > 0
        else:
            for line in lines:
                assert not line.startswith(("::", "##[", "import")), line
    assert not (repo / "PWNED").exists()


@linux
def test_undecodable_file_name_is_represented_in_every_format(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    with open(os.path.join(os.fsencode(repo), b"\xffpod.yaml"), "w") as fh:
        fh.write(POD.format(name="app", image="nginx:1.27"))
    for fmt in FORMATS:
        r = ci("check", ".", "--format", fmt, cwd=repo)
        assert r.code == 1 and "Traceback" not in r.err, (fmt, r.err)
        text = r.raw_out.decode("utf-8")  # valid UTF-8
        if fmt in ("json", "gitlab"):
            assert {f.get("path") or f["location"]["path"] for f in json.loads(text)} == {"\\xffpod.yaml"}
        elif fmt == "sarif":
            uris = {x["physicalLocation"]["artifactLocation"]["uri"]
                    for res in assert_valid_sarif(text)["runs"][0]["results"] for x in res["locations"]}
            assert uris == {"%FFpod.yaml"}
        elif fmt == "text":
            assert "./\\xffpod.yaml:" in text
    report = tmp_path / "report.json"
    r = ci("check", ".", "--format", "json", "-o", report, cwd=repo)
    assert r.code == 1 and json.loads(report.read_bytes().decode("utf-8"))


# -- bounded reads and time -------------------------------------------------------------------------------


@linux
def test_baseline_that_never_ends_is_refused(tmp_path):
    repo = _write(tmp_path / "repo", {"pod.yaml": POD.format(name="app", image="nginx:1.27")})
    (repo / "baseline.json").symlink_to("/dev/zero")
    os.mkfifo(repo / "fifo.json")
    _write(repo, {".shiplint.yaml": "baseline: baseline.json\n"})
    for args in (["--baseline", "baseline.json", "--no-config"], ["--baseline", "fifo.json", "--no-config"], []):
        r = ci("check", ".", *args, cwd=repo)
        assert r.code == 2 and "Traceback" not in r.err, (args, r.err)
        assert "not a regular file" in r.err and r.maxrss < 512 * 1024


def test_policy_pattern_with_catastrophic_backtracking_does_not_hang(tmp_path):
    policies = _write(tmp_path / "policies", {"names.yaml": """\
id: ORG001
name: plain-names
severity: error
summary: names are made of letters
target: resource
schema:
  properties:
    metadata:
      properties:
        name: {pattern: "^([a-z]+)+$"}
        labels:
          patternProperties:
            "^(x+x+)+y$": {type: string}
message: "{kind} {name} has a name that is not plain"
"""})
    crafted = "a" * 40 + "!"
    docs = [POD.format(name=f"{crafted}{i}", image="nginx:1.27") for i in range(8)]
    docs.append(POD.format(name="plain", image="nginx:1.27").replace(
        "metadata:\n", "metadata:\n  labels:\n    " + "x" * 40 + ": v\n"))
    repo = _write(tmp_path / "repo", {"pods.yaml": "---\n".join(docs)})
    r = ci("check", ".", "--no-config", "--policies", policies, "--select", "ORG001", "--format", "json", cwd=repo)
    assert r.code == 1 and "Traceback" not in r.err
    flagged = [f for f in r.json() if f["code"] == "ORG001"]
    assert len(flagged) == 9  # every crafted name fails closed; so does the crafted label key
    assert all("time budget" in f["message"] for f in flagged)


# -- other parts of shiplint (expected to fail until those land) ----------------------------------------------

_SKIP_REASON = "the engine skips the file silently (exit 0, 'No findings'): "


def _privileged_findings(r: Run, path: str) -> list:
    return [f for f in r.json() if f["path"] == path and f["code"].startswith("KS")]


def test_template_marker_in_a_comment_does_not_hide_a_manifest(tmp_path):
    repo = _write(tmp_path / "repo", {"pod.yaml": "# see {{ .Values.x }} in the chart\n" + POD.format(
        name="app", image="nginx:1.27")})
    r = ci("check", ".", "--format", "json", cwd=repo)
    assert r.code == 1 and _privileged_findings(r, "pod.yaml")


@needs_helm
@pytest.mark.parametrize("chart", ["type: library\n", ""])
def test_chart_yaml_next_to_manifests_does_not_hide_them(tmp_path, chart):
    repo = _write(tmp_path / "repo", {
        "Chart.yaml": CHART.format(name="x") + chart,
        "pod.yaml": POD.format(name="app", image="nginx:1.27"),
        "Dockerfile": "FROM alpine:3.20\n",
    })
    r = ci("check", ".", "--format", "json", "--helm-bin", HELM, cwd=repo)
    assert _privileged_findings(r, "pod.yaml") and any(f["path"] == "Dockerfile" for f in r.json())


@pytest.mark.parametrize("kustomization", [
    pytest.param("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [pod.yaml]\n",
                 id="component"),
    pytest.param("configMapGenerator:\n  - name: c\n    files: [pod.yaml]\n", id="generator-data"),
])
def test_a_kustomization_listing_a_manifest_does_not_hide_it(tmp_path, kustomization):
    repo = _write(tmp_path / "repo", {
        "k/kustomization.yaml": kustomization,
        "k/pod.yaml": POD.format(name="app", image="nginx:1.27"),
    })
    r = ci("check", ".", "--format", "json", "--kustomize-bin", "no-such-kustomize", cwd=repo)
    assert _privileged_findings(r, "k/pod.yaml")


def test_remote_line_does_not_hide_local_findings(tmp_path):
    repo = _write(tmp_path / "repo", {
        "kustomization.yaml": "resources:\n  - pod.yaml\n  - https://example.com/remote.yaml\n",
        "pod.yaml": POD.format(name="app", image="nginx:1.27"),
    })
    r = ci("check", ".", "--format", "json", "--fail-on", "error", cwd=repo)
    assert r.code == 1 and _privileged_findings(r, "pod.yaml")
    remote = [f for f in r.json() if f["code"] == "SL007"]
    assert [(f["path"], f["region"]["line"], f["level"]) for f in remote] == [("kustomization.yaml", 3, "warning")]
    assert "resources entry 'https://example.com/remote.yaml' is remote" in remote[0]["message"]


def test_forged_source_comment_does_not_move_findings(tmp_path):
    repo = _write(tmp_path / "repo", {
        "chart/Chart.yaml": CHART.format(name="api"),
        "chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
        "new.yaml": "---\n# Source: api/templates/cm.yaml\n" + POD.format(name="app", image="nginx:1.27"),
    })
    r = ci("check", "new.yaml", "--format", "json", cwd=repo)
    assert _privileged_findings(r, "new.yaml")
    assert not [f for f in r.json() if f["path"].startswith("chart/")]


def _shadowing_package(repo: Path) -> None:
    _write(repo, {
        "shiplint/__init__.py": "import pathlib\npathlib.Path('PWNED').write_text('x')\n",
        "shiplint/__main__.py": "raise SystemExit(0)\n",
        "pod.yaml": POD.format(name="app", image="nginx:1.27"),
    })


@pytest.mark.parametrize("command", ["console-script", "python -P -m"])
def test_recommended_invocations_ignore_a_shiplint_package_in_the_repository(tmp_path, command):
    repo = tmp_path / "repo"
    _shadowing_package(repo)
    argv = _shiplint() if command == "console-script" else [sys.executable, "-P", "-m", "shiplint"]
    proc = subprocess.run([*argv, "check", "pod.yaml"], cwd=repo, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 1 and "KS" in proc.stdout
    assert not (repo / "PWNED").exists()


@pytest.mark.xfail(strict=True, reason="cannot be fixed in shiplint: 'python -m' imports ./shiplint before any of "
                   "shiplint's code runs; docs/security.md recommends the console script or 'python -P -m'")
def test_python_m_ignores_a_shiplint_package_in_the_repository(tmp_path):
    repo = tmp_path / "repo"
    _shadowing_package(repo)
    proc = subprocess.run([sys.executable, "-m", "shiplint", "check", "pod.yaml"], cwd=repo, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})
    assert not (repo / "PWNED").exists() and proc.returncode == 1
