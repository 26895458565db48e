"""The plugin manager: the built-in plugin plus every installed ``shiplint`` entry point.

Plugins are loaded only from installed distributions (entry points), never from the tree being
scanned: the implicit first ``sys.path`` entry that ``python -m shiplint`` / ``python -c`` adds
for the current directory is ignored while entry points are discovered and plugin modules
imported, so a ``*.dist-info``, ``conftest.py`` or module lying in the scanned repository cannot
inject code.  A plugin can be disabled with ``--disable-plugin NAME`` or the environment variable
``SHIPLINT_DISABLE_PLUGINS`` (comma-separated names); ``SHIPLINT_NO_PLUGINS=1`` disables every
third-party plugin.  See ``docs/writing-rules.md``.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass

import pluggy

from shiplint.plugins import hookspecs
from shiplint.core.errors import UsageError

ENTRY_POINT_GROUP = "shiplint"


@dataclass
class PluginInfo:
    name: str
    version: str
    source: str  # "builtin" or the distribution name
    enabled: bool = True


def disabled_from_env() -> set[str]:
    raw = os.environ.get("SHIPLINT_DISABLE_PLUGINS", "")
    return {p.strip() for p in raw.split(",") if p.strip()}


def _may_declare_plugins(path: list[str]) -> bool:
    """False only when certainly no distribution on ``path`` declares a ``shiplint`` entry point.

    Importing :mod:`importlib.metadata` and reading every distribution's metadata costs more
    than the rest of a one-file run.  This looks at the ``entry_points.txt`` of the
    ``*.dist-info``/``*.egg-info`` directories on ``path`` (where importlib.metadata finds
    them) and answers True (let importlib.metadata decide) whenever it is unsure: a zip or egg
    on the path, or another finder that can provide distributions."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and hasattr(finder, "find_distributions"):
            return True
    for entry in path:
        where = entry or "."
        try:
            with os.scandir(where) as it:
                names = [e.name for e in it]
        except NotADirectoryError:
            return True  # a zip archive or an egg
        except OSError:
            continue
        for name in names:
            if not name.lower().endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(where, name, "entry_points.txt"), "rb") as fh:
                    if b"[" + ENTRY_POINT_GROUP.encode() + b"]" in fh.read():
                        return True
            except (NotADirectoryError, FileNotFoundError):
                continue
            except OSError:
                return True
    return False


class Plugins:
    """A pluggy manager with shiplint's hooks, the built-in plugin and installed plugins."""

    def __init__(self, disabled: set[str] | None = None, load_entry_points: bool = True) -> None:
        from shiplint import __version__

        from shiplint.plugins import builtin
        self.pm = pluggy.PluginManager("shiplint")
        self.pm.add_hookspecs(hookspecs)
        self.info: list[PluginInfo] = [PluginInfo("builtin", __version__, "builtin")]
        self.pm.register(builtin, name="builtin")
        disabled = set(disabled or ()) | disabled_from_env()
        if os.environ.get("SHIPLINT_NO_PLUGINS", "") not in ("", "0"):
            load_entry_points = False
        if load_entry_points:
            self._load_entry_points(disabled)
        self._rules = None

    def _load_entry_points(self, disabled: set[str]) -> None:
        with _trusted_sys_path() as path:
            if not _may_declare_plugins(path):  # no importlib.metadata when nothing to find
                return
            for ep, dist in _entry_points(path):
                version = getattr(dist, "version", "") or ""
                source = (dist.metadata["Name"] if dist is not None else "") or ""
                if ep.name in disabled or ep.name == "builtin":
                    self.info.append(PluginInfo(ep.name, version, source, enabled=False))
                    continue
                try:
                    plugin = ep.load()
                except Exception as exc:  # a broken plugin is a one-line usage error, not a traceback
                    raise UsageError(
                        f"plugin {ep.name!r} ({source} {version}) failed to load: {type(exc).__name__}: {exc}; "
                        f"disable it with --disable-plugin {ep.name} or SHIPLINT_DISABLE_PLUGINS={ep.name}"
                    ) from None
                try:
                    self.pm.register(plugin, name=ep.name)
                except Exception as exc:  # pluggy validates hook names and signatures
                    raise UsageError(f"plugin {ep.name!r} ({source} {version}) is invalid: {exc}") from None
                self.info.append(PluginInfo(ep.name, version, source))

    def _call(self, hook_name: str):
        """Call one hook plugin by plugin (built-in first), naming the plugin that fails."""
        hook = getattr(self.hook, hook_name)
        for impl in hook.get_hookimpls():  # registration order: builtin first
            try:
                yield impl.plugin_name, impl.function()
            except UsageError:
                raise
            except Exception as exc:
                raise UsageError(f"plugin {impl.plugin_name!r}: {hook_name}() failed: {type(exc).__name__}: {exc}") from None

    @property
    def hook(self):
        return self.pm.hook

    def rules(self):
        """Every rule of every enabled plugin, by code (a code defined twice is a usage error)."""
        if self._rules is None:
            from shiplint.registry.rule import TARGETS, Rule

            rules = {}
            for plugin_name, batch in self._call("shiplint_rules"):
                for r in batch or ():
                    if not isinstance(r, Rule) and isinstance(getattr(r, "rule", None), Rule):
                        r = r.rule  # the decorated function itself
                    if not isinstance(r, Rule) or not callable(r.check) and r.target != "file":
                        raise UsageError(f"plugin {plugin_name!r}: shiplint_rules() must return Rule objects "
                                         f"(use the @rule decorator and return func.rule), got {r!r}")
                    if r.target not in TARGETS:
                        raise UsageError(f"plugin {plugin_name!r}: rule {r.code} has unknown target {r.target!r}")
                    if r.code in rules:
                        raise UsageError(f"rule {r.code} is defined by both plugin {rules[r.code].plugin!r} "
                                         f"and plugin {plugin_name!r}")
                    r.plugin = plugin_name
                    rules[r.code] = r
            self._rules = dict(sorted(rules.items()))
        return self._rules

    def reporters(self) -> dict:
        out = {}
        for _, mapping in self._call("shiplint_reporters"):
            out.update(mapping or {})
        return out

    def pod_template_paths(self) -> dict:
        out = {}
        for plugin_name, mapping in self._call("shiplint_pod_template_paths"):
            for kind, path in (mapping or {}).items():
                if not isinstance(path, (tuple, list)) or not all(isinstance(p, (str, int)) for p in path):
                    raise UsageError(f"plugin {plugin_name!r}: pod template path of {kind!r} must be a tuple "
                                     f"of keys and indexes, got {path!r}")
                out[kind] = tuple(path)
        return out

    def classify(self, display: str, name: str) -> str | None:
        return self.hook.shiplint_classify(path=display, name=name)


def _implicit_path_entry() -> str | None:
    """The ``sys.path`` entry Python added for the current directory (``python -m``/``-c``), if any.

    It is the first entry, equal to ``""`` or to the current directory; Python 3.11's ``-P`` /
    ``PYTHONSAFEPATH`` does not add it.  A console script's first entry is its ``bin`` directory."""
    if getattr(sys.flags, "safe_path", False) or not sys.path:
        return None
    first = sys.path[0]
    try:
        cwd = os.path.realpath(os.getcwd())
    except OSError:  # pragma: no cover - deleted working directory
        return first if first == "" else None
    if first == "" or os.path.realpath(first) == cwd:
        return first
    return None


@contextmanager
def _trusted_sys_path():
    """``sys.path`` without the implicit current-directory entry, for the duration of plugin
    discovery and import; yields the path list used for discovery."""
    entry = _implicit_path_entry()
    if entry is None:
        yield list(sys.path)
        return
    del sys.path[0]
    try:
        yield list(sys.path)
    finally:
        sys.path.insert(0, entry)


def _entry_points(path: list[str]):
    """``(entry point, distribution)`` of the ``shiplint`` group among the distributions found
    on ``path``, one distribution per name (the first on the path wins), sorted by name."""
    from importlib.metadata import distributions

    seen: set[str] = set()
    found = []
    for dist in distributions(path=path):
        try:
            name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        except Exception:  # pragma: no cover - broken metadata
            continue
        if not name or name in seen:
            continue
        seen.add(name)
        for ep in dist.entry_points:
            if ep.group == ENTRY_POINT_GROUP:
                found.append((ep, dist))
    found.sort(key=lambda pair: pair[0].name)
    return found
