"""The one reader of kustomization files.

A kustomization (``kustomization.yaml``, ``kustomization.yml``, ``Kustomization``) and what it
includes — bases, components, resource files, patches — is read here as data, never executed,
for every part of shiplint that needs it: grouping the files of a scan, tracing a rendered
resource back to its base, overlay, component or patch, the context of a partial scan, and
telling a patch from a whole object.

Two decisions are made here and nowhere else:

* **Remote or local.** :func:`is_remote` recognises every form with which kustomize (or the git
  and go-getter syntaxes it accepts) would reach the network or another repository, and
  :func:`path_entries` lists every field of a kustomization that takes a path, so that
  :func:`remote_entries` can name, with its position, each entry that would make a render fetch
  something.  A remote entry is never read.
* **Inside or outside the tree.** Files are read only when, symlinks resolved, they lie inside
  the scanned directories (``tops``), through the bounded regular-file reader: a kustomization
  naming ``/etc/passwd`` as a patch, or a base directory that is a symlink leaving the tree, is
  refused and listed by :func:`outside_entries`, not read.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from shiplint.core.findings import Region
from shiplint.core.fsutil import is_inside, read_regular
from shiplint.core.paths import display_path

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
#: Largest kustomization or patch file read (bytes).
MAX_FILE_BYTES = 50 << 20
#: Includes (base of a base of a base…) followed at most: a deeper chain is a hostile tree.
MAX_DEPTH = 64

# Everything kustomize, git or a go-getter would fetch instead of reading a local path.  An entry
# starting with ``./``, ``../`` or ``/`` is always a path (kustomize refuses absolute repository
# URLs), so ``./github.com-notes/`` stays local.
_REMOTE_RE = re.compile(
    r"""
      ^[a-z][a-z0-9+.-]*://                   # a URL: http(s)://, ssh://, file://, git://, oci://…
    | ^[a-z0-9]+::                            # a forced getter: git::…, hg::…, s3::…
    | ^gh:                                    # kustomize's GitHub shorthand
    | ^[a-z][a-z0-9-]*@[^/:@\s]+[:/]          # user@host:repo, git@host:org/repo (scp-like)
    | ^(?:github\.com|gitlab\.com|bitbucket\.org)[/:]   # hosts reached without a scheme
    | ^[a-z0-9-]+(?:\.[a-z0-9-]+)+:           # host.example:org/repo (scp-like, no user)
    | ^[a-z0-9-]+(?:\.[a-z0-9-]+)+/.*//       # host.example/org/repo//subdir
    | \?(?:.*&)?(?:ref|version|timeout|submodules)=     # a repository query: ?ref=v1
    """,
    re.I | re.X,
)


def is_remote(entry: str) -> bool:
    """Whether a path entry of a kustomization names something kustomize would fetch (a URL, a
    git repository in any of its syntaxes) rather than a file or directory of the tree."""
    s = entry.strip()
    if not s or s.startswith(("./", "../", "/")) or s in (".", ".."):
        return False
    return bool(_REMOTE_RE.search(s))


def _is_flux_object(data) -> bool:
    """Whether a file named like a kustomization holds a Flux object (``*.toolkit.fluxcd.io``,
    above all a Flux ``Kustomization``): linted as a manifest, never handed to kustomize."""
    from shiplint.model.k8s.flux import GROUPS, group_of

    api = data.get("apiVersion")
    return isinstance(api, str) and group_of(api) in GROUPS


def kustomization_file(directory: str) -> str | None:
    for name in KUSTOMIZATION_NAMES:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    return None


def default_tops(root: str, directory: str) -> tuple[str, ...]:
    """The directories a kustomization tree in ``directory`` may be read from when the caller
    does not know which directories were scanned: the root, and when the tree lies outside the
    root (a directory named outside the working directory), the deepest directory holding both
    — never the file system's top, where the tree's own directory is all that is allowed."""
    root = os.path.realpath(root)
    real = os.path.realpath(directory)
    if is_inside(real, (root,)):
        return (root,)
    common = os.path.commonpath([root, real])
    return (root, real if os.path.dirname(common) == common else common)


def parse_yaml_file(path: str) -> tuple[list, list[str]]:
    """The documents (positioned) and lines of a YAML file; nothing when it is not a regular
    file, too large or not UTF-8.  For files a :class:`KustomizationReader` has already let in:
    it does not check where the file lies."""
    from shiplint.sources.yamlsrc import parse_yaml_stream

    try:
        text = read_regular(path, MAX_FILE_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return [], []
    return [d for d in parse_yaml_stream(text) if hasattr(d, "data")], text.splitlines()


# -- the fields that take a path ------------------------------------------------------------------


@dataclass(frozen=True)
class PathEntry:
    """One path (or URL) written in a kustomization: the field it is in (``resources``,
    ``patches[].path``, ``configMapGenerator[].files``…), the entry as written, and where."""

    field: str
    value: str
    file: str  # display path of the kustomization
    region: Region


#: Fields whose entries are included: a directory is a kustomization, a file a resource file.
INCLUDE_FIELDS = ("resources", "bases", "components")
#: Fields whose entries are files kustomize reads as configuration, not as resources.
CONFIG_FIELDS = ("crds", "configurations", "transformers", "generators", "validators")


def _scalar_entries(container, key):
    """``(value, region)`` of the string entries of ``container[key]``, a list or one string;
    strings spanning lines are inline content (a patch, a transformer), not paths."""
    value = container.get(key)
    if isinstance(value, str):
        if "\n" not in value:
            yield value, container.value_region(key)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, str) and "\n" not in v:
                yield v, value.item_region(i)


def _mappings(data, key):
    value = data.get(key)
    if isinstance(value, dict):
        yield value
    elif isinstance(value, list):
        yield from (v for v in value if isinstance(v, dict))


def path_entries(data) -> list[tuple[str, str, Region | None]]:
    """``(field, value, region)`` of every entry of a kustomization that names a file, a
    directory or a URL, in the order kustomize meets them (what it includes first)."""
    from shiplint.sources.yamlsrc import YMap

    if not isinstance(data, YMap):
        return []
    out: list[tuple[str, str, Region | None]] = []
    for key in INCLUDE_FIELDS:
        out.extend((key, v, r) for v, r in _scalar_entries(data, key))
    out.extend(("patchesStrategicMerge", v, r) for v, r in _scalar_entries(data, "patchesStrategicMerge"))
    # a bare file name under ``patches`` (kustomize now wants ``- path: …``, older tools and
    # Argo CD plugins accept it): its author meant a patch file, never a resource to lint whole
    out.extend(("patches", v, r) for v, r in _scalar_entries(data, "patches"))
    for key in ("patches", "patchesJson6902"):
        for p in _mappings(data, key):
            out.extend((f"{key}[].path", v, r) for v, r in _scalar_entries(p, "path"))
    for key in CONFIG_FIELDS:
        out.extend((key, v, r) for v, r in _scalar_entries(data, key))
    for key in ("configMapGenerator", "secretGenerator"):
        for gen in _mappings(data, key):
            for sub in ("files", "envs", "env"):
                out.extend((f"{key}[].{sub}", v, r) for v, r in _scalar_entries(gen, sub))
    for p in _mappings(data, "openapi"):
        out.extend(("openapi.path", v, r) for v, r in _scalar_entries(p, "path"))
    for p in _mappings(data, "replacements"):
        out.extend(("replacements[].path", v, r) for v, r in _scalar_entries(p, "path"))
    if isinstance(data.get("replacements"), list):  # a bare path, as older kustomizations write it
        out.extend(("replacements", v, r) for v, r in _scalar_entries(data, "replacements"))
    for chart in _mappings(data, "helmCharts"):
        for sub in ("repo", "valuesFile", "additionalValuesFiles"):
            out.extend((f"helmCharts[].{sub}", v, r) for v, r in _scalar_entries(chart, sub))
    for gen in _mappings(data, "helmChartInflationGenerator"):
        for sub in ("chartRepoUrl", "values"):
            out.extend((f"helmChartInflationGenerator[].{sub}", v, r) for v, r in _scalar_entries(gen, sub))
    for glob in _mappings(data, "helmGlobals"):
        for sub in ("chartHome", "configHome"):
            out.extend((f"helmGlobals.{sub}", v, r) for v, r in _scalar_entries(glob, sub))
    return out


def _entry_path(field_name: str, value: str) -> str:
    """The path part of an entry: a generator's ``files`` entry may be ``key=path``."""
    if field_name.endswith("[].files"):
        return value.split("=", 1)[-1]
    return value


def _entry_is_remote(field_name: str, value: str) -> bool:
    if field_name.endswith(("[].repo", "[].chartRepoUrl")):
        return bool(value.strip())  # a chart repository is fetched whatever its form
    return is_remote(value) or is_remote(_entry_path(field_name, value))


# -- the tree -------------------------------------------------------------------------------------


@dataclass
class Patch:
    """One patch of a kustomization: its parsed content and how to report a node of it."""

    node: "KNode"
    kind: str  # "json6902" or "smp"
    target: dict
    data: object  # YSeq of operations or YMap (partial resource)
    path: str  # display path of the file holding the content
    line_shift: int = 0
    col_shift: int = 0
    anchor: Region | None = None

    def region(self, r: Region) -> Region:
        return Region(r.line + self.line_shift, r.column + self.col_shift,
                      r.end_line + self.line_shift, r.end_column + self.col_shift)


@dataclass(eq=False)  # one node per kustomization file: compared by identity (trees may share or loop)
class KNode:
    """A kustomization (an overlay, a base or a component) and what it includes."""

    dir: str
    file: str
    display: str
    data: dict
    #: included kustomizations (resources, bases, then components), in the order listed
    children: list["KNode"] = field(default_factory=list)
    #: the children listed under ``components``, in the order listed
    components: list["KNode"] = field(default_factory=list)
    #: children and resource files in the order they are listed
    includes: list = field(default_factory=list)
    resource_files: list[str] = field(default_factory=list)
    #: files this kustomization makes use of (resources, patches, generator data, configuration)
    consumed: set[str] = field(default_factory=set)
    remote_entries: list[PathEntry] = field(default_factory=list)
    #: local entries that lead outside the scanned directories: refused, never read
    outside_entries: list[PathEntry] = field(default_factory=list)
    patches: list[Patch] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def is_component(self) -> bool:
        return self.data.get("kind") == "Component"

    @property
    def remote(self) -> list[str]:
        """The remote entries as written, those of resources, bases and components first."""
        return [e.value for e in self.remote_entries]

    def walk(self, seen=None):
        seen = set() if seen is None else seen
        if self.file in seen:
            return
        seen.add(self.file)
        yield self
        for child in self.children:
            yield from child.walk(seen)


def remote_entries(top: KNode) -> list[PathEntry]:
    """Every remote entry of a kustomization tree, in every field that takes a path, with the
    kustomization file and the position of each (a render would fetch each of them)."""
    return [e for n in top.walk() for e in n.remote_entries]


def outside_entries(top: KNode) -> list[PathEntry]:
    """Every local entry of a kustomization tree that leads outside the scanned directories."""
    return [e for n in top.walk() for e in n.outside_entries]


def applying(chain: list[KNode]) -> list[KNode]:
    """The kustomizations whose patches, ``images:`` and names apply to a resource reached
    through ``chain`` (outermost kustomization first), the last to apply first.

    A kustomization runs its components after gathering its resources and before its own
    patches, each component on everything gathered so far: so after each kustomization of the
    chain come its components, the last listed first — only those listed after the component
    the resource comes from, when it comes from one."""
    out: list[KNode] = []
    seen: set[str] = set()

    def component(c: KNode) -> None:
        if c.file in seen:
            return
        seen.add(c.file)
        out.append(c)
        for d in reversed(c.components):
            component(d)

    for depth, node in enumerate(chain):
        seen.add(node.file)
        out.append(node)
        comps = node.components
        nxt = chain[depth + 1] if depth + 1 < len(chain) else None
        if nxt is not None and nxt in comps:
            comps = comps[comps.index(nxt) + 1:]
        for c in reversed(comps):
            if c not in chain:
                component(c)
    return out


#: Keys of a strategic-merge patch that no API object carries (``$patch: delete``,
#: ``$setElementOrder/containers``, ``$retainKeys``, ``$deleteFromPrimitiveList/args``).
_PATCH_DIRECTIVE = re.compile(r"^\$(?:patch|retainKeys|setElementOrder/|deleteFromPrimitiveList/)")


def _has_patch_directive(node, depth: int = 0) -> bool:
    if depth > 32:
        return False
    if isinstance(node, dict):
        return any((isinstance(k, str) and _PATCH_DIRECTIVE.match(k)) or _has_patch_directive(v, depth + 1)
                   for k, v in node.items())
    if isinstance(node, list):
        return any(_has_patch_directive(v, depth + 1) for v in node)
    return False


def is_patch_fragment(data) -> bool:
    """Whether a document is evidently a patch rather than an object, even when no
    kustomization lists it (kubebuilder's ``config/default/*_patch.yaml``, a patch commented out
    of its kustomization): it holds a strategic-merge directive, or it is a workload whose
    containers name no image while it has neither a selector nor pod-template labels — the API
    would refuse it, so linting it as a whole object reports what the patched base already has."""
    from shiplint.model.k8s.model import Resource
    from shiplint.sources.yamlsrc import YMap

    if not isinstance(data, YMap):
        return False
    if _has_patch_directive(data):
        return True
    res = Resource(data, "")
    pod = res.pod_template()
    if pod is None or res.kind == "Pod":  # a bare Pod is created, not patched: lint what it lacks
        return False
    if any(c.image is not None for c in pod.containers()):
        return False
    return res.get(("spec", "selector")) is None and not pod.labels


class KustomizationReader:
    """Reads kustomization trees below the directories ``tops`` (default: the root), each file
    once.  ``root`` names files in findings."""

    def __init__(self, root: str, tops=None) -> None:
        self.root = os.path.abspath(root)
        self.tops = tuple(os.path.realpath(t) for t in (tops or (self.root,)))
        self._files: dict[str, tuple[list, list[str]]] = {}
        self._trees: dict[str, KNode] = {}

    def inside(self, path: str) -> bool:
        return is_inside(path, self.tops)

    def parse(self, path: str) -> tuple[list, list[str]]:
        """The documents of a YAML file (positioned) and its lines; nothing when the file is
        outside the tree, not a regular file, too large or not UTF-8."""
        path = os.path.abspath(path)
        got = self._files.get(path)
        if got is None:
            got = self._files[path] = self._parse(path)
        return got

    def _parse(self, path: str) -> tuple[list, list[str]]:
        return parse_yaml_file(path) if self.inside(path) else ([], [])

    def read(self, directory: str):
        """``(file, data, lines)`` of the kustomization of ``directory`` (its includes not
        followed), or None when there is none inside the tree."""
        from shiplint.sources.yamlsrc import YMap

        kfile = kustomization_file(directory)
        if kfile is None or not self.inside(kfile):
            return None
        docs, lines = self.parse(kfile)
        data = docs[0].data if docs and isinstance(docs[0].data, YMap) else None
        if data is not None and _is_flux_object(data):
            return None  # a Flux Kustomization saved under this name: a manifest, not kustomize's
        if data is None:  # empty or not a mapping: a kustomization with nothing in it
            data = YMap()
            data.pos, data.kpos, data.vpos, data.tag, data.line_offset = (0, 0, 0, 0), {}, {}, None, 0
        return kfile, data, lines

    def load(self, directory: str, _depth: int = 0) -> KNode | None:
        """The kustomization in ``directory`` and everything it includes (as data)."""
        directory = os.path.abspath(directory)
        if directory in self._trees:
            return self._trees[directory]
        found = self.read(directory) if _depth <= MAX_DEPTH else None
        if found is None:
            return None
        kfile, data, lines = found
        node = KNode(directory, kfile, display_path(kfile, self.root), data, lines=lines)
        self._trees[directory] = node
        for name, value, region in path_entries(data):
            entry = PathEntry(name, value, node.display, region or Region(1, 1))
            if _entry_is_remote(name, value):
                node.remote_entries.append(entry)
                continue
            full = os.path.normpath(os.path.join(directory, _entry_path(name, value)))
            if not self.inside(full):
                node.outside_entries.append(entry)
                continue
            self._local_entry(node, name, full, _depth)
        _load_patches(node, self)
        return node

    def _local_entry(self, node: KNode, name: str, full: str, depth: int) -> None:
        if name in INCLUDE_FIELDS:
            if os.path.isdir(full):
                child = self.load(full, depth + 1)
                if child is not None:
                    node.children.append(child)
                    node.includes.append(child)
                    if name == "components":
                        node.components.append(child)
            elif os.path.isfile(full):
                node.resource_files.append(full)
                node.includes.append(full)
                node.consumed.add(full)
        elif name in CONFIG_FIELDS:
            if os.path.isfile(full):
                node.consumed.add(full)
        elif not name.startswith("helm"):
            node.consumed.add(full)  # patches, generator data, openapi, replacements

    def patch_files(self, directory: str) -> list[str]:
        """The local files the kustomization of ``directory`` uses as patches, without reading
        them (they hold partial objects, not resources to check as a whole)."""
        found = self.read(directory)
        if found is None:
            return []
        out = []
        for name, value, _ in path_entries(found[1]):
            if (name in ("patchesStrategicMerge", "patches") or name.endswith("[].path") and name.startswith("patches")) \
                    and not is_remote(value):
                out.append(os.path.normpath(os.path.join(directory, value.strip())))
        return out


def load_tree(directory: str, root: str, reader: KustomizationReader | None = None) -> KNode | None:
    """Read the kustomization in ``directory`` and everything it includes (as data)."""
    if reader is None:
        reader = KustomizationReader(root, default_tops(root, directory))
    return reader.load(directory)


def _load_patches(node: KNode, reader: KustomizationReader) -> None:
    from shiplint.sources.yamlsrc import parse_yaml_stream

    data = node.data
    entries = []
    for key in ("patches", "patchesJson6902"):
        seq = data.get(key)
        if isinstance(seq, list):
            for i, p in enumerate(seq):
                if isinstance(p, dict):
                    entries.append((seq, i, p))
    seq = data.get("patchesStrategicMerge")
    if isinstance(seq, list):
        for i, p in enumerate(seq):
            if isinstance(p, str):
                entries.append((seq, i, {"_smp": p}))
    for seq, i, p in entries:
        anchor = seq.item_region(i)
        target = p.get("target") if isinstance(p.get("target"), dict) else {}
        contents = []
        if isinstance(p.get("path"), str) or ("_smp" in p and "\n" not in p["_smp"]):
            entry = p["path"] if isinstance(p.get("path"), str) else p["_smp"]
            if is_remote(entry):
                continue  # listed by remote_entries, never read
            f = os.path.normpath(os.path.join(node.dir, entry))
            docs, _ = reader.parse(f)  # nothing when outside the tree
            contents = [(d.data, display_path(f, reader.root), 0, 0) for d in docs]
        else:
            text = p.get("patch") if "patch" in p else p.get("_smp")
            if not isinstance(text, str):
                continue
            where = p.value_region("patch") if "patch" in p else anchor
            line_shift, col_shift = _block_shift(node.lines, where)
            for d in parse_yaml_stream(text):
                if hasattr(d, "data"):
                    contents.append((d.data, node.display, line_shift, col_shift))
        for content, path, ls, cs in contents:
            if content is None:
                continue
            kind = "json6902" if isinstance(content, list) else "smp"
            node.patches.append(Patch(node, kind, target, content, path, ls, cs, anchor))


def _block_shift(lines: list[str], where: Region | None) -> tuple[int, int]:
    """Line and column offsets of an inline block scalar's content in the file (its content
    starts on the line after the ``|`` indicator, indented)."""
    if where is None:
        return 0, 0
    first = where.line  # 1-based line of the indicator; content starts on the next one
    for i in range(first, min(len(lines), where.end_line)):
        if lines[i].strip():
            return first, len(lines[i]) - len(lines[i].lstrip(" "))
    return first, 0
