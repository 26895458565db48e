"""Rules: metadata joined to a check function.

A built-in rule is two files with the same stem, its code: ``rules/<pack>/DF101.yaml`` (the
metadata, see ``schemas/rule.schema.json``) and ``rules/<pack>/DF101.py``, a tiny module::

    from shiplint.core.findings import Hit
    from shiplint.registry.rule import rule

    @rule
    def check(dockerfile, ctx):
        ...
        yield Hit("…", region)

:mod:`shiplint.registry.loader` pairs the two; a plugin declares its rules with
``@rule("EX001", metadata={...})`` instead.  The engine, not the check, stamps code and level.

Targets (what the check receives):

``dockerfile``    a parsed :class:`shiplint.sources.dockerfile.Dockerfile`
``resource``      one :class:`shiplint.model.k8s.model.Resource`
``project``       the :class:`shiplint.model.k8s.index.ResourceIndex` of everything scanned together
``compose``       a :class:`shiplint.model.compose.ComposeProject`: a Compose file merged with
                  the files Compose reads with it (rules report on the file that set a value)
``kustomization`` one kustomization file (a :class:`shiplint.model.k8s.model.Resource`-like view)
``ci``            one CI pipeline file (:class:`shiplint.model.ci.Pipeline`: a GitHub Actions workflow
                  or a ``.gitlab-ci.yml`` with its local includes)
``file``          nothing: rules stamped by the engine itself (parse errors…), which have no check
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Iterable

from shiplint.core.errors import UsageError

TARGETS = ("dockerfile", "resource", "project", "kustomization", "compose", "ci", "chart", "file")
LEVELS = ("error", "warning", "note")


@dataclass
class RuleMeta:
    code: str
    name: str
    level: str
    summary: str
    target: str
    rationale: str = ""
    fix: str = ""
    example: str = ""
    good_example: str = ""
    tags: list[str] = field(default_factory=list)
    seeds: list[str] = field(default_factory=list)
    security_severity: float | None = None
    help_uri: str = ""
    #: SARIF ``precision``: how often a finding is a true problem ("" reads as "high")
    precision: str = ""
    options: dict = field(default_factory=dict)
    example_language: str = ""
    #: "safe" or "unsafe" when the check attaches fixes to its hits, else "" (no fix)
    autofix: str = ""
    autofix_note: str = ""
    #: a regular expression of the codes of another tool the rule reports (``SC[0-9]{4}``):
    #: they select and suppress its findings one by one
    subcodes: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> "RuleMeta":
        known = {f for f in cls.__dataclass_fields__}
        kwargs = {k.replace("-", "_"): v for k, v in data.items()}
        kwargs = {k: v for k, v in kwargs.items() if k in known}
        return cls(**kwargs)


@dataclass
class Rule:
    meta: RuleMeta
    check: Callable[..., Iterable] | None
    plugin: str = "builtin"

    @property
    def code(self) -> str:
        return self.meta.code

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def level(self) -> str:
        return self.meta.level

    @property
    def target(self) -> str:
        return self.meta.target


def _plain(value):
    """Turn positioned YAML containers into plain dicts and lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_schema(name: str) -> dict:
    from importlib import resources

    return json.loads(resources.files("shiplint.schemas").joinpath(name).read_text("utf-8"))


def validate_metadata(data: dict, source: str = "") -> None:
    """Validate one rule's metadata against ``schemas/rule.schema.json`` (imports jsonschema)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema("rule.schema.json"))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.path) or "(top level)"
        raise UsageError(f"invalid rule metadata {source}: {where}: {err.message}")


#: Attribute that a bare ``@rule`` sets on the check function of a built-in rule module.
_MARK = "__shiplint_check__"


def rule(code=None, *, metadata: dict | None = None):
    """Declare a check.

    A built-in rule module marks its one check with a bare ``@rule``: the code is the module's
    file name and the metadata is the YAML file beside it (see :mod:`shiplint.registry.loader`).

    A plugin writes ``@rule("EX001", metadata={...})``: ``metadata`` is a dict in the format of
    the built-in YAML files, validated against ``schemas/rule.schema.json``; its ``code`` may be
    left out, and when present must be ``code``.  The decorated function gets a ``.rule``
    attribute, the :class:`Rule` to return from the ``shiplint_rules`` hook.
    """
    if callable(code) and metadata is None:
        setattr(code, _MARK, True)
        return code
    if code is None:
        return rule
    if metadata is None:
        raise UsageError(f"@rule({code!r}) needs metadata={{...}}: a plugin rule carries its own metadata "
                         "(the built-in rules mark their check with a bare @rule)")
    if "code" in metadata and metadata["code"] != code:
        raise UsageError(f"@rule({code!r}): metadata names another code, {metadata['code']!r}")
    metadata = {**metadata, "code": code}
    validate_metadata(metadata, code)
    meta = RuleMeta.from_dict(metadata)

    def decorate(func):
        func.rule = Rule(meta, func, plugin=func.__module__.split(".")[0])
        return func

    return decorate


def is_marked_check(func) -> bool:
    """Whether ``func`` was marked with a bare ``@rule`` (a built-in module's check)."""
    return getattr(func, _MARK, False) is True
