"""Compatibility path for plugins: this module is :mod:`shiplint.registry.rule` (moved there), kept for one release."""
import sys

from shiplint.registry import rule as _moved

sys.modules[__name__] = _moved
