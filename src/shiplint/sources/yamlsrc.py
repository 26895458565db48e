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
:class:`~shiplint.errors.ParseError`, and resumes at the next ``---`` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ruamel.yaml import events as ev

from ..errors import ParseError
from ..findings import Region

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


def _region(start, end) -> tuple[int, int, int, int]:
    return (start.line, start.column, end.line, end.column)


def to_region(t: tuple[int, int, int, int], line_offset: int = 0) -> Region:
    """Turn a compact 0-based (line, col, end line, end col) tuple into a 1-based Region."""
    return Region(t[0] + 1 + line_offset, t[1] + 1, t[2] + 1 + line_offset, t[3] + 1)


class YMap(dict):
    """A mapping that knows where it, its keys and its values are."""

    __slots__ = ("pos", "kpos", "vpos", "tag", "line_offset")

    def key_region(self, key) -> Region | None:
        t = self.kpos.get(key)
        return None if t is None else to_region(t, self.line_offset)

    def value_region(self, key) -> Region | None:
        t = self.vpos.get(key)
        return None if t is None else to_region(t, self.line_offset)

    @property
    def region(self) -> Region:
        return to_region(self.pos, self.line_offset)


class YSeq(list):
    """A sequence that knows where it and each item are."""

    __slots__ = ("pos", "ipos", "tag", "line_offset")

    def item_region(self, index: int) -> Region | None:
        if 0 <= index < len(self.ipos):
            return to_region(self.ipos[index], self.line_offset)
        return None

    @property
    def region(self) -> Region:
        return to_region(self.pos, self.line_offset)


def region_of(container, key) -> Region | None:
    """The region of ``container[key]`` (mapping value or sequence item)."""
    if isinstance(container, YMap):
        return container.value_region(key)
    if isinstance(container, YSeq) and isinstance(key, int):
        return container.item_region(key)
    return None


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
    __slots__ = ("node", "is_map", "key", "kpos", "weight", "anchor", "start", "end", "merges")

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
        # issue 11: a reader error (a control character) has no mark, only libyaml's byte offset
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
    parser = _Parser(text)
    get_event = parser.get_event
    ScalarEvent, AliasEvent = ev.ScalarEvent, ev.AliasEvent
    MappingStartEvent, SequenceStartEvent = ev.MappingStartEvent, ev.SequenceStartEvent
    MappingEndEvent, SequenceEndEvent = ev.MappingEndEvent, ev.SequenceEndEvent
    DocumentStartEvent, DocumentEndEvent = ev.DocumentStartEvent, ev.DocumentEndEvent
    StreamEndEvent = ev.StreamEndEvent

    index = first_index
    stack: list[_Frame] = []
    anchors: dict = {}
    weights: dict[int, int] = {}
    open_ids: set[int] = set()
    duplicates: list[Duplicate] = []
    root = None
    root_pos = None
    doc_start = None
    total = 0

    def attach(value, pos, weight, count=1):
        nonlocal root, root_pos, total
        total += count
        if total > MAX_EXPANDED_NODES:
            raise ParseError(
                f"aliases expand to more than {MAX_EXPANDED_NODES} nodes (an alias bomb?)",
                pos[0] + 1 + line_offset,
                pos[1] + 1,
            )
        if not stack:
            root, root_pos = value, pos
            return
        top = stack[-1]
        top.weight += weight
        top.end = (pos[2], pos[3])
        node = top.node
        if top.is_map:
            if top.key is _NOKEY:
                top.key = _hashable(value if not isinstance(value, (YMap, YSeq)) else str(value))
                top.kpos = pos
                return
            key = top.key
            top.key = _NOKEY
            if key == "<<" and top.kpos is not None and isinstance(value, (YMap, YSeq)):
                if top.merges is None:
                    top.merges = []
                top.merges.append(value)
                return
            if key in node:
                duplicates.append(
                    Duplicate(
                        str(key),
                        to_region(top.kpos, line_offset),
                        to_region(node.kpos[key], line_offset),
                    )
                )
            node[key] = value
            node.kpos[key] = top.kpos
            node.vpos[key] = pos
        else:
            node.append(value)
            node.ipos.append(pos)

    while True:
        event = get_event()
        cls = event.__class__
        if cls is ScalarEvent:
            value = event.value
            tag = event.tag
            plain = event.style is None or event.style == ""
            if stack and stack[-1].is_map and stack[-1].key is _NOKEY:
                pass  # mapping keys stay text: `on:` and `y:` are names, not booleans
            elif tag is not None and tag != "!":
                value = _resolve_tagged(tag, value, plain)
            elif plain and tag is None:
                value = resolve_plain(value) if value else None
            pos = _region(event.start_mark, event.end_mark)
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1)
            attach(value, pos, 1)
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            is_map = cls is MappingStartEvent
            if is_map:
                node = YMap()
                node.kpos = {}
                node.vpos = {}
            else:
                node = YSeq()
                node.ipos = []
            node.tag = event.tag
            node.line_offset = line_offset
            start = (event.start_mark.line, event.start_mark.column)
            frame = _Frame(node, is_map, event.anchor, start)
            if event.anchor is not None:
                anchors[event.anchor] = (node, None)
                open_ids.add(id(node))
            stack.append(frame)
        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            frame = stack.pop()
            node = frame.node
            if frame.merges:
                for src in frame.merges:
                    for m in (src if isinstance(src, YSeq) else [src]):
                        if isinstance(m, YMap):
                            for k, v in m.items():
                                if k not in node:
                                    node[k] = v
                                    node.kpos[k] = m.kpos[k]
                                    node.vpos[k] = m.vpos[k]
            end = frame.end
            if event.end_mark.line > end[0] or (
                event.end_mark.line == end[0] and event.end_mark.column > end[1]
            ):
                # flow collections end at their closing bracket; block ones at their last node
                if getattr(event, "flow_style", None) or (
                    event.start_mark.index != event.end_mark.index
                ):
                    end = (event.end_mark.line, event.end_mark.column)
            node.pos = (frame.start[0], frame.start[1], end[0], end[1])
            if frame.anchor is not None:
                anchors[frame.anchor] = (node, frame.weight)
                open_ids.discard(id(node))
            attach(node, node.pos, frame.weight, 0)
        elif cls is AliasEvent:
            target = anchors.get(event.anchor)
            pos = _region(event.start_mark, event.end_mark)
            if target is None:
                raise ParseError(
                    f"unknown alias *{event.anchor}", pos[0] + 1 + line_offset, pos[1] + 1
                )
            value, weight = target
            if weight is None or id(value) in open_ids:
                raise ParseError(
                    f"recursive alias *{event.anchor}", pos[0] + 1 + line_offset, pos[1] + 1
                )
            attach(value, pos, weight, weight)
        elif cls is DocumentStartEvent:
            root = None
            root_pos = None
            anchors = {}
            duplicates = []
            total = 0
            doc_start = event.start_mark
        elif cls is DocumentEndEvent:
            if root_pos is not None:
                region = to_region(root_pos, line_offset)
            else:
                region = Region(doc_start.line + 1 + line_offset, doc_start.column + 1)
            yield YamlDocument(root, index, region, duplicates)
            index += 1
        elif cls is StreamEndEvent:
            return


def walk_path(data, path):
    """Follow ``path`` (keys and indexes) from ``data``; returns (parent, key, value) or None."""
    parent, key, node = None, None, data
    for step in path:
        if isinstance(node, dict) and step in node:
            parent, key, node = node, step, node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            parent, key, node = node, step, node[step]
        else:
            return None
    return parent, key, node
