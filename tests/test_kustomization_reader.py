"""The one reader of kustomization files: remote entries in every field, reads confined to the
scanned tree, components traced like overlays, and its users (grouping, partial-scan context,
patch detection for the cross-resource index)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import lint_files
from shiplint.model import kustomization as kz
from shiplint.model.kustomization import KustomizationReader, is_remote, load_tree, outside_entries, remote_entries


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def _pos(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and column of the ``nth`` occurrence of ``needle`` in ``text``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


# -- is it remote? ---------------------------------------------------------------------------------

REMOTE = [
    "https://example.com/x.yaml",
    "http://127.0.0.1:8080/x.yaml",
    "HTTPS://EXAMPLE.COM/X.YAML",
    "  https://example.com/leading-space.yaml",
    "git::ssh://git@example.com/org/repo.git//deploy?ref=v1",
    "git::https://example.com/org/repo.git",
    "git::file:///srv/repo//deploy",
    "git::git@example.com:org/repo",
    "file:///tmp/repo",
    "ssh://git@example.com/org/repo",
    "git://example.com/org/repo",
    "oci://registry.example/charts",
    "git@github.com:org/repo.git//deploy",
    "git@gitlab.example.com:org/repo",
    "user@host.example:repo",
    "deploy@10.0.0.1:/srv/repo",
    "builder@host/org/repo",
    "github.com/org/repo//deploy?ref=v1",
    "github.com/org/repo",
    "GitHub.com/org/repo",
    "github.com:org/repo",
    "gitlab.com/org/repo/deploy",
    "bitbucket.org/org/repo",
    "git.example.com:org/repo.git",
    "example.com/org/repo//deploy",
    "example.com/org/repo?ref=main",
    "base?ref=main",
    "repo//deploy?timeout=90s&ref=v1",
    "gh:org/repo",
    "hg::https://example.com/repo",
    "s3::https://s3.amazonaws.com/bucket/x.yaml",
]

LOCAL = [
    "./github.com-notes/",
    "github.com-notes/deploy.yaml",
    "./github.com/org/repo",
    "../base",
    "base",
    "deployment.yaml",
    "./https/x.yaml",
    "https-notes/x.yaml",
    "/etc/passwd",
    "./user@2x/x.yaml",
    "./git@host:repo",
    "overlays/prod//extra",
    "config.d/app.yaml",
    "v1.2/deploy.yaml",
    "patches/ref=main.yaml",
    "files/key=value.txt",
    "./base?ref=main",
    "café/x.yaml",
    ".",
    "..",
    "",
]


@pytest.mark.parametrize("entry", REMOTE)
def test_remote_forms(entry):
    assert is_remote(entry)


@pytest.mark.parametrize("entry", LOCAL)
def test_local_paths_that_look_remote(entry):
    assert not is_remote(entry)


# -- every field that takes a path -----------------------------------------------------------------

EVERY_FIELD = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deploy.yaml
  - git::ssh://git@example.com/org/repo.git//deploy
bases:
  - github.com/org/repo//base?ref=v1
components:
  - git@example.com:org/components
patches:
  - path: https://example.com/p1.yaml
  - patch: |-
      - op: add
        path: /spec/x
        value: https://example.com/not-a-path
patchesStrategicMerge:
  - git::https://example.com/org/repo.git//smp.yaml
patchesJson6902:
  - target: {kind: Deployment, name: api}
    path: http://127.0.0.1:9/json.yaml
configMapGenerator:
  - name: cfg
    files:
      - app.conf=https://example.com/app.conf
      - local.conf
    envs:
      - ssh://host/env.txt
secretGenerator:
  - name: sec
    env: file:///etc/shadow
transformers:
  - user@host.example:transformers
generators:
  - gitlab.com/org/generators
validators:
  - https://example.com/validator.yaml
configurations:
  - https://example.com/config.yaml
crds:
  - git::file:///srv/crds
openapi:
  path: https://example.com/schema.json
helmCharts:
  - name: app
    repo: oci://registry.example/charts
    valuesFile: https://example.com/values.yaml
replacements:
  - path: example.com/org/repo//replacements.yaml
"""

EXPECTED_REMOTE = [
    ("resources", "git::ssh://git@example.com/org/repo.git//deploy"),
    ("bases", "github.com/org/repo//base?ref=v1"),
    ("components", "git@example.com:org/components"),
    ("patchesStrategicMerge", "git::https://example.com/org/repo.git//smp.yaml"),
    ("patches[].path", "https://example.com/p1.yaml"),
    ("patchesJson6902[].path", "http://127.0.0.1:9/json.yaml"),
    ("configurations", "https://example.com/config.yaml"),
    ("crds", "git::file:///srv/crds"),
    ("transformers", "user@host.example:transformers"),
    ("generators", "gitlab.com/org/generators"),
    ("validators", "https://example.com/validator.yaml"),
    ("configMapGenerator[].files", "app.conf=https://example.com/app.conf"),
    ("configMapGenerator[].envs", "ssh://host/env.txt"),
    ("secretGenerator[].env", "file:///etc/shadow"),
    ("openapi.path", "https://example.com/schema.json"),
    ("replacements[].path", "example.com/org/repo//replacements.yaml"),
    ("helmCharts[].repo", "oci://registry.example/charts"),
    ("helmCharts[].valuesFile", "https://example.com/values.yaml"),
]


def test_remote_entries_of_every_field_with_their_positions(tmp_path):
    write(tmp_path, {"app/kustomization.yaml": EVERY_FIELD, "app/deploy.yaml": "kind: ConfigMap\n"})
    node = load_tree(str(tmp_path / "app"), str(tmp_path))
    got = remote_entries(node)
    assert sorted((e.field, e.value) for e in got) == sorted(EXPECTED_REMOTE)
    for e in got:
        assert e.file == "app/kustomization.yaml"
        assert (e.region.line, e.region.column) == _pos(EVERY_FIELD, e.value), e
    # the inline patch's content is not a path; the local entries are local
    assert "https://example.com/not-a-path" not in {e.value for e in got}
    assert [os.path.basename(f) for f in node.resource_files] == ["deploy.yaml"]
    # the first remote entry is one that includes something: it names the tree's problem
    assert node.remote[0] == "git::ssh://git@example.com/org/repo.git//deploy"


def test_remote_entries_of_a_whole_tree(tmp_path):
    write(tmp_path, {
        "overlay/kustomization.yaml": "resources: [../base]\ncomponents: [../comp]\n",
        "base/kustomization.yaml": "resources:\n  - cm.yaml\n  - https://example.com/base.yaml\n",
        "base/cm.yaml": "kind: ConfigMap\n",
        "comp/kustomization.yaml": "kind: Component\npatches:\n  - path: github.com/org/repo//p.yaml\n",
    })
    node = load_tree(str(tmp_path / "overlay"), str(tmp_path))
    got = [(e.file, e.field, e.value, e.region.line, e.region.column) for e in remote_entries(node)]
    assert got == [
        ("base/kustomization.yaml", "resources", "https://example.com/base.yaml", 3, 5),
        ("comp/kustomization.yaml", "patches[].path", "github.com/org/repo//p.yaml", 3, 11),
    ]


def test_remote_kustomization_is_refused_before_kustomize_runs(tmp_path, monkeypatch):
    """A patch URL (not only a remote resource) stops the render: kustomize is never started."""
    write(tmp_path, {
        "kustomization.yaml": "resources: [cm.yaml]\npatches:\n  - path: git::file:///srv/repo//p.yaml\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
    })
    from shiplint.inputs.render import kustomize

    def never(*args, **kwargs):
        raise AssertionError("kustomize was started")

    monkeypatch.setattr(kustomize, "run_tool", never)
    report = lint_files([tmp_path], root=tmp_path, kustomize_bin=shutil.which("true") or "/bin/true")
    sl = [f for f in report.findings if f.code == "SL007"]
    assert len(sl) == 1 and "git::file:///srv/repo//p.yaml" in sl[0].message


# -- reads confined to the scanned tree --------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path):
    """A tree whose kustomization names files and a base outside it, directly and by symlinks."""
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    write(outside, {
        "canary.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: CANARY-OUTSIDE}\n",
        "base/kustomization.yaml": "resources: [cm.yaml]\n",
        "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: CANARY-BASE}\n",
    })
    text = (
        "resources:\n"
        "  - linked-base\n"
        "  - ../../outside/base\n"
        "  - cm.yaml\n"
        "patches:\n"
        "  - path: /etc/passwd\n"
        "  - path: linked.yaml\n"
        "patchesStrategicMerge:\n"
        "  - ../../outside/canary.yaml\n"
    )
    write(tree, {"k/kustomization.yaml": text,
                 "k/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inside}\n"})
    os.symlink(outside / "base", tree / "k" / "linked-base")
    os.symlink(outside / "canary.yaml", tree / "k" / "linked.yaml")
    return tree, outside, text


def _spy_reads(monkeypatch):
    seen: list[str] = []
    real = kz.read_regular

    def spy(path, limit):
        seen.append(os.path.realpath(path))
        return real(path, limit)

    monkeypatch.setattr(kz, "read_regular", spy)
    return seen


def test_files_and_bases_outside_the_tree_are_refused_not_read(hostile, monkeypatch):
    tree, outside, text = hostile
    seen = _spy_reads(monkeypatch)
    node = KustomizationReader(str(tree)).load(str(tree / "k"))
    assert seen and all(p.startswith(str(tree.resolve()) + os.sep) for p in seen), seen
    got = [(e.field, e.value, e.region.line, e.region.column) for e in outside_entries(node)]
    assert got == [
        ("resources", "linked-base", *_pos(text, "linked-base")),
        ("resources", "../../outside/base", *_pos(text, "../../outside/base")),
        ("patchesStrategicMerge", "../../outside/canary.yaml", *_pos(text, "../../outside/canary.yaml")),
        ("patches[].path", "/etc/passwd", *_pos(text, "/etc/passwd")),
        ("patches[].path", "linked.yaml", *_pos(text, "linked.yaml")),
    ]
    assert node.children == [] and node.patches == []
    assert [os.path.basename(f) for f in node.resource_files] == ["cm.yaml"]
    # refused files are not taken as used by the kustomization: the scan still reports them
    assert node.consumed == {str(tree / "k" / "cm.yaml")}


def test_a_scan_of_the_hostile_tree_reads_nothing_outside(hostile, monkeypatch):
    tree, _, _ = hostile
    seen = _spy_reads(monkeypatch)
    report = lint_files([tree], root=tree, kustomize_bin="no-such-kustomize")
    assert all(p.startswith(str(tree.resolve()) + os.sep) for p in seen), seen
    shown = " ".join(f"{f.path} {f.message} {f.subject}" for f in report.findings)
    assert "CANARY" not in shown and "root:" not in shown


def test_a_kustomization_file_that_links_outside_is_not_read(tmp_path, monkeypatch):
    write(tmp_path, {"outside/kustomization.yaml": "resources: [cm.yaml]\n", "tree/k/.keep": ""})
    os.symlink(tmp_path / "outside" / "kustomization.yaml", tmp_path / "tree" / "k" / "kustomization.yaml")
    seen = _spy_reads(monkeypatch)
    assert KustomizationReader(str(tmp_path / "tree")).load(str(tmp_path / "tree" / "k")) is None
    assert seen == []


def test_default_tops(tmp_path):
    inside = tmp_path / "repo" / "k"
    inside.mkdir(parents=True)
    root = str((tmp_path / "repo").resolve())
    assert kz.default_tops(root, str(inside)) == (root,)
    # a directory named outside the working directory: the deepest directory holding both
    other = tmp_path / "corpus" / "k"
    other.mkdir(parents=True)
    assert kz.default_tops(root, str(other)) == (root, str(tmp_path.resolve()))
    # never the file system's top: then the tree's own directory only
    assert kz.default_tops("/proc", str(other)) == ("/proc", str(other.resolve()))


# -- components are traced like overlays -------------------------------------------------------------


COMP_BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: ghcr.io/acme/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
"""

COMP = """\
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
images:
  - name: ghcr.io/acme/api
    newTag: "2.0"
patches:
  - path: sidecar.yaml
"""

SIDECAR = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
      - name: sidecar
        image: docker.io/library/busybox:1.36
"""


def test_applying_puts_components_between_their_includer_and_its_bases():
    def node(name, components=()):
        return kz.KNode(name, name, name, {}, components=list(components))

    c1, c2, base = node("c1"), node("c2"), node("base")
    inner = node("inner")
    c2.components.append(inner)
    top = node("top", [c1, c2])
    names = lambda nodes: [n.file for n in nodes]  # noqa: E731
    # a resource of the base: the overlay's own changes apply last, then its components (the
    # last listed last), then the base's
    assert names(kz.applying([top, base])) == ["top", "c2", "inner", "c1", "base"]
    # a resource a component lists: only the components listed after it change it
    assert names(kz.applying([top, c1])) == ["top", "c2", "inner", "c1"]
    assert names(kz.applying([top, c2])) == ["top", "c2", "inner"]


def test_component_patches_and_images_are_traced(tmp_path):
    if not (shutil.which("kustomize") or shutil.which("kubectl")):
        pytest.skip("neither kustomize nor kubectl is installed")
    write(tmp_path, {
        "base/kustomization.yaml": "resources: [deployment.yaml]\n",
        "base/deployment.yaml": COMP_BASE,
        "comp/kustomization.yaml": COMP,
        "comp/sidecar.yaml": SIDECAR,
        "overlay/kustomization.yaml": "resources: [../base]\ncomponents: [../comp]\n",
    })
    node = load_tree(str(tmp_path / "overlay"), str(tmp_path))
    assert [c.display for c in node.components] == ["comp/kustomization.yaml"]
    assert node.components[0].is_component and len(node.components[0].patches) == 1
    report = lint_files([tmp_path], select=["KS101"], root=tmp_path)
    # one render: the files of its tree are what it checked
    assert sorted(report.files) == ["base/deployment.yaml", "base/kustomization.yaml", "comp/kustomization.yaml",
                                    "comp/sidecar.yaml", "overlay/kustomization.yaml"]
    got = {f.message.split("'")[1]: (f.path, f.region.line, f.region.column) for f in report.findings}
    # the tag set by the component's images: entry, the container added by its patch
    assert got == {"api": ("comp/kustomization.yaml", *_pos(COMP, '"2.0"')),
                   "sidecar": ("comp/sidecar.yaml", *_pos(SIDECAR, "docker.io/library/busybox"))}


# -- the reader's users ------------------------------------------------------------------------------


def test_partial_scan_context_uses_the_same_remote_test_and_confinement(tmp_path):
    from shiplint.inputs.context import context_files

    write(tmp_path, {
        "outside/cm.yaml": "kind: ConfigMap\n",
        "tree/k/kustomization.yaml": (
            "resources:\n  - a.yaml\n  - gitlab.com/org/repo\n  - git::https://example.com/r.git\n"
            "  - ../../outside/cm.yaml\n"),
        "tree/k/a.yaml": "kind: ConfigMap\n",
        "tree/k/gitlab.com/org/repo/kustomization.yaml": "resources: [b.yaml]\n",
        "tree/k/gitlab.com/org/repo/b.yaml": "kind: ConfigMap\n",
    })
    got = context_files(str(tmp_path / "tree/k/a.yaml"), str(tmp_path / "tree"))
    # remote forms are never taken for local directories, and nothing outside the tree is context
    assert [os.path.relpath(p, tmp_path) for p in got] == []


def test_resource_index_takes_patch_files_and_reads_nothing(tmp_path):
    from shiplint.inputs.context import kustomize_patch_paths
    from shiplint.model.k8s.index import ResourceIndex
    from shiplint.model.k8s.model import resources_from_document
    from shiplint.sources.yamlsrc import parse_yaml_stream

    def res(path, text):
        return [r for d in parse_yaml_stream(text) for r in resources_from_document(d.data, path, d.index)]

    dep = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: 1}\n"
    resources = res("app/deploy.yaml", dep) + res("app/patches/replicas.yaml", dep)
    index = ResourceIndex(resources, {"app/patches/replicas.yaml"})
    assert [r.path for r in index] == ["app/deploy.yaml"]
    assert [r.path for r in ResourceIndex(resources)] == ["app/deploy.yaml", "app/patches/replicas.yaml"]
    # the inputs layer finds the patch files through the kustomization reader
    write(tmp_path, {"app/kustomization.yaml": "resources: [deploy.yaml]\npatches:\n  - path: patches/replicas.yaml\n"})
    assert kustomize_patch_paths(resources, str(tmp_path)) == {"app/patches/replicas.yaml"}
