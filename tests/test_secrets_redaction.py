"""Secret values never reach any output: a tree full of realistic credentials is
checked in every format, to standard output and to ``--output`` files, with a baseline written,
and not one secret string appears anywhere (stdout, stderr, report files).  Keys are named, values
are not — including in parse errors that quote the offending line and duplicate-key messages."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from conftest import run_shiplint

FORMATS = ["text", "json", "sarif", "github", "gitlab", "junit"]

#: Every value below is a secret: none may appear in any output.
SECRETS = {
    "docker_env": "S3cr3tDbPassw0rd-dockerenv",
    "docker_arg": "tok_live_9f8e7d6c5b4a3210argtoken",
    "docker_url": "UrlEmbeddedPa55word",
    "k8s_aws": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "k8s_url": "K8sEnvUrlPa55word",
    "k8s_annotation_url": "AnnotationUrlPa55",
    "string_data": "StringDataPassw0rdValue",
    "data_b64": "QmFzZTY0VG9rZW5WYWx1ZQ==",
    "dup_first": "DupFirstPassw0rdValue",
    "dup_second": "DupSecondPassw0rdValue",
    "yaml_broken_line": "BrokenLinePassw0rdValue",
    "docker_lost_continuation": "LostContinuationPassw0rd",
    "docker_bare_word": "BareWordPassw0rdValue",
    "docker_pasted_token": "ghp_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa",
    "docker_from_url": "FromUrlPassw0rd",
    "generator_literal": "LiteralGenPassw0rdValue",
    "env_after_tab": "TabbedEnvPassw0rdValue",
    "compose_env_list": "ComposeListPassw0rdValue",
    "compose_env_map": "ComposeMapTok3nValue",
    "compose_url": "ComposeUrlPa55word",
    "compose_command": "ComposeCmdPassw0rd",
    "compose_schema": "ComposeSchemaPassw0rd",
    "args_option": "ArgsOptionPassw0rdValue",
    "args_shell": "ArgsShellRequirepassValue",
    "args_url": "ArgsUrlPa55word",
    "configmap_key": "ConfigMapKeyPassw0rdValue",
    "configmap_url": "ConfigMapUrlPa55word",
}

FILES = {
    "Dockerfile": f"""\
FROM alpine:3.19
ENV DB_PASSWORD={SECRETS['docker_env']}
ARG API_TOKEN={SECRETS['docker_arg']}
ENV DATABASE_URL=postgres://admin:{SECRETS['docker_url']}@db:5432/app
LABEL password="{SECRETS['docker_env']}"
USER 1000:1000
""",
    "lost-continuation.Dockerfile": f"""\
FROM alpine:3.19
ENV DB_USER=admin \\
    DB_HOST=db
    DB_PASSWORD={SECRETS['docker_lost_continuation']}
""",
    "bare-word.Dockerfile": f"FROM alpine:3.19\nENV PASSWORD=x {SECRETS['docker_bare_word']}\n",
    "pasted-token.Dockerfile": f"FROM alpine:3.19\n{SECRETS['docker_pasted_token']}\n",
    "from-url.Dockerfile": f"FROM https://deploy:{SECRETS['docker_from_url']}@registry.example/app:1\n",
    "deploy.yaml": f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations:
    db-url: "mysql://root:{SECRETS['k8s_annotation_url']}@db/app"
spec:
  selector: {{matchLabels: {{app: api}}}}
  template:
    metadata: {{labels: {{app: api}}}}
    spec:
      containers:
        - name: api
          image: nginx:1.27
          env:
            - name: AWS_SECRET_ACCESS_KEY
              value: {SECRETS['k8s_aws']}
            - name: DATABASE_URL
              value: postgres://svc:{SECRETS['k8s_url']}@db:5432/app
""",
    "docker-compose.yml": f"""\
services:
  db:
    image: postgres:16.4
    environment:
      - POSTGRES_PASSWORD={SECRETS['compose_env_list']}
    healthcheck: {SECRETS['compose_schema']}
  web:
    image: example/web:1.0
    command: ["serve", "--password", "{SECRETS['compose_command']}"]
    environment:
      API_TOKEN: {SECRETS['compose_env_map']}
      DATABASE_URL: postgresql://app:{SECRETS['compose_url']}@db/app
""",
    "secret.yaml": f"""\
apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  password: {SECRETS['string_data']}
data:
  token: {SECRETS['data_b64']}
---
apiVersion: v1
kind: Secret
metadata:
  name: dup
stringData:
  password: {SECRETS['dup_first']}
  password: {SECRETS['dup_second']}
""",
    "args.yaml": f"""\
apiVersion: v1
kind: Pod
metadata:
  name: cache
spec:
  containers:
    - name: redis
      image: redis:7.4
      command: ["sh", "-c", "redis-server --requirepass {SECRETS['args_shell']}"]
      args: ["--db-password", "{SECRETS['args_option']}", "--dsn=amqp://app:{SECRETS['args_url']}@mq/"]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  DB_PASSWORD: {SECRETS['configmap_key']}
  app.properties: |
    broker.url=amqp://app:{SECRETS['configmap_url']}@mq:5672/
""",
    "broken.yaml": f"""\
apiVersion: v1
kind: ConfigMap
data:
  password: "{SECRETS['yaml_broken_line']}
""",
    "tabbed.yaml": f"apiVersion: v1\nkind: ConfigMap\ndata:\n\tPASSWORD: {SECRETS['env_after_tab']}\n",
    "gen/kustomization.yaml": f"""\
secretGenerator:
  - name: app
    literals:
      - password={SECRETS['generator_literal']}
""",
}


def _forms(value: str) -> set[str]:
    """The secret as written and base64-encoded (a render turns literals into data)."""
    return {value, base64.b64encode(value.encode()).decode()}


def _assert_clean(where: str, text: str) -> None:
    for name, value in SECRETS.items():
        for form in _forms(value):
            assert form not in text, f"secret {name!r} leaked into {where}"


@pytest.fixture
def tree(tmp_path) -> Path:
    for rel, text in FILES.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def test_fixture_is_meaningful(tree):
    """The tree does produce the findings whose messages could carry the values."""
    r = run_shiplint("check", ".", "--format", "json", cwd=tree)
    got = {(f["code"], f["path"]) for f in r.json()}
    for expected in [("DF203", "Dockerfile"), ("KS503", "deploy.yaml"), ("KS504", "secret.yaml"),
                     ("KS505", "args.yaml"), ("KS506", "args.yaml"),
                     ("SL002", "secret.yaml"), ("SL001", "broken.yaml"), ("SL001", "tabbed.yaml"),
                     ("SL001", "lost-continuation.Dockerfile"), ("SL001", "bare-word.Dockerfile"),
                     ("SL001", "pasted-token.Dockerfile"), ("SL001", "from-url.Dockerfile"),
                     ("DC301", "docker-compose.yml"), ("DC001", "docker-compose.yml")]:
        assert expected in got, expected
    # rendered when kustomize or kubectl is installed (then the Secret's data is base64 of the
    # literal), else reported as not rendered
    assert ("KS504", "gen/kustomization.yaml") in got or ("SL007", "gen/kustomization.yaml") in got
    # the keys are named
    messages = " ".join(f["message"] for f in r.json())
    for key in ("DB_PASSWORD", "API_TOKEN", "AWS_SECRET_ACCESS_KEY", "DATABASE_URL", "password"):
        assert key in messages


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_in_any_format(tree, fmt):
    r = run_shiplint("check", ".", "--format", fmt, cwd=tree)
    assert r.code == 1 and "Traceback" not in r.err
    _assert_clean(f"{fmt} stdout", r.out)
    _assert_clean(f"{fmt} stderr", r.err)


@pytest.mark.parametrize("fmt", ["sarif", "junit"])
def test_no_secret_in_output_files(tree, fmt):
    out = tree.parent / f"report-{fmt}.out"
    r = run_shiplint("check", ".", "--format", fmt, "--output", out, "--quiet", cwd=tree)
    assert out.is_file() and out.stat().st_size > 0
    _assert_clean(f"{fmt} --output file", out.read_text())
    _assert_clean(f"{fmt} stderr", r.err + r.out)


def test_no_secret_in_a_written_baseline_or_with_strict(tree):
    baseline = tree.parent / "baseline.json"
    r = run_shiplint("check", ".", "--write-baseline", baseline, cwd=tree)
    assert "Traceback" not in r.err
    _assert_clean("baseline", baseline.read_text())
    _assert_clean("write-baseline output", r.out + r.err)
    r = run_shiplint("check", ".", "--strict", "--format", "sarif", "--select", "ALL", cwd=tree)
    _assert_clean("sarif --select ALL", r.out + r.err)


def test_no_secret_from_standard_input(tree):
    for name in ("Dockerfile", "lost-continuation.Dockerfile", "secret.yaml", "broken.yaml", "docker-compose.yml"):
        for fmt in ("text", "sarif"):
            r = run_shiplint("check", "-", "--stdin-filename", name, "--format", fmt, cwd=tree,
                             stdin=FILES[name])
            assert "Traceback" not in r.err
            _assert_clean(f"stdin {name} {fmt}", r.out + r.err)


def test_json_messages_name_keys_and_mask_urls(tree):
    r = run_shiplint("check", "deploy.yaml", "--format", "json", cwd=tree)
    ks503 = [f["message"] for f in json.loads(r.out) if f["code"] == "KS503"]
    assert any("AWS_SECRET_ACCESS_KEY" in m for m in ks503)
    assert any("postgres://svc:****@db" in m for m in ks503)
