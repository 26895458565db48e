"""The hook specifications of shiplint (pluggy).

Every feature that can be extended is a hook here, and the built-in rules, reporters and
classifiers are registered through these very hooks by :mod:`shiplint.plugins.builtin`, exactly as a
third-party plugin registers its own.

A plugin is a module (or any object) that implements some of these functions, each decorated
with :data:`hookimpl`, and that an installed distribution publishes under the ``shiplint``
entry-point group::

    # pyproject.toml of the plugin package
    [project.entry-points.shiplint]
    acme = "shiplint_acme.plugin"      # the entry-point name is the plugin's name

    # shiplint_acme/plugin.py
    from shiplint.plugins.hookspecs import hookimpl

    @hookimpl
    def shiplint_rules():
        from shiplint import rules
        return [rules.require_owner.rule]

Rules:

* Plugins are loaded only from installed distributions, never from the repository being scanned
  (the current directory is not searched for entry points or plugin modules).
* ``shiplint plugins`` lists every plugin with its version; ``--disable-plugin NAME`` or
  ``SHIPLINT_DISABLE_PLUGINS=NAME[,NAME…]`` skips one, ``SHIPLINT_NO_PLUGINS=1`` skips them all.
* A plugin that fails to import, or a hook that raises, is a usage error (exit 2) naming the
  plugin; a rule that raises while checking a file becomes a notification of the run.
* Hooks are called with keyword arguments; an implementation may accept fewer parameters than
  the specification (pluggy passes only those it names).

The full guide, with a complete example package, is ``docs/writing-rules.md``.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("shiplint")
hookimpl = pluggy.HookimplMarker("shiplint")


@hookspec
def shiplint_rules():
    """Return the rules this plugin provides: a list of :class:`shiplint.registry.rule.Rule`.

    Build each rule with the :func:`shiplint.registry.rule.rule` decorator, passing its metadata (the
    format of ``rules/*.yaml``, validated against ``schemas/rule.schema.json`` when the module is
    imported), and return ``function.rule`` (returning the decorated function itself also works)::

        @rule("ACME001", metadata={
            "code": "ACME001", "name": "require-owner-annotation", "level": "warning",
            "target": "resource", "summary": "...", "rationale": "...", "fix": "...",
            "example": "...",
        })
        def check(resource, ctx):
            if "acme.example/owner" not in resource.annotations:
                yield Hit("... has no owner annotation", resource.anchor,
                          subject=f"{resource.identity}:metadata.annotations")

    The check is called once per subject of its ``target`` with ``(subject, ctx)`` and yields
    :class:`shiplint.core.findings.Hit` objects; the engine stamps code, name and level.  Targets:
    ``dockerfile`` (a parsed Dockerfile), ``resource`` (one Kubernetes object,
    :class:`shiplint.model.k8s.model.Resource`), ``project`` (the
    :class:`shiplint.model.k8s.index.ResourceIndex` of everything scanned together).

    ``ctx.option(name)`` reads a rule option (configuration, else the ``options`` default of
    the metadata).  A code must be unique across all plugins and policies: a duplicate is a
    usage error.  Prefix your codes with a vendor prefix (``ACME001``), not ``DF``/``KS``/``SL``.
    """


@hookspec
def shiplint_reporters():
    """Return a mapping of output format name to a reporter callable (``--format NAME``).

    A reporter is called as ``reporter(report, options)`` with the run's
    :class:`shiplint.engine.Report` (``report.findings``, ``report.active()``,
    ``report.rules``, ``report.notifications``, ``report.files``) and a dict of output options
    (``color``, ``quiet``…), and returns the text to write (stdout or ``--output``).  Plugins
    registered later override a format of the same name.
    """


@hookspec(firstresult=True)
def shiplint_classify(path: str, name: str):
    """Return the kind of a file (``"dockerfile"``, ``"yaml"``, ``"ci"``) or ``None`` to let others decide.

    ``path`` is the repository-relative display path, ``name`` the file's base name.  The first
    non-``None`` answer wins; third-party plugins are asked before the built-in classifier, so a
    plugin can claim ``Containerfile.prod`` as a Dockerfile or ``*.k8s`` as YAML.
    """


@hookspec
def shiplint_pod_template_paths():
    """Return a mapping of resource kind to the path of its pod template (keys and indexes).

    The pod template is the object holding ``metadata`` and ``spec`` (with ``containers``);
    every rule about pods and containers then applies to that kind.  Example::

        {"Rollout": ("spec", "template"), "Worker": ("spec", "podTemplate")}

    Custom resources whose pod template is at ``spec.template`` are found without this hook.
    """
