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
    """A string whose text came from ``${VAR}``: its type is not judged."""


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
            return _FromVariable(resolved.text)
    return node


def _from_variable(err) -> bool:
    return isinstance(err.instance, _FromVariable) or any(_from_variable(e) for e in err.context or ())


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
        if not isinstance(f.data, dict):
            what = "empty" if f.data is None else "not a mapping at its top level"
            yield Hit(f"the Compose file is {what}", Region(1, 1), subject="compose:top", path=f.path)
            continue
        errors = [_deepest(e) for e in _validator().iter_errors(_for_schema(f.data)) if not _from_variable(e)]
        failing = {tuple(e.absolute_path) for e in errors}
        for err in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
            keys = tuple(err.absolute_path)
            if err.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(err.instance, dict):
                for extra in _extra_keys(err):
                    if any(p[:len(keys) + 1] == keys + (extra,) for p in failing):
                        continue  # a key whose value failed is "unevaluated" too: its own error says why
                    spot = f.spot(keys + (extra,))
                    yield Hit(f"{_dotted(keys + (extra,))}: key not allowed by the Compose Specification",
                              spot.key or spot.region, subject=f"schema:{_dotted(keys + (extra,))}", path=f.path)
                continue
            spot = f.spot(keys)
            yield Hit(f"{_dotted(keys)}: {_reason(err)}", spot.region, subject=f"schema:{_dotted(keys)}", path=f.path)
