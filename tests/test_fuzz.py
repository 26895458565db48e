"""Property-based tests: the parsers and the engine never fail on arbitrary input.

* ``parse_dockerfile`` returns a Dockerfile or raises :class:`ParseError` (nothing else);
* ``parse_yaml_stream`` never raises: each document is a document or a ParseError;
* the shell splitter, the package-manager recogniser and the image-reference parser never raise;
* the engine on arbitrary bytes named as a Dockerfile or a YAML file never records an internal
  error and every SL001 has a position inside the file.

CI runs a moderate number of examples.  A long session: ``HYPOTHESIS_PROFILE=long`` (50,000
examples per test, or ``SHIPLINT_FUZZ_EXAMPLES``; no deadline), e.g.
``HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest -q tests/test_fuzz.py``.
Inputs found by fuzzing are kept as explicit regression cases (``REGRESSIONS``).
"""

from __future__ import annotations

import os
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ruamel.yaml.error import YAMLError

from shiplint.core.errors import ParseError
from shiplint.sources import yamlsrc
from shiplint.sources.dockerfile import parse_dockerfile
from shiplint.sources.yamlsrc import YamlDocument, parse_yaml_stream

settings.register_profile("ci", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=int(os.environ.get("SHIPLINT_FUZZ_EXAMPLES", "50000")), deadline=None,
                          suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# -- input strategies: raw text, and text built from the grammar's own pieces --------------------

DOCKER_WORDS = [
    "FROM", "RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "ENV", "ARG", "LABEL", "EXPOSE", "USER",
    "WORKDIR", "VOLUME", "SHELL", "HEALTHCHECK", "ONBUILD", "STOPSIGNAL", "MAINTAINER", "from",
    "AS", "--platform=$BUILDPLATFORM", "--from=build", "--mount=type=cache,target=/x", "--chown=1:1",
    "<<EOF", "<<-'EOF'", "<<\"EOT\"", "EOF", "EOT", "\\", "`", "\n", "\r\n", " ", "\t", "#", "# escape=`",
    "# syntax=docker/dockerfile:1", "${A:-b}", "${A:+x}", "${A?err}", "$A", "${", "}", "[", "]", '"',
    "'", ",", "=", "alpine:3.19", "ubuntu@sha256:" + "a" * 64, "apt-get install -y curl", "&&", "|",
    ";", "$(", ")", "NONE", "CMD [\"a\"]", "{{ .Values }}", "%%VAR%%", "\ufeff", "é", "\x0b", "\x1b",
]

YAML_WORDS = [
    "apiVersion: v1", "kind: Pod", "metadata:", "spec:", "containers:", "- name: c", "image: x",
    "---", "...", "\n", "\r\n", " ", "  ", "\t", "- ", ": ", "key", "&a", "*a", "<<: *a", "!!str",
    "!!python/object/apply:os.system", "!custom", "!!binary", "[", "]", "{", "}", ",", "?", "|",
    ">-", "'", '"', "#", "%YAML 1.1", "%TAG ! tag:x,2000:", "0o17", "0x1F", "1e3", ".inf", "~",
    "null", "yes", "on", "=", "\\", "\ufeff", "é", "\x85", "\u2028", "{{ .Values.x }}",
]


def _joined(words):
    return st.lists(st.sampled_from(words), max_size=60).map("".join)


any_text = st.text(max_size=400)
dockerish = st.one_of(_joined(DOCKER_WORDS), st.lists(st.one_of(st.sampled_from(DOCKER_WORDS), st.text(max_size=8)),
                                                      max_size=40).map("".join))
yamlish = st.one_of(_joined(YAML_WORDS), st.lists(st.one_of(st.sampled_from(YAML_WORDS), st.text(max_size=8)),
                                                  max_size=40).map("".join))

#: Inputs that once broke something, kept whatever the random generator does.
DOCKERFILE_REGRESSIONS = [
    "FROM a\nRUN <<EOF\n",                       # unterminated heredoc
    "FROM a\nRUN echo 'unterminated\n",          # unterminated quote
    "FROM a\nRUN [\"unterminated\n",             # unterminated JSON array
    "# escape=`\nFROM a\nRUN x `\n",              # continuation at end of file
    "FROM ${\n",
    "FROM a\nCOPY <<\n",
    "\\",
    "ARG A=${A:-${A:-${A}}}\nFROM $A\n",
]
YAML_REGRESSIONS = [
    "a: &a [*a]\n",                              # recursive alias
    "[" * 20000,                                  # deep flow nesting
    "- " * 5000 + "x\n",                          # deep block nesting
    "!!python/object/apply:os.system ['true']\n",
    "a: 1\na: 2\n",
    "\t- a\n",
    "key: 'unterminated\n",
    "%YAML 1.1\n%YAML 1.1\n---\na: 1\n",
]


def _line_bound(text: str) -> int:
    """One more than the lines of ``text`` counting every break libyaml knows (NEL, LS, PS
    too): a position past the last line means the end of the input."""
    return sum(text.count(c) for c in ("\n", "\r", "\x85", "\u2028", "\u2029")) + 2


def _check_dockerfile(text: str) -> None:
    try:
        df = parse_dockerfile(text)
    except ParseError as exc:
        assert exc.line >= 1 and exc.column >= 1, exc
        # the parser's safety net turns a bug into "internal parser error": that is a failure here
        assert not exc.message.startswith("internal parser error"), exc.message
        return
    for inst in df.instructions:
        assert inst.region.line >= 1


_real_parse_error = yamlsrc._parse_error


def _only_yaml_errors(exc, *args, **kwargs):
    # parse_yaml_stream turns any exception into a ParseError: only libyaml's own errors may get
    # there (anything else is a bug of ours hidden as a parse error)
    assert isinstance(exc, YAMLError), f"{type(exc).__name__}: {exc}"
    return _real_parse_error(exc, *args, **kwargs)


def _check_yaml(text: str) -> None:
    with mock.patch.object(yamlsrc, "_parse_error", _only_yaml_errors):
        docs = parse_yaml_stream(text)
    assert isinstance(docs, list)
    lines = _line_bound(text)
    for d in docs:
        assert isinstance(d, (YamlDocument, ParseError)), type(d)
        if isinstance(d, ParseError):
            assert 1 <= d.line <= lines and d.column >= 1, (d.line, d.column, d.message)


@pytest.mark.parametrize("text", DOCKERFILE_REGRESSIONS)
def test_dockerfile_regressions(text):
    _check_dockerfile(text)


@pytest.mark.parametrize("text", YAML_REGRESSIONS, ids=range(len(YAML_REGRESSIONS)))
def test_yaml_regressions(text):
    _check_yaml(text)


@given(st.one_of(any_text, dockerish))
def test_dockerfile_parser_raises_only_parse_error(text):
    _check_dockerfile(text)


@given(st.one_of(any_text, yamlish))
def test_yaml_source_never_raises(text):
    _check_yaml(text)


@given(st.one_of(any_text, _joined(["a", " ", "'", '"', "\\", "$(", ")", "`", "&&", "||", ";", "|", "\n",
                                    "apt-get", "install", "-y", "yum", "apk", "add", "--no-cache", "pip",
                                    "curl", "sh", "rm", "-rf", "/var/lib/apt/lists/*", "${x}", "{", "}",
                                    "<<EOF", "#", "=", "(", "sudo"])))
def test_shell_splitter_never_raises(text):
    from shiplint.model import packages
    from shiplint.sources import shell

    cmds = shell.split_commands(text)
    packages.package_operations(cmds)
    packages.removes_apt_lists(cmds)
    packages.cleans_yum(cmds)
    packages.pipes_remote_script(cmds)


@given(st.one_of(st.text(max_size=120), _joined(["a", "/", ":", "@", "sha256:", "0" * 64, ".", "-", "_",
                                                "localhost", ":5000", "docker.io", "library", "${X}",
                                                "latest", "A", " "])))
def test_image_ref_parser_never_raises(text):
    from shiplint.sources.imageref import digest_is_valid, parse_image_ref

    ref = parse_image_ref(text)
    assert ref is not None
    if getattr(ref, "digest", None):
        digest_is_valid(ref.digest)


# -- the whole engine on arbitrary bytes -------------------------------------------------------


@pytest.fixture(scope="module")
def engine_factory():
    from shiplint.engine import Engine, Options
    from shiplint.plugins import Plugins

    plugins = Plugins(load_entry_points=False)

    def make(root):
        return Engine(Options(root=str(root)), plugins=plugins)

    return make


def _engine_on(factory, tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    engine = factory(tmp_path)
    report = engine.run([str(path)])
    internal = [n for n in report.notifications if n.kind == "internal-error"]
    assert not internal, [n.message for n in internal]
    lines = _line_bound(data.decode("utf-8", "replace"))
    for f in report.findings:
        assert f.region.line >= 1 and f.region.column >= 1, f
        if f.code == "SL001":
            assert f.region.line <= lines, f
            assert "internal parser error" not in f.message, f.message


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300), dockerish.map(lambda s: s.encode("utf-8", "surrogatepass"))))
@example(b"FROM a\x00\nRUN x\n")
@example(b"FROM a\nRUN \xff\xfe\n")
def test_engine_on_arbitrary_dockerfile_bytes(engine_factory, tmp_path, data):
    _engine_on(engine_factory, tmp_path, "Dockerfile", data)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300), yamlish.map(lambda s: s.encode("utf-8", "surrogatepass"))))
@example(b"apiVersion: v1\nkind: Pod\nspec: {containers: [{name: c, image: x}]}\n\xff")
def test_engine_on_arbitrary_yaml_bytes(engine_factory, tmp_path, data):
    _engine_on(engine_factory, tmp_path, "deploy.yaml", data)


K8S_PIECES = [
    "apiVersion: apps/v1\n", "apiVersion: v1\n", "kind: Deployment\n", "kind: Pod\n", "kind: Service\n",
    "kind: Secret\n", "kind: CronJob\n", "metadata:\n  name: x\n", "metadata: {}\n", "metadata: 3\n",
    "spec:\n", "  template:\n", "    spec:\n", "  containers:\n", "      containers:\n", "  - name: c\n",
    "    image: nginx\n", "    image: 3\n", "    image: null\n", "    securityContext: {}\n",
    "    securityContext: [1]\n", "    resources: {limits: {cpu: x}}\n", "    ports: [{containerPort: a}]\n",
    "    env: [{name: A, value: 1}]\n", "    env: 5\n", "  replicas: -1\n", "  selector: {}\n",
    "stringData: {password: x}\n", "data: {a: '%%%'}\n", "  hostNetwork: yes\n", "  volumes: [{}]\n",
    "---\n", "  ", "- ", "[]", "{}", "~", "\n",
]


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(K8S_PIECES), max_size=30).map("".join))
def test_rules_survive_malformed_resources(engine_factory, tmp_path, text):
    """Well-formed YAML with wrongly-typed Kubernetes fields: every rule copes (no internal error)."""
    _engine_on(engine_factory, tmp_path, "k8s.yaml", text.encode())


# -- mutated real files: the corpus's Dockerfiles and manifests with random edits --------------


def _corpus_samples():
    from conftest import CORPUS

    out = {"dockerfile": [], "yaml": []}
    if not CORPUS.is_dir():
        return out
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or path.stat().st_size > 20_000:
            continue
        name = path.name
        kind = "yaml" if name.endswith((".yaml", ".yml")) else "dockerfile" if "ockerfile" in name else None
        if kind:
            out[kind].append(path.read_text(encoding="utf-8", errors="replace"))
    return out


SAMPLES = _corpus_samples()
_PIECES = ["\n", " ", "\t", "\\", "'", '"', "[", "{", "}", "]", ":", "- ", "---\n", "&a ", "*a", "<<EOF\n",
           "$", "${", "#", "=", "\r\n", "\x00", "\ufeff", "é"]


@st.composite
def mutated(draw, kind):
    texts = SAMPLES[kind] or ["FROM alpine\n" if kind == "dockerfile" else "a: 1\n"]
    text = draw(st.sampled_from(texts))
    for _ in range(draw(st.integers(0, 8))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        j = draw(st.integers(i, min(len(text), i + 40)))
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "swap"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4))) + text[i:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            other = draw(st.sampled_from(texts))
            k = draw(st.integers(0, max(0, len(other) - 1)))
            text = text[:i] + other[k:k + 200] + text[j:]
    return text


@given(mutated("dockerfile"))
def test_mutated_corpus_dockerfiles(text):
    _check_dockerfile(text)


@given(mutated("yaml"))
def test_mutated_corpus_manifests(text):
    _check_yaml(text)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutated("yaml"))
def test_engine_on_mutated_corpus_manifests(engine_factory, tmp_path, text):
    _engine_on(engine_factory, tmp_path, "m.yaml", text.encode("utf-8", "surrogatepass"))


# -- structurally plausible resources with wrongly typed fields: every rule must cope ----------

_printable = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12)
_any = st.recursive(st.none() | st.booleans() | st.integers(-2, 70000) | _printable,
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(_printable, c, max_size=3),
                    max_leaves=6)


def _field(plausible):
    return st.one_of(plausible, plausible, plausible, _any)  # mostly plausible, sometimes anything


_str = st.sampled_from(["", "web", "nginx", "nginx:1.27", "nginx:latest", "r.example/a@sha256:" + "0" * 64,
                        "ALL", "NET_ADMIN", "RuntimeDefault", "100m", "1Gi", "Always", "IfNotPresent", "0", "-1"])
_container = st.fixed_dictionaries({"name": _field(_str), "image": _field(_str)}, optional={
    "imagePullPolicy": _field(_str),
    "command": _field(st.lists(_str, max_size=3)), "args": _field(st.lists(_str, max_size=3)),
    "securityContext": _field(st.fixed_dictionaries({}, optional={
        "runAsNonRoot": _any, "runAsUser": _any, "privileged": _any, "allowPrivilegeEscalation": _any,
        "readOnlyRootFilesystem": _any, "capabilities": _field(st.fixed_dictionaries(
            {}, optional={"drop": _field(st.lists(_str, max_size=2)), "add": _field(st.lists(_str, max_size=2))})),
        "seccompProfile": _field(st.fixed_dictionaries({}, optional={"type": _field(_str)}))})),
    "resources": _field(st.fixed_dictionaries({}, optional={
        "limits": _field(st.dictionaries(st.sampled_from(["cpu", "memory", "x"]), _field(_str), max_size=2)),
        "requests": _field(st.dictionaries(st.sampled_from(["cpu", "memory", "x"]), _field(_str), max_size=2))})),
    "ports": _field(st.lists(st.fixed_dictionaries({}, optional={
        "containerPort": _any, "hostPort": _any, "name": _field(_str), "protocol": _field(_str)}), max_size=2)),
    "env": _field(st.lists(st.fixed_dictionaries({}, optional={
        "name": _field(st.sampled_from(["PASSWORD", "API_TOKEN", "URL", "X"])),
        "value": _field(st.sampled_from(["s3cret", "postgres://u:p@h/db", ""])), "valueFrom": _any}), max_size=2)),
    "livenessProbe": _any, "readinessProbe": _any, "startupProbe": _any, "volumeMounts": _any,
    "lifecycle": _any, "envFrom": _any,
})
_pod = st.fixed_dictionaries({"containers": _field(st.lists(_field(_container), min_size=1, max_size=2))}, optional={
    "initContainers": _field(st.lists(_field(_container), max_size=1)),
    "ephemeralContainers": _field(st.lists(_field(_container), max_size=1)),
    "securityContext": _any, "hostNetwork": _any, "hostPID": _any, "hostIPC": _any,
    "volumes": _field(st.lists(st.fixed_dictionaries({}, optional={
        "name": _field(_str), "hostPath": _any, "emptyDir": _any, "secret": _any}), max_size=2)),
    "serviceAccountName": _any, "automountServiceAccountToken": _any, "nodeSelector": _any,
    "affinity": _any, "tolerations": _any, "topologySpreadConstraints": _any, "priorityClassName": _any,
})
_template = st.fixed_dictionaries({"spec": _field(_pod)}, optional={"metadata": _any})
_kinds = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod", "Service",
          "Ingress", "Secret", "ConfigMap", "NetworkPolicy", "PodDisruptionBudget", "HorizontalPodAutoscaler",
          "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ServiceAccount", "Namespace"]
_resource = st.fixed_dictionaries(
    {"apiVersion": _field(st.sampled_from(["v1", "apps/v1", "batch/v1", "networking.k8s.io/v1",
                                           "policy/v1", "autoscaling/v2", "rbac.authorization.k8s.io/v1"])),
     "kind": _field(st.sampled_from(_kinds))},
    optional={
        "metadata": _field(st.fixed_dictionaries({}, optional={
            "name": _field(_str), "namespace": _field(_str), "labels": _any, "annotations": _any})),
        "spec": _field(st.fixed_dictionaries({"template": _field(_template)}, optional={
            "replicas": _any, "selector": _any, "strategy": _any,
            "jobTemplate": _field(st.fixed_dictionaries({}, optional={"spec": _field(st.fixed_dictionaries(
                {}, optional={"template": _field(_template)}))})),
            "containers": _field(st.lists(_field(_container), max_size=2)),
            "ports": _any, "type": _any, "rules": _any, "podSelector": _any, "policyTypes": _any,
            "ingress": _any, "egress": _any, "minAvailable": _any, "maxUnavailable": _any,
            "scaleTargetRef": _any, "tls": _any})),
        "data": _any, "stringData": _any, "rules": _any, "subjects": _any, "roleRef": _any,
    })


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(_resource, min_size=1, max_size=3))
# found by the long session: KS410 looked a list up in a set (TypeError: unhashable type)
@example(resources=[{"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"spec": {
    "containers": [{"name": "c", "image": "x", "securityContext": {"seccompProfile": {"type": []}}}]}}}}])
def test_rules_survive_wrongly_typed_fields(engine_factory, tmp_path, resources):
    """JSON is YAML: plausible resources whose fields may have any type, checked together (the
    cross-resource rules see them all)."""
    import json

    text = "\n---\n".join(json.dumps(r, ensure_ascii=False) for r in resources)
    _engine_on(engine_factory, tmp_path, "k8s.yaml", text.encode())


# -- structurally valid Dockerfiles with odd arguments: every Dockerfile rule must cope ---------

_DF_ARGS = ["alpine", "alpine:3.19", "scratch", "ubuntu@sha256:" + "a" * 64, "$BASE", "${IMG:-x}", "AS build",
            "--platform=linux/amd64", "--from=build", "--from=0", "--chown=1:1", "--chmod=755", "--link",
            "--mount=type=secret,id=x", "--mount=type=cache,target=/root/.cache", "--network=none",
            "apt-get update", "apt-get install -y curl", "&&", "rm -rf /var/lib/apt/lists/*", "pip install x",
            "apk add --no-cache y", "curl -fsSL https://x | sh", "sudo", "cd /x", "yum install z", "npm ci",
            '["sh", "-c", "x"]', "[]", '["a"', "0", "1000", "root", "1000:1000", "/app", ".", "src", "dst/",
            "https://example.com/a.tgz", "A=1", "PASSWORD=x", "B", "80/tcp", "8080", "NONE", "CMD curl -f x",
            "--interval=5s", "SIGTERM", "9", "<<EOF\nx\nEOF", "\\\n  more", "'quoted'", '"dq"', "#", "=", "-"]
_DF_KEYWORDS = ["RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "ENV", "ARG", "LABEL", "EXPOSE", "USER", "WORKDIR",
                "VOLUME", "SHELL", "HEALTHCHECK", "ONBUILD RUN", "STOPSIGNAL", "MAINTAINER"]
_from = st.tuples(st.sampled_from(["", "--platform=linux/amd64 ", "--platform=$BUILDPLATFORM "]),
                  st.sampled_from(_DF_ARGS[:6] + ["build", "node:20-alpine", "r.example:5000/a/b:1"]),
                  st.sampled_from(["", " AS build", " as final"])).map(lambda t: "FROM " + "".join(t))
_df_line = st.one_of(_from, st.tuples(st.sampled_from(_DF_KEYWORDS), st.lists(st.sampled_from(_DF_ARGS), min_size=1,
                                                                             max_size=5))
                     .map(lambda t: t[0] + " " + " ".join(t[1])))
_dockerfile = st.tuples(_from, st.lists(_df_line, max_size=12)).map(lambda t: t[0] + "\n" + "\n".join(t[1]) + "\n")


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(_dockerfile)
def test_dockerfile_rules_survive_odd_arguments(engine_factory, tmp_path, text):
    _engine_on(engine_factory, tmp_path, "Dockerfile", text.encode())
