"""Reporters turn a :class:`shiplint.engine.Report` into text; they know nothing of rule internals."""
