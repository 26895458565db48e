"""Compatibility path for plugins: this module is :mod:`shiplint.plugins.hookspecs` (moved there), kept for one release."""
import sys

from shiplint.plugins import hookspecs as _moved

sys.modules[__name__] = _moved
