"""Exceptions shared by every layer of shiplint.

Sources raise :class:`ParseError` when a file cannot be read as what it claims to be; the
engine turns it into an ``SL001`` finding.  :class:`UsageError` is a problem with how shiplint
was invoked or configured (exit status 2).  Nothing else is expected to escape a source.
"""

from __future__ import annotations


class ShiplintError(Exception):
    """Base class of every error shiplint raises on purpose."""


class ParseError(ShiplintError):
    """A file (or one document in it) could not be parsed.

    ``line`` and ``column`` are 1-based and point at the place the problem was noticed.
    """

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(1, int(line))
        self.column = max(1, int(column))

    def __str__(self) -> str:  # pragma: no cover - trivial
        return f"{self.message} (line {self.line}, column {self.column})"


class UsageError(ShiplintError):
    """Bad command line or configuration: reported in one message, exit status 2."""


class RuleUnavailable(ShiplintError):
    """A rule cannot give an answer here: a tool it runs is missing, failed or timed out.

    Raised by a rule's check; the engine turns it into a notification (each message once per
    run) instead of a rule failure, and the other rules and files go on."""
