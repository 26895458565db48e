"""The built-in plugin: shiplint's own rules, reporters and file classifier.

It is registered through the same hooks as any third-party plugin.
"""

from __future__ import annotations

from shiplint.plugins.hookspecs import hookimpl


@hookimpl
def shiplint_rules():
    from shiplint.registry.loader import builtin_rules

    return builtin_rules()


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


def _markdown(report, options):
    from shiplint.reporters.markdown import render

    return render(report, options)


@hookimpl
def shiplint_reporters():
    return {"text": _text, "json": _json, "sarif": _sarif,
            "github": _github, "gitlab": _gitlab, "junit": _junit,  # CI formats
            "markdown": _markdown}  # pull-request comment, job summary


@hookimpl
def shiplint_classify(path, name):
    from shiplint.inputs.discovery import classify_path

    return classify_path(path)
