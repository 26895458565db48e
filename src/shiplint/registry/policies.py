"""Declarative policies: custom rules written as YAML files around a JSON Schema.

A policy file holds one rule (or several, as documents of one YAML stream)::

    id: ORG001
    name: require-team-label
    severity: warning
    summary: Every workload names the team that owns it
    target: workload            # resource | workload | pod-spec | container
    kinds: [Deployment, StatefulSet]
    schema:
      properties:
        metadata:
          required: [labels]
          properties:
            labels: {required: [team]}
    message: "{kind} {name} has no team label"
    help: Add a `team` label so alerts reach the owners.

Files are validated against ``schemas/policy.schema.json``; any problem is a
:class:`~shiplint.core.errors.UsageError` naming ``file:line:column`` and the reason (exit 2).  Each
policy becomes an ordinary :class:`~shiplint.registry.rule.Rule` of engine target ``resource``, so it is
listed, explained, selected, suppressed and reported like a built-in rule.

The check evaluates the schema on its target and turns every distinct failing location into one
finding.  A finding points at the failing node: a scalar's value, a mapping's or sequence's key
(the line that names it), or, for a ``required`` failure, the object that lacks the property
(``labels:`` when ``team`` is missing from it, ``metadata:`` when ``labels`` is missing).  At
the target's root it points at the object's name (``Resource.anchor``) or container name.

Policies come from the trusted configuration, the resources they check from the repository
scanned: a ``pattern`` (or ``patternProperties``) is a backtracking regular expression that a
crafted value can make run for hours.  So each evaluation of a policy on one subject has a time
budget (:data:`EVALUATION_BUDGET`, :mod:`shiplint.core.timebudget`); when it runs out the subject
fails the policy, with a message that says so (a gate fails closed).  A policy that ran out
:data:`MAX_EXPIRED` times gets :data:`EXHAUSTED_BUDGET` per subject for the rest of the run
(ample for an ordinary value, which takes microseconds): a repository full of crafted values
costs seconds, not hours.

jsonschema is imported here only, and this module only when policies are configured: a run
without policies never imports it.
"""

from __future__ import annotations

import json
import os
import re
import string
from dataclasses import dataclass, field

from shiplint.core.errors import UsageError
from shiplint.core.findings import Hit, Region
from shiplint.registry.rule import Rule, RuleMeta, _plain, load_schema

POLICY_TARGETS = ("resource", "workload", "pod-spec", "container")
PLACEHOLDERS = ("kind", "name", "namespace", "path", "container")
ALL_ROLES = ("init", "regular", "ephemeral")
SUFFIXES = (".yaml", ".yml")

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
#: Seconds one policy may take on one subject (a resource, pod spec or container).
EVALUATION_BUDGET = 0.5
#: Budgets a policy may exhaust before it gets only :data:`EXHAUSTED_BUDGET` per subject.
MAX_EXPIRED = 5
EXHAUSTED_BUDGET = 0.02
#: Policy files are a few kilobytes; a FIFO or ``/dev/zero`` in their place is refused.
MAX_POLICY_SIZE = 16 << 20
_NOT_EVALUATED = " (not evaluated: the policy ran out of its time budget on this object)"


@dataclass
class PolicyRule(Rule):
    """A rule defined by a policy file; ``source`` is ``file:line`` of its definition."""

    source: str = ""
    policy_target: str = "resource"
    kinds: tuple = ()
    schema: object = field(default_factory=dict)
    #: ``file:line:column`` of the ``id`` and ``name`` values (for collision errors)
    positions: dict = field(default_factory=dict)

    def origin_lines(self) -> list[str]:
        """Extra lines for ``shiplint explain``: where the policy lives and what it checks."""
        what = f"target: {self.policy_target}"
        if self.kinds:
            what += f"; kinds: {', '.join(self.kinds)}"
        body = json.dumps(self.schema, indent=2, ensure_ascii=False, default=str)
        return [f"Policy defined in {self.source} ({what})", "", "Schema",
                *("  " + line for line in body.splitlines())]


# -- locating nodes ----------------------------------------------------------------------------

def json_path(path) -> str:
    """``metadata.labels["app.kubernetes.io/name"]``, ``spec.ports[0].nodePort``; root is ``""``."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        elif _IDENT.match(str(step)):
            out += f".{step}" if out else str(step)
        else:
            out += "[" + json.dumps(str(step), ensure_ascii=False) + "]"
    return out


def node_region(data, path) -> Region | None:
    """The region of the node at ``path`` (which exists): a scalar's value, a mapping's or
    sequence's key (or its item in a sequence).  Falls back to the deepest existing node."""
    from shiplint.sources.yamlsrc import locate

    at = locate(data, path)
    return at.region if at.parent is not None else None


# -- loading -----------------------------------------------------------------------------------

def _display(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def policy_files(dirs) -> list[str]:
    """The policy files of each directory (``*.yaml``/``*.yml``, sorted; not recursive).

    A file may be named directly.  A missing directory is a usage error."""
    out: list[str] = []
    seen: set[str] = set()
    for d in dirs:
        d = os.fspath(d)
        if os.path.isdir(d):
            names = sorted(n for n in os.listdir(d) if n.endswith(SUFFIXES) and not n.startswith("."))
            paths = [os.path.join(d, n) for n in names if os.path.isfile(os.path.join(d, n))]
        elif os.path.isfile(d):
            paths = [d]
        else:
            raise UsageError(f"policy directory {d!r} does not exist")
        for p in paths:
            real = os.path.realpath(p)
            if real not in seen:
                seen.add(real)
                out.append(p)
    return out


class _Loader:
    def __init__(self) -> None:
        import jsonschema
        import referencing

        self.jsonschema = jsonschema
        #: No retrieval: a policy's $ref can only point inside the policy's own schema.
        self.registry = referencing.Registry()
        self.meta = jsonschema.Draft202012Validator(load_schema("policy.schema.json"))

    def fail(self, where: str, doc, path, reason: str, key: bool = False):
        region = None
        if key and path:
            from shiplint.sources.yamlsrc import YMap, locate

            at = locate(doc, path)
            if at.complete and isinstance(at.parent, YMap):
                region = at.key_region
        region = region or node_region(doc, path) or (doc.region if hasattr(doc, "region") else Region(1, 1))
        raise UsageError(f"{where}:{region.line}:{region.column}: invalid policy: {reason}")

    def load_file(self, path: str) -> list[PolicyRule]:
        from shiplint.core.errors import ParseError
        from shiplint.core.fsutil import read_regular
        from shiplint.sources.yamlsrc import YMap, parse_yaml_stream

        where = _display(path)
        try:
            raw = read_regular(path, MAX_POLICY_SIZE)
        except OSError as exc:
            raise UsageError(f"{where}: cannot read policy file: {exc.strerror or exc}") from None
        try:
            text = raw.decode("utf-8").lstrip("\ufeff")
        except UnicodeDecodeError:
            raise UsageError(f"{where}: policy file is not UTF-8 text") from None
        out = []
        for doc in parse_yaml_stream(text):
            if isinstance(doc, ParseError):
                raise UsageError(f"{where}:{doc.line}:{doc.column}: invalid policy: YAML: {doc.message}")
            if doc.data is None:
                continue
            for dup in doc.duplicates:
                raise UsageError(f"{where}:{dup.region.line}:{dup.region.column}: invalid policy: key {dup.key!r} "
                                 f"repeats the one on line {dup.first.line}")
            if not isinstance(doc.data, YMap):
                raise UsageError(f"{where}:{doc.region.line}:{doc.region.column}: invalid policy: "
                                 "a policy is a mapping (id, name, severity, summary, target, schema…)")
            out.append(self.build(where, doc.data))
        return out

    def validate(self, where: str, data) -> None:
        errors = list(self.meta.iter_errors(data))
        if not errors:
            return

        def position(err):
            r = node_region(data, tuple(err.absolute_path)) or data.region
            return (r.line, r.column, len(err.absolute_path))

        err = min(errors, key=position)
        path = tuple(err.absolute_path)
        field_name = json_path(path) or "(top level)"
        if err.validator == "additionalProperties":
            allowed = set(err.schema.get("properties", {}))
            extra = sorted(k for k in err.instance if k not in allowed)
            if extra:
                self.fail(where, data, path + (extra[0],),
                          f"unknown field {extra[0]!r} (allowed: {', '.join(sorted(allowed))})", key=True)
        if err.validator == "required":
            self.fail(where, data, path, f"{field_name}: {err.message}")
        if err.validator == "enum":
            choices = ", ".join(str(c) for c in err.validator_value)
            self.fail(where, data, path, f"{field_name}: {err.instance!r} is not one of {choices}")
        if err.validator == "pattern" and path in (("id",), ("name",)):
            hint = ("2 to 8 capital letters then 3 or 4 digits, e.g. ORG001" if path == ("id",)
                    else "kebab-case, e.g. require-team-label")
            self.fail(where, data, path, f"{field_name}: {err.instance!r} is not a valid {path[0]} ({hint})")
        self.fail(where, data, path, f"{field_name}: {err.message}")

    def check_schema(self, where: str, data):
        jsonschema = self.jsonschema
        schema = data["schema"]
        if isinstance(schema, bool):
            return jsonschema.Draft202012Validator(schema, registry=self.registry,
                                                   format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        if "$schema" in schema and jsonschema.validators.validator_for(schema, default=None) is None:
            self.fail(where, data, ("schema", "$schema"), f"unknown JSON Schema dialect {schema['$schema']!r}")
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        meta_errors = list(cls(cls.META_SCHEMA).iter_errors(schema))
        if meta_errors:
            err = jsonschema.exceptions.best_match(meta_errors)
            rel = tuple(err.absolute_path)
            self.fail(where, data, ("schema",) + rel,
                      f"schema{'.' + json_path(rel) if rel else ''}: not a valid JSON Schema: {err.message}")
        for ref_path, ref in _references(schema, ("schema",)):
            if not ref.startswith("#"):
                self.fail(where, data, ref_path,
                          f"{json_path(ref_path)}: only local references ('#/...') are allowed, not {ref!r}")
        validator = cls(schema, registry=self.registry, format_checker=cls.FORMAT_CHECKER)
        self.check_references(where, data, schema)
        return validator

    def check_references(self, where: str, data, schema) -> None:
        """Resolve every local reference now, so that a dangling one is reported at load time
        (skipped when a subschema sets its own ``$id``, which changes the base of its refs)."""
        import referencing.jsonschema

        refs = list(_references(schema, ("schema",)))
        if not refs or any(p[-1] == "$id" and len(p) > 2 for p in _ids(schema, ("schema",))):
            return
        spec = referencing.jsonschema.specification_with(
            schema.get("$schema", "https://json-schema.org/draft/2020-12/schema"),
            default=referencing.jsonschema.DRAFT202012)
        resolver = self.registry.resolver_with_root(spec.create_resource(_plain(schema)))
        for ref_path, ref in refs:
            try:
                resolver.lookup(ref)
            except Exception:
                self.fail(where, data, ref_path, f"{json_path(ref_path)}: reference {ref!r} does not resolve")

    def check_message(self, where: str, data, target: str) -> str:
        message = data.get("message")
        if message is None:
            return "{kind} {name}: " + data["summary"].replace("{", "{{").replace("}", "}}")
        allowed = [p for p in PLACEHOLDERS if p != "container" or target == "container"]
        fields = []
        try:
            for _, name, spec, conv in string.Formatter().parse(message):
                if name is None:
                    continue
                if spec or conv or not name:
                    self.fail(where, data, ("message",), "message: placeholders are plain names such as "
                              "{kind}, without format specs or conversions")
                fields.append(name)
        except ValueError as exc:
            self.fail(where, data, ("message",),
                      f"message: {exc} (write {{{{ and }}}} for literal braces)")
        for f in fields:
            if f not in allowed:
                extra = " ({container} needs target: container)" if f == "container" else ""
                self.fail(where, data, ("message",),
                          f"message: unknown placeholder {{{f}}}{extra}; "
                          f"use {', '.join('{' + p + '}' for p in allowed)}")
        return message

    def build(self, where: str, data) -> PolicyRule:
        self.validate(where, data)
        target = data["target"]
        if "container_roles" in data and target != "container":
            self.fail(where, data, ("container_roles",), "container_roles: only applies to target: container", key=True)
        validator = self.check_schema(where, data)
        message = self.check_message(where, data, target)
        help_text = data.get("help", "")
        meta = RuleMeta(
            code=data["id"],
            name=data["name"],
            level=data["severity"],
            summary=data["summary"],
            target="resource",
            rationale=data.get("rationale") or help_text,
            fix=data.get("fix") or help_text,
            example=data.get("example", ""),
            good_example=data.get("good_example", ""),
            example_language="yaml" if data.get("example") else "",
            tags=list(data.get("tags", ())),
            help_uri=data.get("help_uri", ""),
            security_severity=data.get("security_severity"),
        )
        kinds = tuple(data.get("kinds", ()))
        roles = tuple(data.get("container_roles", ALL_ROLES))
        check = make_check(validator, target, frozenset(kinds), roles, message)
        line = data.key_region("id").line if data.key_region("id") else data.region.line
        rule = PolicyRule(meta, check, plugin=f"policy:{where}", source=f"{where}:{line}",
                          policy_target=target, kinds=kinds, schema=_plain(data["schema"]))
        rule.positions = {k: _at(where, data.value_region(k) or data.region) for k in ("id", "name")}
        return rule


def _at(where: str, region: Region) -> str:
    return f"{where}:{region.line}:{region.column}"


def _references(schema, prefix):
    """Every ``$ref``/``$dynamicRef`` string in a schema, with its path from the policy root."""
    stack = [(schema, prefix)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("$ref", "$dynamicRef", "$recursiveRef") and isinstance(v, str):
                    yield path + (k,), v
                elif isinstance(v, (dict, list)):
                    stack.append((v, path + (k,)))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, (dict, list)):
                    stack.append((v, path + (i,)))


def _ids(schema, prefix):
    stack = [(schema, prefix)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$id":
                    yield path + (k,)
                elif isinstance(v, (dict, list)):
                    stack.append((v, path + (k,)))
        elif isinstance(node, list):
            stack.extend((v, path + (i,)) for i, v in enumerate(node) if isinstance(v, (dict, list)))


def load_policies(dirs) -> list[PolicyRule]:
    """Every policy of ``dirs`` (directories or files), validated; raises UsageError."""
    files = policy_files(dirs)
    if not files:
        return []
    loader = _Loader()
    out: list[PolicyRule] = []
    for path in files:
        out.extend(loader.load_file(path))
    return out


#: The last merge (the configuration check and the engine ask for the same one): its inputs, result.
_LAST: list = []


def with_policies(rules: dict[str, Rule], dirs) -> dict[str, Rule]:
    """``rules`` plus the policies of ``dirs``, sorted by code; a code or name used twice is a
    usage error naming both definitions."""
    if not dirs:
        return rules
    key = tuple(os.path.abspath(os.fspath(d)) for d in dirs)
    if _LAST and _LAST[0] is rules and _LAST[1] == key:
        return _LAST[2]
    merged = _merge(rules, dirs)
    _LAST[:] = [rules, key, merged]
    return merged


def _merge(rules: dict[str, Rule], dirs) -> dict[str, Rule]:
    merged = dict(rules)
    names = {r.name: r for r in rules.values()}

    def owner(r: Rule) -> str:
        if isinstance(r, PolicyRule):
            return f"the policy at {r.source}"
        return f"the {'built-in' if r.plugin == 'builtin' else repr(r.plugin) + ' plugin'} rule {r.code} {r.name}"

    for p in load_policies(dirs):
        if p.code in merged:
            raise UsageError(f"{p.positions['id']}: invalid policy: id {p.code} is already used by {owner(merged[p.code])}")
        if p.name in names:
            raise UsageError(f"{p.positions['name']}: invalid policy: name {p.name!r} is already used by {owner(names[p.name])}")
        merged[p.code] = p
        names[p.name] = p
    return dict(sorted(merged.items()))


# -- checking ----------------------------------------------------------------------------------

def make_check(validator, target: str, kinds: frozenset, roles: tuple, message: str):
    """The check function of one policy (engine target ``resource``)."""
    from shiplint.core.timebudget import Expired, run_within

    expired = [0]

    def failing_paths(instance) -> dict[tuple, None]:
        return {tuple(err.absolute_path): None for err in validator.iter_errors(instance)}

    def check(resource, ctx):
        if kinds and resource.kind not in kinds:
            return
        if target == "resource":
            subjects = [(resource.data, (), None)]
        else:
            pods = resource.pod_templates()
            if not pods:
                return
            if target == "workload":
                subjects = [(resource.data, (), None)]
            elif target == "pod-spec":
                subjects = [(pod.spec, tuple(pod.spec_path), None) for pod in pods]
            else:
                subjects = [(c.data, tuple(c.path), c) for pod in pods for c in pod.containers(roles)]
        for instance, prefix, container in subjects:
            budget = EVALUATION_BUDGET if expired[0] < MAX_EXPIRED else EXHAUSTED_BUDGET
            try:
                failing = run_within(budget, failing_paths, instance)
            except Expired:
                expired[0] += 1
                yield _hit(resource, container, prefix, (), message + _NOT_EVALUATED)
                continue
            hits = []
            for rel in failing:
                hits.append(_hit(resource, container, prefix, rel, message))
            hits.sort(key=lambda h: (h.region.line, h.region.column))
            yield from hits

    return check


def _hit(resource, container, prefix: tuple, rel: tuple, message: str) -> Hit:
    if rel:
        region = node_region(resource.data, prefix + rel) or resource.region
    elif container is not None:
        region = container.anchor
    elif prefix:
        region = node_region(resource.data, prefix) or resource.anchor
    else:
        region = resource.anchor
    dotted = json_path(rel)
    if container is not None:
        subject = container.subject + (("" if dotted.startswith("[") else ".") + dotted if dotted else "")
    else:
        full = json_path(prefix + rel)
        subject = resource.identity + (":" + full if full else "")
    values = {
        "kind": resource.kind,
        "name": resource.name,
        "namespace": resource.namespace,
        "path": dotted or "(root)",
        "container": container.name if container is not None else "",
    }
    return Hit(message.format_map(values), region, subject=subject)
