"""The built-in rule catalogue: ``rules/<pack>/<CODE>.yaml`` paired with ``rules/<pack>/<CODE>.py``.

A built-in rule is written down once: its code is the common stem of its two files.  The YAML
holds the metadata (everything but the code); the module holds one function marked with a bare
``@rule``, which receives the subject of the YAML's ``target``::

    rules/dockerfile/DF101.yaml     name, level, target: dockerfile, summary, rationale, …
    rules/dockerfile/DF101.py       @rule
                                    def check(dockerfile, ctx): …

A rule whose target is ``file`` is stamped by the engine itself (parse errors, unreadable files,
suppression bookkeeping, failed renders): it has a YAML, so that it is documented and selectable,
and no module.  Helpers shared by the rules of a pack live in ``rules/<pack>/_*.py``.

Whenever the catalogue is read, a disagreement is a :class:`RuleCatalogueError` naming the file:

* a YAML whose stem is not a code, that sets ``code:``, misses a required key, has an unknown
  key, an unknown target or level;
* a YAML without its module (unless its target is ``file``), an engine-stamped one with a module,
  a module (other than ``__init__.py`` and ``_*.py``) without its YAML;
* a name used twice within a code family (DF…, KS…): twins of two families may share a name.

Modules are imported only when their rule first runs (a Dockerfile-only run never imports the
Kubernetes rules); the import checks that the module marks exactly one function of its own with
a bare ``@rule``.  The parsed catalogue is cached as one JSON file keyed by the name, size and
modification time of every rule file, so a run does not parse sixty YAML files at start-up; the
cache only ever holds a catalogue that passed the checks above.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import asdict, dataclass, fields
from functools import lru_cache

from shiplint.core.errors import ShiplintError
from shiplint.registry.rule import LEVELS, TARGETS, Rule, RuleMeta, _plain, is_marked_check

PACKAGE = "shiplint.rules"
DOCS_BASE = "https://github.com/shiplint/shiplint/blob/main/docs/rules.md"
#: Targets of rules stamped by the engine, which have no check module.
ENGINE_TARGETS = ("file",)

_CODE = re.compile(r"[A-Z]{2,8}[0-9]{3,4}\Z")
_REQUIRED = ("name", "level", "summary", "target", "rationale", "fix", "example")
_KNOWN = {f.name for f in fields(RuleMeta)} - {"code"}
#: Changes whenever the cached form changes, so that an older cache is never read.
_CACHE_FORMAT = "2"


class RuleCatalogueError(ShiplintError):
    """The built-in rule files disagree (a packaging or development mistake, not a user error)."""


@dataclass(frozen=True)
class Entry:
    """One built-in rule as found on disk: its pack, metadata and check module (if any)."""

    pack: str
    meta: RuleMeta
    module: str | None  # dotted name; None for an engine-stamped rule


# -- reading the catalogue -----------------------------------------------------------------

def _display(package: str, *parts: str) -> str:
    """``rules/dockerfile/DF101.py``: the path as laid out in the source tree."""
    return "/".join((package.rsplit(".", 1)[-1], *parts))


def _parse(package: str) -> list[Entry]:
    from importlib import resources

    root = resources.files(package)
    entries: list[Entry] = []
    for node in sorted(root.iterdir(), key=lambda n: n.name):
        if node.name.endswith((".yaml", ".yml")):
            raise RuleCatalogueError(f"{_display(package, node.name)}: rule files live in a pack folder, "
                                     f"{_display(package, '<pack>', node.name)}")
        if node.is_dir() and not node.name.startswith(("_", ".")):
            entries.extend(_parse_pack(package, node))
    _check_names(package, entries)
    return sorted(entries, key=lambda e: e.meta.code)


def _parse_pack(package: str, pack) -> list[Entry]:
    yamls: dict[str, object] = {}
    modules: set[str] = set()
    for node in pack.iterdir():
        name = node.name
        where = _display(package, pack.name, name)
        if name.endswith((".yaml", ".yml")):
            stem = name.rsplit(".", 1)[0]
            if not _CODE.match(stem) or not name.endswith(".yaml"):
                raise RuleCatalogueError(f"{where}: a rule's metadata file is named after its code, "
                                         "like DF101.yaml")
            yamls[stem] = node
        elif name.endswith(".py") and name != "__init__.py" and not name.startswith("_"):
            stem = name[:-3]
            if not _CODE.match(stem):
                raise RuleCatalogueError(f"{where}: a module here is a rule's check named after its code "
                                         "(DF101.py) or a helper whose name starts with '_'")
            modules.add(stem)
    orphans = sorted(modules - set(yamls))
    if orphans:
        raise RuleCatalogueError(f"{_display(package, pack.name, orphans[0] + '.py')}: no metadata: "
                                 f"add {_display(package, pack.name, orphans[0] + '.yaml')}")
    out = []
    for stem in sorted(yamls):
        meta = _read_metadata(yamls[stem], stem, _display(package, pack.name, stem + ".yaml"))
        module = f"{package}.{pack.name}.{stem}"
        if meta.target in ENGINE_TARGETS:
            if stem in modules:
                raise RuleCatalogueError(f"{_display(package, pack.name, stem + '.py')}: rule {stem} has "
                                         f"target {meta.target!r}: the engine stamps it, it has no check module")
            module = None
        elif stem not in modules:
            raise RuleCatalogueError(f"{_display(package, pack.name, stem + '.yaml')}: no check module: "
                                     f"add {_display(package, pack.name, stem + '.py')} (or use target "
                                     "'file' for a rule the engine stamps itself)")
        out.append(Entry(pack.name, meta, module))
    return out


def _read_metadata(node, code: str, where: str) -> RuleMeta:
    from shiplint.core.errors import ParseError
    from shiplint.sources.yamlsrc import parse_yaml_stream

    try:
        docs = parse_yaml_stream(node.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleCatalogueError(f"{where}: cannot read: {exc}") from None
    if len(docs) != 1 or isinstance(docs[0], ParseError) or not isinstance(docs[0].data, dict):
        problem = docs[0] if docs and isinstance(docs[0], ParseError) else "not one YAML mapping"
        raise RuleCatalogueError(f"{where}: {problem}")
    data = _plain(docs[0].data)
    if "code" in data:
        raise RuleCatalogueError(f"{where}: remove 'code:': a built-in rule's code is its file name ({code})")
    unknown = sorted(k for k in data if k.replace("-", "_") not in _KNOWN)
    if unknown:
        raise RuleCatalogueError(f"{where}: unknown key {unknown[0]!r}")
    missing = [k for k in _REQUIRED if not data.get(k)]
    if missing:
        raise RuleCatalogueError(f"{where}: missing {missing[0]!r}")
    if data["target"] not in TARGETS:
        raise RuleCatalogueError(f"{where}: unknown target {data['target']!r} (one of {', '.join(TARGETS)})")
    if data["level"] not in LEVELS:
        raise RuleCatalogueError(f"{where}: unknown level {data['level']!r} (one of {', '.join(LEVELS)})")
    meta = RuleMeta.from_dict({**data, "code": code})
    if not meta.help_uri:
        meta.help_uri = f"{DOCS_BASE}#{code.lower()}"
    return meta


def _family(code: str) -> str:
    return code.rstrip("0123456789")


def _check_names(package: str, entries: list[Entry]) -> None:
    # A name is unique within a family; the Dockerfile and Kubernetes twins of one practice share
    # it (untrusted-registry), so that naming it selects both.
    seen: dict[tuple[str, str], Entry] = {}
    for e in sorted(entries, key=lambda e: e.meta.code):
        key = (_family(e.meta.code), e.meta.name)
        if key in seen:
            first = seen[key]
            raise RuleCatalogueError(
                f"{_display(package, e.pack, e.meta.code + '.yaml')}: name {e.meta.name!r} is already "
                f"used by {first.meta.code} ({_display(package, first.pack, first.meta.code + '.yaml')})")
        seen[key] = e


@lru_cache(maxsize=None)
def catalogue(package: str = PACKAGE) -> tuple[Entry, ...]:
    """Every built-in rule of ``package``, sorted by code, checked (see the module docstring)."""
    cache = _cache_path(package)
    if cache is not None:
        try:
            with open(cache, encoding="utf-8") as fh:
                data = json.load(fh)
            return tuple(Entry(pack, RuleMeta(**meta), module) for pack, meta, module in data)
        except (OSError, ValueError, TypeError):
            pass
    entries = tuple(_parse(package))
    if cache is not None:
        _write_cache(cache, entries)
    return entries


def builtin_metadata(package: str = PACKAGE) -> dict[str, RuleMeta]:
    """Every built-in rule's metadata, by code."""
    return {e.meta.code: e.meta for e in catalogue(package)}


def builtin_rules(package: str = PACKAGE) -> list[Rule]:
    """The built-in rules, each with a check that imports its module on first use."""
    return [Rule(e.meta, LazyCheck(e.module, e.meta.code) if e.module else None, plugin="shiplint")
            for e in catalogue(package)]


class LazyCheck:
    """The check of a built-in rule, whose module is imported when the rule first runs (a run
    imports only the rule modules of the targets it meets: a Dockerfile check never imports the
    Kubernetes rules, nor the YAML library through them)."""

    def __init__(self, module: str, code: str) -> None:
        self.module = module
        self.code = code
        self._func = None

    def load(self):
        if self._func is None:
            self._func = _marked_check(importlib.import_module(self.module))
        return self._func

    def __call__(self, subject, ctx):
        return (self._func or self.load())(subject, ctx)


def _marked_check(module):
    package, pack, code = module.__name__.rsplit(".", 2)
    where = _display(package, pack, code + ".py")
    own = [v for v in vars(module).values() if callable(v) and getattr(v, "__module__", None) == module.__name__]
    declared = [v for v in own if isinstance(getattr(v, "rule", None), Rule)]
    if declared:
        raise RuleCatalogueError(f"{where}: declares rule {declared[0].rule.code} with @rule(code): a built-in "
                                 "check is marked with a bare @rule, its code is the file name")
    found = [v for v in own if is_marked_check(v)]
    if len(found) != 1:
        names = ", ".join(f.__name__ for f in found) or "none"
        raise RuleCatalogueError(f"{where}: must mark exactly one function with a bare @rule (found: {names})")
    return found[0]


# -- the cache -----------------------------------------------------------------------------

def _cache_path(package: str) -> str | None:
    """``<cache dir>/rule-metadata-<key>.json`` for the installed rule files, or None (no cache:
    ``SHIPLINT_NO_CACHE``, rules not in a plain directory, nothing to stat)."""
    import os

    if os.environ.get("SHIPLINT_NO_CACHE", "") not in ("", "0"):
        return None
    import hashlib
    import importlib.util

    from shiplint import __version__

    try:
        spec = importlib.util.find_spec(package)
        locations = list(spec.submodule_search_locations or ()) if spec else []
        if len(locations) != 1 or not os.path.isdir(locations[0]):
            return None
        seed = f"{_CACHE_FORMAT}\0{__version__}\0{package}\0{os.path.abspath(locations[0])}"
        h = hashlib.sha256(seed.encode("utf-8", "surrogateescape"))
        for dirpath, dirnames, filenames in os.walk(locations[0]):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".yaml", ".yml")):
                    st = os.stat(os.path.join(dirpath, name))
                    h.update(f"\0{dirpath}/{name}\0{st.st_size}\0{st.st_mtime_ns}".encode("utf-8", "surrogateescape"))
                elif name.endswith(".py"):  # the pairing depends on which modules exist
                    h.update(f"\0{dirpath}/{name}".encode("utf-8", "surrogateescape"))
    except (OSError, ImportError, ValueError):
        return None
    base = os.environ.get("SHIPLINT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "shiplint")
    return os.path.join(base, f"rule-metadata-{h.hexdigest()[:24]}.json")


def _write_cache(path: str, entries: tuple[Entry, ...]) -> None:
    import os

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump([[e.pack, asdict(e.meta), e.module] for e in entries], fh)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        pass
