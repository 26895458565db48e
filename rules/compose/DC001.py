"""The file does not validate against the Compose Specification schema.

The schema is the one the ``check-jsonschema`` package ships (vendored from the compose-spec
project). Values are checked after interpolation with defaults: a value whose text comes from a
variable is not judged on its type (Compose casts it after interpolating). Messages name keys and
the expected shape, never the offending value (it may be a secret)."""

import json
import os
import re
from functools import lru_cache
from importlib.util import find_spec

from shiplint.core.findings import Hit, Region
from shiplint.model.compose import interpolate
from shiplint.registry.rule import rule


class _FromVariable(str):
    """A string whose text came from ``${VAR}``: its type is not judged. ``raw`` is the text as
    written (``${A}`` and ``${B}`` both resolve to "" with no environment, yet differ)."""

    raw: str = ""


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    # located without importing the package: it is read as data only
    spec = find_spec("check_jsonschema")
    base = list(spec.submodule_search_locations)[0]
    with open(os.path.join(base, "builtin_schemas", "vendor", "compose-spec.json"), encoding="utf-8") as fh:
        schema = json.load(fh)
    return jsonschema.Draft202012Validator(schema)


def _for_schema(node):
    if isinstance(node, dict):
        return {str(k): _for_schema(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_for_schema(v) for v in node]
    if isinstance(node, str) and "$" in node:
        resolved = interpolate(node)
        if resolved.variables:
            value = _FromVariable(resolved.text)
            value.raw = node
            return value
    return node


def _from_variable(err) -> bool:
    if err.validator == "uniqueItems" and isinstance(err.instance, list) and any(
            isinstance(i, _FromVariable) for i in err.instance):
        # equal only after interpolating with nothing set: judged on the written text instead
        raw = [getattr(i, "raw", i) for i in err.instance]
        if all(isinstance(r, str) for r in raw) and len(set(raw)) == len(raw):
            return True
    return isinstance(err.instance, _FromVariable) or any(_from_variable(e) for e in err.context or ())


def _without(doc, keys: tuple, drop: set):
    """A copy of ``doc`` without the children ``drop`` of the mapping at ``keys``."""
    if not keys:
        return {k: v for k, v in doc.items() if k not in drop}
    head = keys[0]
    out = dict(doc) if isinstance(doc, dict) else list(doc)
    out[head] = _without(doc[head], keys[1:], drop)
    return out


def _truly_unexpected(doc, keys: tuple, failing: set) -> set | None:
    """The keys of the mapping at ``keys`` still refused once its children that failed for a
    reason of their own are left out (None when none failed). A child that fails a subschema of
    an ``allOf`` makes every key that subschema declares "unevaluated" (draft 2020-12 drops the
    annotations of a failed branch): those keys are allowed, and are not named."""
    drop = {p[len(keys)] for p in failing if len(p) > len(keys) and p[:len(keys)] == keys}
    if not drop:
        return None
    refused = set()
    for err in _validator().iter_errors(_without(doc, keys, drop)):
        if tuple(err.absolute_path) == keys and err.validator in ("additionalProperties", "unevaluatedProperties") \
                and isinstance(err.instance, dict):
            refused.update(_extra_keys(err))
    return refused


def _deepest(err):
    from jsonschema.exceptions import best_match

    while err.context:
        err = best_match(err.context)
    return err


_UNEXPECTED = re.compile(r"\((.*) (?:was|were) unexpected\)")


def _extra_keys(err) -> list:
    """The keys an ``additionalProperties``/``unevaluatedProperties`` error refuses (jsonschema
    names them in its message; they are keys, never values)."""
    m = _UNEXPECTED.search(err.message)
    names = re.findall(r"'((?:[^'\\]|\\.)*)'", m.group(1)) if m else []
    return [n for n in names if n in err.instance] or list(err.instance)[:1]


def _dotted(path) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


def _reason(err) -> str:
    v, expected = err.validator, err.validator_value
    if v == "type":
        return f"expected {' or '.join(expected) if isinstance(expected, list) else expected}"
    if v == "enum":
        return "must be one of " + ", ".join(json.dumps(e) for e in expected)
    if v == "const":
        return f"must be {json.dumps(expected)}"
    if v == "required":
        return err.message  # names the missing key only
    if v in ("minimum", "maximum", "minItems", "maxItems", "minLength", "maxLength", "pattern", "format",
             "uniqueItems", "minProperties", "maxProperties"):
        return f"does not satisfy {v} {json.dumps(expected)}"
    return f"does not match the schema ({v})"


@rule
def check(project, ctx):
    for f in project.files:
        if f.data is None and project.layer_beside_base(f):
            continue  # Compose refuses an empty project, not an empty file among its -f files
        if not isinstance(f.data, dict):
            what = "empty" if f.data is None else "not a mapping at its top level"
            yield Hit(f"the Compose file is {what}", Region(1, 1), subject="compose:top", path=f.path)
            continue
        doc = _for_schema(f.data)
        found = [(_deepest(e), _from_variable(e)) for e in _validator().iter_errors(doc)]
        errors = [e for e, variable in found if not variable]
        # where a value failed (even one from a variable, not reported): the keys around it may be
        # called "unevaluated" only because of it
        failing = {tuple(e.absolute_path) for e, _ in found if e.validator not in (
            "additionalProperties", "unevaluatedProperties")}
        for err in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
            keys = tuple(err.absolute_path)
            if err.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(err.instance, dict):
                refused = _truly_unexpected(doc, keys, failing)
                for extra in _extra_keys(err):
                    if any(p[:len(keys) + 1] == keys + (extra,) for p in failing):
                        continue  # a key whose value failed is "unevaluated" too: its own error says why
                    if refused is not None and extra not in refused:
                        continue
                    spot = f.spot(keys + (extra,))
                    yield Hit(f"{_dotted(keys + (extra,))}: key not allowed by the Compose Specification",
                              spot.key or spot.region, subject=f"schema:{_dotted(keys + (extra,))}", path=f.path)
                continue
            spot = f.spot(keys)
            yield Hit(f"{_dotted(keys)}: {_reason(err)}", spot.region, subject=f"schema:{_dotted(keys)}", path=f.path)
