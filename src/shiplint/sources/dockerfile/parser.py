"""A Dockerfile parser that reads files the way BuildKit does, and keeps exact positions.

Entry point: :func:`parse_dockerfile`.  It raises :class:`~shiplint.core.errors.ParseError` and
nothing else.

What "the way BuildKit does" means here:

* parser directives (``# syntax=``, ``# escape=``, ``# check=``) are only recognised before
  the first instruction, other comment or blank line; names are case-insensitive and each may
  appear once;
* a line ending in the escape character (optionally followed by spaces/tabs) continues on the
  next line; comment lines and blank lines inside a continuation are skipped; leading
  whitespace is stripped from the first line of an instruction only;
* there are no inline comments: ``RUN make # all`` passes ``# all`` to the shell;
* after the instruction (and its continuation lines) come the bodies of its heredocs
  (``RUN``, ``COPY``, ``ADD``, also under ``ONBUILD``), one after the other;
* ``[ ... ]`` arguments are exec (JSON) form when they decode as a JSON array of strings,
  anything after the array is ignored (BuildKit uses a streaming decoder); a JSON array with
  non-string items is an error; invalid JSON is shell form;
* ``--flags`` are taken from the start of the arguments until the first word that does not
  start with ``--`` (or a bare ``--``).

Positions are 1-based (line, column) pairs in characters of the original text, after removing a
UTF-8 byte-order mark.  Lines end at ``\\r\\n``, ``\\n`` or a lone ``\\r``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from shiplint.core.errors import ParseError
from shiplint.core.findings import Region
from shiplint.sources.dockerfile.expand import expand_word, strip_quotes
from shiplint.sources.dockerfile.instruction import build_instruction, shown, word_pattern
from shiplint.sources.dockerfile.syntax import Directive, Dockerfile, Heredoc, Instruction, PosMap, Stage

__all__ = ["parse_dockerfile"]

_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
_VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})

_NEWLINE = re.compile(r"\r\n|\r|\n")
# Control characters that never appear in a text Dockerfile (tab, LF, VT, FF, CR and ESC do).
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_GO_SPACE = " \t\n\f\r"  # Go's regexp \s
_DIRECTIVE = re.compile(r"#[ \t\n\f\r]*([a-zA-Z][a-zA-Z0-9]*)[ \t\n\f\r]*=[ \t\n\f\r]*(.*)")
_HEREDOC_WORD = re.compile(r"(\d*)<<(-?)([^<]*)")
_STAGE_NAME = re.compile(r"[a-z][a-z0-9\-_.]*")


# ---------------------------------------------------------------------------------------------
# Entry point


def parse_dockerfile(text: str) -> Dockerfile:
    """Parse Dockerfile text.  Raises :class:`ParseError` (and nothing else) when BuildKit
    would reject the file or the text is not a text file."""
    try:
        return _Parser(text).parse()
    except ParseError:
        raise
    except Exception as exc:  # a safety net: the contract is "ParseError only"
        raise ParseError(f"internal parser error: {type(exc).__name__}: {exc}") from exc


def _split_lines(text: str) -> list[str]:
    if not text:
        return []
    lines = _NEWLINE.split(text)
    if text[-1] in "\r\n":
        lines.pop()
    return lines


def _continuation(line: str, escape: str) -> tuple[str, bool]:
    """BuildKit's trimContinuationCharacter: (content, continues)."""
    t = line.rstrip(" \t")
    if t.endswith(escape) and (len(t) == 1 or t[-2] != escape):
        return t[:-1], True
    return line, False


class _Parser:
    def __init__(self, text: str) -> None:
        if isinstance(text, (bytes, bytearray)):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError as exc:
                line = bytes(text).count(b"\n", 0, exc.start) + 1
                raise ParseError("the file is not UTF-8 text", line, 1) from None
        if not isinstance(text, str):
            raise ParseError(f"expected text, got {type(text).__name__}")
        if text.startswith("\ufeff"):
            text = text[1:]
        self.lines = _split_lines(text)
        if _BINARY.search(text):
            for number, line in enumerate(self.lines, 1):
                m = _BINARY.search(line)
                if m:
                    raise ParseError(
                        f"binary content: control character U+{ord(m.group()):04X}",
                        number,
                        m.start() + 1,
                    )
        self.escape = "\\"
        self.directives: list[Directive] = []
        self.comments: list[tuple[int, str]] = []
        self.instructions: list[Instruction] = []

    # -- lines ---------------------------------------------------------------------------------

    def parse(self) -> Dockerfile:
        lines = self.lines
        n = len(lines)
        directives_done = False
        seen: set[str] = set()
        i = 0
        while i < n:
            raw = lines[i]
            stripped = raw.lstrip()
            lead = len(raw) - len(stripped)
            if not directives_done:
                if self._directive(stripped, i + 1, lead, seen):
                    i += 1
                    continue
                directives_done = True
            if stripped.startswith("#"):
                self.comments.append((i + 1, stripped.rstrip()))
                i += 1
                continue
            if not stripped:
                i += 1
                continue
            i = self._instruction(i, stripped, lead)
        return self._build()

    def _directive(self, stripped: str, number: int, lead: int, seen: set[str]) -> bool:
        m = _DIRECTIVE.fullmatch(stripped)
        if not m:
            return False
        name = m.group(1).lower()
        if name not in _VALID_DIRECTIVES:
            return False
        rest = m.group(2)
        value = rest.rstrip(_GO_SPACE) or rest[-1:]
        if not value:
            return False
        if name in seen:
            raise ParseError(f"only one {name} parser directive can be used", number, lead + 1)
        seen.add(name)
        if name == "escape":
            if value not in ("\\", "`"):
                raise ParseError(
                    f"invalid escape token '{value}' does not match ` or \\", number, lead + 1
                )
            self.escape = value
        end = lead + len(stripped.rstrip()) + 1
        self.directives.append(Directive(name, value, Region(number, lead + 1, number, end)))
        return True

    def _instruction(self, i: int, stripped: str, lead: int) -> int:
        """Read the instruction starting at line index ``i``; return the next line index."""
        lines = self.lines
        n = len(lines)
        escape = self.escape
        pm = PosMap()
        parts: list[str] = []
        length = 0
        content, more = _continuation(stripped, escape)
        if content:
            pm.add(0, i + 1, lead + 1)
            parts.append(content)
            length = len(content)
        j = i + 1
        while more and j < n:
            raw = lines[j]
            s = raw.lstrip()
            if s.startswith("#"):
                self.comments.append((j + 1, s.rstrip()))
                j += 1
                continue
            if not s:
                j += 1
                continue
            content, more = _continuation(raw, escape)
            if content:
                pm.add(length, j + 1, 1)
                parts.append(content)
                length += len(content)
            j += 1
        joined = "".join(parts)
        if not joined.strip():
            return j  # only escape characters: nothing to parse
        inst = build_instruction(joined, 0, len(joined), pm, escape, top=True)
        self.instructions.append(inst)
        target = inst.inner if inst.keyword == "ONBUILD" else inst
        if (
            target is not None
            and target.keyword in _HEREDOC_KEYWORDS
            and not target.exec_form
            and "<<" in joined
        ):
            j = self._heredocs(inst, target, joined, pm, j)
        return j

    def _heredocs(
        self, inst: Instruction, target: Instruction, joined: str, pm: PosMap, j: int
    ) -> int:
        lines = self.lines
        n = len(lines)
        found: list[tuple[int, str, bool, bool, int | None]] = []
        words = list(word_pattern("\\").finditer(joined))
        if words and not strip_quotes(words[-1].group())[1]:
            return j  # BuildKit's lexer fails on an unterminated quote: no heredocs
        for w in words:
            word = w.group()
            if "<<" not in word:
                continue
            m = _HEREDOC_WORD.fullmatch(word)
            if not m or not m.group(3):
                continue
            rest = m.group(3)
            name, ok = strip_quotes(rest)
            if not ok:
                line, col = pm.pos(w.start())
                raise ParseError(f"unterminated quote in heredoc delimiter {shown(word)}", line, col)
            if not name:
                continue
            quoted = (name.count("'") + name.count('"')) != (rest.count("'") + rest.count('"'))
            fd = int(m.group(1)) if m.group(1) else None
            found.append((w.start(), name, m.group(2) == "-", quoted, fd))

        end_region = inst.region
        for start, name, chomp, quoted, fd in found:
            body: list[str] = []
            first = j
            terminated = False
            while j < n:
                line = lines[j]
                j += 1
                candidate = line.lstrip("\t") if chomp else line
                if candidate == name:
                    terminated = True
                    break
                body.append(line)
            if not terminated:
                line_no, col = pm.pos(start)
                raise ParseError(f"unterminated heredoc <<{name}", line_no, col)
            term_line = j  # 1-based number of the terminator line
            raw_body = "".join(line + "\n" for line in body)
            text = "".join(line.lstrip("\t") + "\n" for line in body) if chomp else raw_body
            if body:
                region = Region(first + 1, 1, first + len(body), len(lines[first + len(body) - 1]) + 1)
            else:
                region = Region(term_line, 1, term_line, 1)
            doc = Heredoc(
                delimiter=name,
                body=text,
                strip_tabs=chomp,
                quoted=quoted,
                region=region,
                body_start_line=first + 1,
                raw_body=raw_body,
                terminator_line=term_line,
                fd=fd,
            )
            target.heredocs.append(doc)
            if target is not inst:
                inst.heredocs.append(doc)
            end_region = Region(
                inst.region.line, inst.region.column, term_line, len(lines[term_line - 1]) + 1
            )
        inst.region = end_region
        if target is not inst:
            target.region = Region(
                target.region.line, target.region.column, end_region.end_line, end_region.end_column
            )
        return j

    # -- stages --------------------------------------------------------------------------------

    def _build(self) -> Dockerfile:
        stages: list[Stage] = []
        global_args: list[Instruction] = []
        env: dict[str, str | None] = {}
        by_name: dict[str, int] = {}
        escape = self.escape
        for inst in self.instructions:
            if inst.keyword == "FROM":
                stage = self._stage(inst, len(stages), env, by_name, escape)
                stages.append(stage)
                if stage.name is not None:
                    by_name[stage.name] = stage.index
            elif not stages:
                if inst.keyword != "ARG":
                    r = inst.keyword_region
                    raise ParseError(
                        f"no FROM instruction before {inst.keyword} (only ARG may come first)",
                        r.line,
                        r.column,
                    )
                global_args.append(inst)
                for name, value in _arg_pairs(inst):
                    env[name] = None if value is None else expand_word(value, env, escape)[0]
            else:
                stage = stages[-1]
                stage.instructions.append(inst)
                inst.stage = stage.index
                if inst.inner is not None:
                    inst.inner.stage = stage.index
        if self.instructions and not stages:
            r = self.instructions[-1].keyword_region
            raise ParseError("no FROM instruction: the file has no build stage", r.line, r.column)
        return Dockerfile(
            directives=self.directives,
            escape=escape,
            instructions=self.instructions,
            stages=stages,
            global_args=global_args,
            lines=self.lines,
            comments=self.comments,
        )

    @staticmethod
    def _stage(
        inst: Instruction,
        index: int,
        env: dict[str, str | None],
        by_name: dict[str, int],
        escape: str,
    ) -> Stage:
        args = inst.args
        if len(args) not in (1, 3):
            r = inst.region
            raise ParseError("FROM requires either one or three arguments", r.line, r.column)
        name: str | None = None
        if len(args) == 3:
            if args[1].value.lower() != "as":
                r = args[1].region
                raise ParseError("second argument of FROM should be AS", r.line, r.column)
            name = args[2].value.lower()
            if not _STAGE_NAME.fullmatch(name):
                r = args[2].region
                raise ParseError(
                    f"invalid name for build stage: {args[2].value!r}, name can't start with a "
                    "number or contain symbols",
                    r.line,
                    r.column,
                )
            if name in by_name:
                r = args[2].region
                raise ParseError(f"duplicate stage name {name!r}", r.line, r.column)
        raw = args[0].value
        value, resolved = expand_word(raw, env, escape)
        if not resolved or not value:
            value, resolved = raw, False
        base = by_name.get(value.lower()) if resolved else None
        if resolved and base is None and value.lower() != "scratch":
            _check_reference(value, args[0].region)
        platform = inst.flag("platform")
        stage = Stage(
            index=index,
            name=name,
            from_instruction=inst,
            image=value,
            image_raw=raw,
            image_region=args[0].region,
            image_resolved=resolved,
            platform=platform.value if platform is not None else None,
            instructions=[inst],
            base_stage=base,
            is_scratch=resolved and value.lower() == "scratch",
        )
        inst.stage = index
        return stage


def _check_reference(value: str, region: Region) -> None:
    """BuildKit refuses a FROM image that is not a valid reference ("invalid reference format").

    Template placeholders (``debian:%%VERSION%%``, ``{{.Image}}``) end up here.  A malformed
    *digest* is left to the DF103 rule, which explains it better than a parse error.
    """
    from shiplint.sources.imageref import parse_image_ref

    ref = parse_image_ref(value)
    if ref.digest is not None:
        ref = replace(ref, digest=None, digest_valid=False)
    if not ref.is_valid:
        raise ParseError(
            f"invalid image reference in FROM: {shown(value, 80)!r} (BuildKit: invalid reference format)",
            region.line,
            region.column,
        )


def _arg_pairs(inst: Instruction) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for a in inst.args:
        name, eq, value = a.value.partition("=")
        pairs.append((name, value if eq else None))
    return pairs

