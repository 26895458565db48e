"""Fixes of the Compose rules: a service setting written into the file a finding lands on (the
one that set the value, or first defines the service), in place (see
:mod:`shiplint.model.yamledit`).

Only the file being checked is edited: its text is the one the rules were given
(``ctx.source``); a finding on another file of the project (a base or an override file) is
reported, and fixed, when that file is checked itself."""

from shiplint.core.findings import Fix
from shiplint.model.yamledit import YamlText, add_item, set_value
from shiplint.sources.yamlsrc import YMap, YSeq


def _service(project, ctx, svc, path: str):
    """(YamlText, the service's positioned mapping) in the file ``path``; None when that file is
    not the one checked, or the service is not a mapping there."""
    source = getattr(ctx, "source", None)
    inp = getattr(ctx, "input", None)
    if source is None or inp is None or path != inp.display:
        return None
    own = next((f for f in project.files if f.path == path), None)
    root = own.data if own is not None else None
    services = root.get("services") if isinstance(root, YMap) else None
    if not isinstance(services, YMap):
        return None
    key = next((k for k in services if str(k) == svc.name), None)
    node = services[key] if key is not None else None
    if not isinstance(node, YMap):
        return None
    # an anchor on the service's own key line (``web: &web``) shares the whole service too
    scope = (services.key_region(key).line, node.region.end_line)
    return YamlText(source, root, scope), node


def service_setting_fix(project, ctx, svc, path: str, keys: tuple, value, description: str) -> Fix | None:
    """A fix setting ``keys`` (below the service) to ``value`` (a plain scalar as YAML text, or a
    list of them) in the file ``path``; unsafe when it replaces a value the file had."""
    found = _service(project, ctx, svc, path)
    got = set_value(found[0], found[1], keys, value) if found else None
    if got is None:
        return None
    edits, replaced = got
    return Fix(description, edits, safety="unsafe" if replaced else None)


def service_item_fix(project, ctx, svc, path: str, key: str, item: str, description: str) -> Fix | None:
    """A fix adding the plain scalar ``item`` to the sequence under the service's ``key`` in the
    file ``path`` (that file's own sequence: Compose appends the other files' items to it)."""
    found = _service(project, ctx, svc, path)
    if not found or not isinstance(found[1].get(key), YSeq):
        return None
    edits = add_item(found[0], found[1][key], item)
    return Fix(description, edits) if edits else None
