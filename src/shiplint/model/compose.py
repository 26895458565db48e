"""Docker Compose and Swarm stack files as rules see them.

A :class:`ComposeProject` is one Compose file, or a base file and the override files Compose
merges onto it (``docker-compose.override.yml``; ``-f a -f b``).  Its services are merged the way
Compose merges them — mappings key by key, most sequences appended, ``command``,
``entrypoint`` and ``healthcheck.test`` replaced — and every value remembers the file and region
that set it (:meth:`Service.at`), so that a finding lands on the line that must change, in
whichever file that line is.

Values are kept as written; :func:`interpolate` resolves ``${VAR:-default}`` where a rule needs
the effective text (an image reference), and tells when a value comes from the environment (not
a literal).
"""

from __future__ import annotations

import copy
import os
import posixpath
import re
from dataclasses import dataclass, field

from shiplint.core.findings import Region

#: Base file names Compose looks for, in its order of preference, and their override files.
BASE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_NAMES = {
    "compose.yaml": ("compose.override.yaml", "compose.override.yml"),
    "compose.yml": ("compose.override.yaml", "compose.override.yml"),
    "docker-compose.yaml": ("docker-compose.override.yaml", "docker-compose.override.yml"),
    "docker-compose.yml": ("docker-compose.override.yml", "docker-compose.override.yaml"),
}
#: ``deploy`` keys only Swarm reads: a file using one is a stack (``resources`` is honoured by
#: ``docker compose`` too and does not make one).
SWARM_DEPLOY_KEYS = ("update_config", "rollback_config", "placement", "mode", "replicas", "endpoint_mode")
#: Sequences an override replaces instead of extending.
_REPLACED = {("command",), ("entrypoint",), ("healthcheck", "test")}
#: Mappings that may also be written as ``KEY=VALUE`` lists; kept as mappings.
_KEYED_LISTS = ("environment", "labels")

_VAR = re.compile(r"\$(?:\{(?P<braced>[^{}$]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?\Z", re.S)


@dataclass(frozen=True)
class Interpolated:
    """A value after Compose interpolation with no environment: ``text`` has each
    ``${VAR:-default}`` replaced by its default; ``variables`` says whether the value used any
    variable; ``complete`` is False when one had no default (its text is then unknown)."""

    text: str
    variables: bool
    complete: bool


def interpolate(value: str) -> Interpolated:
    """Resolve ``$VAR``, ``${VAR}``, ``${VAR:-d}``, ``${VAR-d}``, ``${VAR:?e}``, ``${VAR:+a}`` and
    ``$$`` as Compose would with every variable unset."""
    out: list[str] = []
    used = False
    complete = True
    i = 0
    while i < len(value):
        j = value.find("$", i)
        if j < 0:
            out.append(value[i:])
            break
        out.append(value[i:j])
        if value.startswith("$$", j):
            out.append("$")
            i = j + 2
            continue
        m = _VAR.match(value, j)
        if not m:
            out.append("$")
            i = j + 1
            continue
        used = True
        i = m.end()
        inner = _BRACED.match(m.group("braced")) if m.group("braced") is not None else None
        op = inner.group("op") if inner else None
        if op in (":-", "-"):
            out.append(inner.group("arg"))
        elif op in (":+", "+"):
            out.append("")  # the alternative applies only when the variable is set
        else:
            complete = False
    return Interpolated("".join(out), used, complete)


@dataclass(frozen=True)
class Spot:
    """Where a value was set: the file (display path) and the regions of its key and value."""

    path: str
    key: Region | None
    value: Region | None

    @property
    def region(self) -> Region:
        return self.value or self.key or Region(1, 1)


def _copy(node, path: str, prefix: tuple, spots: dict) -> object:
    """A plain copy of positioned YAML, recording the spot of every key and item under ``prefix``."""
    if isinstance(node, dict):
        out = {}
        kreg = getattr(node, "key_region", None)
        for k, v in node.items():
            key = str(k)
            spots[prefix + (key,)] = Spot(path, kreg(k) if kreg else None,
                                          node.value_region(k) if kreg else None)
            out[key] = _copy(v, path, prefix + (key,), spots)
        return out
    if isinstance(node, list):
        ireg = getattr(node, "item_region", None)
        out_list = []
        for i, v in enumerate(node):
            region = ireg(i) if ireg else None
            spots[prefix + (i,)] = Spot(path, region, region)
            out_list.append(_copy(v, path, prefix + (i,), spots))
        return out_list
    return node


def _keyed(value, prefix: tuple, spots: dict):
    """``environment``/``labels`` as a mapping: a ``KEY=VALUE`` list is turned into one, each
    entry keeping the spot of its list item (``KEY`` alone: value None, from the shell)."""
    if not isinstance(value, list):
        return value
    out: dict = {}
    moved: dict = {}
    for i, item in enumerate(value):
        spot = spots.pop(prefix + (i,), None)
        if not isinstance(item, str):
            continue
        name, sep, val = item.partition("=")
        name = name.strip()
        if not name:
            continue
        out[name] = val if sep else None
        if spot is not None:
            moved[prefix + (name,)] = spot
    spots.update(moved)
    return out


def _drop(spots: dict, prefix: tuple) -> None:
    n = len(prefix)
    for k in [k for k in spots if k[:n] == prefix]:
        del spots[k]


def _merge(dst: dict, src: dict, src_spots: dict, spots: dict, prefix: tuple, rel: tuple) -> None:
    """Merge ``src`` (a plain copy whose spots are ``src_spots``, keyed from ``rel``) onto ``dst``."""
    for key, value in src.items():
        here, there = prefix + (key,), rel + (key,)
        old = dst.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            _merge(old, value, src_spots, spots, here, there)
            continue
        if isinstance(old, list) and isinstance(value, list) and here not in _REPLACED:
            for item in value:
                if item in old:
                    continue  # Compose keeps one of equal items
                _move(src_spots, spots, there + (value.index(item),), here + (len(old),))
                old.append(item)
            continue
        _drop(spots, here)
        _move(src_spots, spots, there, here)
        dst[key] = copy.deepcopy(value)  # later files extend it: the file's own copy stays as read


def _move(src_spots: dict, spots: dict, old: tuple, new: tuple) -> None:
    n = len(old)
    for k, spot in src_spots.items():
        if k[:n] == old:
            spots[new + k[n:]] = spot


@dataclass
class ComposeFile:
    """One file of a project: its display path, positioned data and plain copy."""

    path: str
    data: object  # the YMap (positioned), for schema positions
    plain: dict
    spots: dict

    def spot(self, keys: tuple) -> Spot:
        """The spot of ``keys``, else of the nearest enclosing key that exists."""
        keys = tuple(keys)
        while keys:
            if keys in self.spots:
                return self.spots[keys]
            keys = keys[:-1]
        region = getattr(self.data, "region", None)
        return Spot(self.path, None, region or Region(1, 1))


def load_file(path: str, data) -> ComposeFile:
    spots: dict = {}
    plain = _copy(data, path, (), spots) if isinstance(data, dict) else {}
    services = plain.get("services") if isinstance(plain, dict) else None
    if isinstance(services, dict):
        for name, svc in services.items():
            if isinstance(svc, dict):
                for key in _KEYED_LISTS:
                    if key in svc:
                        svc[key] = _keyed(svc[key], ("services", name, key), spots)
    return ComposeFile(path, data, plain, spots)


@dataclass
class Service:
    """One service after the project's files are merged."""

    name: str
    data: dict
    spots: dict  # keys below the service → Spot
    anchor: Spot  # the service's key in the first file that defines it
    project: "ComposeProject" = field(repr=False, default=None)

    @property
    def subject(self) -> str:
        return f"services.{self.name}"

    def get(self, *keys, default=None):
        node = self.data
        for k in keys:
            if isinstance(node, dict) and k in node:
                node = node[k]
            elif isinstance(node, list) and isinstance(k, int) and 0 <= k < len(node):
                node = node[k]
            else:
                return default
        return node

    def mapping(self, *keys) -> dict:
        value = self.get(*keys)
        return value if isinstance(value, dict) else {}

    def at(self, *keys) -> tuple[str, Region]:
        """``(path, region)`` of the value at ``keys`` (a container by its key); for a missing
        value, of the nearest enclosing one, and at worst of the service's own key."""
        spot = self.spot(*keys)
        return spot.path, spot.region

    def spot(self, *keys) -> Spot:
        probe = tuple(keys)
        while probe:
            spot = self.spots.get(probe)
            if spot is not None:
                value = self.get(*probe)
                if isinstance(value, (dict, list)) and spot.key is not None:
                    return Spot(spot.path, spot.key, spot.key)
                return spot
            probe = probe[:-1]
        return self.anchor

    @property
    def image_text(self) -> str | None:
        """The ``image:`` reference with defaults interpolated, or None when absent or when a
        variable without a default makes it unknown."""
        image = self.get("image")
        if not isinstance(image, str):
            return None
        resolved = interpolate(image.strip())
        if not resolved.complete or not resolved.text.strip():
            return None
        return resolved.text.strip()

    @property
    def image_ref(self):
        image = self.image_text
        if image is None:
            return None
        from shiplint.sources.imageref import parse_image_ref

        return parse_image_ref(image)

    @property
    def environment(self) -> dict:
        return self.mapping("environment")

    @property
    def is_stack(self) -> bool:
        return bool(self.project and self.project.is_stack)

    @property
    def is_partial(self) -> bool:
        """Whether what the service is missing may be set in a file that was not read: the project
        is an override file whose base file is not beside it (a fragment meant to be copied next
        to a base elsewhere, or passed with ``-f``)."""
        return bool(self.project and self.project.fragment)

    @property
    def is_one_shot(self) -> bool:
        """A task run to completion: another service waits for it with
        ``service_completed_successfully``, or Swarm runs it as a job."""
        if str(self.get("deploy", "mode", default="")).endswith("-job"):
            return True
        return bool(self.project) and self.name in self.project.awaited_completion


@dataclass
class ComposeProject:
    """The files Compose reads together and the services they define."""

    files: list[ComposeFile]
    services: list[Service]
    is_stack: bool
    awaited_completion: set
    base_dir: str | None = None  # directory of the first file on disk (None for stdin)
    root: str | None = None
    fragment: bool = False  # override file(s) only: the base they are merged onto was not found

    @property
    def path(self) -> str:
        return self.files[0].path if self.files else ""

    def layer_beside_base(self, f: ComposeFile) -> bool:
        """Whether ``f`` is one layer of several: read with other files of the project, or, not
        itself a base file, lying beside one (``compose.extras.yaml`` next to ``compose.yaml``,
        given with ``-f`` after it)."""
        if len(self.files) > 1:
            return True
        if posixpath.basename(f.path) in BASE_NAMES or self.base_dir is None:
            return False
        return any(os.path.isfile(os.path.join(self.base_dir, base)) for base in BASE_NAMES)

    def service(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)

    def dockerfile_path(self, svc: Service) -> str | None:
        """The absolute path of the Dockerfile a local ``build:`` uses, when it lies inside the
        scanned tree (a remote context, an inline Dockerfile or a path outside: None)."""
        if self.base_dir is None:
            return None
        build = svc.get("build")
        if isinstance(build, str):
            context, dockerfile = build, "Dockerfile"
        elif isinstance(build, dict):
            context = build.get("context", ".")
            dockerfile = build.get("dockerfile", "Dockerfile")
        else:
            return None
        if not isinstance(context, str) or not isinstance(dockerfile, str):
            return None
        context, dockerfile = interpolate(context), interpolate(dockerfile)
        if not (context.complete and dockerfile.complete) or "://" in context.text or context.text.startswith("git@"):
            return None
        return os.path.normpath(os.path.join(self.base_dir, context.text or ".", dockerfile.text))


def is_compose_shaped(data) -> bool:
    """A top level with ``services:`` whose entries are mappings, one at least with ``image`` or
    ``build`` — and not a Kubernetes object."""
    if not isinstance(data, dict) or "apiVersion" in data or "kind" in data:
        return False
    services = data.get("services")
    if not isinstance(services, dict) or not services:
        return False
    if not all(isinstance(s, dict) or s is None for s in services.values()):
        return False
    return any(isinstance(s, dict) and ("image" in s or "build" in s) for s in services.values())


def override_names(name: str) -> tuple:
    """The override files Compose reads after the base file ``name`` (none for other names)."""
    return OVERRIDE_NAMES.get(name, ())


def base_for_override(name: str) -> tuple:
    """The base files an override file ``name`` belongs to."""
    return tuple(base for base, overrides in OVERRIDE_NAMES.items() if name in overrides)


def sibling_display(display: str, name: str) -> str:
    return posixpath.join(posixpath.dirname(display), name) if "/" in display else name


def build_project(files: list[ComposeFile], base_dir: str | None = None, root: str | None = None,
                  stack_hint: bool = False, fragment: bool = False) -> ComposeProject:
    """Merge ``files`` in order into one project."""
    merged: dict = {}
    spots: dict = {}
    anchors: dict = {}
    for f in files:
        services = f.plain.get("services") if isinstance(f.plain, dict) else None
        if not isinstance(services, dict):
            continue
        for name, svc in services.items():
            if not isinstance(svc, dict):
                svc = {}
            if name not in merged:
                anchors[name] = Spot(f.path, f.spots[("services", name)].key, f.spots[("services", name)].key)
                merged[name] = {}
                spots[name] = {}
            _merge(merged[name], svc, f.spots, spots[name], (), ("services", name))
    is_stack = stack_hint
    awaited: set = set()
    for svc in merged.values():
        deploy = svc.get("deploy")
        if isinstance(deploy, dict) and any(k in deploy for k in SWARM_DEPLOY_KEYS):
            is_stack = True
        deps = svc.get("depends_on")
        if isinstance(deps, dict):
            for dep, cond in deps.items():
                if isinstance(cond, dict) and cond.get("condition") == "service_completed_successfully":
                    awaited.add(dep)
    project = ComposeProject(files, [], is_stack, awaited, base_dir, root, fragment)
    project.services = [Service(name, merged[name], spots[name], anchors[name], project) for name in merged]
    return project


def _stage_chain(dockerfile, target: str | None):
    stages = dockerfile.stages
    stage = None
    if target:
        stage = next((s for s in stages if (s.name or "").lower() == target.lower()), None)
    if stage is None and stages:
        stage = stages[-1]
    seen = set()
    while stage is not None and stage.index not in seen:
        seen.add(stage.index)
        yield stage
        stage = stages[stage.base_stage] if stage.base_stage is not None and stage.base_stage < len(stages) else None


def build_declares_healthcheck(project: ComposeProject, svc: Service, limit: int = 1 << 20) -> bool | None:
    """Whether the Dockerfile of the service's local ``build:`` declares a ``HEALTHCHECK`` in the
    stage it builds (or the stages that one builds on); None when that Dockerfile cannot be read
    (remote context, outside the scanned tree, missing, or not parseable)."""
    from shiplint.core.errors import ParseError
    from shiplint.core.fsutil import is_inside, read_regular
    from shiplint.sources.dockerfile import parse_dockerfile

    path = project.dockerfile_path(svc)
    if path is None or (project.root and not is_inside(path, [project.root])):
        return None
    try:
        dockerfile = parse_dockerfile(read_regular(path, limit).decode("utf-8", "replace"))
    except (OSError, ParseError):
        return None
    target = svc.get("build", "target")
    return any(i.keyword == "HEALTHCHECK" for stage in _stage_chain(dockerfile, target if isinstance(target, str) else None)
               for i in stage.instructions)
