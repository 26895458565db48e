"""Plugins: the hook specification, the manager that loads entry points, and the built-in plugin
(shiplint's own rules, reporters and classifier, registered through the same hooks)."""

from shiplint.plugins.manager import ENTRY_POINT_GROUP, PluginInfo, Plugins, disabled_from_env

__all__ = ["ENTRY_POINT_GROUP", "PluginInfo", "Plugins", "disabled_from_env"]
