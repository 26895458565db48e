"""Text edits of positioned YAML (:mod:`shiplint.sources.yamlsrc`) that a fix is made of: set a
key at a path below a mapping, add an item to a sequence, as the file itself would write them.

Every edit is positional and local: a missing entry is added after the last line of its
mapping, at the indentation of the mapping's keys, with the file's own indentation step and
sequence style (``- item`` under its key, or indented); a flow collection (``{a: 1}``,
``[A]``) gets a flow entry; an existing scalar is replaced in place.  Nothing else of the file
moves.  No edit is offered where the text cannot be edited safely in place: a document with
anchors, aliases or merge keys (the edit would change every user of the shared node), a
value spread over lines, a node that is not there as a mapping.

Works for any YAML the sources layer parses (Kubernetes manifests, Compose files): a fix of a
rule on another YAML format is a call to :func:`set_value` or :func:`add_item`.
"""

from __future__ import annotations

import re

from shiplint.core.findings import Edit, Region
from shiplint.sources.yamlsrc import YMap, YSeq

_SHARED = re.compile(r"(?:^|[\s\[{,])[&*][^\s\[\]{},]+|<<\s*:", re.M)
#: Quoted scalars and comments, blanked before looking for anchors (a ``*`` in a cron schedule).
_QUOTED_OR_COMMENT = re.compile(r""""(?:[^"\\\n]|\\.)*"|'[^'\n]*'|(?:^|\s)#[^\n]*""", re.M)


class YamlText:
    """A YAML file (a :class:`~shiplint.core.findings.Source`) read for edits: indentation step and
    sequence style, measured on the part of the file an edit is about (``top``), and whether the
    lines edits may touch (``scope``) share nodes."""

    def __init__(self, source, top: YMap, scope: tuple[int, int] | None = None) -> None:
        self.lines = source.lines
        self.top = top
        r = top.region
        # anchors, aliases and merge keys are looked for in ``scope`` (first and last line), by
        # default all of ``top``: a Compose file shares blocks between services with them, and an
        # edit of a service that shares none is still safe
        first, last = scope or (r.line, r.end_line)
        segment = "\n".join(self.lines[first - 1:last])
        self.shared = bool(_SHARED.search(_QUOTED_OR_COMMENT.sub(" ", segment)))
        self.step, self.seq_indent = self._style(top)

    def line(self, n: int) -> str:
        return self.lines[n - 1].rstrip("\r") if 1 <= n <= len(self.lines) else ""

    def _style(self, top) -> tuple[int, int]:
        """(indentation step of nested mappings, dash column minus key column of sequences)."""
        step = seq = None
        todo, seen = [top], 0
        while todo and seen < 2000 and (step is None or seq is None):
            node = todo.pop()
            seen += 1
            if isinstance(node, YMap):
                for k, v in node.items():
                    kr = node.key_region(k)
                    if isinstance(v, YMap) and v and self._block(v):
                        first = v.key_region(next(iter(v)))
                        if step is None and first.line > kr.line and first.column > kr.column:
                            step = first.column - kr.column
                    elif isinstance(v, YSeq) and v and seq is None:
                        dash = self._dash_column(v)
                        if dash is not None and dash >= kr.column and v.region.line > kr.line:
                            seq = dash - kr.column
                    if isinstance(v, (YMap, YSeq)):
                        todo.append(v)
            elif isinstance(node, YSeq):
                todo.extend(x for x in node if isinstance(x, (YMap, YSeq)))
        step = step or 2
        return step, step if seq is None else seq

    def _dash_column(self, seq: YSeq) -> int | None:
        r = seq.item_region(0)
        head = self.line(r.line)[:r.column - 1]
        stripped = head.rstrip()
        if stripped.endswith("-") and not stripped[:-1].strip():
            return len(stripped)
        return None

    def _block(self, node) -> bool:
        r = node.region
        return not self.line(r.line)[r.column - 1:r.column].startswith(("{", "["))

    def end_of(self, node) -> tuple[int, int]:
        """(line, column) of the end of the last line of ``node``: where a next entry goes."""
        r = node.region
        line = r.end_line
        if r.end_column == 1 and line > r.line:  # a block scalar ends at the start of the next line
            line -= 1
        return line, len(self.line(line)) + 1

    def key_indent(self, node: YMap) -> int | None:
        """Column of the keys of the block mapping ``node`` (None when its first key does not start
        its line, past spaces or a sequence dash)."""
        first = node.key_region(next(iter(node)))
        head = self.line(first.line)[:first.column - 1]
        if head.strip() not in ("", "-") and not re.fullmatch(r"\s*(?:-\s+)+", head):
            return None
        return first.column


def _in_flow(scalar) -> str:
    """A plain scalar as written inside ``[...]`` or ``{...}``: quoted when it holds a flow
    indicator or a colon (``no-new-privileges:true`` is a plain scalar in a block sequence, and a
    parse error in a flow one)."""
    text = str(scalar)
    if not any(c in text for c in ":,[]{}#"):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flow(keys: tuple, value) -> str:
    leaf = f"[{', '.join(map(_in_flow, value))}]" if isinstance(value, list) else _in_flow(value)
    out = leaf
    for k in reversed(keys[1:]):
        out = f"{{{k}: {out}}}"
    return f"{keys[0]}: {out}"


def _block_lines(y: YamlText, column: int, keys: tuple, value) -> list[str]:
    indent = " " * (column - 1)
    out = []
    for k in keys[:-1]:
        out.append(f"{indent}{k}:")
        indent += " " * y.step
    if isinstance(value, list):
        out.append(f"{indent}{keys[-1]}:")
        out += [f"{indent}{' ' * y.seq_indent}- {item}" for item in value]
    else:
        out.append(f"{indent}{keys[-1]}: {value}")
    return out


def set_value(y: YamlText, node: YMap, path: tuple, value) -> tuple[list[Edit], bool] | None:
    """Edits setting ``path`` (keys) below the mapping ``node`` to ``value`` (a plain scalar as
    YAML text, or a list of them for a sequence), and whether a value the file already had is
    replaced; None when it cannot be done in place."""
    if y.shared or not path:
        return None
    for i, key in enumerate(path):
        if key not in node:
            return _insert(y, node, path[i:], value), False
        child = node[key]
        if i == len(path) - 1:
            r = node.value_region(key)
            if isinstance(child, (YMap, YSeq)) or isinstance(value, list) or child is None \
                    or r.line != r.end_line or r.end_column <= r.column:
                return None
            return [Edit(r, str(value))], True
        if not isinstance(child, YMap):
            return None
        node = child
    return None


def _insert(y: YamlText, node: YMap, keys: tuple, value) -> list[Edit] | None:
    r = node.region
    if not y._block(node):
        if y.line(r.line)[r.column - 1:r.column] != "{" or r.line != r.end_line:
            return None
        if not node:
            return [Edit(r, "{" + _flow(keys, value) + "}")]
        return [Edit(Region(r.line, r.column + 1), _flow(keys, value) + ", ")]
    if not node:
        return None
    column = y.key_indent(node)
    if column is None:
        return None
    line, col = y.end_of(node)
    return [Edit(Region(line, col), "".join("\n" + s for s in _block_lines(y, column, keys, value)))]


def add_item(y: YamlText, seq: YSeq, item: str) -> list[Edit] | None:
    """Edits adding the plain scalar ``item`` at the end of the sequence ``seq``."""
    if y.shared:
        return None
    r = seq.region
    if not y._block(seq):
        if y.line(r.line)[r.column - 1:r.column] != "[" or r.line != r.end_line:
            return None
        if not seq:
            return [Edit(r, f"[{_in_flow(item)}]")]
        return [Edit(Region(r.line, r.column + 1), f"{_in_flow(item)}, ")]
    if not seq:
        return None
    dash = y._dash_column(seq)
    if dash is None:
        return None
    line, col = y.end_of(seq)
    return [Edit(Region(line, col), "\n" + " " * (dash - 1) + "- " + item)]
