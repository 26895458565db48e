"""Edits the Dockerfile rules' fixes are made of: positions come from the parsed instruction,
so that everything around the edit (continuations, comments, spacing) stays as written."""

from shiplint.core.findings import Edit, Region


def insert_after(region: Region, text: str) -> Edit:
    """Insert ``text`` just after ``region``."""
    return Edit(Region(region.end_line, region.end_column), text)


def action_word(script, op):
    """The word of ``op``'s command that names its action (``install``, ``add``), where a flag can
    be inserted after it; None when the RUN is in exec form (its script has no positions of its
    own) or the action is not written as a plain word."""
    if script.inst.exec_form:
        return None
    for w in op.command.args:
        if w.value == op.action and w.raw == w.value:
            return w
    return None


def append_to_run(inst, text: str) -> Edit | None:
    """Append ``text`` (``" && …"``) to the command of a shell-form RUN; None when the end of the
    instruction is not the end of its shell script: exec form, heredocs, or a ``#`` that may open
    a comment the appended command would fall into."""
    if inst.keyword != "RUN" or inst.exec_form or inst.heredocs or "#" in inst.text or not inst.text.strip():
        return None
    end = inst.position_of(len(inst.text))
    return Edit(Region(*end), text)


def written(df, region: Region) -> str:
    """The text of a one-line ``region`` as written in the file (a keyword keeps its case)."""
    if region.line != region.end_line or region.line > len(df.lines):
        return ""
    return df.lines[region.line - 1][region.column - 1:region.end_column - 1]


def same_case(written_keyword: str, keyword: str) -> str:
    """``keyword`` in the case the file writes its keywords in (``add`` → ``copy``)."""
    return keyword.lower() if written_keyword.islower() else keyword
