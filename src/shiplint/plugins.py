"""The plugin manager: the built-in plugin plus every installed ``shiplint`` entry point.

Plugins are loaded only from installed distributions (entry points), never from the tree being
scanned.  A plugin can be disabled with ``--disable-plugin NAME`` or the environment variable
``SHIPLINT_DISABLE_PLUGINS`` (comma-separated names); ``SHIPLINT_NO_PLUGINS=1`` disables every
third-party plugin.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pluggy

from . import hookspecs
from .errors import UsageError

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


def _may_declare_plugins() -> bool:
    """False only when certainly no installed distribution declares a ``shiplint`` entry point.

    Importing :mod:`importlib.metadata` and reading every distribution's metadata costs more
    than the rest of a one-file run (issue 10).  This looks at the ``entry_points.txt`` of the
    ``*.dist-info``/``*.egg-info`` directories on ``sys.path`` (where importlib.metadata finds
    them) and answers True (let importlib.metadata decide) whenever it is unsure: a zip or egg
    on ``sys.path``, or another finder that can provide distributions."""
    import sys
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and hasattr(finder, "find_distributions"):
            return True
    for entry in sys.path:
        path = entry or "."
        try:
            with os.scandir(path) as it:
                names = [e.name for e in it]
        except NotADirectoryError:
            return True  # a zip archive or an egg
        except OSError:
            continue
        for name in names:
            if not name.lower().endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(path, name, "entry_points.txt"), "rb") as fh:
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
        from . import __version__, builtin

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
        if not _may_declare_plugins():  # issue 10: no importlib.metadata when nothing to find
            return
        from importlib.metadata import entry_points

        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = getattr(ep, "dist", None)
            version = getattr(dist, "version", "") if dist else ""
            source = getattr(dist, "name", "") if dist else ""
            if ep.name in disabled or ep.name == "builtin":
                self.info.append(PluginInfo(ep.name, version, source, enabled=False))
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken plugin must not take shiplint down
                raise UsageError(f"plugin {ep.name!r} ({source}) failed to load: {exc}") from None
            self.pm.register(plugin, name=ep.name)
            self.info.append(PluginInfo(ep.name, version, source))

    @property
    def hook(self):
        return self.pm.hook

    def rules(self):
        """Every rule of every enabled plugin, by code (first registration wins)."""
        if self._rules is None:
            rules = {}
            for batch in reversed(self.hook.shiplint_rules()):  # builtin first
                for r in batch or ():
                    if r.code in rules:
                        raise UsageError(f"two plugins define rule {r.code}")
                    rules[r.code] = r
            self._rules = dict(sorted(rules.items()))
        return self._rules

    def reporters(self) -> dict:
        out = {}
        for mapping in reversed(self.hook.shiplint_reporters()):
            out.update(mapping or {})
        return out

    def pod_template_paths(self) -> dict:
        out = {}
        for mapping in self.hook.shiplint_pod_template_paths():
            out.update(mapping or {})
        return out

    def classify(self, display: str, name: str) -> str | None:
        return self.hook.shiplint_classify(path=display, name=name)
