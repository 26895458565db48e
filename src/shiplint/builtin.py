"""The built-in plugin: shiplint's own rules, reporters and file classifier.

It is registered through the same hooks as any third-party plugin.
"""

from __future__ import annotations

import importlib
import pkgutil

from .hookspecs import hookimpl

RULE_PACKAGES = ("shiplint.checks.core", "shiplint.checks.dockerfile", "shiplint.checks.kubernetes")


def _rules_in(package: str) -> list:
    pkg = importlib.import_module(package)
    out = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
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
    from .reporters.text import render

    return render(report, options)


def _json(report, options):
    from .reporters.json import render

    return render(report, options)


def _sarif(report, options):
    from .reporters.sarif import render

    return render(report, options)


# CI formats (issue 9): GitHub workflow commands, GitLab Code Quality, JUnit XML
def _github(report, options):
    from .reporters.github import render

    return render(report, options)


def _gitlab(report, options):
    from .reporters.gitlab import render

    return render(report, options)


def _junit(report, options):
    from .reporters.junit import render

    return render(report, options)


@hookimpl
def shiplint_reporters():
    return {"text": _text, "json": _json, "sarif": _sarif,
            "github": _github, "gitlab": _gitlab, "junit": _junit}  # CI formats (issue 9)


@hookimpl
def shiplint_classify(path, name):
    from .discovery import classify_name

    return classify_name(name)
