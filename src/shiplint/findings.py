"""Compatibility path for plugins: this module is :mod:`shiplint.core.findings` (moved there), kept for one release."""
import sys

from shiplint.core import findings as _moved

sys.modules[__name__] = _moved
