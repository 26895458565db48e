"""Dockerfiles read the way BuildKit reads them, with exact positions.

``parse_dockerfile(text)`` returns a :class:`Dockerfile` (directives, instructions with flags,
arguments and heredocs, build stages) or raises :class:`~shiplint.core.errors.ParseError`, and
nothing else.  The package has three parts:

* :mod:`.syntax`: the tree (``Directive`` … ``Dockerfile``), plain data with regions;
* :mod:`.parser`: text to tree (lines, directives, continuations, heredocs, stages) — see its
  docstring for what "the way BuildKit does" covers;
* :mod:`.expand`: words — ``$VAR`` expansion and quote removal.

Plugins import from here (``from shiplint.sources.dockerfile import Dockerfile, parse_dockerfile``);
the views rules use on top of the tree (stages that ship, RUN scripts, the effective user) are in
:mod:`shiplint.model.dockerfile`.
"""

from shiplint.sources.dockerfile.expand import expand_word, strip_quotes, unquote
from shiplint.sources.dockerfile.parser import parse_dockerfile
from shiplint.sources.dockerfile.syntax import (
    KEYWORDS,
    Arg,
    Directive,
    Dockerfile,
    Flag,
    Heredoc,
    Instruction,
    Stage,
)

__all__ = [
    "Arg",
    "Directive",
    "Dockerfile",
    "Flag",
    "Heredoc",
    "Instruction",
    "KEYWORDS",
    "Stage",
    "expand_word",
    "parse_dockerfile",
    "strip_quotes",
    "unquote",
]
