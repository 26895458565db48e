"""A small POSIX-shell splitter for ``RUN`` commands: scripts into commands, commands into words.

This is not a shell parser.  It splits a script into simple commands at ``&&``, ``||``, ``;``,
``|``, ``|&``, ``&``, ``(``, ``)`` and newlines, and each command into words with quotes removed.
``$(...)``, ``${...}`` and backquotes stay inside the word they belong to; ``#`` at the start of
a word starts a comment.  It never raises: an unterminated quote or substitution simply runs to
the end of the script.  Offsets (``start``/``end``) are indices into the script string, so a
Dockerfile rule can map them with ``Instruction.region_of``.

On top of the words, each :class:`Command` knows its effective :attr:`~Command.program`: leading
``VAR=value`` assignments, redirections, shell keywords (``if``, ``then``, ``do``, ...) and
wrappers (``sudo``, ``env``, ``command``, ``exec``, ``nice``, ``time``, ``nohup``, ``timeout``,
``xargs``) are skipped.  In ``case`` statements the patterns are skipped (their ``|`` is not a
pipe) and each branch body is split as usual.

What the commands mean (package managers, ``curl | sh``) is :mod:`shiplint.model.packages`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Command", "Word", "split_commands"]


@dataclass(slots=True)
class Word:
    value: str  # quotes and escapes removed; substitutions kept as written
    raw: str  # as written in the script
    start: int
    end: int  # exclusive


@dataclass(slots=True, eq=False)
class Command:
    words: list[Word]
    start: int
    end: int
    operator_before: str | None  # "&&", "||", ";", "|", "|&", "&", "\n", "(", ")" or None
    program: str | None = None  # effective program as written (may be a path)
    args: list[Word] = field(default_factory=list)  # words after the program, no redirections
    program_word: Word | None = None
    assignments: list[Word] = field(default_factory=list)  # leading NAME=value words
    wrappers: list[str] = field(default_factory=list)  # e.g. ["sudo", "env"]
    redirects: list[Word] = field(default_factory=list)  # redirection words and their targets

    @property
    def name(self) -> str | None:
        """Base name of the program (``/usr/bin/apt-get`` -> ``apt-get``)."""
        return _basename(self.program) if self.program is not None else None

    @property
    def arg_values(self) -> list[str]:
        return [w.value for w in self.args]


# ---------------------------------------------------------------------------------------------
# Tokenizer

_BLANK = " \t\r\f\v"
_WORD_BREAK = frozenset(" \t\r\f\v\n;|()")
_PLAIN = re.compile(r"""[^ \t\r\f\v\n'"\\$`;&|()]+""")
_DQ_PLAIN = re.compile(r'[^"\\$`]+')
_BACKTICK_BODY = re.compile(r"[^`\\]*(?:\\[\s\S][^`\\]*)*")
_SUBST_PLAIN = re.compile(r"""[^\\'"`()]+""")
_SUBST_DQ_PLAIN = re.compile(r'[^"\\$`]+')
_OPERATORS = ("&&", "||", ";;", "|&", ";", "|", "&", "\n", "(", ")")
_BINARY_OPS = frozenset({"&&", "||", "|", "|&"})


def _skip_backticks(s: str, i: int) -> int:
    """``s[i]`` is a backquote; return the index after its closing one (or len(s))."""
    j = _BACKTICK_BODY.match(s, i + 1).end()
    return j + 1 if j < len(s) and s[j] == "`" else len(s)



def _expansion_end(s: str, i: int) -> int | None:
    """The end of the ``$(…)``, ``${…}`` or backtick expansion starting at ``i``, kept whole
    inside a word (quoted or not); ``None`` when none starts there."""
    c = s[i]
    if c == "`":
        return _skip_backticks(s, i)
    if c == "$" and i + 1 < len(s):
        if s[i + 1] == "(":
            return _skip_subst(s, i)
        if s[i + 1] == "{":
            return _skip_braces(s, i)
    return None

def _skip_subst(s: str, i: int) -> int:
    """``s[i:i+2] == "$("``; return the index after the matching ``)`` (or len(s))."""
    n = len(s)
    stack = [")"]
    i += 2
    while i < n and stack:
        top = stack[-1]
        c = s[i]
        if top == '"':
            if c == "\\":
                i += 2
            elif c == '"':
                stack.pop()
                i += 1
            elif c == "$" and i + 1 < n and s[i + 1] == "(":
                stack.append(")")
                i += 2
            elif c == "`":
                i = _skip_backticks(s, i)
            else:
                m = _SUBST_DQ_PLAIN.match(s, i)
                i = m.end() if m else i + 1
            continue
        if c == "\\":
            i += 2
        elif c == "'":
            j = s.find("'", i + 1)
            i = n if j < 0 else j + 1
        elif c == '"':
            stack.append('"')
            i += 1
        elif c == "`":
            i = _skip_backticks(s, i)
        elif c == "(":
            stack.append(")")
            i += 1
        elif c == ")":
            stack.pop()
            i += 1
        else:
            m = _SUBST_PLAIN.match(s, i)
            i = m.end() if m else i + 1
    return min(i, n)


def _skip_braces(s: str, i: int) -> int:
    """``s[i:i+2] == "${"``; return the index after the matching ``}`` (or len(s))."""
    n = len(s)
    depth = 1
    i += 2
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "$" and i + 1 < n and s[i + 1] == "{":
            depth += 1
            i += 2
            continue
        if c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _read_word(s: str, i: int) -> tuple[int, str]:
    """Read one word starting at ``s[i]``; return (end, unquoted value)."""
    n = len(s)
    start = i
    buf: list[str] = []
    while i < n:
        c = s[i]
        if c in _WORD_BREAK:
            break
        if c == "&":
            # part of a redirection: >&2, <&0, &>file
            if (i > start and s[i - 1] in "<>") or (i == start and i + 1 < n and s[i + 1] == ">"):
                buf.append(c)
                i += 1
                continue
            break
        if c == "'":
            j = s.find("'", i + 1)
            if j < 0:
                buf.append(s[i + 1 :])
                i = n
            else:
                buf.append(s[i + 1 : j])
                i = j + 1
        elif c == '"':
            i += 1
            while i < n:
                c = s[i]
                if c == '"':
                    i += 1
                    break
                if c == "\\":
                    if i + 1 < n:
                        nxt = s[i + 1]
                        if nxt in '"\\$`':
                            buf.append(nxt)
                        elif nxt != "\n":
                            buf.append(c + nxt)
                    i += 2
                elif (j := _expansion_end(s, i)) is not None:
                    buf.append(s[i:j])
                    i = j
                else:
                    m = _DQ_PLAIN.match(s, i)
                    if m:
                        buf.append(m.group())
                        i = m.end()
                    else:
                        buf.append(c)
                        i += 1
        elif c == "\\":
            if i + 1 < n:
                if s[i + 1] != "\n":
                    buf.append(s[i + 1])
                i += 2
            else:
                buf.append(c)
                i += 1
        elif (j := _expansion_end(s, i)) is not None:
            buf.append(s[i:j])
            i = j
        else:
            m = _PLAIN.match(s, i)
            if m:
                buf.append(m.group())
                i = m.end()
            else:
                buf.append(c)
                i += 1
    return min(i, n), "".join(buf)


def _pick_operator(pending: list[str]) -> str | None:
    picked: str | None = None
    for op in pending:
        if op in ("(", ")"):
            continue
        if op == "\n" and picked in _BINARY_OPS:
            continue  # a newline after && / || / | continues the list
        picked = op
    if picked is None and pending:
        picked = pending[-1]
    return picked


def split_commands(script: str) -> list[Command]:
    """Split a shell script into simple commands.  Never raises."""
    if not isinstance(script, str):
        return []
    s = script
    n = len(s)
    commands: list[Command] = []
    words: list[Word] = []
    pending: list[str] = []
    # ``case WORD in PATTERN | PATTERN) ... ;; esac``: one entry per open case, "subject",
    # "in", "pattern" or "body".  Patterns are not commands and their ``|`` is not a pipe.
    cases: list[str] = []
    i = 0

    def flush() -> None:
        if words:
            op = _pick_operator(pending) if commands else None
            cmd = Command(list(words), words[0].start, words[-1].end, op)
            _analyze(cmd)
            commands.append(cmd)
            words.clear()
            pending.clear()

    while i < n:
        c = s[i]
        if c in _BLANK:
            i += 1
            continue
        if c == "\\" and i + 1 < n and s[i + 1] == "\n":
            i += 2
            continue
        if c == "#":
            j = s.find("\n", i)
            i = n if j < 0 else j
            continue
        state = cases[-1] if cases else None
        if state == "pattern" and c in "|()\n":
            if c == ")":
                cases[-1] = "body"
            i += 1
            continue
        if c in ";|()\n" or (c == "&" and not s.startswith("&>", i)):
            op = next(o for o in _OPERATORS if s.startswith(o, i))
            flush()
            if op == ";;" and state == "body":
                cases[-1] = "pattern"
                if s.startswith("&", i + 2):  # ;;&
                    i += 1
            elif op == ";" and state == "body" and s.startswith("&", i + 1):  # ;&
                cases[-1] = "pattern"
                i += 1
            else:
                pending.append(op)
            i += len(op)
            continue
        end, value = _read_word(s, i)
        if end <= i:  # cannot happen; never loop forever
            end = i + 1
            value = s[i]
        raw = s[i:end]
        if value == raw:  # most words have no quotes: one string for both (a RUN may be huge)
            value = raw
        if state == "pattern":
            if raw == "esac":
                cases.pop()
            i = end
            continue
        if state == "body" and not words and raw == "esac":
            cases.pop()
            i = end
            continue
        if state == "subject":
            cases[-1] = "in"
        elif state == "in" and raw == "in":
            cases[-1] = "pattern"
            words.append(Word(value, raw, i, end))
            flush()  # ``case WORD in`` is one command; the branches are others
            i = end
            continue
        elif not words and raw == "case":
            cases.append("subject")
        words.append(Word(value, raw, i, end))
        i = end
    flush()
    return commands


# ---------------------------------------------------------------------------------------------
# Command analysis

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_REDIRECT = re.compile(r"(?:\d+|\{[A-Za-z_][A-Za-z0-9_]*\})?(?:&>>|&>|>>|>&|>\||<<<|<<-|<<|<&|<>|>|<)")
_KEYWORDS = frozenset({"!", "{", "then", "do", "else", "elif", "if", "while", "until"})

# wrapper -> (options taking a value, number of positional words before the program)
_WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "sudo": (frozenset({"-u", "-g", "-U", "-C", "-D", "-p", "-r", "-t", "-T", "-h", "--user",
                        "--group", "--other-user", "--close-from", "--chdir", "--prompt",
                        "--role", "--type", "--command-timeout", "--host"}), 0),
    "env": (frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}), 0),
    "command": (frozenset(), 0),
    "exec": (frozenset({"-a"}), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "time": (frozenset({"-f", "-o", "--format", "--output"}), 0),
    "nohup": (frozenset(), 0),
    "timeout": (frozenset({"-s", "-k", "--signal", "--kill-after"}), 1),
    "xargs": (frozenset({"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file",
                         "--delimiter", "--max-args", "--max-procs", "--max-chars",
                         "--max-lines", "--process-slot-var"}), 0),
}


def _basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1] if "/" in path else path


def _analyze(cmd: Command) -> None:
    words: list[Word] = []
    k = 0
    ws = cmd.words
    while k < len(ws):
        w = ws[k]
        m = _REDIRECT.match(w.raw)
        if m:
            cmd.redirects.append(w)
            if m.end() == len(w.raw) and k + 1 < len(ws):
                cmd.redirects.append(ws[k + 1])
                k += 1
        else:
            words.append(w)
        k += 1

    k = 0
    while k < len(words):
        w = words[k]
        if _ASSIGNMENT.match(w.raw):
            cmd.assignments.append(w)
            k += 1
            continue
        if w.raw in _KEYWORDS:
            k += 1
            continue
        wrapper = _WRAPPERS.get(_basename(w.value))
        if wrapper is None:
            break
        name = _basename(w.value)
        takes_value, positional = wrapper
        wrapper_at = k
        k += 1
        stop = False
        while k < len(words):
            v = words[k].value
            if v == "--":
                k += 1
                break
            if name == "nice" and re.fullmatch(r"-\d+", v):
                k += 1
                continue
            if not v.startswith("-") or v == "-":
                if name == "env" and v == "-":
                    k += 1
                    continue
                break
            if name == "command" and v in ("-v", "-V"):
                stop = True  # `command -v x` looks a program up, it does not run it
                break
            opt, eq, _ = v.partition("=")
            k += 2 if (opt in takes_value and not eq) else 1
        if stop:
            k = wrapper_at
            break
        k += positional
        cmd.wrappers.append(name)
    if k < len(words):
        cmd.program_word = words[k]
        cmd.program = words[k].value
        cmd.args = words[k + 1 :]
