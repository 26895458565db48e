"""The built-in plugin: shiplint's own rules, reporters and file classifier.

It is registered through the same hooks as any third-party plugin.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from shiplint.plugins.hookspecs import hookimpl

RULE_PACKAGES = ("shiplint.rules.core", "shiplint.rules.dockerfile", "shiplint.rules.kubernetes")


_RULE_MODULE = re.compile(r"([a-z]{2}[0-9]{3})_[a-z0-9_]+\Z")


class LazyCheck:
    """The check of a built-in rule whose module (``<code>_<name>.py``) is imported on first use
    (a run imports only the rule modules of the targets it meets; a Dockerfile check
    never imports the Kubernetes rules, nor the YAML library through them)."""

    def __init__(self, module: str, code: str) -> None:
        self.module = module
        self.code = code
        self._func = None

    def load(self):
        if self._func is None:
            module = importlib.import_module(self.module)
            found = [v for v in vars(module).values()
                     if getattr(getattr(v, "rule", None), "code", None) == self.code
                     and getattr(v, "__module__", None) == module.__name__]
            if len(found) != 1:
                raise RuntimeError(f"{self.module} does not declare rule {self.code} once")
            self._func = found[0]
        return self._func

    def __call__(self, subject, ctx):
        return (self._func or self.load())(subject, ctx)


def _rules_in(package: str) -> list:
    from shiplint.registry.rule import Rule, builtin_metadata

    pkg = importlib.import_module(package)
    out = []
    metadata = None
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        m = _RULE_MODULE.match(info.name)
        if m and not info.ispkg:  # one rule per module, named after its code: imported when used
            metadata = metadata or builtin_metadata()
            meta = metadata.get(m.group(1).upper())
            if meta is not None:
                out.append(Rule(meta, LazyCheck(f"{package}.{info.name}", meta.code), plugin="shiplint"))
                continue
        module = importlib.import_module(f"{package}.{info.name}")
        for value in vars(module).values():
            r = getattr(value, "rule", None)
            if r is not None and getattr(value, "__module__", None) == module.__name__:
                out.append(r)
    return out


@hookimpl
def shiplint_rules():
    out = []
    for package in RULE_PACKAGES:
        out.extend(_rules_in(package))
    return out


def _text(report, options):
    from shiplint.reporters.text import render

    return render(report, options)


def _json(report, options):
    from shiplint.reporters.json import render

    return render(report, options)


def _sarif(report, options):
    from shiplint.reporters.sarif import render

    return render(report, options)


# CI formats: GitHub workflow commands, GitLab Code Quality, JUnit XML
def _github(report, options):
    from shiplint.reporters.github import render

    return render(report, options)


def _gitlab(report, options):
    from shiplint.reporters.gitlab import render

    return render(report, options)


def _junit(report, options):
    from shiplint.reporters.junit import render

    return render(report, options)


@hookimpl
def shiplint_reporters():
    return {"text": _text, "json": _json, "sarif": _sarif,
            "github": _github, "gitlab": _gitlab, "junit": _junit}  # CI formats


@hookimpl
def shiplint_classify(path, name):
    from shiplint.inputs.discovery import classify_name

    return classify_name(name)
