"""SL rules: raised by the engine while reading files, not by a check of their content."""

from shiplint.registry.rule import rule


# The engine emits these itself; the declarations make them selectable and documented.
parse_error = rule("SL001")(lambda subject, ctx: ())
duplicate_key = rule("SL002")(lambda subject, ctx: ())
unreadable_path = rule("SL003")(lambda subject, ctx: ())
file_too_large = rule("SL004")(lambda subject, ctx: ())
# Inline suppressions: stamped by the engine when it applies suppressions.
unknown_rule_in_suppression = rule("SL005")(lambda subject, ctx: ())
unused_suppression = rule("SL006")(lambda subject, ctx: ())
# Helm/Kustomize renders that fail or cannot be attempted: stamped by the engine.
render_failed = rule("SL007")(lambda subject, ctx: ())
