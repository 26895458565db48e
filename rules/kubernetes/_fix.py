"""Fixes of the Kubernetes rules: settings written into the manifest in place (see
:mod:`shiplint.model.yamledit`).  A fix that adds a missing setting is the rule's declared
safety; one that changes a value the author wrote is always unsafe (the value was a choice)."""

from shiplint.core.findings import Fix
from shiplint.model.yamledit import YamlText, add_item, set_value


def _text(resource, ctx):
    source = getattr(ctx, "source", None)
    if source is None and hasattr(ctx, "source_of"):  # a cross-resource rule: the object's own file
        source = ctx.source_of(resource.path)
    if source is None:
        return None  # a render (Helm, Kustomize) or no file: never edited
    return YamlText(source, resource.data)


def setting_fix(resource, ctx, node, path: tuple, value, description: str) -> Fix | None:
    """A fix setting ``path`` below the mapping ``node`` of ``resource`` to ``value``."""
    y = _text(resource, ctx)
    if y is None:
        return None
    got = set_value(y, node, path, value)
    if got is None:
        return None
    edits, replaced = got
    return Fix(description, edits, safety="unsafe" if replaced else None)


def item_fix(resource, ctx, seq, item: str, description: str) -> Fix | None:
    """A fix adding ``item`` to the sequence ``seq`` of ``resource``."""
    y = _text(resource, ctx)
    edits = add_item(y, seq, item) if y is not None else None
    return Fix(description, edits) if edits else None
