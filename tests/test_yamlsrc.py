"""The positioned YAML source."""

from __future__ import annotations

import pytest

from shiplint.core.errors import ParseError
from shiplint.sources.yamlsrc import YMap, YSeq, parse_yaml_stream


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
