"""Pointing findings on a render (``helm template``, ``kustomize build``) back at the repository.

A render is a YAML stream that exists nowhere in the repository.  Each of its resources carries
an ``origin`` (filled by :mod:`shiplint.inputs.render.helm` or :mod:`shiplint.inputs.render.kustomize`) that
knows how to locate a node of the rendered object in the file that defines it.  The engine
registers every render under the path its findings carry; :func:`remap_findings` then moves
each finding from the rendered position to the source file and keeps the rendered position as
a related location.

The node a finding is about is recovered from its region: the deepest key, value or sequence
item of the rendered object that contains the finding's start.  Rules therefore need no
cooperation; a finding pointing at ``image`` in the render lands on the ``image:`` line of the
template or of the base manifest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from shiplint.core.findings import Finding, Location, Region
from shiplint.sources.yamlsrc import Item, YMap, YSeq


# -- paths inside a rendered object ---------------------------------------------------------


def _contains(r: Region, line: int, col: int) -> bool:
    start = (r.line, r.column)
    end = (r.end_line, r.end_column)
    return start == (line, col) or start <= (line, col) < end


def node_path(data, line: int, column: int) -> tuple[tuple, str]:
    """The path (keys and :class:`Item` steps) of the deepest node of ``data`` containing the
    position, and which part of it the position is on: ``"key"``, ``"value"`` or ``"node"``
    (a container as a whole, or nothing more precise)."""
    path: list = []
    node = data
    while True:
        moved = False
        if isinstance(node, YMap):
            for k in node:
                kr = node.key_region(k)
                if kr is not None and _contains(kr, line, column):
                    return tuple(path) + (k,), "key"
                vr = node.value_region(k)
                if vr is not None and _contains(vr, line, column):
                    path.append(k)
                    child = node[k]
                    if isinstance(child, (YMap, YSeq)) and len(child):
                        node, moved = child, True
                        break
                    return tuple(path), "value"
        elif isinstance(node, YSeq):
            for i, child in enumerate(node):
                ir = node.item_region(i)
                if ir is not None and _contains(ir, line, column):
                    name = child.get("name") if isinstance(child, YMap) else None
                    path.append(Item(i, name if isinstance(name, str) else None))
                    if isinstance(child, (YMap, YSeq)) and len(child):
                        node, moved = child, True
                        break
                    return tuple(path), "value"
        if not moved:
            return tuple(path), "node"


def pointer_steps(pointer: str) -> list[str]:
    """The steps of a JSON pointer (``/spec/containers/0/image``)."""
    if not pointer.startswith("/"):
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]


# -- locating a path in a Helm template (text, not YAML) --------------------------------------

_DASH = re.compile(r"^(\s*)-(?:\s|$)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    """Neither blank, nor a comment, nor a template action line (``{{`` after the indentation).
    Called for every template line a finding's key is searched through: string methods only."""
    s = line.strip()
    return bool(s) and not s.startswith(("#", "{{"))


def _key_re(key: str):
    return re.compile(r"^(\s*(?:-\s+)*)([\"']?)" + re.escape(key) + r"\2\s*:(?:\s|$)")


def _flow_re(key: str):
    return re.compile(r"[{,]\s*([\"']?)" + re.escape(key) + r"\1\s*:")


def _block_end(lines: list[str], start: int, hi: int, col: int) -> int:
    """End (exclusive) of the block of a node at column ``col`` whose first line is ``start``:
    the first content line indented at most ``col`` (a ``-`` at ``col`` continues a sequence
    that is the value of a key at ``col``)."""
    for i in range(start + 1, hi):
        line = lines[i]
        if not _is_content(line):
            continue
        ind = _indent(line)
        if ind < col or (ind == col and not _DASH.match(line)):
            return i
    return hi


def locate_in_template(lines: list[str], lo: int, hi: int, path: tuple, part: str,
                       value=None, rendered=None) -> Region | None:
    """The region in a template (lines ``lo``..``hi``, 0-based, ``hi`` exclusive) of the node at
    ``path``, searched key by key with indentation; the deepest key found when the rest is
    generated (``toYaml``, ``include``).  ``None`` when not even the first key is there.
    ``value`` (the rendered scalar) and ``rendered`` (the rendered object the path walks) choose
    between branches (``if``/``else if``/``else``) that write the same key or the same named
    item: the one whose literal text fits what was rendered."""
    return walk_template(lines, lo, hi, path, part, value, rendered).region


@dataclass
class Walked:
    """Where :func:`walk_template` got: the region to point at, how many steps of the path it
    found literally, and the lines of the deepest node found (its first line and the end,
    exclusive, of its block; ``None`` when not even the first step was found)."""

    region: Region | None
    found: int
    line: int | None
    end: int


def walk_template(lines: list[str], lo: int, hi: int, path: tuple, part: str, value=None, rendered=None,
                  top_items: bool = False) -> Walked:
    """:func:`locate_in_template`, telling how far the path went.  ``top_items``: the text is a
    named template's body, whose output may be sequence items with no key above them (a
    ``containers:`` list made by ``include``), so a first :class:`Item` step is looked for at
    the body's top level."""
    rnode = rendered  # the rendered node at the current step, followed along the path
    cur_line: int | None = lo - 1 if top_items else None  # line of the current node (a key or a sequence item's dash)
    cur_col = -1                 # its column
    is_item = False
    end = hi                     # end (exclusive) of its block
    flow = False                 # inside a flow collection on cur_line
    found: Region | None = None
    last_key: tuple | None = None  # (line, column, key) of the last key found
    complete = True
    found_steps = len(path)
    for n_step, step in enumerate(path):
        found_steps = n_step  # until the step is found
        if isinstance(step, Item):
            if cur_line is None:
                complete = False
                break
            if flow:
                continue  # items of a flow sequence: stay on the line
            items: list[int] = []
            dash_col = None
            for i in range(cur_line + 1, end):
                line = lines[i]
                if not _is_content(line):
                    continue
                m = _DASH.match(line)
                if m and (dash_col is None or len(m.group(1)) == dash_col):
                    dash_col = len(m.group(1))
                    items.append(i)
            if not items:
                if "[" in lines[cur_line]:
                    flow = True
                    continue
                complete = False
                break
            rnode = _child(rnode, step.index)
            idx = min(step.index, len(items) - 1)
            if step.name is not None:
                named = _named_item(lines, items, dash_col, step.name, step.index, end, rnode)
                if named == "absent":
                    complete = False
                    break
                if named is not None:
                    idx = named
            cur_line, cur_col, is_item = items[idx], dash_col, True
            # an item ends where the next one at its column starts
            end = items[idx + 1] if idx + 1 < len(items) else _block_end(lines, cur_line, end, dash_col)
            text = lines[cur_line]
            found = Region(cur_line + 1, dash_col + 1, cur_line + 1, len(text.rstrip()) + 1)
            last_key = None
            continue
        key = str(step)
        rnode = _child(rnode, key)
        hit = None
        if not flow:
            search_lo = lo if cur_line is None else (cur_line if is_item else cur_line + 1)
            last = n_step == len(path) - 1 and isinstance(value, (str, int, float, bool))
            hit = _find_child_key(lines, search_lo, end, key, cur_col, cur_line if is_item else None,
                                  str(value) if last else None, rnode)
        if hit is None:
            m = _flow_re(key).search(lines[cur_line]) if cur_line is not None else None
            if m is None:
                complete = False
                break
            flow = True
            col = lines[cur_line].index(key, m.start())
            found = Region(cur_line + 1, col + 1, cur_line + 1, col + 1 + len(key))
            last_key = None
            continue
        i, col = hit
        cur_line, cur_col, is_item = i, col, False
        end = _block_end(lines, i, end, col)
        found = Region(i + 1, col + 1, i + 1, col + 1 + len(key))
        last_key = (i, col, key)
    if complete:
        found_steps = len(path)
    node_line = cur_line if found_steps else None
    if complete and part == "value" and last_key is not None:
        i, col, key = last_key
        text = lines[i].rstrip()
        quote = 1 if text[col:col + 1] in ("\"", "'") else 0
        m = re.compile(r"\s*:\s*").match(text, col + len(key) + 2 * quote)
        if m and m.end() < len(text):
            return Walked(Region(i + 1, m.end() + 1, i + 1, len(text) + 1), found_steps, node_line, end)
    return Walked(found, found_steps, node_line, end)


def _child(node, step):
    if isinstance(node, YMap) and isinstance(step, str):
        return node.get(step)
    if isinstance(node, YSeq) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return None


_LINE_KEY = re.compile(r"^\s*(?:-\s+)*([\"']?)([^\s\"'{}#:-][^:#{}\"']*?)\1\s*:(?:\s|$)")


def _rendered_facts(node, keys: set, scalars: dict, depth: int = 0) -> None:
    if depth > 32:
        return
    if isinstance(node, dict):
        for k, v in node.items():
            keys.add(str(k))
            if isinstance(v, (dict, list)):
                _rendered_facts(v, keys, scalars, depth + 1)
            elif v is not None:
                scalars.setdefault(str(k), []).append(str(v))
    elif isinstance(node, list):
        for v in node:
            _rendered_facts(v, keys, scalars, depth + 1)


def _fit(lines: list[str], lo: int, hi: int, rendered) -> int:
    """How well template lines ``lo``..``hi`` fit a rendered node: each literal key the render
    has counts for, each it lacks against; a literal value the rendered one matches counts for,
    one it contradicts against.  The branch that was not rendered writes other keys or values."""
    keys: set = set()
    scalars: dict = {}
    _rendered_facts(rendered, keys, scalars)
    score = 0
    for i in range(lo, hi):
        line = lines[i]
        if not _is_content(line):
            continue
        m = _LINE_KEY.match(line)
        if m is None:
            continue
        key = m.group(2).strip()
        if key not in keys:
            score -= 1
            continue
        score += 1
        rest = re.sub(r"\{\{.*?\}\}", "", re.sub(r"\s+#.*$", "", line[m.end():])).strip("\"' \t")
        if rest and rest not in ("|", ">", "|-", ">-") and key in scalars:
            score += 1 if any(_fits(line[m.start(2):], key, v) for v in scalars[key]) else -1
    return score


def _best(cands: list[int], spans, rendered, prefer) -> int:
    """Of candidate indexes, the one whose text fits ``rendered`` best (ties: ``prefer``)."""
    if len(cands) < 2 or not isinstance(rendered, (dict, list)):
        return min(cands, key=prefer)
    return min(cands, key=lambda n: (-_fit(*spans(n), rendered), prefer(n)))


def _named_item(lines, items, dash_col, name, index, end=None, rendered=None):
    """Which textual item is the rendered item called ``name``: the one whose literal ``name:``
    is ``name``; else, of the items whose name is templated (or not seen), the one nearest to
    the rendered ``index``; ``"absent"`` when every item has another literal name.  Several
    candidates (an item written in each branch of an ``if``/``else``): the one whose text fits
    the ``rendered`` item."""
    pat = re.compile(r"^\s*(?:-\s+)?name\s*:\s*[\"']?([^\"'#{}]+?)[\"']?\s*(?:#.*)?$")
    names: list[str | None] = []

    def span(n: int) -> tuple:
        start = items[n]
        stop = items[n + 1] if n + 1 < len(items) else _block_end(lines, start, end or len(lines), dash_col)
        return lines, start, stop

    for n, start in enumerate(items):
        _, _, stop = span(n)
        literal = None
        for i in range(start, stop):
            line = lines[i]
            if re.match(r"^\s*(?:-\s+)?name\s*:", line):
                m = pat.match(line)
                literal = m.group(1).strip() if m and "{{" not in line else None
                break
        names.append(literal)
    same = [n for n, literal in enumerate(names) if literal == name]
    if same:
        return _best(same, span, rendered, lambda n: n)
    open_items = [n for n, literal in enumerate(names) if literal is None]
    if not open_items:
        return "absent"
    return _best(open_items, span, rendered, lambda n: (abs(n - index), n))


_CONDITIONAL = re.compile(r"\{\{-?\s*(?:if|with|range)\b.*?\{\{-?\s*end\s*-?\}\}")


def _fits(line: str, key: str, value: str) -> bool:
    """Whether the literal parts of a template line's value (outside ``{{ }}``) occur, in
    order, in the rendered value."""
    text = line.split(":", 1)[1] if ":" in line else ""
    text = re.sub(r"\s+#.*$", "", text).strip().strip("\"'")
    text = _CONDITIONAL.sub("", text)  # text inside {{ if }}…{{ end }} may not be rendered
    pos = 0
    for frag in re.split(r"\{\{.*?\}\}", text):
        frag = frag.strip("\"' ")
        if not frag:
            continue
        at = value.find(frag, pos)
        if at < 0:
            return False
        pos = at + len(frag)
    return True


def _find_child_key(lines, lo, hi, key, parent_col, item_line, value=None, rendered=None):
    """The first line in ``lo``..``hi`` naming ``key`` as a direct child of a node at
    ``parent_col`` (the column of the first key in the block says what is direct; on a sequence
    item's own line ``item_line`` the key follows the dash).  A key written in several branches
    with a mapping or sequence as value: the branch whose text fits the ``rendered`` node."""
    pat = _key_re(key)
    child_col = None
    fallback = first = None
    direct: list[tuple[int, int]] = []
    for i in range(lo, hi):
        line = lines[i]
        if not _is_content(line):
            continue
        if i == item_line:
            col = len(re.match(r"^\s*-\s*", line).group(0))
        elif _DASH.match(line):
            if child_col is None and _indent(line) > parent_col:
                child_col = _indent(line)
            continue  # an item of a nested sequence: its keys are not direct children
        else:
            col = _indent(line)
        if col <= parent_col:
            continue
        if child_col is None:
            child_col = col
        m = pat.match(line)
        if m:
            kcol = len(m.group(1))
            if col == child_col:
                if isinstance(rendered, (dict, list)) and rendered:
                    direct.append((i, kcol))
                    continue
                if value is None or _fits(line[kcol:], key, value):
                    return i, kcol
                if first is None:
                    first = (i, kcol)
            elif fallback is None:
                fallback = (i, kcol)
    if direct:
        n = _best(list(range(len(direct))), lambda n: (lines, direct[n][0] + 1,
                                                       _block_end(lines, direct[n][0], hi, direct[n][1])),
                  rendered, lambda n: n)
        return direct[n]
    return first or fallback


# -- named templates (``define`` blocks, ``include``/``template`` calls) ------------------------

_ACTION = re.compile(r"\{\{-?\s*(?:(if|with|range|define|block)\b|(end)\b)")
_DEFINE = re.compile(r"\{\{-?\s*(?:define|block)\s+\"([^\"]+)\"")
_CALL = re.compile(r"\{\{-?\s*(?:include|template)\s+\"([^\"]+)\"")
#: how many ``include`` levels a node is followed through (a pod spec including its containers…)
_MAX_INCLUDE_DEPTH = 4
#: how many ``define`` bodies one lookup may walk: a chart's calls are data, and a block of many
#: calls whose templates call many more must not cost more than a few walks per finding
_MAX_BODIES = 64


def named_templates(files) -> dict[str, list[tuple]]:
    """``{name: [(file, lines, lo, hi)]}``: the body (lines ``lo``..``hi``, 0-based, ``hi``
    exclusive) of each ``define``/``block`` in ``files`` (``(file, lines)`` pairs), matched with
    its ``end`` by counting the actions that open a block."""
    out: dict[str, list[tuple]] = {}
    for name, lines in files:
        stack: list = []
        for i, line in enumerate(lines):
            for m in _ACTION.finditer(line):
                if m.group(2) is None:
                    d = _DEFINE.match(line, m.start()) if m.group(1) in ("define", "block") else None
                    stack.append((d.group(1), i) if d else (None, i))
                    continue
                if not stack:
                    continue
                defined, start = stack.pop()
                if defined is not None:
                    # an ``end`` after text on its line closes a body that includes that line
                    stop = i + 1 if line[:m.start()].strip() else i
                    out.setdefault(defined, []).append((name, lines, start + 1, stop))
    return out


def _descend(node, steps):
    for step in steps:
        node = _child(node, step.index if isinstance(step, Item) else step)
    return node


def _calls(lines: list[str], line: int, end: int) -> list[str]:
    """Names of the templates included on the node's own line or on a line of its block that is
    an action alone (a call inside a literal value writes a scalar, no key)."""
    names: list[str] = []
    for i in range(line, end):
        text = lines[i]
        if i == line or text.lstrip().startswith("{{"):
            names.extend(_CALL.findall(text))
    return list(dict.fromkeys(names))


def locate_through_includes(lines: list[str], lo: int, hi: int, path: tuple, part: str, defines: dict,
                            value=None, rendered=None, top_items: bool = False, depth: int = 0,
                            walked: Walked | None = None, budget: list | None = None):
    """``(file, region)`` of the node at ``path`` when the template text stops short of it at a
    node whose block calls named templates, and exactly one of those (defined once) writes the
    rest of the path literally (following its own calls, a few levels deep); else ``None``, and
    the caller keeps the deepest node of the template (the ``include`` line's key).  ``walked``:
    the caller's own :func:`walk_template` of the path, when it has it."""
    if walked is None:
        walked = walk_template(lines, lo, hi, path, part, value, rendered, top_items)
    if walked.found == len(path) or depth > _MAX_INCLUDE_DEPTH:
        return None
    budget = [_MAX_BODIES] if budget is None else budget
    start, stop = (walked.line, walked.end) if walked.line is not None else (lo, hi)
    rest = path[walked.found:]
    below = _descend(rendered, path[:walked.found])
    hits = []
    for name in _calls(lines, start, stop):
        bodies = defines.get(name, ())
        if len(bodies) != 1:
            continue  # not found in the chart, or defined twice: which one helm used is not known
        budget[0] -= 1
        if budget[0] < 0:
            return None  # too many candidates to be sure of any
        file, body, body_lo, body_hi = bodies[0]
        inner = walk_template(body, body_lo, body_hi, rest, part, value, below, top_items=True)
        if inner.found == len(rest) and inner.region is not None:
            hits.append((file, inner.region))
            continue
        deeper = locate_through_includes(body, body_lo, body_hi, rest, part, defines, value, below, True, depth + 1,
                                         walked=inner, budget=budget)
        if deeper is not None:
            hits.append(deeper)
    return hits[0] if len(hits) == 1 else None


# -- names that change on every render ---------------------------------------------------------

#: Template functions whose output differs from one render to the next.
_VOLATILE = re.compile(r"\b(?:randAlphaNum|randAlpha|randNumeric|randAscii|randBytes|randInt|uuidv4|now|"
                       r"unixEpoch|date|dateInZone|htmlDate|dateModify)\b")
_METADATA = re.compile(r"^metadata\s*:\s*(?:#.*)?$")
_NAME = re.compile(r"^( +)name\s*:\s*(\S.*?)\s*(?:\s#.*)?$")


def template_name(lines: list[str], lo: int, hi: int) -> str | None:
    """The text of the top-level ``metadata.name`` of a template section, as written."""
    inside, col = False, None
    for i in range(lo, hi):
        line = lines[i]
        if _METADATA.match(line):
            inside, col = True, None
            continue
        if not inside or not _is_content(line):
            continue
        if not line[0].isspace():
            inside = False
            continue
        ind = _indent(line)
        col = ind if col is None else col
        m = _NAME.match(line)
        if m and ind == col:
            return m.group(2)
    return None


def stable_name(rendered: str, written: str | None) -> str | None:
    """A name that stays the same from one render to the next for an object whose written
    name calls a random or clock function (``{{ randAlphaNum 5 }}``, ``{{ now | date … }}``):
    the rendered name with each such part replaced by ``<random>`` — the written text when the
    render cannot be aligned with it.  ``None`` when the name is deterministic."""
    if not written or not _VOLATILE.search(written):
        return None
    text = written.strip().strip("\"'")
    parts = re.split(r"(\{\{.*?\}\})", text)
    m = re.fullmatch("".join("(.*?)" if p.startswith("{{") else re.escape(p) for p in parts), rendered, re.S)
    if m is None:
        return text
    out, g = [], 0
    for p in parts:
        if p.startswith("{{"):
            g += 1
            out.append("<random>" if _VOLATILE.search(p) else m.group(g))
        else:
            out.append(p)
    return "".join(out)


def _stabilise(f: Finding, res) -> None:
    """Name a finding on an object with a random name by its stable name, so that its
    fingerprint, its baseline entry and its text are the same on every run."""
    stable = res.origin.get("stable_name") if res is not None and res.origin else None
    name = res.name if stable else ""
    if name and name != stable:
        f.subject = f.subject.replace(name, stable)
        f.message = f.message.replace(name, stable)


# -- renders and remapping --------------------------------------------------------------------


@dataclass
class Render:
    """A rendered stream whose findings are moved to the repository's files.

    ``path``: what findings on the render carry; ``related_path``: the path shown for the
    rendered position; ``fallback``: where a finding goes when its source is not found (None:
    it stays on the rendered position); ``label``: ``helm template`` or ``kustomize build``."""

    path: str
    related_path: str
    label: str
    resources: list = field(default_factory=list)
    fallback: Location | None = None
    locate: Callable | None = None  # (resource, path, part) -> Location | None

    def resource_at(self, line: int):
        best = None
        for res in self.resources:
            r = res.region
            if r.line <= line <= r.end_line and (best is None or r.line >= best.region.line):
                best = res
        return best


@dataclass
class Rendered:
    """What a renderer returns: the rendered text, and how findings on it map back.

    The engine lints ``text`` as the YAML input ``display``, calls ``attach`` with the resources
    it found (each learns which template or base file made it), then keeps :meth:`origin` for
    :func:`remap_findings`.  A renderer never runs a rule."""

    display: str
    text: str
    related_path: str
    label: str
    fallback: Location | None
    locate: Callable
    attach: Callable[[list], None]

    def origin(self, resources: list) -> Render:
        return Render(self.display, self.related_path, self.label, resources, self.fallback, self.locate)


@dataclass
class RenderFailed:
    """A render that failed (``error``) or could not be attempted here (``warning``): reported
    as SL007 on ``path`` (the ``Chart.yaml`` or the kustomization file)."""

    message: str
    path: str
    level: str = "error"


def remap_findings(findings: list[Finding], renders: dict[str, Render]) -> None:
    """Move findings (and their related locations) on renders to the files that define the
    nodes; the rendered position becomes the first related location.  The same finding reached
    through several renders (a base shared by two overlays) is kept once, with every rendered
    position as a related location."""
    for f in findings:
        if f.related:
            out = []
            for rel in f.related:
                r = renders.get(rel.path)
                if r is not None:
                    loc = _source_location(r, rel.region) or r.fallback
                    if loc is not None:
                        rel = Location(loc.path, loc.region, rel.message)
                out.append(rel)
            f.related = out
        render = renders.get(f.path)
        if render is None:
            continue
        res = render.resource_at(f.region.line)
        _stabilise(f, res)
        loc = _source_location(render, f.region) or render.fallback
        if loc is None:
            continue
        # overlays rename what a base defines (namePrefix, namespace): the same base line is
        # the same finding whatever each render calls the object
        if res is not None and res.name:
            f.properties["_same_as"] = (f.subject.replace(res.identity, "", 1) if f.subject
                                        else f.message.replace(res.name, ""))
        rendered = Location(render.related_path, f.region, f"rendered by {render.label}")
        f.properties.setdefault("rendered", {"path": render.related_path, "line": f.region.line,
                                             "column": f.region.column, "by": render.label})
        f.path, f.region = loc.path, loc.region
        f.related.insert(0, rendered)
    seen: dict[tuple, Finding] = {}
    keep = []
    for f in findings:
        if "rendered" not in f.properties:
            keep.append(f)
            continue
        key = (f.code, f.path, f.region, f.properties.pop("_same_as", f.message))
        first = seen.get(key)
        if first is None:
            seen[key] = f
            keep.append(f)
        else:
            first.related.extend(r for r in f.related if r not in first.related)
    findings[:] = keep


def _source_location(render: Render, region: Region) -> Location | None:
    res = render.resource_at(region.line)
    if res is None or not res.origin or render.locate is None:
        return None
    path, part = node_path(res.data, region.line, region.column)
    try:
        return render.locate(res, path, part)
    except Exception:  # a mapping bug must not cost the finding: keep the fallback
        return None
