"""The configuration file: ``.shiplint.yaml`` or ``[tool.shiplint]`` in ``pyproject.toml``.

:func:`find_config` walks up from a directory to the first configuration (stopping after the
repository root, the first directory holding ``.git``); :func:`load_config` reads and validates
it against ``schemas/config.schema.json``; :func:`apply_config` checks what the schema cannot
(rule names, rule options, directories) against the loaded rules and fills
:class:`~shiplint.engine.Options`.  Every problem is a :class:`~shiplint.core.errors.UsageError`
of one line: ``file:line: key: what is wrong and what is allowed``.

``jsonschema`` is imported only here, and only when a configuration file was actually found.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field

from shiplint.core.errors import UsageError

YAML_NAMES = (".shiplint.yaml", ".shiplint.yml")
PYPROJECT = "pyproject.toml"
_TOOL_TABLE = re.compile(r"^\s*\[\s*tool\s*\.\s*shiplint\s*[\].]", re.M)
_SIZE = re.compile(r"\s*([0-9]+)\s*(?:([kKmMgG])[iI]?[bB]?|[bB])?\s*\Z")

#: Keys whose value is a list of rule tokens (or one comma-separated string).
RULE_LIST_KEYS = ("select", "extend-select", "ignore")
#: Top-level shortcuts for ``options: {"*": {key: value}}``.
SHORTCUT_OPTIONS = ("trusted-registries", "credential-patterns")


@dataclass
class Config:
    """A loaded configuration: its plain data and a way back to the line of each key."""

    path: str  # absolute
    data: dict
    kind: str  # "yaml" or "toml"
    text: str = ""
    root_node: object = None  # positioned YAML (YMap) for "yaml"
    _lines: list[str] = field(default_factory=list, repr=False)

    @property
    def base_dir(self) -> str:
        return os.path.dirname(self.path)

    @property
    def display(self) -> str:
        try:
            rel = os.path.relpath(self.path)
        except ValueError:  # another drive (Windows)
            return self.path
        return rel.replace(os.sep, "/")

    # -- positions ---------------------------------------------------------------------------
    def line_of(self, keys: tuple) -> int:
        """The line of the node at ``keys`` (or of the deepest one that exists)."""
        if self.kind == "yaml":
            return _yaml_line(self.root_node, keys)
        return _toml_line(self.text, keys)

    def error(self, keys: tuple, problem: str) -> UsageError:
        where = _format_keys(keys) or "(top level)"
        return UsageError(f"{self.display}:{self.line_of(keys)}: {where}: {problem}")

    def resolve(self, path: str) -> str:
        """A path written in the file, relative to the file's directory."""
        return os.path.normpath(os.path.join(self.base_dir, os.path.expanduser(path)))


def _format_keys(keys: tuple) -> str:
    out = ""
    for k in keys:
        if isinstance(k, int):
            out += f"[{k}]"
        else:
            out += ("." if out else "") + str(k)
    return out


def _yaml_line(node, keys: tuple) -> int:
    from shiplint.sources.yamlsrc import locate

    region = locate(node, keys).key_region  # the deepest key that exists along the way
    return region.line if region is not None else 1


def _toml_line(text: str, keys: tuple) -> int:
    """Approximate: the line of ``[tool.shiplint]`` then of each key searched below it."""
    lines = text.splitlines()
    start = 0
    for i, ln in enumerate(lines):
        if _TOOL_TABLE.match(ln + "]"):
            start = i
            break
    found = start
    for k in keys:
        if isinstance(k, int):
            continue
        pat = re.compile(r"(?:^|[\s{,.\[])[\"']?" + re.escape(str(k)) + r"[\"']?\s*(?:=|\])")
        for i in range(found, len(lines)):
            if pat.search(lines[i]):
                found = i
                break
    return found + 1


# -- finding ---------------------------------------------------------------------------------

def _pyproject_has_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return bool(_TOOL_TABLE.search(fh.read()))
    except OSError:
        return False


def find_config(start: str) -> str | None:
    """The first ``.shiplint.yaml`` / ``.shiplint.yml`` / ``pyproject.toml`` with a
    ``[tool.shiplint]`` table in ``start`` or its parents; the walk stops after the first
    directory that holds ``.git`` (the repository root)."""
    current = os.path.abspath(start)
    while True:
        for name in YAML_NAMES:
            candidate = os.path.join(current, name)
            if os.path.isfile(candidate):
                return candidate
        candidate = os.path.join(current, PYPROJECT)
        if os.path.isfile(candidate) and _pyproject_has_table(candidate):
            return candidate
        if os.path.exists(os.path.join(current, ".git")):
            return None
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


# -- loading -----------------------------------------------------------------------------------

def load_config(path: str) -> Config:
    """Read and validate a configuration file; raises UsageError (exit 2) when it is wrong."""
    path = os.path.abspath(path)
    display = Config(path, {}, "yaml").display
    from shiplint.core.fsutil import read_regular

    try:
        raw = read_regular(path, 10 << 20)  # a FIFO or device named as the config must not hang the run
    except FileNotFoundError:
        raise UsageError(f"{display}: configuration file not found") from None
    except IsADirectoryError:
        raise UsageError(f"{display}: configuration file is a directory") from None
    except OSError as exc:
        raise UsageError(f"{display}: cannot read the configuration: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise UsageError(f"{display}:{line}: invalid UTF-8 in the configuration") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if os.path.basename(path) == PYPROJECT or path.endswith(".toml"):
        cfg = _load_toml(path, text, display)
    else:
        cfg = _load_yaml(path, text, display)
    validate(cfg)
    return cfg


def _load_yaml(path: str, text: str, display: str) -> Config:
    from shiplint.registry.rule import _plain
    from shiplint.sources.yamlsrc import YMap, parse_yaml_stream

    docs = parse_yaml_stream(text)
    for d in docs:
        if not hasattr(d, "data"):
            raise UsageError(f"{display}:{d.line}: invalid YAML: {d.message}")
    docs = [d for d in docs if d.data is not None]
    if len(docs) > 1:
        raise UsageError(f"{display}:{docs[1].region.line}: the configuration must be a single YAML document")
    if not docs:
        return Config(path, {}, "yaml", text, YMap())
    doc = docs[0]
    for dup in doc.duplicates:
        raise UsageError(f"{display}:{dup.region.line}: {dup.key}: key repeated (first on line {dup.first.line})")
    if not isinstance(doc.data, YMap):
        raise UsageError(f"{display}:{doc.region.line}: (top level): the configuration must be a mapping of keys to values")
    return Config(path, _plain(doc.data), "yaml", text, doc.data)


def _toml_module():
    try:
        import tomllib  # Python 3.11+

        return tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        try:
            import tomli  # type: ignore[import-not-found]

            return tomli
        except ImportError:
            return None


def _load_toml(path: str, text: str, display: str) -> Config:
    toml = _toml_module()
    if toml is None:  # pragma: no cover - Python 3.10 without tomli
        raise UsageError(
            f"{display}: reading [tool.shiplint] from pyproject.toml needs Python 3.11+ or the "
            "'tomli' package; install tomli or move the settings to .shiplint.yaml"
        )
    try:
        data = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = m.group(1) if m else "1"
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise UsageError(f"{display}:{line}: invalid TOML: {msg}") from None
    section = data.get("tool", {}).get("shiplint") if isinstance(data.get("tool"), dict) else None
    if section is None:
        raise UsageError(f"{display}: no [tool.shiplint] table in this file")
    if not isinstance(section, dict):
        raise UsageError(f"{display}:{_toml_line(text, ())}: tool.shiplint: expected a table")
    return Config(path, section, "toml", text)


# -- schema validation ---------------------------------------------------------------------------

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
}


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validate(cfg: Config) -> None:
    """Check ``cfg.data`` against ``schemas/config.schema.json`` (imports jsonschema)."""
    import jsonschema

    from shiplint.registry.rule import load_schema

    schema = load_schema("config.schema.json")
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(cfg.data), key=lambda e: (len(e.path), [str(p) for p in e.path]))
    if not errors:
        return
    err = errors[0]
    keys = tuple(err.path)
    if err.validator == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(str(k) for k in err.instance if k not in err.schema.get("properties", {}))
        bad = extra[0] if extra else "?"
        hint = ""
        close = difflib.get_close_matches(bad.replace("_", "-"), allowed, n=1)
        if close:
            hint = f" (did you mean '{close[0]}'?)"
        raise cfg.error(keys + (bad,), f"unknown key{hint}; allowed: {', '.join(allowed)}")
    if err.validator == "type":
        expected = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        what = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
        desc = err.schema.get("description")
        if desc and expected[0] in ("object", "array"):
            what = desc  # "a mapping of rule … to a level …" says more than "a mapping"
        raise cfg.error(keys, f"{_short(err.instance)} is not allowed; expected {what}")
    if err.validator == "enum":
        choices = ", ".join(str(c) for c in err.validator_value)
        raise cfg.error(keys, f"{_short(err.instance)} is not allowed; expected one of {choices}")
    if err.validator in ("anyOf", "oneOf"):
        desc = err.schema.get("description") or "a value of another type"
        raise cfg.error(keys, f"{_short(err.instance)} is not allowed; expected {desc}")
    if err.validator == "minLength":
        raise cfg.error(keys, "must not be empty")
    if err.validator == "minimum":
        raise cfg.error(keys, f"{_short(err.instance)} is not allowed; expected at least {err.validator_value}")
    raise cfg.error(keys, err.message)


# -- applying ------------------------------------------------------------------------------------

def _tokens(value) -> list[str]:
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    return [str(t).strip() for t in value if str(t).strip()]


def _globs(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def parse_size(value) -> int:
    if isinstance(value, int):
        return value
    m = _SIZE.match(str(value))
    if not m:
        raise ValueError(value)
    n = int(m.group(1))
    unit = (m.group(2) or "").lower()
    return n * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]


def _check_rule_tokens(cfg: Config, keys: tuple, value, rules: dict) -> list[str]:
    from shiplint.registry.selection import names_rule

    tokens = _tokens(value)
    for i, tok in enumerate(tokens):
        if tok.upper() == "ALL" or any(names_rule(tok, r) for r in rules.values()):
            continue
        where = keys + ((i,) if isinstance(value, list) else ())
        raise cfg.error(where, f"unknown rule {tok!r}; expected rule codes, names or code prefixes (see 'shiplint rules')")
    return tokens


def _find_rule(token: str, rules: dict):
    for r in rules.values():
        if r.code == token.upper() or r.name == token:
            return r
    return None


def _check_option_value(cfg: Config, keys: tuple, value, default) -> None:
    if default is None:
        return
    if isinstance(default, bool):
        ok, what = isinstance(value, bool), "true or false"
    elif isinstance(default, (int, float)):
        ok, what = isinstance(value, (int, float)) and not isinstance(value, bool), "a number"
    elif isinstance(default, list):
        ok, what = isinstance(value, list), "a list"
    elif isinstance(default, dict):
        ok, what = isinstance(value, dict), "a mapping"
    else:
        ok, what = isinstance(value, str), "a string"
    if not ok:
        raise cfg.error(keys, f"{_short(value)} is not allowed; expected {what}")


def _rule_options(cfg: Config, rules: dict) -> dict[str, dict]:
    data = cfg.data
    out: dict[str, dict] = {}
    for short in SHORTCUT_OPTIONS:
        if short in data:
            out.setdefault("*", {})[short] = data[short]
    for target, opts in (data.get("options") or {}).items():
        out.setdefault(str(target), {}).update(opts)
    declared: dict[str, list] = {}
    for r in rules.values():
        for name, spec in (r.meta.options or {}).items():
            declared.setdefault(name, []).append((r, spec))
    for target, opts in out.items():
        for name, value in opts.items():
            keys = ("options", target, name) if "options" in data and target in data["options"] and name in data["options"][target] else (name,)
            if target == "*":
                users = declared.get(name)
                if not users:
                    known = ", ".join(sorted(declared)) or "none"
                    raise cfg.error(keys, f"no rule has an option {name!r}; options: {known}")
                for _r, spec in users:
                    _check_option_value(cfg, keys, value, spec.get("default") if isinstance(spec, dict) else None)
                continue
            r = _find_rule(target, rules)
            if r is None:
                raise cfg.error(("options", target), f"unknown rule {target!r}; expected a rule code or name, or \"*\" for every rule")
            spec = (r.meta.options or {}).get(name)
            if spec is None:
                allowed = ", ".join(sorted(r.meta.options or {})) or "none"
                raise cfg.error(keys, f"{r.code} has no option {name!r}; its options: {allowed}")
            _check_option_value(cfg, keys, value, spec.get("default") if isinstance(spec, dict) else None)
    return out


def apply_config(cfg: Config, options, rules: dict) -> dict:
    """Fill ``options`` (an :class:`~shiplint.engine.Options`) from ``cfg``, checking rule names
    and options against ``rules``.  Returns the settings the CLI applies itself
    (``fail-on``, ``baseline``)."""
    data = cfg.data
    # declarative policies: read first, so that select/ignore/severity may name them
    if "policies" in data:
        dirs = _globs(data["policies"])
        for i, d in enumerate(dirs):
            full = cfg.resolve(d)
            if not os.path.isdir(full):
                keys = ("policies", i) if isinstance(data["policies"], list) else ("policies",)
                raise cfg.error(keys, f"{d!r} is not a directory (paths are relative to {os.path.basename(cfg.path)}'s directory)")
            options.policy_dirs.append(full)
    if options.policy_dirs:
        from shiplint.registry.policies import with_policies

        rules = with_policies(rules, options.policy_dirs)
    if "select" in data:
        options.select = _check_rule_tokens(cfg, ("select",), data["select"], rules)
    if "extend-select" in data:
        options.extend_select = _check_rule_tokens(cfg, ("extend-select",), data["extend-select"], rules)
    if "ignore" in data:
        options.ignore = _check_rule_tokens(cfg, ("ignore",), data["ignore"], rules)
    for tok, level in (data.get("severity") or {}).items():
        _check_rule_tokens(cfg, ("severity", tok), str(tok), rules)
        options.severity[str(tok)] = level
    for glob, value in (data.get("per-file-ignores") or {}).items():
        options.per_file_ignores[str(glob)] = _check_rule_tokens(cfg, ("per-file-ignores", glob), value, rules)
    if "exclude" in data:
        options.exclude = _globs(data["exclude"])
    if "strict" in data:
        options.strict = bool(data["strict"])
    if "kubernetes-version" in data and not options.kubernetes_version:  # the command line wins
        options.kubernetes_version = str(data["kubernetes-version"])
    if "max-file-size" in data:
        try:
            options.max_file_size = parse_size(data["max-file-size"])
        except ValueError:
            raise cfg.error(("max-file-size",), "expected a number of bytes such as 52428800 or 50MB") from None
    for files in data.get("compose-projects") or []:
        options.compose_projects.append([cfg.resolve(f) for f in ([files] if isinstance(files, str) else files)])
    merged = _rule_options(cfg, rules)
    for target, opts in options.rule_options.items():  # set by the caller: wins over the file
        merged.setdefault(target, {}).update(opts)
    options.rule_options = merged
    options.config_dir = cfg.base_dir
    extra = {}
    if "fail-on" in data:
        extra["fail-on"] = data["fail-on"]
    if "baseline" in data:
        extra["baseline"] = cfg.resolve(data["baseline"])
    return extra
