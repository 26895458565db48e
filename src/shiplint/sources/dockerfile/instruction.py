"""One Dockerfile instruction: its keyword, ``--flags`` and arguments, from the text of the
instruction with its continuation lines joined.

Arguments are exec (JSON) form when they decode as a JSON array of strings, else words as
BuildKit splits them for that keyword (with quotes, or on plain whitespace); ``ONBUILD`` holds
the instruction it triggers.  Errors are :class:`~shiplint.core.errors.ParseError` at the
position BuildKit reports.
"""

from __future__ import annotations

import json
import re

from shiplint.core.errors import ParseError
from shiplint.sources.dockerfile.expand import strip_quotes
from shiplint.sources.dockerfile.syntax import KEYWORDS, Arg, Flag, Instruction, PosMap

__all__ = ["build_instruction", "shown", "word_pattern"]

_MAYBE_JSON = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL"})
_MAYBE_JSON_LIST = frozenset({"COPY", "ADD", "VOLUME"})
# Instructions BuildKit splits on plain whitespace (no quote handling) when not JSON.
_WHITESPACE_SPLIT = frozenset({"FROM", "EXPOSE", "COPY", "ADD", "VOLUME"})
_NOT_ONBUILD_TRIGGERS = frozenset({"ONBUILD", "FROM", "MAINTAINER"})

_LEADING_SPACE = re.compile(r"\s*")
_KEYWORD = re.compile(r"[^\t\v\f\r ]+")  # BuildKit splits the command off on [\t\v\f\r ]+
_KEYWORD_SEP = re.compile(r"[\t\v\f\r ]*")
_PLAIN_WORD = re.compile(r"[^\t\v\f\r ]+")
# A flag word: quotes of either kind, backslash escapes everywhere (BuildKit's flag scanner).
_FLAG_WORD = re.compile(
    r"""(?:[^\s"'\\]+|\\[\s\S]|\\\Z|"(?:[^"\\]+|\\[\s\S])*(?:"|\\?\Z)|'(?:[^'\\]+|\\[\s\S])*(?:'|\\?\Z))+"""
)
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"')

_WORD_RES: dict[str, re.Pattern[str]] = {}


def word_pattern(escape: str) -> re.Pattern[str]:
    """Words as BuildKit's ``parseWords`` sees them: quotes kept, escape char escapes.

    Inside single quotes the escape character is literal; an unterminated quote runs to the
    end of the text.  Linear: every alternative starts with a different character.
    """
    pattern = _WORD_RES.get(escape)
    if pattern is None:
        e = re.escape(escape)
        pattern = re.compile(
            rf"""(?:[^\s"'{e}]+|{e}[\s\S]|{e}\Z|"(?:[^"{e}]+|{e}[\s\S])*(?:"|{e}?\Z)|'[^']*(?:'|\Z))+"""
        )
        _WORD_RES[escape] = pattern
    return pattern


_URL_PASSWORD = re.compile(r"(//[^/@:\s]*:)[^/@\s]*@")


def shown(text: str, limit: int = 40) -> str:
    """File text quoted in a parse error: never a value after ``=`` (``unknown
    instruction: DB_PASSWORD=…`` from a line that lost its continuation) nor the password of a
    URL, and at most ``limit`` characters."""
    key, eq, _ = text.partition("=")
    out = _URL_PASSWORD.sub(r"\1****@", key + "=…" if eq else text)
    return out if len(out) <= limit else out[:limit] + "…"


_KEYWORD_SHAPED = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,23}|\S{1,4}")


def _shown_keyword(word: str) -> str:
    """The word of an unknown instruction: shown when it looks like a keyword (``BOGUS``, a
    template's ``{{``), else only its length — a line that is a pasted token is not echoed."""
    if "=" not in word and _KEYWORD_SHAPED.fullmatch(word):
        return word
    if "=" in word and _KEYWORD_SHAPED.fullmatch(word.partition("=")[0]):
        return shown(word)
    return f"a word of {len(word)} characters (not shown)"



def build_instruction(
    joined: str, lo: int, hi: int, pm: PosMap, escape: str, top: bool
) -> Instruction:
    start = _LEADING_SPACE.match(joined, lo, hi).end()
    while hi > start and joined[hi - 1].isspace():
        hi -= 1
    kw_end = _KEYWORD.match(joined, start, hi).end()
    keyword = joined[start:kw_end].upper()
    keyword_region = pm.region(start, kw_end)
    if keyword not in KEYWORDS:
        raise ParseError(
            f"unknown instruction: {_shown_keyword(joined[start:kw_end])}",
            keyword_region.line,
            keyword_region.column,
        )
    p = _KEYWORD_SEP.match(joined, kw_end, hi).end()

    flags: list[Flag] = []
    args_start = hi
    while p < hi:
        p = _LEADING_SPACE.match(joined, p, hi).end()
        if p >= hi:
            break
        if not joined.startswith("--", p, hi):
            args_start = p
            break
        m = _FLAG_WORD.match(joined, p, hi)
        raw = m.group()
        if raw == "--":
            args_start = _LEADING_SPACE.match(joined, m.end(), hi).end()
            break
        word = strip_quotes(raw, posix=False)[0]
        name, eq, value = word[2:].partition("=")
        flags.append(Flag(name, value if eq else None, pm.region(p, m.end())))
        p = m.end()
    else:
        args_start = hi
    args_start = min(args_start, hi)
    text = joined[args_start:hi]

    inst = Instruction(
        keyword=keyword,
        region=pm.region(start, hi),
        keyword_region=keyword_region,
        flags=flags,
        args=[],
        exec_form=False,
        text=text,
        _posmap=pm,
        _text_offset=args_start,
    )

    def err(message: str, offset: int | None = None) -> ParseError:
        if offset is None:
            return ParseError(message, keyword_region.line, keyword_region.column)
        line, col = pm.pos(args_start + offset)
        return ParseError(message, line, col)

    def words(base: int = 0) -> list[Arg]:
        return [
            Arg(m.group(), pm.region(args_start + m.start(), args_start + m.end()))
            for m in word_pattern(escape).finditer(text, base)
        ]

    def plain_words(base: int = 0) -> list[Arg]:
        return [
            Arg(m.group(), pm.region(args_start + m.start(), args_start + m.end()))
            for m in _PLAIN_WORD.finditer(text, base)
        ]

    def maybe_json(base: int) -> list[Arg] | None:
        decoded = _decode_json_array(text, base)
        if decoded is None:
            return None
        if decoded is False:
            raise err("when using JSON array syntax, arrays must be comprised of strings only", base)
        values, spans = decoded
        return [
            Arg(v, pm.region(args_start + s, args_start + e)) for v, (s, e) in zip(values, spans)
        ]

    if keyword == "ONBUILD":
        if not text:
            raise err("ONBUILD requires at least one argument")
        inner = build_instruction(joined, args_start, hi, pm, escape, top=False)
        if inner.keyword in _NOT_ONBUILD_TRIGGERS:
            r = inner.keyword_region
            raise ParseError(f"{inner.keyword} isn't allowed as an ONBUILD trigger", r.line, r.column)
        inst.inner = inner
        inst.args = words()
    elif keyword in _MAYBE_JSON or keyword in _MAYBE_JSON_LIST:
        items = maybe_json(0) if text else None
        if items is not None:
            inst.args = items
            inst.exec_form = True
        elif keyword == "SHELL":
            raise err("SHELL requires the arguments to be in JSON form")
        elif keyword in _WHITESPACE_SPLIT:
            inst.args = plain_words()
        else:
            inst.args = words()
    elif keyword == "HEALTHCHECK":
        first = _PLAIN_WORD.match(text) if text else None
        if first is None:
            raise err("HEALTHCHECK requires an argument")
        kind = first.group().upper()
        head = Arg(first.group(), pm.region(args_start, args_start + first.end()))
        rest = _LEADING_SPACE.match(text, first.end()).end()
        if kind == "NONE":
            if rest < len(text):
                raise err("HEALTHCHECK NONE takes no arguments", rest)
            inst.args = [head]
        elif kind == "CMD":
            if rest >= len(text):
                raise err("Missing command after HEALTHCHECK CMD")
            items = maybe_json(rest)
            if items is not None:
                inst.args = [head, *items]
                inst.exec_form = True
            else:
                inst.args = [head, *words(rest)]
        else:
            raise err(f"Unknown type {shown(first.group())!r} in HEALTHCHECK (try CMD)", 0)
    elif keyword in _WHITESPACE_SPLIT:  # FROM, EXPOSE
        inst.args = plain_words()
    else:
        inst.args = words()
        if keyword in ("ENV", "LABEL"):
            if not inst.args:
                raise err(f"{keyword} requires at least one argument")
            if "=" not in inst.args[0].value:
                if len(plain_words()) < 2:
                    raise err(f"{keyword} must have two arguments")
            else:
                for a in inst.args:
                    if "=" not in a.value:
                        raise ParseError(
                            "Syntax error - can't find = in this word (not shown: it may be a "
                            "secret value). Must be of the form: name=value",
                            a.region.line,
                            a.region.column,
                        )
        elif keyword == "ARG" and not inst.args:
            raise err("ARG requires at least one argument")
    if keyword == "FROM" and not inst.args:
        raise err("FROM requires either one or three arguments")
    return inst


class _Constant(ValueError):
    pass


def _reject_constant(name: str) -> float:
    raise _Constant(name)  # NaN / Infinity are not JSON


_JSON_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _decode_json_array(text: str, base: int):
    """Decode a JSON array at ``text[base:]`` like BuildKit's streaming decoder.

    Returns None when it is not a JSON array (shell form), False when it is an array with a
    non-string item (an error), else (values, spans of the string literals in ``text``).
    """
    if not text.startswith("[", base):
        return None
    try:
        value, end = _JSON_DECODER.raw_decode(text, base)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, str) for v in value):
        return False
    spans = [(m.start(), m.end()) for m in _JSON_STRING.finditer(text, base, end)]
    if len(spans) != len(value):  # cannot happen for an array of strings; be safe
        spans = [(base, end)] * len(value)
    return value, spans

