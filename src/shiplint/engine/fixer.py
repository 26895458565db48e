"""Applying the fixes that rules attach to their findings (``check --fix``, ``--diff``).

A fix is a list of positional edits of the finding's file (:class:`~shiplint.core.findings.Fix`).
The fixer works in rounds: check, apply every fix that does not overlap another one already taken
in the same file, check the fixed text again, and so on until a round applies nothing (or
:data:`MAX_ROUNDS`), so that fixes that insert at the same place (two settings that both create a
container's ``securityContext``) land one after the other, each against the file as it now is.
Between rounds the fixed text stays in memory (``Input.text``); files are written once, at the
end, each atomically.

What is never fixed: a suppressed finding, a finding the run did not report (rule not selected,
``per-file-ignores``, baseline), a file with a parse error (nor a file a fix would make
unparsable: it is left as it was), Helm charts and Kustomize renders (the render is not the file;
the findings say where to change the chart), standard input, a symlink.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field

from shiplint.core.findings import Finding

#: Enough for every setting of a container to be inserted one after another, with a margin;
#: a fix that keeps re-applying cannot loop for ever.
MAX_ROUNDS = 12

_BOM = "\ufeff".encode()
#: Input kinds whose text is the file itself (a chart or a kustomization is rendered; a CI
#: pipeline has no fixable rule).
_EDITABLE_KINDS = (None, "dockerfile", "yaml", "compose")


@dataclass
class FileFixes:
    """One file being fixed: its bytes as read, its current text, what was applied."""

    display: str
    abspath: str
    original: bytes
    bom: bool
    text: str
    applied: list[Finding] = field(default_factory=list)

    def data(self) -> bytes:
        return (_BOM if self.bom else b"") + self.text.encode("utf-8")

    @property
    def changed(self) -> bool:
        return self.data() != self.original


@dataclass
class FixOutcome:
    report: object  # the Report of the last round: what remains
    before: int  # active findings before any fix
    files: dict[str, FileFixes] = field(default_factory=dict)
    #: what could not be done, one line each (shown on stderr)
    notes: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    #: fixes left out because they are unsafe and --unsafe-fixes was not given
    unsafe_skipped: int = 0
    #: findings of fixable rules in renders (Helm, Kustomize): not fixed
    in_renders: list[Finding] = field(default_factory=list)

    @property
    def changed_files(self) -> list[FileFixes]:
        return [f for f in self.files.values() if f.changed]

    @property
    def fixed(self) -> int:
        return sum(len(f.applied) for f in self.changed_files)


# -- edits -----------------------------------------------------------------------------------------
def _line_starts(text: str) -> list[int]:
    starts = [0]
    i = text.find("\n")
    while i != -1:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


def _offset(text: str, starts: list[int], line: int, column: int) -> int | None:
    """Offset of a 1-based (line, column) in ``text``; None when it is not in the text."""
    if not 1 <= line <= len(starts) or column < 1:
        return None
    start = starts[line - 1]
    end = starts[line] - 1 if line < len(starts) else len(text)  # the "\n" (or the end)
    off = start + column - 1
    return off if off <= end else None


def _spans(text: str, starts: list[int], fix) -> list[tuple[int, int, str]] | None:
    out = []
    for e in fix.edits:
        r = e.region
        a = _offset(text, starts, r.line, r.column)
        b = _offset(text, starts, r.end_line, r.end_column)
        if a is None or b is None or b < a:
            return None
        out.append((a, b, e.text))
    out.sort()
    for (a1, b1, _), (a2, b2, _) in zip(out, out[1:]):
        if _overlap(a1, b1, a2, b2):
            return None
    return out


def _overlap(a1: int, b1: int, a2: int, b2: int) -> bool:
    # two edits starting at the same place have no defined order: they overlap
    return a1 == a2 or (a1 < b2 and a2 < b1)


def apply_fixes(text: str, findings: list[Finding]) -> tuple[str, list[Finding]]:
    """``text`` with the fixes of ``findings`` applied, and the findings whose fix was applied.

    A fix applies whole or not at all; one whose edits overlap a fix taken before it (in order
    of position, then rule code) waits for the next round.  Lines the edits add get the file's
    line ending."""
    starts = _line_starts(text)
    crlf = text.count("\r\n") * 2 > text.count("\n")
    candidates = []
    for f in findings:
        spans = _spans(text, starts, f.fix)
        if spans:
            candidates.append((spans[0][0], f.code, spans, f))
    candidates.sort(key=lambda c: (c[0], c[1]))
    taken: list[tuple[int, int, str]] = []
    applied: list[Finding] = []
    for _, _, spans, f in candidates:
        if any(_overlap(a, b, ta, tb) for a, b, _ in spans for ta, tb, _ in taken):
            continue
        taken.extend(spans)
        applied.append(f)
    for a, b, new in sorted(taken, reverse=True):
        if crlf:
            new = new.replace("\r\n", "\n").replace("\n", "\r\n")
        text = text[:a] + new + text[b:]
    return text, applied


# -- rounds ----------------------------------------------------------------------------------------
def _broken(report, display: str) -> bool:
    """Whether the run could not parse ``display`` (an SL001 finding or an error notice)."""
    if any(f.path == display and f.code == "SL001" for f in report.findings):
        return True
    return any(n.path == display and n.level == "error" and n.kind == "notice" for n in report.notifications)


def run_fixes(engine, paths: list[str], stdin_text=None, unsafe: bool = False, progress=None) -> FixOutcome:
    """Check ``paths`` and fix them in memory until nothing more applies; nothing is written
    (see :func:`write_fixes`)."""
    from shiplint.core.fsutil import read_regular
    from shiplint.inputs.reading import decode

    inputs = engine.collect(paths)
    by_display = {i.display: i for i in inputs if i.abspath and i.kind in _EDITABLE_KINDS and i.report}
    report = engine.run_inputs(inputs, stdin_text, progress)
    outcome = FixOutcome(report, len(report.active()))
    frozen = {d for d in by_display if _broken(report, d)}
    rules = engine.all_rules
    for _ in range(MAX_ROUNDS):
        wanted: dict[str, list[Finding]] = {}
        outcome.unsafe_skipped = 0
        outcome.in_renders = []
        for f in report.active():
            if f.fix is None:
                r = rules.get(f.code)
                if r is not None and r.meta.autofix and f.path not in by_display:
                    outcome.in_renders.append(f)
                continue
            if f.fix.safety == "unsafe" and not unsafe:
                outcome.unsafe_skipped += 1
                continue
            if f.path in by_display and f.path not in frozen:
                wanted.setdefault(f.path, []).append(f)
        last: dict[str, tuple[str, int]] = {}
        for display, found in sorted(wanted.items()):
            ff = outcome.files.get(display)
            if ff is None:
                inp = by_display[display]
                if os.path.islink(inp.abspath):
                    outcome.notes.append(f"{display}: a symlink; not fixed (fix the file it points to)")
                    frozen.add(display)
                    continue
                try:
                    data = read_regular(inp.abspath, engine.options.max_file_size)
                    ff = FileFixes(display, inp.abspath, data, data.startswith(_BOM), decode(data))
                except Exception as exc:  # gone, unreadable or no longer UTF-8 since the check
                    outcome.notes.append(f"{display}: not fixed: {exc}")
                    frozen.add(display)
                    continue
                outcome.files[display] = ff
            new, applied = apply_fixes(ff.text, found)
            if applied and new != ff.text:
                last[display] = (ff.text, len(ff.applied))
                ff.text = new
                ff.applied += applied
                by_display[display].text = ff.data()
        if not last:
            break
        report = engine.run_inputs(inputs, stdin_text)
        broken = [d for d in last if _broken(report, d)]
        for display in broken:  # a fix must never leave a file unparsable: undo the round
            ff = outcome.files[display]
            ff.text, kept = last[display]
            del ff.applied[kept:]
            by_display[display].text = ff.data()
            frozen.add(display)
            outcome.notes.append(f"{display}: the fixes of this round made it unparsable; left as before them "
                                 "(please report it)")
        if broken:
            report = engine.run_inputs(inputs, stdin_text)
    outcome.report = report
    return outcome


def write_fixes(outcome: FixOutcome) -> None:
    """Write every changed file atomically; a file changed on disk since it was read is left alone."""
    from shiplint.core.fsutil import read_regular, write_atomic

    for ff in outcome.changed_files:
        try:
            now = read_regular(ff.abspath, len(ff.original) + 1)
        except OSError:
            now = None
        if now != ff.original:
            outcome.notes.append(f"{ff.display}: changed on disk while being fixed; not written")
            continue
        try:
            # a symlink is refused (the rename would replace the link, and following it would
            # write outside what was checked); the permission bits are kept, the data synced
            write_atomic(ff.abspath, ff.data(), keep_mode=True, fsync=True)
        except OSError as exc:
            outcome.notes.append(f"{ff.display}: not written: {exc.strerror or exc}")
            continue
        outcome.written.append(ff.display)


def unified_diff(outcome: FixOutcome) -> str:
    out = []
    for ff in sorted(outcome.changed_files, key=lambda f: f.display):
        before = ff.original.decode("utf-8")
        if ff.bom:
            before = before[1:]
        for line in difflib.unified_diff(before.splitlines(keepends=True), ff.text.splitlines(keepends=True),
                                         f"a/{ff.display}", f"b/{ff.display}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def summary(outcome: FixOutcome, written: bool) -> list[str]:
    """The closing lines: what was fixed, what remains and why some fixes were not applied."""
    n, files = outcome.fixed, len(outcome.changed_files)
    remaining = len(outcome.report.active())
    verb = "fixed" if written else "would fix"
    lines = [f"{verb} {n} finding{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}; "
             f"{remaining} remain{'s' if remaining == 1 else ''} (of {outcome.before})"]
    if outcome.unsafe_skipped:
        lines.append(f"{outcome.unsafe_skipped} more fix{'es' if outcome.unsafe_skipped != 1 else ''} "
                     "may change behaviour: review them with --unsafe-fixes --diff")
    if outcome.in_renders:
        where = sorted({f.path for f in outcome.in_renders})
        shown = ", ".join(where[:3]) + (f" and {len(where) - 3} more" if len(where) > 3 else "")
        lines.append(f"{len(outcome.in_renders)} finding{'s' if len(outcome.in_renders) != 1 else ''} of fixable "
                     f"rules in Helm or Kustomize renders not fixed ({shown}): templates and renders are never "
                     "edited; change the chart's values or the kustomization")
        keys = list(dict.fromkeys(f"{k['key']} ({k['path']}:{k['line']})"
                                  for f in outcome.in_renders for k in f.properties.get("values", ())))
        if keys:
            lines.append("values keys to change instead: " + ", ".join(keys[:10])
                         + (f" and {len(keys) - 10} more" if len(keys) > 10 else ""))
    return lines + outcome.notes
