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
#: The SARIF output settings a configuration may hold (the command line wins).
SARIF_KEYS = ("sarif-suppressed", "sarif-max-results", "sarif-category")
#: Settings of the whole run: read from the run's configuration (and the command line) only.
RUN_WIDE_KEYS = ("fail-on", "baseline", "policies", "compose-projects", *SARIF_KEYS)


@dataclass
class Config:
    """A loaded configuration: its plain data and a way back to the line of each key."""

    path: str  # absolute
    data: dict
    kind: str  # "yaml" or "toml"
    text: str = ""
    root_node: object = None  # positioned YAML (YMap) for "yaml"
    #: the configuration this one names in ``extend`` (loaded, with its own ``extends``)
    extends: Config | None = None
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

    def chain(self) -> list[Config]:
        """This configuration and those it extends, the farthest first (the order they apply in)."""
        out: list[Config] = []
        link: Config | None = self
        while link is not None:
            out.append(link)
            link = link.extends
        return out[::-1]


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
        found = config_in(current)
        if found:
            return found
        if os.path.exists(os.path.join(current, ".git")):
            return None
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def config_in(directory: str) -> str | None:
    """The configuration file of ``directory`` itself, in the order :func:`find_config` tries."""
    for name in YAML_NAMES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    candidate = os.path.join(directory, PYPROJECT)
    if os.path.isfile(candidate) and _pyproject_has_table(candidate):
        return candidate
    return None


def find_root(start: str) -> str | None:
    """The repository root of ``start``: the first directory upwards that holds ``.git`` (a
    directory, or the file of a worktree or submodule: the git top level, found without
    running git), else the outermost directory holding a configuration file, else None."""
    current = os.path.abspath(start)
    outermost = None
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        if config_in(current):
            outermost = current
        parent = os.path.dirname(current)
        if parent == current:
            return outermost
        current = parent


def _inside(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def choose_root(cwd: str, paths) -> str:
    """The directory every output path is relative to: the root of the working directory,
    else the root of the scanned paths, provided every scanned path lies inside it; else the
    working directory (as when no repository is found)."""
    cwd = os.path.abspath(cwd)
    targets = [os.path.abspath(p) for p in paths if p != "-"]
    for start in (cwd, *targets[:1]):
        root = find_root(start if os.path.isdir(start) else os.path.dirname(start))
        if root and all(_inside(t, root) for t in targets):
            return root
    return cwd


def run_config(cwd: str, root: str) -> str | None:
    """The configuration whose run-wide settings the run takes: the outermost one between the
    working directory and the root (the root's own, usually), so that a run from a service
    directory fails on what a run from the root fails on."""
    cwd = os.path.abspath(cwd)
    if not _inside(cwd, root):
        return config_in(root)
    found = None
    current = cwd
    while True:
        found = config_in(current) or found
        if current == root:
            return found
        current = os.path.dirname(current)


# -- loading -----------------------------------------------------------------------------------

def load_config(path: str, _via: tuple = ()) -> Config:
    """Read and validate a configuration file, and the files it extends; raises UsageError
    (exit 2) when one is wrong.  ``_via``: the files that extend this one, nearest last."""
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
    if "extend" in cfg.data:
        cfg.extends = _load_extended(cfg, (*_via, path))
    return cfg


def _load_extended(cfg: Config, via: tuple) -> Config:
    written = cfg.data["extend"]
    target = cfg.resolve(written)
    if target in via:
        loop = " -> ".join(Config(p, {}, "yaml").display for p in (*via[via.index(target):], target))
        raise cfg.error(("extend",), f"{written!r} closes a cycle: {loop}")
    written_abs = os.path.isabs(os.path.expanduser(written))
    shown = target if written_abs else Config(target, {}, "yaml").display
    if not os.path.exists(target):
        raise cfg.error(("extend",), f"{written!r}: no such configuration file ({shown}; the path is "
                                     f"relative to {os.path.basename(cfg.path)}'s directory)")
    if os.path.isdir(target):
        raise cfg.error(("extend",), f"{written!r} is a directory; expected a configuration file "
                                     "(.shiplint.yaml, or a pyproject.toml with [tool.shiplint])")
    return load_config(target, via)


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


_GLOB_META = re.compile(r"([*?\[])")


def _anchored(link: Config, glob: str, home: str) -> str:
    """A glob as the files of the configuration in ``home`` are matched against it.  Written in
    a file that configuration extends (another directory) and naming a path (a ``/`` in it),
    it stays relative to the file that wrote it: it is anchored at that file's directory and
    matched against absolute paths (:func:`shiplint.core.paths.matches_globs`).  A bare name
    (``*.generated.yaml``) matches a base name anywhere, wherever it was written."""
    glob = str(glob)
    if link.base_dir == home or "/" not in glob.rstrip("/"):
        return glob
    base, rest = link.base_dir, glob
    while rest.startswith(("./", "../")):
        if rest.startswith("../"):
            base = os.path.dirname(base)
        rest = rest.split("/", 1)[1]
    # the directory's own name is literal text: brackets or stars in it must not act as a glob
    return _GLOB_META.sub(r"[\1]", base.replace(os.sep, "/")).rstrip("/") + "/" + rest


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
    """Fill ``options`` (an :class:`~shiplint.engine.Options`) from ``cfg`` and the files it
    extends (the farthest first, each over the one before), checking rule names and options
    against ``rules``.  Returns the settings the CLI applies itself (``fail-on``, ``baseline``).

    How an extending file's keys meet the extended file's (ruff's ``extend``): a key it sets
    replaces the extended value (a list whole: ``select``, ``exclude``, ``per-file-ignores``,
    ``policies``…); ``extend-select``, ``ignore``, ``extend-exclude`` and
    ``extend-per-file-ignores`` add to it, and a ``select`` starts the selection afresh (the
    extended ``extend-select`` and ``ignore`` dropped); ``severity`` and ``options`` merge rule
    by rule, the extending file winning.  Paths stay relative to the file that wrote them."""
    home = cfg.base_dir
    start = _Start(list(options.policy_dirs), list(options.compose_projects), options.kubernetes_version,
                   options.rule_options)
    file_options: dict[str, dict] = {}
    extra: dict = {}
    for link in cfg.chain():
        extra.update(_apply_one(link, options, rules, home, start, file_options))
    for target, opts in start.rule_options.items():  # set by the caller: wins over the files
        file_options.setdefault(target, {}).update(opts)
    options.rule_options = file_options
    options.config_dir = home
    return extra


@dataclass
class _Start:
    """What the options held before the first file of a chain applied (the caller's settings)."""

    policy_dirs: list
    compose_projects: list
    kubernetes_version: str | None
    rule_options: dict


def _apply_one(cfg: Config, options, rules: dict, home: str, start: _Start, file_options: dict) -> dict:
    """One file of an ``extend`` chain over what the files before it set (see :func:`apply_config`)."""
    data = cfg.data
    # declarative policies: read first, so that select/ignore/severity may name them
    if "policies" in data:
        dirs = _globs(data["policies"])
        options.policy_dirs = list(start.policy_dirs)
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
        options.extend_select, options.ignore = [], []
    if "extend-select" in data:
        options.extend_select = options.extend_select + _check_rule_tokens(cfg, ("extend-select",), data["extend-select"], rules)
    if "ignore" in data:
        options.ignore = options.ignore + _check_rule_tokens(cfg, ("ignore",), data["ignore"], rules)
    for tok, level in (data.get("severity") or {}).items():
        _check_rule_tokens(cfg, ("severity", tok), str(tok), rules)
        options.severity[str(tok)] = level
    if "per-file-ignores" in data:
        options.per_file_ignores = {}
    for key in ("per-file-ignores", "extend-per-file-ignores"):
        for glob, value in (data.get(key) or {}).items():
            tokens = _check_rule_tokens(cfg, (key, glob), value, rules)
            anchored = _anchored(cfg, glob, home)
            options.per_file_ignores[anchored] = options.per_file_ignores.get(anchored, []) + tokens
    if "exclude" in data:
        options.exclude = [_anchored(cfg, g, home) for g in _globs(data["exclude"])]
    if "extend-exclude" in data:
        options.exclude = options.exclude + [_anchored(cfg, g, home) for g in _globs(data["extend-exclude"])]
    if "strict" in data:
        options.strict = bool(data["strict"])
    if "kubernetes-version" in data and not start.kubernetes_version:  # the command line wins
        options.kubernetes_version = str(data["kubernetes-version"])
    if "max-file-size" in data:
        try:
            options.max_file_size = parse_size(data["max-file-size"])
        except ValueError:
            raise cfg.error(("max-file-size",), "expected a number of bytes such as 52428800 or 50MB") from None
    if "compose-projects" in data:
        options.compose_projects = list(start.compose_projects)
        for files in data["compose-projects"]:
            options.compose_projects.append([cfg.resolve(f) for f in ([files] if isinstance(files, str) else files)])
    for target, opts in _rule_options(cfg, rules).items():
        file_options.setdefault(target, {}).update(opts)
    extra = {}
    if "fail-on" in data:
        extra["fail-on"] = data["fail-on"]
    if "baseline" in data:
        extra["baseline"] = cfg.resolve(data["baseline"])
    for key in SARIF_KEYS:
        if key in data:
            extra[key] = data[key]
    return extra


# -- one configuration per directory ---------------------------------------------------------------

@dataclass
class Overrides:
    """What the command line sets: it wins over every configuration file, nested ones included."""

    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    strict: bool = False

    def apply(self, options) -> None:
        if self.select is not None:
            options.select = list(self.select)
            options.extend_select = []
        options.extend_select = options.extend_select + self.extend_select
        options.ignore = options.ignore + self.ignore
        options.exclude = options.exclude + self.exclude
        if self.strict:
            options.strict = True


class Hierarchy:
    """The options of the files below each directory, from the configuration closest to them
    (ruff's model: the closest file wins whole; nothing is inherited from the files above it).

    Called with a directory, it returns ``None`` when that directory's closest configuration
    is the run's own (the run's options apply), else the options built from that closest file
    (or from none, when there is none up to the root) with the command line applied on top.
    Run-wide settings (:data:`RUN_WIDE_KEYS`) come from the run's configuration only; a nested
    file that sets one is told about it on standard error, once."""

    def __init__(self, root: str, run_path: str | None, pristine, run_options, overrides: Overrides,
                 rules: dict, warn=None, run_files=()) -> None:
        self.root = os.path.abspath(root)
        self.run_path = run_path
        #: the run's configuration and the files it extends: their run-wide settings do apply
        self.run_files = frozenset(run_files)
        self.pristine = pristine  # the options before any configuration file was applied
        self.run_options = run_options
        self.overrides = overrides
        self.rules = rules
        self.warn = warn
        self._closest: dict[str, str | None] = {}
        self._options: dict[str, object] = {}
        self._warned: set[str] = set()  # a file several nested ones extend is named once

    def closest(self, directory: str) -> str | None:
        """The configuration file closest above ``directory`` (up to the root)."""
        directory = os.path.abspath(directory)
        if directory in self._closest:
            return self._closest[directory]
        found = config_in(directory)
        if found is None and directory != self.root:
            parent = os.path.dirname(directory)
            found = self.closest(parent) if parent != directory else None
        self._closest[directory] = found
        return found

    def __call__(self, directory: str):
        directory = os.path.abspath(directory)
        if not _inside(directory, self.root):
            return None  # outside the repository: the run's options, as before
        path = self.closest(directory)
        if path == self.run_path:
            return None
        key = path or ""
        if key not in self._options:
            self._options[key] = self._build(path)
        return self._options[key]

    def _build(self, path: str | None):
        import copy

        options = copy.deepcopy(self.pristine)
        run = self.run_options
        options.root, options.jobs = run.root, run.jobs
        options.policy_dirs = list(run.policy_dirs)
        options.compose_projects = run.compose_projects
        options.baseline = run.baseline
        options.scope_for = None
        if path is not None:
            cfg = load_config(path)
            for link in cfg.chain():  # the files it extends too: their run-wide keys are ignored alike
                ignored = [k for k in RUN_WIDE_KEYS if k in link.data]
                # a file of the run's own chain, extended by a nested one, is not warned about:
                # its run-wide settings do apply (to the whole run)
                if ignored and self.warn is not None and link.path not in self.run_files:
                    self._warn_ignored(link, ignored)
                link.data = {k: v for k, v in link.data.items() if k not in RUN_WIDE_KEYS}
            apply_config(cfg, options, self.rules)
        else:
            options.config_dir = self.root
        self.overrides.apply(options)
        return options

    def _warn_ignored(self, cfg: Config, ignored: list[str]) -> None:
        if cfg.path in self._warned:
            return
        self._warned.add(cfg.path)
        where = os.path.basename(self.run_path) if self.run_path else "the root configuration"
        self.warn(f"{cfg.display}:{cfg.line_of((ignored[0],))}: {', '.join(ignored)}: run-wide "
                  f"setting{'s' if len(ignored) > 1 else ''} ignored in a nested configuration "
                  f"(set {'them' if len(ignored) > 1 else 'it'} in {where})")


def configure(options, rules: dict, paths, config_file: str | None, no_config: bool,
              overrides: Overrides, cwd: str | None = None, warn=None) -> dict:
    """Everything the configuration decides for a run of ``paths``: the root output paths are
    relative to, the run's configuration file applied to ``options`` and the command line over
    it, and (without ``--config``/``--no-config``) the nested configurations of the files below.
    Returns the settings the CLI applies itself (``fail-on``, ``baseline``)."""
    import copy

    if no_config and config_file:
        raise UsageError("--config and --no-config exclude each other")
    cwd = os.path.abspath(cwd or os.getcwd())
    options.root = choose_root(cwd, paths)
    pristine = copy.deepcopy(options)
    extra: dict = {}
    # a root of its own (not the working directory taken for want of one): configurations per directory
    rooted = options.root != cwd or find_root(cwd) == cwd
    path = None
    if config_file:
        path = os.path.abspath(config_file)
    elif not no_config:
        path = run_config(cwd, options.root) if rooted else find_config(cwd)
    run_files: list[str] = []
    if path:
        cfg = load_config(path)
        run_files = [link.path for link in cfg.chain()]
        extra = apply_config(cfg, options, rules)
    overrides.apply(options)
    if rooted and not config_file and not no_config:
        hierarchy = Hierarchy(options.root, path, pristine, options, overrides, rules, warn, run_files)
        options.scope_for = hierarchy
    return extra
