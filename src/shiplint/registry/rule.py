"""Rules: metadata (from ``rules/*.yaml``) joined to a check function.

A rule module is tiny::

    from shiplint.registry.rule import rule
    from shiplint.core.findings import Hit

    @rule("DF101")
    def check(dockerfile, ctx):
        ...
        yield Hit("…", region)

The decorator looks the metadata up by code in the shipped ``rules/`` data (validated against
``schemas/rule.schema.json`` by the test-suite and for plugins at load time), so code, name,
level and documentation live in one place.  The engine, not the check, stamps code and level.

Targets (what the check receives):

``dockerfile``    a parsed :class:`shiplint.sources.dockerfile.Dockerfile`
``resource``      one :class:`shiplint.model.k8s.model.Resource`
``project``       the :class:`shiplint.model.k8s.index.ResourceIndex` of everything scanned together
``kustomization`` one kustomization file (a :class:`shiplint.model.k8s.model.Resource`-like view)
``file``          nothing: rules stamped by the engine itself (parse errors…)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable

TARGETS = ("dockerfile", "resource", "project", "kustomization", "file")


@dataclass
class RuleMeta:
    code: str
    name: str
    level: str
    summary: str
    target: str
    rationale: str = ""
    fix: str = ""
    example: str = ""
    good_example: str = ""
    tags: list[str] = field(default_factory=list)
    seeds: list[str] = field(default_factory=list)
    security_severity: float | None = None
    help_uri: str = ""
    options: dict = field(default_factory=dict)
    example_language: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> "RuleMeta":
        known = {f for f in cls.__dataclass_fields__}
        kwargs = {k.replace("-", "_"): v for k, v in data.items()}
        kwargs = {k: v for k, v in kwargs.items() if k in known}
        return cls(**kwargs)


@dataclass
class Rule:
    meta: RuleMeta
    check: Callable[..., Iterable] | None
    plugin: str = "builtin"

    @property
    def code(self) -> str:
        return self.meta.code

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def level(self) -> str:
        return self.meta.level

    @property
    def target(self) -> str:
        return self.meta.target


DOCS_BASE = "https://github.com/shiplint/shiplint/blob/main/docs/rules.md"


@lru_cache(maxsize=None)
def builtin_metadata() -> dict[str, RuleMeta]:
    """Every built-in rule's metadata, by code, read from the shipped ``rules/`` tree.

    Parsing some sixty YAML files costs a noticeable part of start-up, so the result is cached
    as one JSON file keyed by the name, size and modification time of every metadata file and
    the shiplint version; any change to ``rules/`` (or a failure to read or write the
    cache) means the YAML files are parsed again."""
    cache = _metadata_cache_path()
    if cache is not None:
        try:
            with open(cache, encoding="utf-8") as fh:
                data = json.load(fh)
            return {code: RuleMeta(**fields) for code, fields in data.items()}
        except (OSError, ValueError, TypeError):
            pass
    out = _parse_builtin_metadata()
    if cache is not None:
        _write_metadata_cache(cache, out)
    return out


def _parse_builtin_metadata() -> dict[str, RuleMeta]:
    from importlib import resources

    from shiplint.sources.yamlsrc import parse_yaml_stream

    out: dict[str, RuleMeta] = {}
    root = resources.files("shiplint.rules")
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.iterdir():
            if child.is_dir():
                stack.append(child)
            elif child.name.endswith(".yaml"):
                docs = parse_yaml_stream(child.read_text(encoding="utf-8"))
                data = docs[0].data if docs and hasattr(docs[0], "data") else None
                if not isinstance(data, dict):
                    raise RuntimeError(f"rule metadata {child.name} is not a mapping")
                meta = RuleMeta.from_dict(_plain(data))
                if not meta.help_uri:
                    meta.help_uri = f"{DOCS_BASE}#{meta.code.lower()}"
                out[meta.code] = meta
    return out


# -- the metadata cache ----------------------------------------------------------------

def _metadata_cache_path() -> str | None:
    """``<cache dir>/rule-metadata-<key>.json`` for the installed ``rules/`` tree, or None (no
    cache: ``SHIPLINT_NO_CACHE``, rules not in a plain directory, nothing to stat)."""
    import os

    if os.environ.get("SHIPLINT_NO_CACHE", "") not in ("", "0"):
        return None
    import hashlib
    import importlib.util

    from shiplint import __version__

    try:
        spec = importlib.util.find_spec("shiplint.rules")
        locations = list(spec.submodule_search_locations or ()) if spec else []
        if len(locations) != 1 or not os.path.isdir(locations[0]):
            return None
        h = hashlib.sha256(f"{__version__}\0{os.path.abspath(locations[0])}".encode("utf-8", "surrogateescape"))
        for dirpath, dirnames, filenames in os.walk(locations[0]):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(".yaml"):
                    st = os.stat(os.path.join(dirpath, name))
                    h.update(f"\0{dirpath}/{name}\0{st.st_size}\0{st.st_mtime_ns}".encode("utf-8", "surrogateescape"))
    except (OSError, ImportError, ValueError):
        return None
    base = os.environ.get("SHIPLINT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "shiplint")
    return os.path.join(base, f"rule-metadata-{h.hexdigest()[:24]}.json")


def _write_metadata_cache(path: str, metadata: dict[str, RuleMeta]) -> None:
    import dataclasses
    import os

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({code: dataclasses.asdict(m) for code, m in metadata.items()}, fh)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        pass


def _plain(value):
    """Turn positioned YAML containers into plain dicts and lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_schema(name: str) -> dict:
    from importlib import resources

    return json.loads(resources.files("shiplint.schemas").joinpath(name).read_text("utf-8"))


def validate_metadata(data: dict, source: str = "") -> None:
    """Validate one rule's metadata against ``schemas/rule.schema.json`` (imports jsonschema)."""
    import jsonschema

    from shiplint.core.errors import UsageError

    validator = jsonschema.Draft202012Validator(load_schema("rule.schema.json"))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.path) or "(top level)"
        raise UsageError(f"invalid rule metadata {source}: {where}: {err.message}")


# Registry filled by the @rule decorator as rule modules are imported.
_DECLARED: list[Rule] = []


def rule(code: str, *, metadata: dict | None = None):
    """Declare the decorated function as the check of rule ``code``.

    Built-in rules find their metadata in ``rules/``; a plugin may pass ``metadata`` (a dict in
    the same format, validated against the schema).
    """

    def decorate(func):
        if metadata is not None:
            validate_metadata(metadata, code)
            meta = RuleMeta.from_dict(metadata)
        else:
            meta = builtin_metadata()[code]
        r = Rule(meta, func, plugin=func.__module__.split(".")[0])
        func.rule = r
        _DECLARED.append(r)
        return func

    return decorate


def declared_rules() -> list[Rule]:
    return list(_DECLARED)
