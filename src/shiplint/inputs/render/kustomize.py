"""Kustomize: render kustomizations offline and map rendered resources to the files defining them.

A directory with a ``kustomization.yaml`` (``.yml``, ``Kustomization``) is rendered with
``kustomize build`` or ``kubectl kustomize`` (``--kustomize-bin``) — without exec or alpha
plugins, without ``--enable-helm``, from a scratch directory, with a timeout; a kustomization
that names anything remote, in any field, is not rendered (no network).  The render is what is
linted, so resources changed or added by patches count.

The kustomization tree (``resources``, ``bases``, ``components``, ``patches``…, ``images``),
read as data by :mod:`shiplint.model.kustomization`, gives for each rendered resource the
manifest that defines it (after ``namePrefix``/``nameSuffix``/``namespace``), the patch that last
set a node, and the ``images:`` entry that rewrote an image — a component's included.  A
kustomization included by another one in the same scan is linted through its includers only;
its listed files are not linted on their own.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass

from shiplint.inputs.discovery import Input, display_path
from shiplint.core.errors import UsageError
from shiplint.core.findings import Location, Region
from shiplint.inputs.render.origin import Item, Rendered, RenderFailed, pointer_steps
from shiplint.inputs.render.helm import RenderError, run_tool, special_file, which
from shiplint.model.kustomization import (  # noqa: F401  (the reader's names, used through this module too)
    KUSTOMIZATION_NAMES, MAX_FILE_BYTES, KNode, KustomizationReader, Patch, PathEntry, applying, default_tops, is_remote,
    kustomization_file, load_tree, outside_entries, parse_yaml_file, path_entries, remote_entries,
)
from shiplint.sources.yamlsrc import locate as locate_node

LABEL = "kustomize build"


# -- sources of rendered resources ---------------------------------------------------------------


@dataclass
class Source:
    kind: str
    name: str
    namespace: str
    chain: list  # the KNodes whose changes apply to it, the last to apply first (see applying)
    data: object = None  # the source object (YMap), None for generated ones
    path: str = ""  # display path of the defining file
    anchor: Region | None = None  # for generated objects: the generator entry
    generated: bool = False


def _chain_names(chain, name: str) -> str:
    prefix = "".join(str(n.data.get("namePrefix") or "") for n in chain)
    suffix = "".join(str(n.data.get("nameSuffix") or "") for n in reversed(chain))
    return f"{prefix}{name}{suffix}"


def _chain_namespace(chain, ns: str) -> str:
    for n in chain:
        v = n.data.get("namespace")
        if isinstance(v, str) and v:
            return v
    return ns


def collect_sources(top: KNode, root: str) -> list[Source]:
    from shiplint.model.k8s.model import resources_from_document

    out: list[Source] = []
    parsed: dict[str, list] = {}

    def visit(node: KNode, chain: list, depth: int) -> None:
        if depth > 50 or node in chain:
            return
        chain = chain + [node]
        changed_by = applying(chain)
        for f in node.resource_files:
            if f not in parsed:
                docs, _ = parse_yaml_file(f)  # a file the reader let in
                disp = display_path(f, root)
                parsed[f] = [r for d in docs for r in resources_from_document(d.data, disp, d.index)]
            for r in parsed[f]:
                out.append(Source(r.kind, r.name, r.namespace, changed_by, r.data, r.path))
        for key, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
            seq = node.data.get(key)
            if not isinstance(seq, list):
                continue
            for i, gen in enumerate(seq):
                if isinstance(gen, dict) and isinstance(gen.get("name"), str):
                    anchor = gen.value_region("name") if hasattr(gen, "value_region") else seq.item_region(i)
                    out.append(Source(kind, gen["name"], str(gen.get("namespace") or ""), changed_by, None,
                                      node.display, anchor, True))
        for child in node.children:
            visit(child, chain, depth + 1)

    visit(top, [], 0)
    return out


def match_sources(resources, sources: list[Source]) -> None:
    """Fill each rendered resource's ``origin`` with its source, by kind and transformed name."""
    by_name: dict[tuple[str, str], list[Source]] = {}
    by_plain: dict[tuple[str, str], list[Source]] = {}
    gens: list[tuple[str, str, Source]] = []
    for s in sources:
        final = _chain_names(s.chain, s.name)
        if s.generated:
            gens.append((s.kind, final, s))
        by_name.setdefault((s.kind, final), []).append(s)
        by_plain.setdefault((s.kind, s.name), []).append(s)
    for res in resources:
        kind, name, ns = res.kind, res.name, res.namespace
        cands = by_name.get((kind, name)) or []
        if not cands:
            cands = [s for k, n, s in gens if k == kind and name.startswith(n + "-")]
        if not cands:
            cands = by_plain.get((kind, name)) or []
        if len(cands) > 1:
            same_ns = [s for s in cands if _chain_namespace(s.chain, s.namespace) == ns]
            cands = same_ns or cands
        if cands:
            res.origin = {"type": "kustomize", "source": cands[0]}


# -- locating a node -----------------------------------------------------------------------------


def _image_name(image: str) -> str:
    from shiplint.sources.imageref import parse_image_ref

    ref = parse_image_ref(image.strip())
    return f"{ref.registry}/{ref.repository}" if ref.registry else ref.repository


def _is_container_image(path: tuple) -> bool:
    return len(path) >= 3 and path[-1] == "image" and isinstance(path[-2], Item) and \
        path[-3] in ("containers", "initContainers", "ephemeralContainers")


def _target_matches(target: dict, res, src: Source) -> bool:
    kind = target.get("kind")
    if isinstance(kind, str) and kind and kind != res.kind:
        return False
    name = target.get("name")
    if isinstance(name, str) and name:
        names = {res.name, src.name, _chain_names(src.chain, src.name)}
        try:
            rx = re.compile(name)
            if not any(rx.fullmatch(n) for n in names):
                return False
        except re.error:
            if name not in names:
                return False
    return True


def _op_match(op_steps: list[str], path: tuple, value) -> int | None:
    """How many steps of ``path`` the operation's path covers (it must cover all of its own)."""
    if len(op_steps) > len(path):
        return None
    for s, p in zip(op_steps, path):
        if isinstance(p, Item):
            if s == "-":
                name = value.get("name") if isinstance(value, dict) else None
                if p.name is None or name != p.name:
                    return None
            elif not (s.isdigit() and int(s) == p.index):
                return None
        elif s != str(p):
            return None
    return len(op_steps)


def _patch_location(patch: Patch, res, src: Source, path: tuple) -> Location | None:
    from shiplint.sources.yamlsrc import YMap, YSeq

    if patch.kind == "json6902":
        if not _target_matches(patch.target, res, src):
            return None
        hit = None
        for i, op in enumerate(patch.data):
            if not isinstance(op, YMap) or op.get("op") not in ("add", "replace", "copy", "move"):
                continue
            steps = pointer_steps(str(op.get("path") or ""))
            n = _op_match(steps, path, op.get("value"))
            if n is None:
                continue
            if "value" in op and isinstance(op["value"], (YMap, YSeq)) and n < len(path):
                at = locate_node(op["value"], path[n:])
                region = at.region if at.found else op.key_region("value")
            elif "value" in op:
                region = op.value_region("value")
            else:
                region = patch.data.item_region(i)
            hit = Location(patch.path, patch.region(region))
        return hit
    data = patch.data
    if not isinstance(data, YMap):
        return None
    target = dict(patch.target)
    if not target:
        md = data.get("metadata")
        target = {"kind": data.get("kind"), "name": md.get("name") if isinstance(md, dict) else None}
    if not _target_matches(target, res, src):
        return None
    at = locate_node(data, path)
    region = at.region
    if not at.complete or region is None:
        return None
    if src.data is not None:
        base = locate_node(src.data, path)
        if base.complete and (isinstance(at.node, (YMap, YSeq)) or base.node == at.node):
            return None  # the base already has it (and the same value): the base defines it
    return Location(patch.path, patch.region(region))


def locate(res, path: tuple, part: str) -> Location | None:
    o = res.origin
    if not o or o.get("type") != "kustomize":
        return None
    src: Source = o["source"]
    if src.generated:
        return Location(src.path, src.anchor or Region(1, 1))
    # an image rewritten by an images: entry (the outermost kustomization first)
    if _is_container_image(path):
        rendered = res.get(tuple(s.index if isinstance(s, Item) else s for s in path))
        at = locate_node(src.data, path)
        names = set()
        for img in (rendered, at.node if at.complete else None):
            if isinstance(img, str) and img.strip():
                names.add(_image_name(img))
        for kn in src.chain:
            seq = kn.data.get("images")
            if not isinstance(seq, list):
                continue
            for i, entry in enumerate(seq):
                if not isinstance(entry, dict) or not any(k in entry for k in ("digest", "newTag", "newName")):
                    continue  # an entry that changes nothing did not cause the finding
                if entry.get("name") in names or entry.get("newName") in names:
                    for key in ("digest", "newTag", "newName", "name"):
                        if key in entry and hasattr(entry, "value_region"):
                            return Location(kn.display, entry.value_region(key))
                    return Location(kn.display, seq.item_region(i))
    # the last patch that set the node (outermost kustomization first, later patches first)
    for kn in src.chain:
        for patch in reversed(kn.patches):
            loc = _patch_location(patch, res, src, path)
            if loc is not None:
                return loc
    region = locate_node(src.data, path).region
    if region is None:
        return None
    return Location(src.path, region)


# -- collecting inputs ----------------------------------------------------------------------------


def group_inputs(inputs: list[Input], root: str, tops=None) -> list[Input]:
    """Each kustomization met becomes one ``kustomize`` input unless another scanned
    kustomization includes it; the files kustomizations list are not linted on their own
    (the render lints them, or the kustomization's check lints them directly when it cannot
    render), except files used only as generator data: kustomize reads them as data, so they
    are linted as what they are.
    ``tops``: the scanned directories, the only ones kustomization trees are read from."""
    kfiles = [i for i in inputs if i.abspath and os.path.basename(i.abspath) in KUSTOMIZATION_NAMES
              and i.kind != "helm-chart"]
    # a kustomization beside a Chart.yaml post-processes the chart's render (Argo CD's
    # "kustomized-helm" layout): the chart is what is rendered, the files it lists are its patches
    chart_dirs = [i.abspath for i in inputs if i.kind == "helm-chart" and i.abspath
                  and kustomization_file(i.abspath)]
    if not kfiles and not chart_dirs:
        return inputs
    if tops is None:
        tops = {t for d in [os.path.dirname(i.abspath) for i in kfiles] + chart_dirs for t in default_tops(root, d)}
    reader = KustomizationReader(root, sorted(tops))
    nodes = {}
    for inp in kfiles:
        node = reader.load(os.path.dirname(inp.abspath))
        if node is not None:
            nodes[inp.abspath] = node
    included: set[str] = set()
    consumed: set[str] = set()
    generated: set[str] = set()
    for node in nodes.values():
        for n in node.walk():
            consumed |= n.consumed
            generated |= generator_files(n)
            if n is not node:
                included.add(n.file)
    consumed -= generated - {f for node in nodes.values() for f in _used_as_objects(node)}
    for d in chart_dirs:  # the patches of a kustomization that post-processes a chart
        node = reader.load(d)
        for n in (node.walk() if node is not None else ()):
            consumed |= n.consumed
    out = []
    for inp in inputs:
        if inp.abspath in nodes:
            if inp.abspath in included and not inp.explicit:
                continue
            # a component nothing includes is an input too: it renders nothing alone, and its
            # check lints the files it lists directly
            out.append(Input(inp.display, inp.abspath, "kustomize", explicit=inp.explicit))
        elif inp.abspath is not None and inp.abspath in consumed and not inp.explicit:
            continue
        else:
            out.append(inp)
    return out


def generator_files(node: KNode) -> set[str]:
    """The local files ``configMapGenerator``/``secretGenerator`` entries of ``node`` read
    (``files``, ``envs``, ``env``; a ``files`` entry may be ``key=path``)."""
    out = set()
    for name, value, _ in path_entries(node.data):
        if name.startswith(("configMapGenerator[].", "secretGenerator[].")):
            rel = value.split("=", 1)[-1] if name.endswith(".files") else value
            full = os.path.normpath(os.path.join(node.dir, rel.strip()))
            if full in node.consumed:
                out.add(full)
    return out


def patch_files(node: KNode) -> list[str]:
    """The local files ``node`` uses as patches (strategic merge or JSON 6902), read by the
    reader (inside the tree)."""
    out = []
    for name, value, _ in path_entries(node.data):
        if name in ("patchesStrategicMerge", "patches[].path", "patchesJson6902[].path") and not is_remote(value):
            full = os.path.normpath(os.path.join(node.dir, value.strip()))
            if full in node.consumed and full not in out:
                out.append(full)
    return out


def _used_as_objects(top: KNode) -> set[str]:
    return {f for n in top.walk() for f in (*n.resource_files, *patch_files(n))}


#: kustomize's Helm inflation: the field, the key naming the chart, the key naming its repository
_INFLATION_FIELDS = (("helmCharts", "name", "repo"), ("helmChartInflationGenerator", "chartName", "chartRepoUrl"))


def helm_inflations(top: KNode) -> list[PathEntry]:
    """Every chart a kustomization tree asks kustomize to inflate (``helmCharts``,
    ``helmChartInflationGenerator``) from a local chart home, with its position.  shiplint never
    lets kustomize run helm (``--enable-helm`` would run it outside shiplint's offline sandbox,
    and fetch any chart missing from the chart home), so such a tree is not rendered and each
    entry says so; one naming a repository is already reported as remote."""
    out = []
    for n in top.walk():
        for key, name_key, repo_key in _INFLATION_FIELDS:
            seq = n.data.get(key)
            items = [seq] if isinstance(seq, dict) else seq if isinstance(seq, list) else []
            for i, item in enumerate(items):
                if not isinstance(item, dict) or str(item.get(repo_key) or "").strip():
                    continue
                name = item.get(name_key)
                region = item.value_region(name_key) if isinstance(name, str) and hasattr(item, "value_region") \
                    else (seq.item_region(i) if isinstance(seq, list) else n.data.key_region(key))
                out.append(PathEntry(key, name if isinstance(name, str) else "", n.display, region or Region(1, 1)))
    return out


def unparsed(top: KNode):
    """``(display path, ParseError)`` of the first kustomization of the tree that does not parse
    as YAML here, else None.  Its entries are unknown to shiplint (a flow sequence holding
    ``[http://host:port/x]`` is an error for libyaml, a URL for kustomize), so it is not
    handed to kustomize: what it would fetch could not be checked."""
    from shiplint.core.errors import ParseError
    from shiplint.core.fsutil import read_regular
    from shiplint.sources.yamlsrc import parse_yaml_stream

    for n in top.walk():
        try:
            text = read_regular(n.file, MAX_FILE_BYTES).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the reader refused it too: an empty kustomization
        for doc in parse_yaml_stream(text):
            if isinstance(doc, ParseError):
                return n.display, doc
    return None


def local_files(top: KNode) -> tuple[list[str], list[str]]:
    """``(resource files, patch files)`` of a kustomization tree (absolute, inside the tree,
    each once): what to lint directly when the tree cannot be rendered — resource files as the
    objects they hold, patch files as patches (partial objects, never as whole ones)."""
    resources: list[str] = []
    patches: list[str] = []
    for n in top.walk():
        resources += [f for f in n.resource_files if f not in resources]
        patches += [f for f in patch_files(n) if f not in patches]
    return resources, [f for f in patches if f not in resources]


# -- rendering ------------------------------------------------------------------------------------


def find_kustomize(options) -> list[str] | None:
    """The command that renders a directory: ``kustomize build`` or ``kubectl kustomize``."""
    if options.kustomize_bin:
        b = options.kustomize_bin
        path = os.path.abspath(b) if os.path.isfile(b) and os.access(b, os.X_OK) else shutil.which(b)
        if path is None:
            return None
        return [path, "kustomize"] if "kubectl" in os.path.basename(path) else [path, "build"]
    k = which("kustomize")  # absolute PATH entries only
    if k:
        return [k, "build"]
    k = which("kubectl")
    return [k, "kustomize"] if k else None


def render_input(node: KNode, inp: Input, options, root: str):
    """Render the kustomization ``node`` (loaded from ``inp``): a :class:`Rendered` whose
    findings land on the base and overlay files, a :class:`RenderFailed`, or ``None`` for a
    component (rendered only through the overlays that include it)."""
    if node.is_component:
        return None
    remote = [r for n in node.walk() for r in n.remote]
    if remote:
        return RenderFailed(f"kustomization not rendered: remote resource {remote[0]!r} would need the network "
                            "(shiplint renders offline; vendor it or check the rendered output)", inp.display, "warning")
    inflated = helm_inflations(node)
    if inflated:  # never --enable-helm: kustomize's helm is outside the sandbox (the checker says it per entry)
        return RenderFailed(f"kustomization not rendered: {inflated[0].field} entry {inflated[0].value!r} inflates a "
                            "Helm chart, which shiplint never lets kustomize do", inp.display, "warning")
    special = next((f for f in (special_file(os.path.dirname(n.file), root) for n in node.walk()) if f), None)
    if special is not None:  # never hand kustomize a FIFO or a device
        return RenderFailed(f"kustomization not rendered: {special} is not a regular file (a FIFO, socket or device)",
                            inp.display)
    argv = find_kustomize(options)
    if argv is None:
        where = f" at {options.kustomize_bin!r}" if options.kustomize_bin else " on PATH"
        if not inp.explicit:  # met in a directory walk → SL007, the run goes on
            return RenderFailed("kustomization not rendered: neither kustomize nor kubectl found" + where,
                                inp.display, "warning")
        raise UsageError(f"{inp.display}: rendering this kustomization needs kustomize or kubectl, neither found"
                         + where + " (install one, pass --kustomize-bin, or --exclude the directory)")
    kdir = os.path.dirname(inp.abspath)
    kdisp = display_path(kdir, root)
    try:
        text = run_tool(argv + [kdir], f"kustomize build {kdisp}", root, options.max_file_size)
    except RenderError as exc:
        return RenderFailed(str(exc), inp.display)
    return Rendered(f"{kdisp} ({LABEL})", text, kdisp, LABEL, Location(inp.display, Region(1, 1)), locate,
                    lambda resources: match_sources(resources, collect_sources(node, root)))
