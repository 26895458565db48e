"""Compatibility path for plugins: this module is :mod:`shiplint.model.k8s.model` (moved there), kept for one release."""
import sys

from shiplint.model.k8s import model as _moved

sys.modules[__name__] = _moved
