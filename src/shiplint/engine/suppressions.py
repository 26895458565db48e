"""In-source suppressions: comments in Dockerfiles and YAML, annotations on Kubernetes objects.

Syntax (one everywhere comments exist)::

    # shiplint ignore=DF101,base-image-not-pinned -- vendored image, pinned by the mirror
    # shiplint global ignore=KS101 -- the whole file

and, on an object's ``metadata`` or its pod template's ``metadata``::

    annotations:
      shiplint.io/ignore: "KS101,image-latest-tag"
      shiplint.io/ignore-reason: "pinned by the deploy pipeline"

What a suppression covers:

* a Dockerfile comment: the next instruction (all its lines and heredoc bodies), when only
  comment lines stand between them; a comment inside an instruction's continuation lines
  covers that instruction;
* a YAML comment on its own line: the key or sequence item that starts on the next line that is
  not a comment, with everything nested in it (a comment before ``securityContext:`` covers the
  whole block); at the end of a line: the key or item that starts on that line;
* ``global``: the whole file;
* an annotation: every finding on that object (findings carry the object's identity).

The engine asks :class:`SuppressionIndex` to mark findings (``suppressed`` and
``justification``) and to report the suppressions themselves: ``SL005`` for a rule name that
does not exist (or a malformed ``# shiplint`` comment), ``SL006`` for a suppression that
suppressed nothing.  ``--strict`` / ``strict: true`` turns all of it off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shiplint.core.findings import Finding, Region
from shiplint.registry.selection import finding_matches

ANNOTATION = "shiplint.io/ignore"
ANNOTATION_REASON = "shiplint.io/ignore-reason"

#: A comment that means to talk to shiplint (then it must parse, or it is reported).
_DIRECTIVE = re.compile(r"#\s*shiplint\s*:?\s*(?=(?:global|ignore|disable|skip|noqa)\b)", re.I)
_SUPPRESSION = re.compile(r"(?P<global>global\s+)?ignore\s*=\s*(?P<rest>.*)\Z", re.I | re.S)
_TOKEN = re.compile(r"[^\s,]+")
#: Targets a rule can never produce findings for, by kind of file.
_FOREIGN_TARGETS = {"dockerfile": {"resource", "project", "kustomization"}, "yaml": {"dockerfile"}}

USAGE = "expected '# shiplint ignore=RULE[,RULE…] [-- reason]' or '# shiplint global ignore=…'"


@dataclass
class Suppression:
    path: str
    region: Region  # of the comment or annotation value
    tokens: list[tuple[str, Region]]
    reason: str | None
    scope: str  # "lines", "global" or "resource"
    kind: str  # "dockerfile" or "yaml": what the file holds
    start: int = 0
    end: int = -1  # lines covered (scope "lines"); end < start: covers nothing (dangling)
    resource: str = ""  # identity, for annotations
    used: set = field(default_factory=set)  # indexes of the tokens that suppressed something

    @property
    def dangling(self) -> bool:
        return self.scope == "lines" and self.end < self.start


@dataclass
class Malformed:
    path: str
    region: Region
    text: str


def _specificity(s: Suppression) -> tuple:
    return ({"lines": 0, "resource": 1}.get(s.scope, 2), s.end - s.start)


def parse_comment(comment: str):
    """``(is_global, [(token, offset)], reason)`` for a ``# shiplint`` comment; ``None`` when
    the comment is not addressed to shiplint; ``False`` when it is but does not parse."""
    m = _DIRECTIVE.match(comment)
    if not m:
        return None
    body = comment[m.end():]
    s = _SUPPRESSION.match(body)
    if not s:
        return False
    rest = s.group("rest")
    rest_at = m.end() + s.start("rest")
    listed, sep, reason = rest.partition("--")
    tokens = [(t.group(), rest_at + t.start()) for t in _TOKEN.finditer(listed)]
    if not tokens:
        return False
    reason = " ".join(reason.split()) if sep else ""
    return bool(s.group("global")), tokens, reason or None


def _token_region(line: int, col: int, text: str) -> Region:
    return Region(line, col, line, col + len(text))


# -- YAML structure ------------------------------------------------------------------------------

def _yaml_spans(docs):
    """(outermost span end by start line, multi-line scalar intervals) of parsed documents."""
    from shiplint.sources.yamlsrc import YMap, YSeq

    spans: dict[int, int] = {}
    scalars: list[tuple[int, int]] = []
    seen: set[int] = set()
    stack = [d.data for d in docs if isinstance(d.data, (YMap, YSeq))]

    def last_line(pos, off) -> int:
        # a block node "ends" at column 0 of the line after its last character
        end = pos[2] + 1 + off
        return end - 1 if pos[3] == 0 and pos[2] > pos[0] else end

    def entry(start_pos, value_pos, value, off) -> None:
        start = start_pos[0] + 1 + off
        end = max(last_line(value_pos, off), start)
        if spans.get(start, 0) < end:
            spans[start] = end
        if isinstance(value, (YMap, YSeq)):
            stack.append(value)
        elif end > value_pos[0] + 1 + off:
            scalars.append((value_pos[0] + 1 + off, end))

    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        off = node.line_offset
        if isinstance(node, YMap):
            for k, v in node.items():
                entry(node.kpos[k], node.vpos[k], v, off)
        else:
            for i, v in enumerate(node):
                entry(node.ipos[i], node.ipos[i], v, off)
    return spans, scalars


def _comment_start(line: str) -> int:
    """Index of the ``#`` starting a comment in a YAML line, or -1 (quotes respected)."""
    quote = None
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if quote:
            if quote == '"' and ch == "\\":
                i += 2
                continue
            if ch == quote:
                if quote == "'" and i + 1 < n and line[i + 1] == "'":
                    i += 2
                    continue
                quote = None
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
        elif ch in "'\"" and (i == 0 or line[i - 1] in " \t[{,:-"):
            quote = ch
        i += 1
    return -1


# -- the index ----------------------------------------------------------------------------------

class SuppressionIndex:
    """Every suppression found while checking; applied to all findings at the end of a run."""

    def __init__(self) -> None:
        self.by_path: dict[str, list[Suppression]] = {}
        self.by_resource: dict[str, list[Suppression]] = {}
        self.malformed: list[Malformed] = []

    def _add(self, s: Suppression) -> None:
        if s.scope == "resource":
            self.by_resource.setdefault(s.resource, []).append(s)
        else:
            self.by_path.setdefault(s.path, []).append(s)

    # -- collecting ------------------------------------------------------------------------------
    def merge(self, other: "SuppressionIndex") -> None:
        """Add what another input's index collected (one index per input, folded per run)."""
        for path, group in other.by_path.items():
            self.by_path.setdefault(path, []).extend(group)
        for res, group in other.by_resource.items():
            self.by_resource.setdefault(res, []).extend(group)
        self.malformed.extend(other.malformed)

    def add_dockerfile(self, path: str, df) -> None:
        comment_lines = {line for line, _ in df.comments}
        insts = df.instructions
        spans = []
        for inst in insts:
            end = inst.region.end_line
            for holder in (inst, inst.inner):
                for h in getattr(holder, "heredocs", None) or ():
                    end = max(end, h.terminator_line or h.region.end_line)
            spans.append((inst.region.line, end))
        for line, _text in df.comments:
            raw = df.lines[line - 1] if 0 < line <= len(df.lines) else _text
            lead = len(raw) - len(raw.lstrip())
            directive = self._directive(path, line, lead, raw.strip(), "dockerfile")
            if directive is None:
                continue
            region, toks, reason = directive
            start, end = 0, -1
            for s, e in spans:
                if s <= line <= e:  # a comment among an instruction's continuation lines
                    start, end = s, e
                    break
                if s > line:
                    if all(n in comment_lines for n in range(line + 1, s)):
                        start, end = s, e
                    break
            self._add(Suppression(path, region, toks, reason, "lines", "dockerfile", start, end))

    def _directive(self, path: str, line: int, col0: int, comment: str, source: str):
        """Read one ``# shiplint …`` comment starting at 0-based column ``col0`` of ``line``.

        A malformed one is recorded (SL005), a global one is registered; for a local one the
        caller gets ``(region, tokens with regions, reason)`` to attach it to what it covers."""
        parsed = parse_comment(comment)
        if parsed is None:
            return None
        region = Region(line, col0 + 1, line, col0 + 1 + len(comment))
        if parsed is False:
            self.malformed.append(Malformed(path, region, comment))
            return None
        is_global, tokens, reason = parsed
        toks = [(t, _token_region(line, col0 + 1 + off, t)) for t, off in tokens]
        if is_global:
            self._add(Suppression(path, region, toks, reason, "global", source))
            return None
        return region, toks, reason

    def add_yaml(self, path: str, text: str, docs) -> None:
        lines = text.splitlines()
        spans, scalars = _yaml_spans([d for d in docs if hasattr(d, "data")])

        def in_scalar(n: int) -> bool:
            return any(s < n <= e for s, e in scalars)

        def is_comment_line(n: int) -> bool:
            return 0 < n <= len(lines) and lines[n - 1].lstrip().startswith("#") and not in_scalar(n)

        for idx, raw in enumerate(lines):
            if "shiplint" not in raw:
                continue
            number = idx + 1
            at = _comment_start(raw)
            if at < 0 or in_scalar(number):
                continue
            directive = self._directive(path, number, at, raw[at:].rstrip(), "yaml")
            if directive is None:
                continue
            region, toks, reason = directive
            if raw[:at].strip():  # end of line: the key or item on this line
                target = number
            else:
                target = number + 1
                while is_comment_line(target):
                    target += 1
                if target > len(lines) or not lines[target - 1].strip():
                    self._add(Suppression(path, region, toks, reason, "lines", "yaml", 0, -1))
                    continue
            end = max(spans.get(target, target), target)
            self._add(Suppression(path, region, toks, reason, "lines", "yaml", target, end))

    def add_resource(self, resource) -> None:
        """Annotations on the object's metadata and on its pod template's metadata."""
        from shiplint.sources.yamlsrc import YMap

        holders = []
        md = resource.data.get("metadata")
        if isinstance(md, YMap):
            holders.append(md.get("annotations"))
        for pod in resource.pod_templates():
            tmd = resource.get(pod.metadata_path) if pod.metadata_path else None
            if isinstance(tmd, YMap):
                holders.append(tmd.get("annotations"))
        for ann in holders:
            if not isinstance(ann, YMap) or ANNOTATION not in ann:
                continue
            value = ann[ANNOTATION]
            region = ann.value_region(ANNOTATION) or resource.anchor
            text = "" if value is None else str(value)
            reason = ann.get(ANNOTATION_REASON)
            reason = " ".join(str(reason).split()) if reason is not None else None
            shift = 1 if region.end_line == region.line and region.end_column - region.column == len(text) + 2 else 0
            single = region.end_line == region.line and region.end_column - region.column in (len(text), len(text) + 2)
            toks = []
            for t in _TOKEN.finditer(text):
                if single:
                    toks.append((t.group(), _token_region(region.line, region.column + shift + t.start(), t.group())))
                else:
                    toks.append((t.group(), region))
            if not toks:
                self.malformed.append(Malformed(resource.path, region, f"{ANNOTATION}: {text!r}"))
                continue
            self._add(Suppression(resource.path, region, toks, reason or None, "resource", "yaml",
                                  resource=resource.identity))

    # -- applying --------------------------------------------------------------------------------
    def apply(self, findings: list[Finding], matcher, ran: dict, stamp) -> list[Finding]:
        """Mark suppressed findings; return them with the SL005/SL006 findings added.

        ``matcher``: a :class:`~shiplint.registry.selection.RuleMatcher` over every known rule
        (names are checked against it); ``ran``: the rules that ran (only those can prove a
        suppression unused); ``stamp(code, message, path, region, subject)`` makes an engine
        finding (empty when the rule is not selected)."""
        matching = matcher.matching
        for f in findings:
            if f.code in ("SL005", "SL006"):
                continue
            rule = matcher.rules.get(f.code)
            candidates = list(self.by_path.get(f.path, ()))
            if f.resource and f.resource in self.by_resource:
                same = [s for s in self.by_resource[f.resource] if s.path == f.path]
                candidates += same or self.by_resource[f.resource]
            if len(candidates) > 1:  # the closest suppression gives the justification
                candidates.sort(key=_specificity)
            for s in candidates:
                if s.scope == "lines" and not (s.start <= f.region.line <= s.end):
                    continue
                for i, (tok, _r) in enumerate(s.tokens):
                    if rule is not None and finding_matches(tok, rule, f.properties):
                        s.used.add(i)
                        if not f.suppressed:
                            f.suppressed = True
                            f.justification = s.reason
                        elif s.reason and not f.justification:
                            f.justification = s.reason
        extra: list[Finding] = []
        for m in self.malformed:
            extra += stamp("SL005", f"not a valid suppression: {USAGE}", m.path, m.region, f"malformed:{m.text}")
        everything = [s for group in self.by_path.values() for s in group]
        everything += [s for group in self.by_resource.values() for s in group]
        for s in everything:
            where = "annotation" if s.scope == "resource" else "comment"
            for i, (tok, region) in enumerate(s.tokens):
                rules = matching(tok)
                if not rules:
                    extra += stamp("SL005", f"suppression {where} names unknown rule '{tok}' (see 'shiplint rules')",
                                   s.path, region, f"{s.resource or s.scope}:unknown:{tok}")
                    continue
                if i in s.used:
                    continue
                foreign = _FOREIGN_TARGETS.get(s.kind, set())
                if s.dangling:
                    why = "it is not directly followed by anything it could apply to"
                elif all(r.target in foreign for r in rules):
                    why = f"{tok} never applies to a {'Dockerfile' if s.kind == 'dockerfile' else 'YAML file'}"
                elif any(r.code in ran for r in rules):
                    if s.scope == "global":
                        why = f"no {tok} finding in this file"
                    elif s.scope == "resource":
                        why = f"no {tok} finding on {s.resource}"
                    elif s.start == s.end:
                        why = f"no {tok} finding on line {s.start}"
                    else:
                        why = f"no {tok} finding on lines {s.start}-{s.end}"
                else:
                    continue  # the rule did not run: cannot tell
                extra += stamp("SL006", f"suppression of '{tok}' is unused: {why}", s.path, region,
                               f"{s.resource or s.scope}:unused:{tok}")
        return findings + extra
