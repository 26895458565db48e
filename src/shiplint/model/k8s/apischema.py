"""Validity of Kubernetes objects against the API: the upstream schemas of a target version, the
``openAPIV3Schema`` of CustomResourceDefinitions scanned alongside, and the table of removed
and deprecated API versions.

The upstream schemas come from the ``kubernetes-validate`` distribution (the ``schemas`` extra),
used as data only: its package is located, never imported, and its ``*-local-strict`` JSON
files (one set per minor version, closed objects) are read from disk.  Those schemas use a
small subset of JSON Schema (``type``, ``properties``, ``additionalProperties``, ``required``,
``items``, ``enum``, ``oneOf``, ``format``, ``$ref``); CRD schemas add OpenAPI's ``nullable``
and the ``x-kubernetes-*`` extensions.  Both are compiled here into plain closures, once per
schema and cached, because a generic JSON Schema validator cost close to a millisecond per
object (it dispatches every keyword through the reference resolver), which alone would have
made a corpus run half as slow again; the closures also report each problem once, at the node
it is about, with no cascade (a wrong type is not descended into, an unknown key is not
checked further, a failed ``oneOf`` names the types it wanted instead of every branch's
complaint).

A problem is a :class:`Problem`: its kind (``unknown-field``, ``wrong-type``,
``missing-required-field``, ``invalid-value``), the path of keys and indexes from the object's
root (the shape of a ``jsonschema`` error path), and what was wrong.  Positions are resolved by
the rules through :func:`shiplint.sources.yamlsrc.locate`.

An object that neither the upstream schemas nor a scanned CRD validate (above all: every object
when the ``schemas`` extra is not installed) still gets a *shape* check from a small built-in
table (``api-shapes.json``): whether the fields shiplint's model reads (``metadata``, ``spec``,
a pod template, ``containers``, ``env``, ``securityContext``…) are mappings and lists where the
API wants them.  Without it a Pod whose ``spec:`` is a list would pass silently, every rule
finding nothing to read; the table reports only ``wrong-type``, so it never reports a node the full
schema would report too (the full schema, when present, runs instead of it).
"""

from __future__ import annotations

import base64
import binascii
import difflib
import importlib.util
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

UNKNOWN, WRONG_TYPE, MISSING, INVALID = "unknown-field", "wrong-type", "missing-required-field", "invalid-value"

#: the distribution (and extra) that carries the upstream schemas
SCHEMA_DISTRIBUTION = "kubernetes-validate"
INSTALL_HINT = "pip install 'shiplint[schemas]'"
_DEFS_URL = "#/$defs/"


@dataclass(frozen=True)
class Problem:
    kind: str
    path: tuple
    message: str
    #: for an unknown field: its key (the path leads to the mapping holding it)
    key: str | None = None


# -- versions ------------------------------------------------------------------------------------

def parse_version(text) -> tuple[int, int]:
    """``"1.29"`` (or ``"v1.29"``, ``"1.29.3"``) → ``(1, 29)``; ValueError otherwise."""
    m = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", str(text).strip())
    if not m:
        raise ValueError(f"{text!r} is not a Kubernetes version such as 1.29")
    return int(m.group(1)), int(m.group(2))


def format_version(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


@lru_cache(maxsize=1)
def schema_root() -> str | None:
    """The directory of the bundled schemas, or None when the ``schemas`` extra is absent.
    ``find_spec`` locates the package without running it (its import pulls PyYAML and more)."""
    try:
        spec = importlib.util.find_spec("kubernetes_validate")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        d = os.path.join(location, "kubernetes-json-schema")
        if os.path.isdir(d):
            return d
    return None


@lru_cache(maxsize=1)
def bundled_versions() -> tuple:
    """The minor versions the installed schemas cover, oldest first (empty without them)."""
    root = schema_root()
    if root is None:
        return ()
    out = set()
    for name in os.listdir(root):
        m = re.fullmatch(r"v(\d+)\.(\d+)\.\d+-local-strict", name)
        if m and os.path.isfile(os.path.join(root, name, "_definitions.json")):
            out.add((int(m.group(1)), int(m.group(2))))
    return tuple(sorted(out))


def schema_version_for(target: tuple[int, int]) -> tuple[int, int] | None:
    """The bundled schemas used for ``target``: the newest not newer than it, else the oldest."""
    versions = bundled_versions()
    if not versions:
        return None
    older = [v for v in versions if v <= target]
    return older[-1] if older else versions[0]


def default_version() -> tuple[int, int]:
    """The newest bundled minor; without the schemas, the newest version the lifecycle table
    knows about (so that KV201/KV202 still work)."""
    versions = bundled_versions()
    return versions[-1] if versions else lifecycle()["newest"]


# -- data tables ---------------------------------------------------------------------------------

def _data(name: str) -> dict:
    return json.loads(resources.files("shiplint.model.k8s").joinpath(name).read_text("utf-8"))


@lru_cache(maxsize=1)
def lifecycle() -> dict:
    """The removal/deprecation table: ``{"apis": {(apiVersion, kind): row}, "newest": (1, N)}``."""
    data = _data("api-lifecycle.json")
    apis = {}
    for row in data["apis"]:
        apis[(row["apiVersion"], row["kind"])] = {
            "deprecated": parse_version(row["deprecated"]) if row.get("deprecated") else None,
            "removed": parse_version(row["removed"]) if row.get("removed") else None,
            "replacement": row.get("replacement") or "",
        }
    return {"apis": apis, "newest": parse_version(data["covers"])}


def api_status(api_version: str, kind: str, target: tuple[int, int]):
    """``("removed", row)``, ``("deprecated", row)`` or ``(None, row-or-None)`` at ``target``."""
    row = lifecycle()["apis"].get((api_version, kind))
    if row is None:
        return None, None
    if row["removed"] is not None and row["removed"] <= target:
        return "removed", row
    if row["deprecated"] is not None and row["deprecated"] <= target:
        return "deprecated", row
    return None, row


@lru_cache(maxsize=1)
def enum_table() -> dict:
    """``{definition: {property: [values]}}``: enumerations the API documents but the published
    schemas leave as plain strings; ``property[]`` applies to the items of a list."""
    return {k: v for k, v in _data("api-enums.json").items() if not k.startswith("_")}


# -- compiling -----------------------------------------------------------------------------------

_TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}
_TYPE_WORDS = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "a boolean",
               "object": "a mapping", "array": "a list", "null": "null"}


def type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _expected(types) -> str:
    words = [_TYPE_WORDS.get(t, t) for t in types if t != "null"]
    return " or ".join(dict.fromkeys(words)) or "null"


def _skipped(value) -> bool:
    """SOPS-encrypted values (``ENC[…]``) are not judged: their type is the cipher's."""
    return isinstance(value, str) and value.startswith("ENC[")


def _is_base64(value: str) -> bool:
    text = "".join(value.split())
    try:
        base64.b64decode(text, validate=True)
        return True
    except (binascii.Error, ValueError):
        return False


class Compiler:
    """Turns schemas into ``check(value, path, out)`` closures.  ``defs`` resolves ``$ref``;
    ``crd``: the schema is a CRD's OpenAPI v3 schema (``nullable``, structural pruning)."""

    def __init__(self, defs: dict, crd: bool = False) -> None:
        self.defs = defs
        self.crd = crd
        self._by_def: dict[str, object] = {}
        self.enums = enum_table()

    def definition(self, name: str):
        fn = self._by_def.get(name)
        if fn is None:
            cell = []
            # a placeholder first: definitions refer to themselves (JSONSchemaProps)
            self._by_def[name] = lambda v, p, o: cell[0](v, p, o)
            schema = self.defs.get(name)
            fn = self.compile(schema, self.enums.get(name)) if isinstance(schema, dict) else _accept
            cell.append(fn)
            self._by_def[name] = fn
        return fn

    def compile(self, schema, extra_enums: dict | None = None):  # noqa: C901 - one keyword per branch
        if not isinstance(schema, dict):
            return _accept
        ref = schema.get("$ref")
        if isinstance(ref, str) and _DEFS_URL in ref:
            return self.definition(ref.split(_DEFS_URL, 1)[1])
        checks = []
        types = schema.get("type")
        if isinstance(types, str):
            types = [types]
        if schema.get("x-kubernetes-int-or-string"):
            types = ["integer", "string"]
        if types:
            types = [t for t in types if t in _TYPES]
            if self.crd or schema.get("nullable"):
                types = types + ["null"]  # the API server accepts (prunes) a null in a CR
        preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
        embedded = bool(schema.get("x-kubernetes-embedded-resource"))

        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else None
        prop_checks = {}
        if props is not None:
            for key, sub in props.items():
                prop_checks[str(key)] = self.compile(sub)
            for key, values in (extra_enums or {}).items():
                if key.endswith("[]"):
                    base = key[:-2]
                    if base in prop_checks:
                        prop_checks[base] = _with_items_enum(prop_checks[base], values)
                elif key in prop_checks:
                    prop_checks[key] = _with_enum(prop_checks[key], values)
        addl = schema.get("additionalProperties")
        addl_check = self.compile(addl) if isinstance(addl, dict) else None
        closed = False
        if props is not None and not preserve:
            closed = addl is False or (self.crd and addl is None)
        if embedded and prop_checks:
            for key in ("apiVersion", "kind", "metadata"):
                prop_checks.setdefault(key, _accept)
        required = [str(r) for r in schema.get("required") or () if isinstance(r, str)]
        if prop_checks or addl_check or closed or required:
            known = sorted(prop_checks)
            checks.append(_object_check(prop_checks, addl_check, closed, required, known))

        items = schema.get("items")
        if isinstance(items, dict):
            item_check = self.compile(items)
            checks.append(_items_check(item_check))

        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            checks.append(_enum_check(enum))
        if schema.get("format") == "byte":
            checks.append(_base64_check)
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            try:
                rx = re.compile(pattern)
            except re.error:
                rx = None  # an ECMA-only construct: not judged rather than misjudged
            if rx is not None:
                checks.append(_pattern_check(rx, pattern))
        bounds = _bounds_check(schema)
        if bounds is not None:
            checks.append(bounds)
        for key in ("allOf",):
            for sub in schema.get(key) or ():
                checks.append(self.compile(sub))
        for key in ("oneOf", "anyOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                checks.append(self._alternatives(branches))

        return _node(types, checks)

    def _alternatives(self, branches: list):
        compiled = []
        for b in branches:
            btypes = b.get("type") if isinstance(b, dict) else None
            if isinstance(btypes, str):
                btypes = [btypes]
            compiled.append((btypes, self.compile(b)))

        def check(value, path, out):
            first = None
            for btypes, fn in compiled:
                trial: list = []
                fn(value, path, trial)
                if not trial:
                    return
                if first is None and not (trial[0].kind == WRONG_TYPE and trial[0].path == path):
                    first = trial
            if first is not None:
                out.extend(first)
                return
            wanted = [t for btypes, _ in compiled for t in (btypes or ())]
            out.append(Problem(WRONG_TYPE, path, f"is {type_name(value)}, expected {_expected(wanted)}"))

        return check


def _accept(value, path, out):
    return None


def _node(types, checks):
    if types:
        accepted = tuple(_TYPES[t] for t in types)
        expected = _expected(types)

        def check(value, path, out):
            if _skipped(value):
                return
            for ok in accepted:
                if ok(value):
                    break
            else:
                out.append(Problem(WRONG_TYPE, path, f"is {type_name(value)}, expected {expected}"))
                return  # no cascade: nothing below a value of the wrong type is judged
            for c in checks:
                c(value, path, out)

        return check
    if len(checks) == 1:
        only = checks[0]
        return lambda v, p, o: None if _skipped(v) else only(v, p, o)

    def check_all(value, path, out):
        if _skipped(value):
            return
        for c in checks:
            c(value, path, out)

    return check_all


def _object_check(prop_checks, addl_check, closed, required, known):
    def check(value, path, out):
        if not isinstance(value, dict):
            return
        for key, sub in value.items():
            key = str(key)
            fn = prop_checks.get(key)
            if fn is not None:
                fn(sub, path + (key,), out)
            elif addl_check is not None:
                addl_check(sub, path + (key,), out)
            elif closed:
                if not path and key == "sops":
                    continue  # SOPS metadata of an encrypted file
                out.append(Problem(UNKNOWN, path, _unknown_message(key, known), key))
        for key in required:
            if key not in value:
                out.append(Problem(MISSING, path, f"required field '{key}' is missing"))

    return check


def _unknown_message(key: str, known: list) -> str:
    lowered = {k.lower(): k for k in known}
    close = lowered.get(key.lower()) or next(iter(difflib.get_close_matches(key, known, n=1, cutoff=0.8)), None)
    hint = f" (did you mean '{close}'?)" if close else ""
    return f"unknown field '{key}'{hint}"


def _items_check(item_check):
    def check(value, path, out):
        if isinstance(value, list):
            for i, item in enumerate(value):
                item_check(item, path + (i,), out)

    return check


def _show(value) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 40 else text[:37] + "...'"


def _enum_check(values):
    allowed = set(v for v in values if isinstance(v, (str, int, float, bool)) or v is None)
    listing = ", ".join(str(v) for v in values[:12]) + (", …" if len(values) > 12 else "")

    def check(value, path, out):
        if isinstance(value, (dict, list)) or _skipped(value) or value in allowed:
            return
        out.append(Problem(INVALID, path, f"{_show(value)} is not one of {listing}"))

    return check


def _with_enum(fn, values):
    enum = _enum_check(values)

    def check(value, path, out):
        before = len(out)
        fn(value, path, out)
        if len(out) == before and value is not None:
            enum(value, path, out)

    return check


def _with_items_enum(fn, values):
    enum = _enum_check(values)

    def check(value, path, out):
        before = len(out)
        fn(value, path, out)
        if len(out) == before and isinstance(value, list):
            for i, item in enumerate(value):
                if item is not None:
                    enum(item, path + (i,), out)

    return check


def _base64_check(value, path, out):
    if isinstance(value, str) and not _is_base64(value):
        out.append(Problem(INVALID, path, "is not valid base64 (the value is not shown)"))


def _pattern_check(rx, pattern):
    def check(value, path, out):
        if isinstance(value, str) and not rx.search(value):
            out.append(Problem(INVALID, path, f"{_show(value)} does not match the pattern {pattern}"))

    return check


def _bounds_check(schema):
    lo, hi = schema.get("minimum"), schema.get("maximum")
    lo_x, hi_x = schema.get("exclusiveMinimum") is True, schema.get("exclusiveMaximum") is True
    min_len, max_len = schema.get("minLength"), schema.get("maxLength")
    min_items, max_items = schema.get("minItems"), schema.get("maxItems")
    if all(b is None for b in (lo, hi, min_len, max_len, min_items, max_items)):
        return None

    def check(value, path, out):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(lo, (int, float)) and (value < lo or (lo_x and value == lo)):
                out.append(Problem(INVALID, path, f"{value} is below the minimum {lo}"))
            elif isinstance(hi, (int, float)) and (value > hi or (hi_x and value == hi)):
                out.append(Problem(INVALID, path, f"{value} is above the maximum {hi}"))
        elif isinstance(value, str):
            if isinstance(min_len, int) and len(value) < min_len:
                out.append(Problem(INVALID, path, f"is shorter than {min_len} characters"))
            elif isinstance(max_len, int) and len(value) > max_len:
                out.append(Problem(INVALID, path, f"is longer than {max_len} characters"))
        elif isinstance(value, list):
            if isinstance(min_items, int) and len(value) < min_items:
                out.append(Problem(INVALID, path, f"has fewer than {min_items} items"))
            elif isinstance(max_items, int) and len(value) > max_items:
                out.append(Problem(INVALID, path, f"has more than {max_items} items"))

    return check


# -- the built-in schemas ------------------------------------------------------------------------

class BuiltinSchemas:
    """The upstream schemas of one minor version; validators compiled on first use and kept."""

    def __init__(self, version: tuple[int, int]) -> None:
        self.version = version
        directory = os.path.join(schema_root() or "", f"v{version[0]}.{version[1]}.0-local-strict")
        with open(os.path.join(directory, "_definitions.json"), encoding="utf-8") as fh:
            defs = json.load(fh).get("$defs", {})
        #: (apiVersion, kind) → definition name, from the definitions' group-version-kind
        self.kinds: dict[tuple[str, str], str] = {}
        for name, schema in defs.items():
            props = schema.get("properties") or {}
            if not ("apiVersion" in props and "kind" in props and "metadata" in props):
                continue
            for gvk in schema.get("x-kubernetes-group-version-kind") or ():
                group, ver, kind = gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", "")
                self.kinds.setdefault((f"{group}/{ver}" if group else ver, kind), name)
        self.compiler = Compiler(defs)
        self.object_meta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

    def has(self, api_version: str, kind: str) -> bool:
        return (api_version, kind) in self.kinds

    def validator(self, api_version: str, kind: str):
        name = self.kinds.get((api_version, kind))
        return self.compiler.definition(name) if name else None


@lru_cache(maxsize=4)
def builtin_schemas(version: tuple[int, int]) -> BuiltinSchemas | None:
    """Process-wide cache: the compiled validators of a version are the same in every run."""
    if version not in bundled_versions():
        return None
    return BuiltinSchemas(version)


# -- the built-in shape table -------------------------------------------------------------------

def _expand_shape(spec) -> dict:
    """One field of ``api-shapes.json`` as JSON Schema: a name is a definition, a mapping an
    inline mapping, a one-item list a list of that item.  Null is accepted everywhere (the API
    server reads it as an absent field, and so does the model)."""
    if isinstance(spec, str):
        return {"$ref": _DEFS_URL + _SHAPE + spec}
    if isinstance(spec, list):
        out = {"type": "array", "nullable": True}
        if spec:
            out["items"] = _expand_shape(spec[0])
        return out
    out = {"type": "object", "nullable": True}
    if spec:
        out["properties"] = {key: _expand_shape(sub) for key, sub in spec.items()}
    return out


_SHAPE = "shape."


class ShapeTable:
    """Validators of the built-in shape table; only ``wrong-type`` problems come out of them
    (the table has no enumerations, no required fields and no closed mappings)."""

    def __init__(self, data: dict) -> None:
        # named apart from the upstream definitions, so that no enumeration of api-enums.json
        # applies: the table judges shapes only
        defs = {_SHAPE + name: _expand_shape(fields) for name, fields in data["defs"].items()}
        self.kinds = {tuple(key.split(" ", 1)): name for key, name in data["kinds"].items()}
        self.default = data["default"]
        self.compiler = Compiler(defs)

    def validator(self, api_version: str, kind: str):
        """The kind's shape, else the one every object has (``metadata``)."""
        return self.compiler.definition(_SHAPE + self.kinds.get((api_version, kind), self.default))


@lru_cache(maxsize=1)
def shape_table() -> ShapeTable:
    return ShapeTable(_data("api-shapes.json"))


# -- custom resources ----------------------------------------------------------------------------

def _plainish(node):
    return node if isinstance(node, dict) else {}


def crd_schemas(index) -> dict:
    """``{(apiVersion, kind): openAPIV3Schema}`` of every version the scanned CRDs serve."""
    out: dict = {}
    for crd in index.of_kind("CustomResourceDefinition"):
        spec = _plainish(crd.data.get("spec"))
        group = spec.get("group")
        kind = _plainish(spec.get("names")).get("kind")
        if not isinstance(group, str) or not isinstance(kind, str):
            continue
        shared = _plainish(_plainish(spec.get("validation")).get("openAPIV3Schema"))  # v1beta1
        versions = spec.get("versions")
        if not isinstance(versions, list) or not versions:
            if isinstance(spec.get("version"), str):
                versions = [{"name": spec["version"]}]
            else:
                continue
        for v in versions:
            v = _plainish(v)
            if v.get("served") is False or not isinstance(v.get("name"), str):
                continue
            schema = _plainish(_plainish(v.get("schema")).get("openAPIV3Schema")) or shared
            out.setdefault((f"{group}/{v['name']}", kind), schema)
    return out


class CustomSchemas:
    """Validators of the custom resources whose CRD is in the scan (one run's worth)."""

    def __init__(self, schemas: dict, builtins: BuiltinSchemas | None) -> None:
        self.schemas = schemas
        self.builtins = builtins
        self._validators: dict = {}

    def has(self, api_version: str, kind: str) -> bool:
        return (api_version, kind) in self.schemas

    def validator(self, api_version: str, kind: str):
        key = (api_version, kind)
        if key not in self.schemas:
            return None
        fn = self._validators.get(key)
        if fn is None:
            fn = self._validators[key] = self._compile(self.schemas[key])
        return fn

    def _compile(self, schema: dict):
        body = Compiler({}, crd=True).compile(schema) if schema else _accept
        if self.builtins is not None:
            meta = self.builtins.compiler.definition(self.builtins.object_meta)
        else:  # without the upstream schemas, the shape of metadata is still known
            meta = shape_table().compiler.definition(_SHAPE + "ObjectMeta")

        def check(value, path, out):
            # the API server owns apiVersion, kind and metadata of every custom resource
            if isinstance(value, dict):
                trimmed = {k: v for k, v in value.items() if k not in ("apiVersion", "kind", "metadata")}
                body(trimmed, path, out)
                if "metadata" in value:
                    meta(value["metadata"], path + ("metadata",), out)
            else:
                body(value, path, out)

        return check


# -- one run -------------------------------------------------------------------------------------

@dataclass
class Verdict:
    """What validity checking made of one object."""

    resource: object
    #: "validated", "unknown-kind", "removed", or "no-schema" (an API the lifecycle table knows
    #: but the bundled schemas lack, or any object when the schemas are not installed)
    status: str
    problems: tuple = ()
    #: what validated it: "schema" (the upstream schemas), "crd" (a scanned CRD) or "shape"
    #: (only the built-in shape table: no schema for it, or none installed)
    source: str = "schema"


def target_version(options) -> tuple[int, int]:
    text = getattr(options, "kubernetes_version", None)
    return parse_version(text) if text else default_version()


def verdicts(index, target: tuple[int, int]) -> list[Verdict]:
    """Every scanned object, validated once per run (the rules KV101–KV105 share the result)."""
    if not len(index):
        return []  # a Dockerfile-only run reads no schema
    builtins = builtin_schemas(schema_version_for(target)) if schema_root() else None
    custom = CustomSchemas(crd_schemas(index), builtins)
    out = []
    for r in index:
        api, kind = r.api_version, r.kind
        if not api or not kind:
            continue
        status, row = api_status(api, kind, target)
        if status == "removed":
            out.append(Verdict(r, "removed"))
            continue
        fn = builtins.validator(api, kind) if builtins else None
        source = "schema"
        if fn is None:
            fn, source = custom.validator(api, kind), "crd"
        if fn is None:
            # a known API, or nothing to know it by; either way its shape is still checked
            status = "no-schema" if row is not None or builtins is None else "unknown-kind"
            problems = []
            shape_table().validator(api, kind)(r.data, (), problems)
            out.append(Verdict(r, status, tuple(problems), "shape"))
            continue
        problems: list = []
        fn(r.data, (), problems)
        out.append(Verdict(r, "validated", tuple(problems), source))
    return out
