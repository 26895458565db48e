"""Values tracing: the ``values.yaml`` key behind a finding on a Helm render.

A finding on a chart lands on the template line, but what to change is usually a value: the
``false`` of ``readOnlyRootFilesystem`` comes from a line of ``values.yaml`` (or of a
``--values`` file, or of a CI scenario file) that ``toYaml``, ``include``, ``with``, ``range`` or
``default`` carried into the render.  Go templates are not re-implemented here: helm itself says
where a value comes from.

1. **Candidates.**  The values the render was made with are read with their positions (the
   chart's ``values.yaml``, then each ``--values`` file over it, as helm merges them).  For a
   finding on a scalar, the candidates are the leaves whose value is the rendered one (a string
   may also be part of it: ``repo:tag``); for a finding on a mapping (a ``securityContext``
   block that lacks a setting), the values mappings equal to it.  Only leaves whose key is the
   rendered key, or that lie under a ``.Values.…`` path some template of the chart mentions, are
   kept.
2. **One perturbed render.**  Every candidate of every finding of the render gets its own
   sentinel (a string ``shiplint-trace-N``, a number for a number; a mapping gets an extra key)
   in one more values file, and the chart is rendered once more, in the same sandbox and with
   the same options.  A candidate is confirmed when its sentinel is what the finding's node
   holds in that render: a value written literally in the template does not change, so no
   values key is named for it.  A perturbed render that fails (a template that compares the
   value's type) is split in halves and retried, within the budget.
3. **Bounded.**  The extra renders of one chart render share :data:`TRACE_BUDGET` seconds; when
   it runs out the remaining findings are simply not traced (no error: tracing is a hint).

The values key becomes a related location of the finding (file, line and column of the key);
:func:`name_values` adds it to the message once findings have been moved to their templates.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from functools import partial

from shiplint.core.findings import Finding, Location, Region
from shiplint.core.fsutil import is_inside
from shiplint.core.paths import display_path

#: Seconds the extra renders of one chart render may take together.
TRACE_BUDGET = 30.0
#: Perturbed renders per chart render at most (the first, then parts of a failing batch).
MAX_RENDERS = 5
#: Related locations holding a values key (a leaf, or the block a missing setting belongs in)
#: start with these; :func:`name_values` names them in the message.
KEY_PREFIX, BLOCK_PREFIX = "values key ", "values block "
_SENTINEL = "shiplint-trace-"
_INT_BASE = 7_310_000
_VALUES_REF = re.compile(r"\.Values((?:\.[A-Za-z_][\w-]*)*)")


@dataclass
class Node:
    """A key of the effective values: where it is set (the last file that sets it)."""

    path: tuple  # keys (str) and list indexes (int)
    value: object
    file: str  # display path
    region: Region  # the key (for a list item, the item)

    @property
    def dotted(self) -> str:
        return dotted(self.path)


def dotted(path: tuple) -> str:
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + (step if re.fullmatch(r"[\w-]+", step) else json.dumps(step))
    return out


# -- the values a render was made with ------------------------------------------------------------


def _walk(data, path: tuple, file: str, out: dict, depth: int = 0) -> None:
    from shiplint.sources.yamlsrc import YMap, YSeq

    if depth > 40:
        return
    if isinstance(data, YMap):
        for k, v in data.items():
            p = path + (str(k),)
            if p in out and not (isinstance(v, YMap) and isinstance(out[p].value, dict)):
                for old in [q for q in out if q[:len(p)] == p]:
                    del out[old]  # a later file replaces what it sets; mappings merge
            if v is None:
                continue  # null deletes the key in helm's merge
            region = data.key_region(k)
            if region is None:
                continue
            out[p] = Node(p, v, file, region)
            _walk(v, p, file, out, depth + 1)
    elif isinstance(data, YSeq):
        for i, v in enumerate(data):
            region = data.item_region(i)
            if region is None or v is None:
                continue
            p = path + (i,)
            out[p] = Node(p, v, file, Region(region.line, region.column))
            _walk(v, p, file, out, depth + 1)


def _plain(v):
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def effective_values(chart_dir: str, values_files: list[str], root: str, read: dict | None = None) -> tuple[dict, dict]:
    """``(nodes, data)``: every key of the merged values with the file and position that set it,
    and the merged values as plain data (what a perturbation restates for a list).  ``read``:
    the values files already parsed by path (the traces of one chart's renders share the
    chart's ``values.yaml``); filled as files are parsed."""
    from shiplint.inputs.render.helm import read_small
    from shiplint.sources.yamlsrc import YMap, parse_yaml_stream

    nodes: dict[tuple, Node] = {}
    merged: dict = {}
    own = os.path.join(chart_dir, "values.yaml")
    for path in [own, *values_files]:
        if path == own and not is_inside(own, (chart_dir,)):
            continue  # a link out of the chart: helm's sandboxed copy did not read it either
        if read is not None and path in read:
            data = read[path]
        else:
            text = read_small(path, 8 << 20)
            docs = parse_yaml_stream(text) if text else []
            data = getattr(docs[0], "data", None) if docs else None
            if read is not None:
                read[path] = data
        if isinstance(data, YMap):
            _walk(data, (), display_path(os.path.abspath(path), root), nodes)
            _merge(merged, _plain(data))
    for n in nodes.values():  # a mapping set in several files is what they make together
        if isinstance(n.value, dict):
            n.value = _get(merged, n.path)
    return nodes, merged


def _merge(into: dict, over: dict) -> None:
    """helm's merge of a values file over the values so far: mappings merge, anything else
    (a list included) replaces, null deletes."""
    for k, v in over.items():
        if v is None:
            into.pop(k, None)
        elif isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = v


def mentioned_paths(chart_dir: str) -> set[tuple]:
    """The ``.Values.a.b`` paths the chart's templates (helpers included) mention; ``()`` when
    one reads ``.Values`` as a whole (``index .Values "x"``, ``toYaml .Values``)."""
    from shiplint.inputs.render.helm import read_small

    out: set[tuple] = set()
    top = os.path.join(chart_dir, "templates")
    for current, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(current, d))]
        for name in files:
            text = read_small(os.path.join(current, name), 4 << 20)
            if text:
                out.update(tuple(m.group(1).split(".")[1:]) for m in _VALUES_REF.finditer(text))
    return out


# -- candidates -----------------------------------------------------------------------------------


def _canon(v) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def _scalar(v) -> bool:
    return isinstance(v, (str, int, float, bool))


def candidates(nodes: dict, rendered_key, rendered, mentions: set[tuple]) -> list[Node]:
    """Values keys that may provide the rendered node (see the module docstring, step 1)."""

    def narrowed(n: Node) -> bool:
        if n.path and n.path[-1] == rendered_key:
            return True
        # under a mentioned path: one of its prefixes (the empty one included) is mentioned
        return any(n.path[:k] in mentions for k in range(len(n.path) + 1))

    out = []
    if isinstance(rendered, dict):
        want = _plain(rendered)
        for n in nodes.values():
            if isinstance(n.value, dict) and _plain(n.value) == want and narrowed(n):
                out.append(n)
    elif _scalar(rendered):
        text = _canon(rendered)
        for n in nodes.values():
            if not _scalar(n.value) or not narrowed(n):
                continue
            v = _canon(n.value)
            if v == text or (isinstance(rendered, str) and isinstance(n.value, str) and len(v) >= 3 and v in text):
                out.append(n)
    return out


# -- perturbing -----------------------------------------------------------------------------------


def _sentinel(n: Node, i: int):
    if isinstance(n.value, dict):
        return f"shiplintTrace{i}"  # a key added to the mapping
    if isinstance(n.value, (int, float)) and not isinstance(n.value, bool):
        return _INT_BASE + i
    return f"{_SENTINEL}{i}"


def perturbation(merged: dict, batch: list[tuple[Node, object]]) -> dict:
    """A values document that sets each node of ``batch`` to its sentinel (a list on the way is
    restated whole, with the sentinel in it: helm replaces lists, it does not merge them)."""
    import copy

    out: dict = {}
    for n, s in batch:
        head = next((k for k, step in enumerate(n.path) if isinstance(step, int)), None)
        if head is not None:  # copy the list from the effective values, then set inside it
            lst_path = n.path[:head]
            if _get(out, lst_path) is None:
                src = _get(merged, lst_path)
                if not isinstance(src, list):
                    continue
                _set(out, lst_path, copy.deepcopy(src))
        if isinstance(n.value, dict):
            _set(out, n.path + (s,), "x")
        else:
            _set(out, n.path, s)
    return out


def _get(data, path: tuple):
    node = data
    for step in path:
        if isinstance(node, dict) and isinstance(step, str) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return None
    return node


def _set(data, path: tuple, value) -> None:
    node = data
    for i, step in enumerate(path[:-1]):
        nxt_is_index = isinstance(path[i + 1], int)
        if isinstance(node, dict):
            if not isinstance(node.get(step), (dict, list)):
                node[step] = [] if nxt_is_index else {}
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            if not isinstance(node[step], (dict, list)):
                node[step] = {}
            node = node[step]
        else:
            return
    last = path[-1]
    if isinstance(node, dict):
        node[last] = value
    elif isinstance(node, list) and isinstance(last, int) and 0 <= last < len(node):
        node[last] = value


# -- reading the perturbed render -----------------------------------------------------------------


def _documents(text: str) -> dict:
    """The rendered objects by ``(source, kind, name)`` and by ``(source, kind, ordinal)``."""
    from shiplint.inputs.render.helm import source_lines
    from shiplint.sources.yamlsrc import YMap, parse_yaml_stream

    marks = source_lines(text)
    out: dict = {}
    ordinal: dict = {}
    for doc in parse_yaml_stream(text):
        data = getattr(doc, "data", None)
        if not isinstance(data, YMap):
            continue
        source = ""
        for line, src in reversed(marks):
            if line < doc.region.line:
                source = src
                break
        kind = str(data.get("kind", ""))
        md = data.get("metadata")
        name = str(md.get("name", "")) if isinstance(md, dict) else ""
        j = ordinal.get((source, kind), 0)
        ordinal[(source, kind)] = j + 1
        out.setdefault((source, kind, "name", name), data)
        out[(source, kind, "n", j)] = data
    return out


def _follow(data, path: tuple):
    from shiplint.sources.yamlsrc import Item

    node = data
    for step in path:
        if isinstance(step, Item):
            if not isinstance(node, list):
                return None
            named = [x for x in node if step.name is not None and isinstance(x, dict) and x.get("name") == step.name]
            if named:
                node = named[0]
            elif 0 <= step.index < len(node):  # by position: a perturbed value may be the name
                node = node[step.index]
            else:
                return None
        elif isinstance(node, dict) and step in node:
            node = node[step]
        else:
            return None
    return node


def _confirmed(node, n: Node, sentinel) -> bool:
    if isinstance(n.value, dict):
        return isinstance(node, dict) and sentinel in node
    if isinstance(sentinel, int):
        return node == sentinel and not isinstance(node, bool)
    return isinstance(node, str) and re.search(re.escape(sentinel) + r"(?!\d)", node) is not None


# -- what the engine calls ------------------------------------------------------------------------


@dataclass
class _Target:
    finding: Finding
    keys: list  # the rendered object's keys in :func:`_documents`, the surest first
    path: tuple  # node path in the object
    cands: list
    block: bool  # the finding is on a mapping (a block lacking a setting)


def trace(findings: list[Finding], render, chart_dir: str, options, root: str,
          budget: float | None = None) -> int:
    """Attach the values key behind each finding on ``render`` (the engine's
    :class:`~shiplint.inputs.render.origin.Render` of a chart render made with ``options``);
    returns how many perturbed renders it took."""
    steps = tracer(findings, render, chart_dir, options, root, budget)
    answer = None
    while True:
        try:
            request = steps.send(answer)
        except StopIteration as stop:
            return stop.value or 0
        answer = request()


def tracer(findings: list[Finding], render, chart_dir: str, options, root: str, budget: float | None = None,
           shared=None, read: dict | None = None):
    """:func:`trace` as a generator, for a caller that runs the perturbed renders of several
    chart renders at the same time: it yields each perturbed render to make (a callable that
    returns the render's text, or None when it fails, and the seconds it took; helm is a
    process of its own, so the callable may run in another thread) and is sent its result.
    Everything else, reading the values and the renders, runs where the generator is resumed.
    Returns how many perturbed renders it took.  ``shared``: the copy of the chart the renders use (see
    :func:`shiplint.inputs.render.helm.run_tool`); ``read``: the values files parsed so far
    for the chart's renders (see :func:`effective_values`)."""
    try:
        return (yield from _trace(findings, render, chart_dir, options, root, budget, shared, read))
    except Exception:  # a hint only: whatever a chart does to it must not cost the findings
        return 0


def _trace(findings, render, chart_dir, options, root, budget, shared=None, read=None):
    from shiplint.inputs.render.origin import node_path

    # the budget counts this trace's own work and its renders, never the time its renders
    # wait for a free slot behind the chart's other renders: what is traced does not depend
    # on how many renders run at once
    started, spent = time.monotonic(), 0.0
    budget = TRACE_BUDGET if budget is None else budget
    mine = [f for f in findings if f.path == render.path and not f.code.startswith("SL")]
    if not mine:
        return 0
    nodes, merged = effective_values(chart_dir, list(options.helm_values), root, read)
    if not nodes:
        return 0
    mentions = mentioned_paths(chart_dir)
    targets: list[_Target] = []
    for f in mine:
        res = render.resource_at(f.region.line)
        if res is None or not res.origin or res.origin.get("type") != "helm":
            continue
        path, part = node_path(res.data, f.region.line, f.region.column)
        if part not in ("key", "value") or not path:
            continue
        node = _follow(res.data, path)
        if not (_scalar(node) or (isinstance(node, dict) and part == "key")):
            continue
        last = next((s for s in reversed(path) if isinstance(s, str)), None)
        cands = candidates(nodes, last, node, mentions)
        if cands:
            src = res.origin.get("source", "")
            same = [r for r in render.resources if r.origin and r.origin.get("source") == src and r.kind == res.kind]
            # by name, else by order: a perturbed value may be part of the name (controller.name)
            keys = [(src, res.kind, "n", next((i for i, r in enumerate(same) if r is res), 0))]
            if sum(r.name == res.name for r in same) == 1:
                keys.insert(0, (src, res.kind, "name", res.name))
            targets.append(_Target(f, keys, path, cands, isinstance(node, dict)))
    if not targets:
        return 0
    every = list({n.path: n for t in targets for n in t.cands}.values())
    # the rendered keys: a candidate named like one is likelier than one only under a mentioned path
    named = {next((s for s in reversed(t.path) if isinstance(s, str)), None) for t in targets}
    sentinels = {n.path: _sentinel(n, i) for i, n in enumerate(every)}
    pending = [every]
    renders = 0
    found: dict[tuple, set] = {}
    tmp = tempfile.mkdtemp(prefix="shiplint-trace-")
    try:
        while pending and renders < MAX_RENDERS:
            left = budget - spent - (time.monotonic() - started)
            if left <= 1:
                break
            batch = pending.pop(0)
            values_file = os.path.join(tmp, f"perturb-{renders}.json")
            with open(values_file, "w", encoding="utf-8") as fh:
                json.dump(perturbation(merged, [(n, sentinels[n.path]) for n in batch]), fh, default=str)
            renders += 1
            spent += time.monotonic() - started
            text, took = yield partial(_timed, chart_dir, options, values_file, root, left, shared)
            spent += took
            started = time.monotonic()
            if text is None:
                if len(batch) > 1:  # a candidate breaks the render: the likeliest first, then halves
                    likely = [n for n in batch if n.path and n.path[-1] in named]
                    rest = [n for n in batch if n not in likely]
                    if likely and rest:
                        pending += [likely, rest]
                    else:
                        pending += [batch[:len(batch) // 2], batch[len(batch) // 2:]]
                continue
            docs = _documents(text)
            in_batch = {n.path for n in batch}
            for i, t in enumerate(targets):
                data = next((docs[k] for k in t.keys if k in docs), None)
                if data is None:
                    continue
                node = _follow(data, t.path)
                for n in t.cands:
                    if n.path in in_batch and _confirmed(node, n, sentinels[n.path]):
                        found.setdefault(i, set()).add(n.path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for i, t in enumerate(targets):
        hits = [n for n in t.cands if n.path in found.get(i, ())]
        if t.block:
            hits = hits[:1]  # equal mappings nested in one another: the outermost names the block
        for n in hits:
            prefix = BLOCK_PREFIX if isinstance(n.value, dict) else KEY_PREFIX
            t.finding.related.append(Location(n.file, n.region, prefix + n.dotted))
    return renders


def same_finding(f: Finding) -> tuple:
    """What makes two renders' findings the same one (as the engine folds them)."""
    return f.code, f.subject or f.message


def _timed(chart_dir: str, options, values_file: str, root: str, timeout: float, shared=None) -> tuple:
    """:func:`_render`, and the seconds it took."""
    began = time.monotonic()
    text = _render(chart_dir, options, values_file, root, timeout, shared=shared)
    return text, time.monotonic() - began


def _render(chart_dir: str, options, values_file: str, root: str, timeout: float, shared=None) -> str | None:
    import dataclasses

    from shiplint.inputs.render.helm import RenderError, render_chart

    extra = dataclasses.replace(options, helm_values=[*options.helm_values, values_file])
    try:
        return render_chart(chart_dir, "", extra, root, timeout=timeout, shared=shared)
    except (RenderError, OSError, ValueError):
        return None
    except Exception:  # a perturbed render that fails in any other way is just not used
        return None


def name_values(findings: list[Finding]) -> None:
    """Say in each traced finding's message which values key to change (every one its related
    locations hold: a finding folded from several renders may have one per CI scenario), and
    list them in ``properties["values"]`` for the machine-readable outputs."""
    for f in findings:
        keys = []
        for loc in f.related:
            for prefix in (KEY_PREFIX, BLOCK_PREFIX):
                if loc.message and loc.message.startswith(prefix):
                    keys.append({"key": loc.message[len(prefix):], "path": loc.path, "line": loc.region.line,
                                 "column": loc.region.column, "block": prefix == BLOCK_PREFIX})
        if not keys:
            continue
        f.properties["values"] = keys
        words = ", ".join(f"{k['key']} in {k['path']}:{k['line']}" for k in keys)
        if all(k["block"] for k in keys):
            f.message += f" (the block comes from {words}: set it there)"
        else:
            f.message += f" (set by {words})"
