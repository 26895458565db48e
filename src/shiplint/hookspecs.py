"""The hook specifications of shiplint (pluggy).

Every feature that can be extended is a hook here, and the built-in rules, reporters and
classifiers are registered through these very hooks by :mod:`shiplint.builtin`, exactly as a
third-party plugin registers its own.  A plugin is a module or object that implements some of
these functions with ``@shiplint.hookimpl``, published under the ``shiplint`` entry-point group.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("shiplint")
hookimpl = pluggy.HookimplMarker("shiplint")


@hookspec
def shiplint_rules():
    """Return a list of :class:`shiplint.rule.Rule` objects this plugin provides."""


@hookspec
def shiplint_reporters():
    """Return a mapping of format name to a reporter callable.

    A reporter is called as ``reporter(report, options)`` with a :class:`shiplint.report.Report`
    and a dict of output options, and returns the text to write.
    """


@hookspec(firstresult=True)
def shiplint_classify(path: str, name: str):
    """Return the kind of a file (``"dockerfile"``, ``"yaml"``) or ``None`` to let others decide.

    ``path`` is the display path, ``name`` the file's base name.
    """


@hookspec
def shiplint_pod_template_paths():
    """Return a mapping of resource kind to the path of its pod template.

    Example: ``{"Rollout": ("spec", "template"), "Workflow": ("spec", "podSpecPatch")}``.
    Custom resources with a pod template at ``spec.template`` are found without this hook.
    """
