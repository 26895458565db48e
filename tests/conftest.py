"""Shared test helpers: run the CLI for real, lint snippets in-process, validate SARIF."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
# In the repository (with its provenance in tests/schemas/PROVENANCE.md): the tests pass from a
# checkout or an unpacked sdist alone.
SARIF_SCHEMA = TESTS / "schemas" / "sarif-schema-2.1.0.json"


# -- the public corpus: a curated slice in the repository, the full copy when there is one ----------
# tests/corpus is a byte-identical subset of the full corpus (same relative paths), so a test can
# name a corpus file once and run on either.  The full corpus is ``$SHIPLINT_FULL_CORPUS`` when set
# (an empty value or "none" turns it off), else ``../shared/corpus`` beside the checkout if present.

CORPUS_SLICE = TESTS / "corpus"

# A resident server the developer started (``shiplint server start``) would answer the commands
# the tests run, with the code it loaded; the suite checks this checkout, in its own processes.
# tests/test_resident.py turns the server on where it is what is tested.
os.environ["SHIPLINT_SERVER"] = "off"


def _full_corpus() -> Path | None:
    named = os.environ.get("SHIPLINT_FULL_CORPUS")
    if named is not None:
        return None if named.strip().lower() in ("", "none", "0", "off") else Path(named).resolve()
    beside = ROOT.parent / "shared" / "corpus"
    return beside if beside.is_dir() else None


FULL_CORPUS = _full_corpus()
#: Every corpus present, by name: "slice" always, "full" when found.
CORPORA = {"slice": CORPUS_SLICE, **({"full": FULL_CORPUS} if FULL_CORPUS else {})}
#: The largest corpus present, for tests that want the most inputs and pass on either.
CORPUS = FULL_CORPUS or CORPUS_SLICE
CORPUS_NAME = "full" if FULL_CORPUS else "slice"


def corpus_root(rel: str) -> Path:
    """The corpus that holds ``rel`` (the slice first); skips the test when only the full corpus
    would have it and the full corpus is not there."""
    for root in CORPORA.values():
        if (root / rel).exists():
            return root
    pytest.skip(f"{rel} is not in tests/corpus; it needs the full corpus (../shared/corpus or SHIPLINT_FULL_CORPUS)")


def pytest_configure(config):
    named = os.environ.get("SHIPLINT_FULL_CORPUS")
    if FULL_CORPUS is not None and not FULL_CORPUS.is_dir():
        raise pytest.UsageError(f"SHIPLINT_FULL_CORPUS={named}: not a directory")


def meets_figure(corpus_name: str, actual: int, figure: int) -> bool:
    """A count measured on a corpus against the figure a test expects: exact on the slice (fixed, in
    the repository), a lower bound on the full corpus (which may grow)."""
    return actual == figure if corpus_name == "slice" else actual >= figure


@pytest.fixture(scope="session", params=sorted(CORPORA))
def corpus(request) -> tuple[str, Path]:
    """(name, root) of each corpus present: the tests that use it run once per corpus."""
    return request.param, CORPORA[request.param]


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def run_shiplint(*args, cwd=None, stdin: str | bytes | None = None, env=None) -> Result:
    """Run ``python -m shiplint`` in a subprocess, exactly as a user would."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [sys.executable, "-m", "shiplint", *map(str, args)],
        cwd=cwd, input=data, capture_output=True, env=full_env, timeout=300,
    )
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


_VALIDATOR = None


def sarif_validator():
    global _VALIDATOR
    if _VALIDATOR is None:
        import jsonschema

        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        _VALIDATOR = jsonschema.Draft4Validator(schema)
    return _VALIDATOR


def assert_valid_sarif(data) -> dict:
    """Validate a SARIF log (dict or JSON text) against the official 2.1.0 schema."""
    if isinstance(data, str):
        data = json.loads(data)
    errors = sorted(sarif_validator().iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "invalid SARIF: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return data


def lint_files(paths, select=None, root=None, **options):
    """Run the engine in-process on files or directories; returns the Report."""
    from shiplint.engine import Engine, Options

    opts = Options(select=select, root=str(root or os.getcwd()), **options)
    return Engine(opts).run([str(p) for p in paths])


def lint_text(tmp_path, text: str, filename: str, select=None, **options):
    """Write ``text`` to ``tmp_path/filename`` and lint it; returns the list of findings."""
    target = Path(tmp_path) / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return lint_files([target], select=select, root=tmp_path, **options).findings


@pytest.fixture
def shiplint():
    return run_shiplint


# -- inputs clean for every rule but the image-pinning ones (DF101, KS101) -------------------------
# For tests of mechanisms (configuration, suppressions, baselines, CI formats) that want a real,
# unselected run: the only findings are the unpinned images.  tests/test_clean_fixtures.py checks
# that they stay clean as rules are added; when a new rule fires on them, harden them there.

#: What makes a final stage clean: OCI labels, a numeric non-root USER, a HEALTHCHECK, exec-form CMD.
CLEAN_STAGE_TAIL = (
    'LABEL org.opencontainers.image.source="https://github.com/acme/api" \\\n'
    '      org.opencontainers.image.revision="0123abc" org.opencontainers.image.version="1.3.0"\n'
    "USER 10001:10001\n"
    'HEALTHCHECK CMD ["/app", "healthcheck"]\n'
    'CMD ["/app"]\n'
)


def clean_container(name: str, image: str, port: int = 8080, indent: int = 6) -> str:
    """A hardened container (list item at ``indent`` spaces) whose only flaw is ``image``."""
    lines = [
        f"- name: {name}",
        f"  image: {image}",
        "  imagePullPolicy: IfNotPresent",
        f"  ports: [{{name: http-{port}, containerPort: {port}}}]",
        "  resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 128Mi}}",
        f"  readinessProbe: {{httpGet: {{path: /healthz, port: {port}}}}}",
        f"  livenessProbe: {{httpGet: {{path: /livez, port: {port}}}}}",
        "  securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,"
        " capabilities: {drop: [ALL]}}",
    ]
    return "".join(" " * indent + line + "\n" for line in lines)


def clean_deployment(*containers: tuple[str, str], name: str = "api", namespace: str = "app") -> str:
    """A hardened Deployment (2 replicas, with its PodDisruptionBudget first) whose only flaws are
    the images of ``containers`` ((name, image) pairs, ports 8080, 8081…).  The containers list
    ends the text, so a test can append one more with :func:`clean_container`."""
    items = "".join(clean_container(c, image, 8080 + i) for i, (c, image) in enumerate(containers))
    return (
        "apiVersion: policy/v1\n"
        "kind: PodDisruptionBudget\n"
        f"metadata: {{name: {name}, namespace: {namespace}}}\n"
        f"spec: {{minAvailable: 1, selector: {{matchLabels: {{app: {name}}}}}}}\n"
        "---\n"
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        f"metadata: {{name: {name}, namespace: {namespace}, labels: {{app: {name}}}}}\n"
        "spec:\n"
        "  replicas: 2\n"
        f"  selector: {{matchLabels: {{app: {name}}}}}\n"
        "  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}\n"
        "  template:\n"
        f"    metadata: {{labels: {{app: {name}}}}}\n"
        "    spec:\n"
        "      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname,"
        f" whenUnsatisfiable: ScheduleAnyway, labelSelector: {{matchLabels: {{app: {name}}}}}}}]\n"
        "      automountServiceAccountToken: false\n"
        "      securityContext: {runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001,"
        " seccompProfile: {type: RuntimeDefault}}\n"
        "      containers:\n"
        + items
    )


def build_wheel(source_parent: Path, out: Path) -> Path:
    """Build shiplint's wheel from a clean copy of the sources made under ``source_parent``:
    setuptools reuses a source tree's build/ directory, where a rule file renamed or deleted
    since the last build would still be shipped."""
    import shutil

    source = source_parent / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "src", "rules", "schemas"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        elif (ROOT / name).is_file():
            shutil.copy2(ROOT / name, source / name)
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (whl,) = out.glob("shiplint-*.whl")
    return whl
