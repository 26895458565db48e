"""Turning an input into text: a bounded read of a regular file (or the bytes given on standard
input), then UTF-8 decoding with the position of the first bad byte.  Every failure is an
exception the engine turns into SL001/SL003/SL004, never a traceback."""

from __future__ import annotations

import os

from shiplint.core.errors import ParseError
from shiplint.core.fsutil import FileTooLarge, NotRegularFile, read_regular


class Unreadable(Exception):
    """The input exists (or was named) but cannot be read; the message says why."""


class TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def read_bytes(inp, limit: int) -> bytes:
    if inp.text is not None:
        return inp.text.encode("utf-8", "surrogateescape") if isinstance(inp.text, str) else inp.text
    try:
        return read_regular(inp.abspath, limit)
    except NotRegularFile as exc:
        raise Unreadable(str(exc)) from None
    except FileTooLarge as exc:
        raise TooLarge(exc.size) from None
    except FileNotFoundError:
        raise Unreadable("no such file or directory") from None
    except PermissionError:
        raise Unreadable("permission denied") from None
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None


def decode(data: bytes) -> str:
    """UTF-8 text without a BOM; binary content and invalid UTF-8 are :class:`ParseError`s at
    the offending byte."""
    if b"\x00" in data:
        pos = data.index(b"\x00")
        line = data.count(b"\n", 0, pos) + 1
        raise ParseError("binary content (NUL byte): not a text file", line, pos - data.rfind(b"\n", 0, pos))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - data.rfind(b"\n", 0, exc.start)
        raise ParseError(f"invalid UTF-8 (byte 0x{data[exc.start]:02x})", line, col) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def looks_like_template(text: str) -> bool:
    """Whether the text holds a ``{{`` template action outside YAML comments.  Only a hint: a
    file is treated as a Helm template when, besides, it lies in a chart's ``templates/`` or
    does not parse as YAML (:func:`in_chart_templates`); a ``{{ .`` in a comment of a plain
    manifest must not make the manifest skip."""
    if "{{" not in text:
        return False
    for line in text.splitlines():
        at = line.find("{{")
        if at < 0:
            continue
        # a comment starts with '#' at the start of the line or after a blank (quotes ignored: a
        # '#' inside a quoted value only makes the file look *more* like a manifest, never less)
        head = line[:at]
        stripped = head.lstrip()
        if stripped.startswith("#") or " #" in head or "\t#" in head:
            continue
        return True
    return False


def in_chart_templates(path: str | None) -> bool:
    """Whether ``path`` lies under the ``templates/`` directory of a chart (a ``Chart.yaml``
    beside that directory): a Helm template whatever its text."""
    if not path:
        return False
    d = os.path.dirname(os.path.abspath(path))
    while True:
        parent = os.path.dirname(d)
        if parent == d:
            return False
        if os.path.basename(d) == "templates" and os.path.isfile(os.path.join(parent, "Chart.yaml")):
            return True
        d = parent


def sniff(text: str) -> str | None:
    """Guess the kind of standard input without a file name."""
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#") or s == "---":
            continue
        word = s.split(None, 1)[0].upper()
        if word in ("FROM", "ARG"):
            return "dockerfile"
        return "yaml"
    return "yaml"
