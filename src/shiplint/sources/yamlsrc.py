"""Positioned YAML: every mapping key, value and sequence item keeps its exact region.

ruamel.yaml's C parser (libyaml) produces the events; the composition below is our own and
iterative, so that:

* it is fast (the round-trip loader is about ten times slower), yet every node is located;
* nothing is ever constructed from a tag (``!!python/object/apply`` stays inert text);
* aliases are shared, never copied, and "billion laughs" expansions are refused by size;
* deep nesting cannot overflow the interpreter or C stack;
* duplicate keys are recorded (last one wins, as with ``kubectl``) instead of raising;
* scalars are typed the way Kubernetes tooling reads YAML 1.1 (``yes``/``on`` are booleans,
  ``0755`` is octal), explicit tags ``!!str``/``!!int``… are honoured and other tags ignored.

A stream that breaks in its middle keeps the documents before the break, reports the break as a
:class:`~shiplint.core.errors.ParseError`, and resumes at the next ``---`` line.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

from ruamel.yaml import events as ev

from shiplint.core.errors import ParseError
from shiplint.core.findings import Region

try:  # the C extension; ruamel.yaml falls back to pure Python when it is missing
    from ruamel.yaml.cyaml import CParser as _Parser

    C_PARSER = True
except Exception:  # pragma: no cover - depends on the installation
    from ruamel.yaml.main import YAML as _YAML

    C_PARSER = False

    def _Parser(text):  # type: ignore[no-redef]
        return _YAML(typ="safe", pure=True).parser_for(text)


#: A document whose aliases would expand to more nodes than this is refused.
MAX_EXPANDED_NODES = 2_000_000
#: Flow nesting deeper than this is refused before libyaml sees it (libyaml is quadratic there).
MAX_FLOW_DEPTH = 10_000

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_INT_RE = re.compile(r"[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|0|[1-9][0-9_]*)\Z")
_FLOAT_RE = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?\Z|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+\Z"
)
_SPECIAL_FLOATS = {
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}
_NUMERIC_START = frozenset("0123456789-+.")
_TAG_PREFIX = "tag:yaml.org,2002:"


def _to_int(value: str) -> int:
    v = value.replace("_", "")
    sign = -1 if v.startswith("-") else 1
    v = v.lstrip("+-")
    if v.startswith("0b"):
        return sign * int(v[2:], 2)
    if v.startswith("0x"):
        return sign * int(v[2:], 16)
    if len(v) > 1 and v.startswith("0"):
        return sign * int(v, 8)
    return sign * int(v)


def resolve_plain(value: str):
    """Type a plain (unquoted, untagged) scalar the YAML 1.1 way."""
    if value in _NULLS:
        return None
    b = _BOOLS.get(value)
    if b is not None:
        return b
    if value[0] in _NUMERIC_START:
        if _INT_RE.match(value):
            try:
                return _to_int(value)
            except ValueError:
                return value
        if value in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value]
        if _FLOAT_RE.match(value) and any(ch.isdigit() for ch in value):
            try:
                return float(value.replace("_", ""))
            except ValueError:
                return value
    return value


def _resolve_tagged(tag: str, value: str, plain: bool):
    if tag.startswith(_TAG_PREFIX):
        short = tag[len(_TAG_PREFIX):]
    elif tag.startswith("!!"):
        short = tag[2:]
    else:
        short = ""
    if short == "str" or tag == "!":
        return value
    typed = resolve_plain(value) if value else (None if short == "null" else value)
    if short == "int":
        return typed if isinstance(typed, int) and not isinstance(typed, bool) else value
    if short == "float":
        if isinstance(typed, (int, float)) and not isinstance(typed, bool):
            return float(typed)
        return value
    if short == "bool":
        return typed if isinstance(typed, bool) else value
    if short == "null":
        return None
    # unknown or language-specific tag: never constructed, read as if untagged
    return typed if plain else value


def _region(start, end) -> int:
    return (start.line << 96) | (start.column << 64) | (end.line << 32) | end.column


# Positions are stored packed (memory): a region is one int holding the 0-based
# (line, column, end line, end column) in 32 bits each, and a mapping entry keeps its key's and
# its value's regions in one int (key << 128 | value) in one dict per mapping.  The tuple views
# ``pos``, ``kpos``, ``vpos`` and ``ipos`` remain for callers that read (or set) them.
_M32 = 0xFFFFFFFF
_M128 = (1 << 128) - 1


def _pack(t) -> int:
    return (t[0] << 96) | (t[1] << 64) | (t[2] << 32) | t[3]


def _unpack(p: int) -> tuple[int, int, int, int]:
    return (p >> 96, (p >> 64) & _M32, (p >> 32) & _M32, p & _M32)


def _packed_region(p: int, line_offset: int) -> Region:
    return Region((p >> 96) + 1 + line_offset, ((p >> 64) & _M32) + 1,
                  ((p >> 32) & _M32) + 1 + line_offset, (p & _M32) + 1)


class _EntryPositions:
    """A read/write mapping view ``key -> (line, col, end line, end col)`` over the key
    (``shift`` 128) or value (``shift`` 0) half of a YMap's packed positions."""

    __slots__ = ("_kv", "_shift")

    def __init__(self, kv: dict, shift: int) -> None:
        self._kv = kv
        self._shift = shift

    def __getitem__(self, key):
        return _unpack((self._kv[key] >> self._shift) & _M128)

    def get(self, key, default=None):
        p = self._kv.get(key)
        return default if p is None else _unpack((p >> self._shift) & _M128)

    def __setitem__(self, key, t) -> None:
        other = self._kv.get(key, 0) & (_M128 if self._shift else (_M128 << 128))
        self._kv[key] = other | (_pack(t) << self._shift)

    def __contains__(self, key) -> bool:
        return key in self._kv

    def __iter__(self):
        return iter(self._kv)

    def __len__(self) -> int:
        return len(self._kv)

    def keys(self):
        return self._kv.keys()

    def items(self):
        return [(k, self[k]) for k in self._kv]

    def values(self):
        return [self[k] for k in self._kv]


class _ItemPositions:
    """A read/write sequence view ``index -> (line, col, end line, end col)`` of a YSeq."""

    __slots__ = ("_ip",)

    def __init__(self, ip: list) -> None:
        self._ip = ip

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [_unpack(p) for p in self._ip[index]]
        return _unpack(self._ip[index])

    def __setitem__(self, index, t) -> None:
        self._ip[index] = _pack(t)

    def __len__(self) -> int:
        return len(self._ip)

    def __iter__(self):
        return (_unpack(p) for p in self._ip)

    def append(self, t) -> None:
        self._ip.append(_pack(t))


class _Positioned:
    """The region of a YMap or YSeq itself (``_pos`` and ``line_offset`` are their slots)."""

    __slots__ = ()

    @property
    def region(self) -> Region:
        return _packed_region(self._pos, self.line_offset)

    @property
    def pos(self) -> tuple[int, int, int, int]:
        return _unpack(self._pos)

    @pos.setter
    def pos(self, t) -> None:
        self._pos = _pack(t)


class YMap(_Positioned, dict):
    """A mapping that knows where it, its keys and its values are."""

    __slots__ = ("_pos", "_kv", "tag", "line_offset")

    def key_region(self, key) -> Region | None:
        p = self._kv.get(key)
        return None if p is None else _packed_region(p >> 128, self.line_offset)

    def value_region(self, key) -> Region | None:
        p = self._kv.get(key)
        return None if p is None else _packed_region(p & _M128, self.line_offset)

    @property
    def kpos(self) -> _EntryPositions:
        return _EntryPositions(self._kv, 128)

    @kpos.setter
    def kpos(self, mapping) -> None:
        self._set_positions(mapping, 128)

    @property
    def vpos(self) -> _EntryPositions:
        return _EntryPositions(self._kv, 0)

    @vpos.setter
    def vpos(self, mapping) -> None:
        self._set_positions(mapping, 0)

    def _set_positions(self, mapping, shift: int) -> None:
        try:
            kv = self._kv
        except AttributeError:
            kv = self._kv = {}
        view = _EntryPositions(kv, shift)
        for k in list(kv):
            if k not in mapping:  # the half being replaced is cleared
                kv[k] &= (_M128 if shift else (_M128 << 128))
        for k, t in dict(mapping).items():
            view[k] = t


    def __reduce_ex__(self, protocol):
        # (--jobs): results come back from worker processes; one call per node
        return _ymap, (self._pos, self._kv, self.tag, self.line_offset), None, None, iter(dict.items(self))


def _ymap(pos, kv, tag, line_offset) -> YMap:
    node = YMap()
    node._pos, node._kv, node.tag, node.line_offset = pos, kv, tag, line_offset
    return node


class YSeq(_Positioned, list):
    """A sequence that knows where it and each item are."""

    __slots__ = ("_pos", "_ip", "tag", "line_offset")

    def item_region(self, index: int) -> Region | None:
        if 0 <= index < len(self._ip):
            return _packed_region(self._ip[index], self.line_offset)
        return None

    @property
    def ipos(self) -> _ItemPositions:
        return _ItemPositions(self._ip)

    @ipos.setter
    def ipos(self, items) -> None:
        self._ip = [_pack(t) for t in items]

    def __reduce_ex__(self, protocol):
        return _yseq, (self._pos, self._ip, self.tag, self.line_offset), None, iter(list.__iter__(self)), None


def _yseq(pos, ip, tag, line_offset) -> YSeq:
    node = YSeq()
    node._pos, node._ip, node.tag, node.line_offset = pos, ip, tag, line_offset
    return node


@dataclass
class Duplicate:
    key: str
    region: Region
    first: Region


@dataclass
class YamlDocument:
    """One document of a stream; ``data`` is a YMap, YSeq or a plain scalar."""

    data: object
    index: int
    region: Region
    duplicates: list[Duplicate] = field(default_factory=list)


def _check_flow_depth(text: str) -> None:
    if text.count("[") + text.count("{") < MAX_FLOW_DEPTH:
        return
    depth = 0
    line = 1
    last_nl = 0
    for m in re.finditer(r"[\[\]{}\n]", text):
        ch = m.group()
        if ch == "\n":
            line += 1
            last_nl = m.end()
            continue
        if ch in "[{":
            depth += 1
            if depth > MAX_FLOW_DEPTH:
                raise ParseError(
                    f"nesting deeper than {MAX_FLOW_DEPTH} levels is not read",
                    line,
                    m.start() - last_nl + 1,
                )
        elif depth:
            depth -= 1


class _Frame:
    __slots__ = ("node", "is_map", "key", "kpos", "weight", "anchor", "start", "end", "merges", "kv", "ip")

    def __init__(self, node, is_map, anchor, start):
        self.node = node
        self.is_map = is_map
        self.key = _NOKEY
        self.kpos = None
        self.weight = 1
        self.anchor = anchor
        self.start = start
        self.end = start
        self.merges = None


_NOKEY = object()


def _hashable(key):
    try:
        hash(key)
        return key
    except TypeError:
        return str(key)


def _parse_error(exc: Exception, line_offset: int, text: str | None = None) -> ParseError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"{context}: {problem}" if context else str(problem)
    if mark is not None:
        return ParseError(message, mark.line + 1 + line_offset, mark.column + 1)
    position = getattr(exc, "position", None)
    if isinstance(position, int) and text is not None:
        # a reader error (a control character) has no mark, only libyaml's byte offset
        prefix = text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore")
        return ParseError(message, prefix.count("\n") + 1 + line_offset, len(prefix) - prefix.rfind("\n"))
    return ParseError(message, 1 + line_offset, 1)


def parse_yaml_stream(text: str) -> list[YamlDocument | ParseError]:
    """Parse every document of ``text``; errors are returned in place of documents."""
    results: list[YamlDocument | ParseError] = []
    offset_lines = 0
    remaining = text
    doc_index = 0
    while True:
        try:
            _check_flow_depth(remaining)
            for doc in _compose(remaining, offset_lines, doc_index):
                results.append(doc)
                doc_index += 1
            return results
        except ParseError as exc:
            err = exc
        except Exception as exc:  # libyaml scanner / parser / reader errors
            err = _parse_error(exc, offset_lines, remaining)
        results.append(err)
        # resume at the first document marker after the error line
        rel_line = err.line - offset_lines
        lines = remaining.split("\n")
        nxt = None
        for i in range(max(rel_line - 1, 1), len(lines)):
            if lines[i].startswith("---") and (len(lines[i]) == 3 or lines[i][3] in " \t\r"):
                nxt = i
                break
        if nxt is None:
            return results
        doc_index += 1
        offset_lines += nxt
        remaining = "\n".join(lines[nxt:])


def _compose(text: str, line_offset: int, first_index: int):
    # The hot loop of every YAML input: local names, packed positions (see YMap),
    # mapping keys interned (they repeat across documents), the scalar case inlined.
    parser = _Parser(text)
    get_event = parser.get_event
    ScalarEvent, AliasEvent = ev.ScalarEvent, ev.AliasEvent
    MappingStartEvent, SequenceStartEvent = ev.MappingStartEvent, ev.SequenceStartEvent
    MappingEndEvent, SequenceEndEvent = ev.MappingEndEvent, ev.SequenceEndEvent
    DocumentStartEvent, DocumentEndEvent = ev.DocumentStartEvent, ev.DocumentEndEvent
    StreamEndEvent = ev.StreamEndEvent
    NOKEY = _NOKEY
    intern = sys.intern
    resolve = resolve_plain
    containers = (YMap, YSeq)

    index = first_index
    stack: list[_Frame] = []
    anchors: dict = {}
    open_ids: set[int] = set()
    duplicates: list[Duplicate] = []
    root = None
    root_pos = None
    doc_start = None
    total = 0

    def too_many(pos):
        return ParseError(
            f"aliases expand to more than {MAX_EXPANDED_NODES} nodes (an alias bomb?)",
            (pos >> 96) + 1 + line_offset,
            ((pos >> 64) & _M32) + 1,
        )

    def attach(value, pos, weight):
        """Attach a container or an alias target (scalars are attached inline below)."""
        nonlocal root, root_pos
        if not stack:
            root, root_pos = value, pos
            return
        top = stack[-1]
        top.weight += weight
        top.end = pos
        if top.is_map:
            if top.key is NOKEY:
                top.key = _hashable(value if not isinstance(value, containers) else str(value))
                top.kpos = pos
                return
            key = top.key
            top.key = NOKEY
            if key == "<<" and top.kpos is not None and isinstance(value, containers):
                if top.merges is None:
                    top.merges = []
                top.merges.append(value)
                return
            set_entry(top, key, value, pos)
        else:
            top.node.append(value)
            top.ip.append(pos)

    def set_entry(top, key, value, pos):
        node = top.node
        kv = top.kv
        if key in node:
            duplicates.append(
                Duplicate(str(key), _packed_region(top.kpos, line_offset), _packed_region(kv[key] >> 128, line_offset))
            )
        node[key] = value
        kv[key] = (top.kpos << 128) | pos

    while True:
        event = get_event()
        cls = event.__class__
        if cls is ScalarEvent:
            value = event.value
            sm = event.start_mark
            em = event.end_mark
            pos = (sm.line << 96) | (sm.column << 64) | (em.line << 32) | em.column
            top = stack[-1] if stack else None
            if top is not None and top.is_map and top.key is NOKEY:
                # mapping keys stay text: `on:` and `y:` are names, not booleans
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
                total += 1
                if total > MAX_EXPANDED_NODES:
                    raise too_many(pos)
                top.weight += 1
                top.end = pos
                top.key = intern(value) if len(value) < 64 else value
                top.kpos = pos
                continue
            tag = event.tag
            style = event.style
            plain = style is None or style == ""
            if tag is not None and tag != "!":
                value = _resolve_tagged(tag, value, plain)
            elif plain and tag is None:
                value = resolve(value) if value else None
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1)
            total += 1
            if total > MAX_EXPANDED_NODES:
                raise too_many(pos)
            if top is None:
                root, root_pos = value, pos
                continue
            top.weight += 1
            top.end = pos
            if top.is_map:
                key = top.key
                top.key = NOKEY
                set_entry(top, key, value, pos)
            else:
                top.node.append(value)
                top.ip.append(pos)
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            is_map = cls is MappingStartEvent
            sm = event.start_mark
            # the start in the high half; the low (end) half starts equal to it (empty container)
            start = (sm.line << 96) | (sm.column << 64) | (sm.line << 32) | sm.column
            if is_map:
                node = YMap()
                node._kv = {}
            else:
                node = YSeq()
                node._ip = []
            node.tag = event.tag
            node.line_offset = line_offset
            frame = _Frame(node, is_map, event.anchor, start)
            if is_map:
                frame.kv = node._kv
            else:
                frame.ip = node._ip
            if event.anchor is not None:
                anchors[event.anchor] = (node, None)
                open_ids.add(id(node))
            stack.append(frame)
        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            frame = stack.pop()
            node = frame.node
            if frame.merges:
                kv = frame.kv
                for src in frame.merges:
                    for m in (src if isinstance(src, YSeq) else [src]):
                        if isinstance(m, YMap):
                            for k, v in m.items():
                                if k not in node:
                                    node[k] = v
                                    kv[k] = m._kv[k]
            end_line = (frame.end >> 32) & _M32
            end_col = frame.end & _M32
            em = event.end_mark
            if em.line > end_line or (em.line == end_line and em.column > end_col):
                # flow collections end at their closing bracket; block ones at their last node
                if getattr(event, "flow_style", None) or (
                    event.start_mark.index != em.index
                ):
                    end_line, end_col = em.line, em.column
            pos = (frame.start & ~((1 << 64) - 1)) | (end_line << 32) | end_col
            node._pos = pos
            if frame.anchor is not None:
                anchors[frame.anchor] = (node, frame.weight)
                open_ids.discard(id(node))
            attach(node, pos, frame.weight)
        elif cls is AliasEvent:
            target = anchors.get(event.anchor)
            pos = _region(event.start_mark, event.end_mark)
            if target is None:
                raise ParseError(
                    f"unknown alias *{event.anchor}", (pos >> 96) + 1 + line_offset, ((pos >> 64) & _M32) + 1
                )
            value, weight = target
            if weight is None or id(value) in open_ids:
                raise ParseError(
                    f"recursive alias *{event.anchor}", (pos >> 96) + 1 + line_offset, ((pos >> 64) & _M32) + 1
                )
            total += weight
            if total > MAX_EXPANDED_NODES:
                raise too_many(pos)
            attach(value, pos, weight)
        elif cls is DocumentStartEvent:
            root = None
            root_pos = None
            anchors = {}
            duplicates = []
            total = 0
            doc_start = event.start_mark
        elif cls is DocumentEndEvent:
            if root_pos is not None:
                region = _packed_region(root_pos, line_offset)
            else:
                region = Region(doc_start.line + 1 + line_offset, doc_start.column + 1)
            yield YamlDocument(root, index, region, duplicates)
            index += 1
        elif cls is StreamEndEvent:
            return


@dataclass(frozen=True)
class Item:
    """A sequence step that may name its item: the item's index and its ``name`` when it has one
    (containers, ports, env, volumes…), so that the same item is found in another version of the
    object (a base, a patch) whose order or length differs."""

    index: int
    name: str | None = None


def _item_index(seq: list, step: Item) -> int | None:
    if step.name is not None:
        for i, item in enumerate(seq):
            if isinstance(item, dict) and item.get("name") == step.name:
                return i
        if any(isinstance(item, dict) and "name" in item for item in seq):
            return None  # named items, none of them this one: it comes from elsewhere
    return step.index if 0 <= step.index < len(seq) else None


_ABSENT = object()


class Located:
    """Where a path led: its first ``found`` steps exist; ``node`` is the last node reached (the
    node at the path when ``complete``), held under ``step`` in ``parent`` — or the data itself,
    with ``parent`` None, when not even the first step exists."""

    __slots__ = ("found", "node", "parent", "step", "complete")

    def __init__(self, found: int, node, parent, step, complete: bool) -> None:
        self.found, self.node, self.parent, self.step, self.complete = found, node, parent, step, complete

    def _entry_region(self, key: bool) -> Region | None:
        parent = self.parent
        if isinstance(parent, YMap):
            return parent.key_region(self.step) if key else parent.value_region(self.step)
        if isinstance(parent, YSeq):
            return parent.item_region(self.step)
        return self.node.region if parent is None and isinstance(self.node, (YMap, YSeq)) else None

    @property
    def key_region(self) -> Region | None:
        """The region that names the node: its key in a mapping, its item in a sequence (at the
        root, the node's own region)."""
        return self._entry_region(True)

    @property
    def value_region(self) -> Region | None:
        """The region of the node itself (a mapping value, a sequence item, the root)."""
        return self._entry_region(False)

    @property
    def region(self) -> Region | None:
        """Where a finding about the node points: a scalar's value; a mapping or sequence by the
        key that names it (the whole block would span many lines); a sequence item as a whole."""
        parent = self.parent
        if isinstance(parent, YMap):
            if isinstance(self.node, (YMap, YSeq)):
                return parent.key_region(self.step) or parent.value_region(self.step)
            return parent.value_region(self.step)
        return self.value_region


def locate(data, path) -> Located:
    """Walk ``path`` from ``data``: mapping keys, sequence indexes, and :class:`Item` steps (a
    sequence item found by its ``name``, else by its index).  The one walker of positioned YAML:
    what a rule reads at a path, where a finding about a present or missing node points, and
    where a node of a render sits in its source are all answered from its result."""
    node, parent, step = data, None, None
    found = 0
    for s in path:  # rules walk paths constantly: one lookup per step
        if isinstance(node, dict):
            child = node.get(s, _ABSENT)  # (an Item is never a key)
            if child is _ABSENT:
                break
            parent, step, node = node, s, child
        elif isinstance(node, list):
            if isinstance(s, Item):
                i = _item_index(node, s)
                if i is None:
                    break
            elif isinstance(s, int) and 0 <= s < len(node):
                i = s
            else:
                break
            parent, step, node = node, i, node[i]
        else:
            break
        found += 1
    return Located(found, node, parent, step, found == len(path))


class ScalarPositions:
    """Where each character of a scalar's value sits in the file.

    A block scalar (``run: |``) loses its indentation, a folded one (``>``) its line breaks, a
    quoted one its quotes: offsets into the value are not offsets into the text.  The map is
    built by finding each source line's content, in order, in the value; an offset then lies on
    the line of the last anchor before it, shifted by its distance from that anchor.  Escapes in
    a double-quoted scalar may shift a column; lines are always right."""

    __slots__ = ("_anchors",)

    def __init__(self, anchors: list[tuple[int, int, int]]) -> None:
        self._anchors = anchors or [(0, 1, 1)]  # (offset in value, 1-based line, 1-based column)

    def position(self, offset: int) -> tuple[int, int]:
        from bisect import bisect_right

        i = max(bisect_right(self._anchors, (offset, 1 << 62, 0)) - 1, 0)
        start, line, col = self._anchors[i]
        return line, col + max(offset - start, 0)

    def region(self, start: int, end: int) -> Region:
        """The region of ``value[start:end]`` (one line: a span that crosses lines ends at the
        end of its first)."""
        line, col = self.position(start)
        end_line, end_col = self.position(max(end - 1, start))
        if end_line != line:
            return Region(line, col)
        return Region(line, col, line, end_col + 1)


def scalar_positions(lines: list[str], region: Region, value: str) -> ScalarPositions:
    """Positions of the characters of a string scalar whose value node has ``region``, in a file
    split into ``lines`` (``text.split("\\n")``)."""
    first = region.line - 1
    if not isinstance(value, str) or not 0 <= first < len(lines):
        return ScalarPositions([(0, region.line, region.column)])
    head = lines[first][region.column - 1:]
    anchors: list[tuple[int, int, int]] = []
    cursor = 0
    if head[:1] in ("|", ">"):
        indent = None
        for n in range(first + 1, min(region.end_line, len(lines))):
            text = lines[n].rstrip("\r")
            if not text.strip():
                continue
            if indent is None:
                indent = len(text) - len(text.lstrip(" "))
            elif len(text) - len(text.lstrip(" ")) < indent:
                break  # the next key: the node's region ends at the start of its line
            cursor = _anchor(anchors, value, text[indent:], cursor, n + 1, indent + 1)
        return ScalarPositions(anchors)
    quoted = head[:1] in ("'", '"')
    anchors.append((0, region.line, region.column + (1 if quoted else 0)))
    cursor = len(head.split(head[:1], 2)[1]) if quoted and head.count(head[:1]) >= 2 else len(head)
    for n in range(first + 1, min(region.end_line, len(lines))):
        text = lines[n].rstrip("\r")
        stripped = text.strip(" \t'\"")
        if stripped:
            cursor = _anchor(anchors, value, stripped, cursor, n + 1, text.index(stripped[0]) + 1)
    return ScalarPositions(anchors)


def _anchor(anchors: list, value: str, text: str, cursor: int, line: int, column: int) -> int:
    at = value.find(text, cursor)
    if at < 0:
        text = text.rstrip()
        at = value.find(text, cursor) if text else -1
    if at < 0:
        return cursor
    anchors.append((at, line, column))
    return at + len(text)
