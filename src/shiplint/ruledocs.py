"""The rule reference (docs/rules.md), generated from the rule metadata.

``python -m shiplint.ruledocs`` (from the repository root) regenerates it from the built-in rules
alone, whatever plugins are installed; a test keeps the committed file in sync, so every rule is
documented as what / why / example / fix.  ``shiplint rules --format markdown`` prints the same
reference for every rule in use, plugins' and policies' included.
"""

from __future__ import annotations

import os
import sys

#: Where the reference lives in the source tree, relative to the repository root.
REFERENCE = os.path.join("docs", "rules.md")
COMMAND = "python -m shiplint.ruledocs"

FAMILIES = (
    ("DF", "Dockerfile rules"),
    ("KS", "Kubernetes rules"),
    ("KZ", "Kustomize rules"),
    ("SL", "shiplint's own rules"),
)


def _anchor(code: str) -> str:
    return code.lower()


def render_markdown(rules) -> str:
    rules = list(rules)
    out = [
        "# Rule reference",
        "",
        f"Generated from `rules/` by `{COMMAND}`; do not edit by hand.",
        "Each rule can be named by its code or its name anywhere (CLI, configuration, suppressions).",
        "",
    ]
    known = {p for p, _ in FAMILIES}
    groups = [(p, title, [r for r in rules if r.code.startswith(p)]) for p, title in FAMILIES]
    others = [r for r in rules if r.code[:2] not in known]
    if others:
        groups.append(("", "Other rules", others))
    for _, title, members in groups:
        if not members:
            continue
        out += [f"## {title}", "", "| code | name | level | summary |", "|---|---|---|---|"]
        for r in members:
            out.append(f"| [{r.code}](#{_anchor(r.code)}) | `{r.name}` | {r.level} | {r.meta.summary} |")
        out.append("")
    for _, _, members in groups:
        for r in members:
            m = r.meta
            lang = m.example_language if m.example_language not in ("", "text") else ""
            out += [f"### {m.code}", "", f"**{m.name}** · level `{m.level}`"
                    + (f" · tags: {', '.join(m.tags)}" if m.tags else ""), ""]
            out += [f"**What it flags.** {m.summary}.", "", f"**Why.** {' '.join(m.rationale.split())}", ""]
            out += ["**Example that fires:**", "", f"```{lang}", m.example.rstrip(), "```", ""]
            if m.good_example:
                out += ["**Fixed:**", "", f"```{lang}", m.good_example.rstrip(), "```", ""]
            out += [f"**Fix.** {' '.join(m.fix.split())}", ""]
            if m.autofix:
                flags = "`--fix`" if m.autofix == "safe" else "`--fix --unsafe-fixes` (it may change behaviour)"
                note = f" {' '.join(m.autofix_note.split())}" if m.autofix_note else ""
                out += [f"**Automatic fix** ({m.autofix}): applied by {flags}.{note}", ""]
            if m.options:
                out += ["**Options:**", ""]
                for name, spec in m.options.items():
                    out.append(f"- `{name}`: {spec.get('description', '')} (default: `{spec.get('default')!r}`)")
                out.append("")
    return "\n".join(out).rstrip() + "\n"


def builtin_reference() -> str:
    """The reference of the built-in rules, as committed in ``docs/rules.md``."""
    from shiplint.registry.loader import builtin_rules

    return render_markdown(builtin_rules())


def main(argv: list[str] | None = None) -> int:
    """``python -m shiplint.ruledocs [PATH]``: write the built-in rules' reference to PATH
    (default ``docs/rules.md``, for a run from the repository root)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or any(a.startswith("-") for a in args):
        print(f"usage: {COMMAND} [PATH]   (default: {REFERENCE})", file=sys.stderr)
        return 2
    path = args[0] if args else REFERENCE
    if not os.path.isdir(os.path.dirname(path) or "."):
        print(f"{COMMAND}: no directory for {path}: run it from the repository root, or give the path",
              file=sys.stderr)
        return 2
    text = builtin_reference()
    try:
        with open(path, encoding="utf-8") as fh:
            unchanged = fh.read() == text
    except OSError:
        unchanged = False
    if not unchanged:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    print(f"{path}: {'up to date' if unchanged else 'written'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
