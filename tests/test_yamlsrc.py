"""The positioned YAML source."""

from __future__ import annotations

import pytest

from shiplint.core.errors import ParseError
from shiplint.sources.yamlsrc import Item, YMap, YSeq, locate, parse_yaml_stream


def docs(text):
    return parse_yaml_stream(text)


def test_positions_of_keys_values_and_items():
    (d,) = docs("a: 1\nlist:\n  - one\n  - two: 2\n    three: 3\n")
    data = d.data
    assert isinstance(data, YMap) and isinstance(data["list"], YSeq)
    r = data.key_region("a")
    assert (r.line, r.column, r.end_line, r.end_column) == (1, 1, 1, 2)
    r = data.value_region("a")
    assert (r.line, r.column, r.end_column) == (1, 4, 5)
    assert data["list"].item_region(0).line == 3
    item = data["list"][1]
    assert item.value_region("three").line == 5 and item.value_region("three").column == 12


def test_multi_document_stream_and_error_recovery():
    out = docs("a: 1\n---\nb: [oops\n---\nc: 3\n")
    assert isinstance(out[0].data, dict) and out[0].data["a"] == 1
    assert isinstance(out[1], ParseError) and out[1].line in (4, 5)
    assert out[2].data == {"c": 3} and out[2].data.value_region("c").line == 5


def test_yaml_11_scalars_as_kubernetes_reads_them():
    (d,) = docs("a: yes\nb: off\nc: 0755\nd: '0755'\ne: 1.5\nf: ~\ng: 25%\nh: !!str 10\ni: 0x1f\n")
    assert d.data == {"a": True, "b": False, "c": 493, "d": "0755", "e": 1.5, "f": None, "g": "25%", "h": "10", "i": 31}


def test_python_tags_are_never_constructed():
    (d,) = docs("cmd: !!python/object/apply:os.system ['touch /tmp/pwned']\nx: !custom 3\n")
    assert d.data["cmd"] == ["touch /tmp/pwned"]
    assert d.data["x"] == 3


def test_value_tag_key_from_a_real_crd():
    (d,) = docs("properties:\n  =:\n    type: string\n")
    assert "=" in d.data["properties"]


def test_duplicate_keys_are_recorded_last_wins():
    (d,) = docs("a: 1\nb: 2\na: 3\n")
    assert d.data["a"] == 3
    (dup,) = d.duplicates
    assert dup.key == "a" and dup.region.line == 3 and dup.first.line == 1


def test_anchors_aliases_and_merge_keys():
    (d,) = docs("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nref: *b\n")
    assert d.data["use"] == {"x": 1, "y": 3}
    assert d.data["ref"] is d.data["base"]


def test_alias_bomb_is_refused():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    (err,) = docs("\n".join(lines) + "\n")
    assert isinstance(err, ParseError) and "alias" in err.message


def test_recursive_alias_is_refused():
    (err,) = docs("&a [*a]")
    assert isinstance(err, ParseError) and "recursive" in err.message


@pytest.mark.parametrize("depth", [5000, 20000])
def test_deep_nesting_never_overflows(depth):
    out = docs("a: " + "[" * depth + "]" * depth + "\n")
    assert len(out) == 1
    if depth > 10000:
        assert isinstance(out[0], ParseError) and "nesting" in out[0].message
    else:
        assert not isinstance(out[0], ParseError)


def test_deep_block_nesting():
    text = "".join(" " * i + f"k{i}:\n" for i in range(5000))
    (d,) = docs(text)
    assert not isinstance(d, ParseError)


def test_crlf_positions_are_exact():
    (d,) = docs("a: 1\r\nb:\r\n  c: hello\r\n")
    r = d.data["b"].value_region("c")
    assert (r.line, r.column, r.end_column) == (3, 6, 11)


def test_empty_streams_and_scalars():
    assert docs("") == []
    (d,) = docs("---\n")
    assert d.data is None
    (d,) = docs("just a string")
    assert d.data == "just a string"


def test_tab_indentation_is_a_parse_error_with_position():
    (err,) = docs("a:\n\tb: 1\n")
    assert isinstance(err, ParseError) and err.line == 2


# -- locate: the one walker of a path ------------------------------------------------------------

_PODSPEC = """\
spec:
  replicas: 3
  resources:
  containers:
  - name: web
    image: nginx:1.27
  - name: sidecar
    image: busybox
"""


def _doc(text):
    return parse_yaml_stream(text)[0].data


def _span(r):
    return None if r is None else (r.line, r.column, r.end_line, r.end_column)


@pytest.mark.parametrize("path, found, node, key, value, region", [
    # a scalar: the key names it, the finding points at its value
    (("spec", "replicas"), 2, 3, (2, 3, 2, 11), (2, 13, 2, 14), (2, 13, 2, 14)),
    # a mapping: a finding about it points at its key, not at the block
    (("spec",), 1, "map", (1, 1, 1, 5), (2, 3, 8, 19), (1, 1, 1, 5)),
    # an empty value
    (("spec", "resources"), 2, None, (3, 3, 3, 12), (3, 13, 3, 13), (3, 13, 3, 13)),
    # a sequence item by index, and a key inside it
    (("spec", "containers", 1), 3, "map", (7, 5, 8, 19), (7, 5, 8, 19), (7, 5, 8, 19)),
    (("spec", "containers", 0, "image"), 4, "nginx:1.27", (6, 5, 6, 10), (6, 12, 6, 22), (6, 12, 6, 22)),
    # an item found by its name wherever it sits, else by its index
    (("spec", "containers", Item(0, "sidecar"), "image"), 4, "busybox", (8, 5, 8, 10), (8, 12, 8, 19), (8, 12, 8, 19)),
    (("spec", "containers", Item(1, None), "name"), 4, "sidecar", (7, 5, 7, 9), (7, 11, 7, 18), (7, 11, 7, 18)),
    # a named item that is not there: the walk stops at the sequence
    (("spec", "containers", Item(0, "db"), "image"), 2, "seq", (4, 3, 4, 13), (5, 3, 8, 19), (4, 3, 4, 13)),
    # missing steps: the deepest node that exists
    (("spec", "replicas", "x"), 2, 3, (2, 3, 2, 11), (2, 13, 2, 14), (2, 13, 2, 14)),
    (("spec", "containers", 7), 2, "seq", (4, 3, 4, 13), (5, 3, 8, 19), (4, 3, 4, 13)),
    (("status",), 0, "map", (1, 1, 8, 19), (1, 1, 8, 19), (1, 1, 8, 19)),
    ((), 0, "map", (1, 1, 8, 19), (1, 1, 8, 19), (1, 1, 8, 19)),
])
def test_locate_walks_keys_indexes_and_named_items(path, found, node, key, value, region):
    at = locate(_doc(_PODSPEC), path)
    assert (at.found, at.complete) == (found, found == len(path))
    kind = {YMap: "map", YSeq: "seq"}.get(type(at.node), at.node)
    assert kind == node
    assert (_span(at.key_region), _span(at.value_region), _span(at.region)) == (key, value, region)


def test_locate_on_plain_data_and_scalars():
    at = locate({"a": [{"b": 1}]}, ("a", 0, "b"))
    assert (at.complete, at.node, at.region) == (True, 1, None)  # no positions to give
    at = locate(_doc("just text\n"), ("a",))
    assert (at.found, at.node, at.region, at.key_region) == (0, "just text", None, None)
    assert locate(_doc("a: {1: one}\n"), ("a", "1")).node == "one"  # keys stay text
    assert locate(_doc("a: [p, q]\n"), ("a", 1)).node == "q"
    assert not locate(_doc("a: [x]\n"), ("a", -1)).complete
    assert not locate(_doc("a: {b: 1}\n"), ("a", Item(0, "b"))).complete  # an item step on a mapping
