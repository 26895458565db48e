"""The rule reference (docs/rules.md), generated from the rule metadata.

``shiplint rules --format markdown > docs/rules.md`` regenerates it; a test keeps the committed
file in sync, so every rule is documented as what / why / example / fix.
"""

from __future__ import annotations

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
        "Generated from `rules/` by `shiplint rules --format markdown`; do not edit by hand.",
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
            if m.seeds:
                out += [f"Practice: seeds {', '.join(m.seeds)}.", ""]
            out += ["**Example that fires:**", "", f"```{lang}", m.example.rstrip(), "```", ""]
            if m.good_example:
                out += ["**Fixed:**", "", f"```{lang}", m.good_example.rstrip(), "```", ""]
            out += [f"**Fix.** {' '.join(m.fix.split())}", ""]
            if m.options:
                out += ["**Options:**", ""]
                for name, spec in m.options.items():
                    out.append(f"- `{name}`: {spec.get('description', '')} (default: `{spec.get('default')!r}`)")
                out.append("")
    return "\n".join(out).rstrip() + "\n"
