"""Positions and findings: the vocabulary shared by sources, rules, engine and reporters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LEVELS = ("error", "warning", "note")
#: Higher is more severe; used for ``--fail-on`` thresholds.
LEVEL_RANK = {"note": 1, "warning": 2, "error": 3}


@dataclass(frozen=True, order=True)
class Region:
    """A span of text, 1-based.  ``end_column`` is exclusive (SARIF semantics):

    the region of ``abc`` at the start of line 3 is ``Region(3, 1, 3, 4)``.
    """

    line: int
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None

    def __post_init__(self) -> None:
        if self.end_line is None:
            object.__setattr__(self, "end_line", self.line)
        if self.end_column is None:
            object.__setattr__(self, "end_column", self.column)

    def to_dict(self) -> dict[str, int]:
        return {
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }


@dataclass(frozen=True, order=True)
class MalformedRegion(Region):
    """The region of a node of the wrong type (a string or a list where a mapping belongs…) on
    the way to a field a rule looked for.  The field is not missing, the object is malformed:
    the model answers "where does the finding about the missing field point" with this region,
    and the engine drops such a hit, because the wrong-type finding (KV102) on that node already
    says what is wrong, and any claim about what the node "lacks" would be noise beside it."""


@dataclass(frozen=True)
class Location:
    """A region in a file, with an optional description (used for related locations)."""

    path: str
    region: Region
    message: str | None = None


#: Fix safeties, safest first: a ``safe`` fix keeps what the file means at run time; an
#: ``unsafe`` one may change behaviour and is applied only with ``--unsafe-fixes``.
SAFETIES = ("safe", "unsafe")


@dataclass(frozen=True)
class Edit:
    """Replace the text of ``region`` by ``text``; an empty region (end == start) inserts.

    Lines in ``text`` end in ``"\\n"``: the fixer writes them with the file's own line ending."""

    region: Region
    text: str


@dataclass
class Fix:
    """A rule's repair of its finding: edits of the finding's file, applied all or none.

    ``safety`` is the rule's declared safety (its metadata ``autofix``) unless the check marks this
    one fix ``unsafe`` (a case where the repair may change behaviour); it is never made safer."""

    description: str
    edits: list[Edit]
    safety: str | None = None

    def to_dict(self) -> dict:
        return {
            "description": self.description,
            "safety": self.safety,
            "edits": [{"region": e.region.to_dict(), "text": e.text} for e in self.edits],
        }


class Source:
    """The text of the file being checked, for checks that build fixes (edits are positions in
    it); its lines are split once, on first use, for every check of the file."""

    __slots__ = ("text", "_lines")

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None

    def __reduce__(self):
        # the text alone crosses to and from --jobs workers: the lines are split again on use
        return (Source, (self.text,))

    @property
    def lines(self) -> list[str]:
        """The lines, split on ``"\\n"`` (a CRLF line keeps its ``"\\r"``)."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines


@dataclass
class Hit:
    """What a rule yields: the engine turns it into a :class:`Finding`.

    ``subject`` identifies the offending thing independently of line numbers (for example
    ``Deployment/app/api:containers[web].image``); it feeds fingerprints and baselines.
    ``path`` and ``region`` default to the document being checked.
    """

    message: str
    region: Region
    subject: str = ""
    path: str | None = None
    related: list[Location] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    #: ``Kind/namespace/name`` of the object the finding is about, when a project rule knows it
    #: (resource rules get it from the engine); annotations suppress by it.
    resource: str = ""
    #: The automatic repair, when the rule declares ``autofix`` and can repair this case.
    fix: Fix | None = None


class Deferred:
    """What a rule yields instead of hits when they come from an external tool that is cheaper
    run once for many subjects than once for each (ShellCheck): the engine gives every
    ``Deferred`` of a run to one instance of its ``batch`` class and turns the answers into
    findings of the rule, on the file being checked, after the inputs are checked.

    A subclass must pickle (``--jobs`` workers send it to the parent) and sets:

    * ``batch``: a class built with no argument, once per run; ``add(deferred)`` takes one (it
      may start work in the background), ``results()`` then yields ``(deferred, answer)`` for
      each one added, the answer being an exception (:class:`~shiplint.core.errors.RuleUnavailable`
      for a missing or failing tool) or what ``hits`` reads; ``close()`` stops what still runs;
    * ``hits(answer)``: the rule's :class:`Hit` objects from the answer.
    """

    batch: type

    def hits(self, answer) -> list[Hit]:
        raise NotImplementedError


@dataclass
class Finding:
    """One result, stamped by the engine with the rule's code, name and level."""

    code: str
    name: str
    level: str
    message: str
    path: str
    region: Region
    subject: str = ""
    related: list[Location] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    suppressed: bool = False
    justification: str | None = None
    fingerprint: str = ""
    #: ``Kind/namespace/name`` of the object the finding is about ("" when none).
    resource: str = ""
    #: The automatic repair of the finding (edits of ``path``), or None.
    fix: Fix | None = None

    def sort_key(self) -> tuple:
        r = self.region
        return (self.path, r.line, r.column, self.code, r.end_line, r.end_column, self.message)
