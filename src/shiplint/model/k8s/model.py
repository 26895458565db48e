"""The Kubernetes view of a YAML document: resources, pod templates and containers.

Everything keeps a path from the resource's root (a tuple of keys and indexes), so that a rule
can point at the exact node with :meth:`Resource.region_at`, or at the deepest node that exists
along a path when the offending field is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from shiplint.core.findings import MalformedRegion, Region
from shiplint.sources.yamlsrc import Item, YMap, YSeq, locate

#: Where each built-in workload kind keeps its pod template (``metadata`` + ``spec``).
POD_TEMPLATE_PATHS: dict[str, tuple] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "PodTemplate": ("template",),
}

#: Kinds whose pods run to completion: no probes, no rollout strategy.
BATCH_KINDS = frozenset({"Job", "CronJob"})

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")

CONTAINER_ROLES = (("initContainers", "init"), ("containers", "regular"), ("ephemeralContainers", "ephemeral"))

#: securityContext fields a container inherits from its pod when it does not set them.
INHERITED_SECURITY_FIELDS = frozenset({"runAsUser", "runAsNonRoot", "runAsGroup", "seccompProfile",
                                       "seLinuxOptions", "appArmorProfile", "windowsOptions"})


_UNSET = object()

#: Pod ``restartPolicy`` values of pods that run to completion.
RUN_TO_COMPLETION = frozenset({"Never", "OnFailure"})

#: Fields of a Job spec: a pod template beside them belongs to a Job (JobSet, KEDA ScaledJob…).
_JOB_SPEC_FIELDS = frozenset({"backoffLimit", "completions", "parallelism", "completionMode",
                              "activeDeadlineSeconds", "ttlSecondsAfterFinished", "podFailurePolicy"})
#: How deep and how wide the search for pod templates in an unknown kind goes.
_MAX_TEMPLATE_DEPTH = 12
_MAX_TEMPLATE_NODES = 5000


def _is_pod_template(node) -> bool:
    """The shape of a pod template: a mapping whose ``spec`` holds a list of containers."""
    if not isinstance(node, YMap):
        return False
    spec = node.get("spec")
    return isinstance(spec, YMap) and isinstance(spec.get("containers"), YSeq)


def _nested_templates(data: YMap) -> list[tuple]:
    """Paths of the pod templates anywhere below ``data`` (not ``data`` itself, nor its
    ``metadata``/``status``), outermost first; a template's own insides are not searched."""
    found: list[tuple] = []
    budget = [_MAX_TEMPLATE_NODES]

    def walk(node, path: tuple) -> None:
        budget[0] -= 1
        if budget[0] < 0 or len(path) > _MAX_TEMPLATE_DEPTH:
            return
        if path and _is_pod_template(node):
            found.append(path)
            return
        if isinstance(node, YMap):
            for key, value in node.items():
                if not path and key in ("metadata", "status"):
                    continue
                if isinstance(value, (YMap, YSeq)):
                    walk(value, path + (key,))
        elif isinstance(node, YSeq):
            for i, value in enumerate(node):
                if isinstance(value, (YMap, YSeq)):
                    walk(value, path + (i,))

    walk(data, ())
    return found


def _template_label(data, path: tuple) -> str:
    """``replicatedJobs[workers].template.spec.template``: a line-independent name of a nested
    pod template (list items by their ``name`` when they have one)."""
    parts: list[str] = []
    node = data
    for step in path:
        child = node[step] if isinstance(node, (YMap, YSeq)) else None
        if isinstance(step, int):
            name = child.get("name") if isinstance(child, YMap) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{name if isinstance(name, str) else step}]"]
        else:
            parts.append(str(step))
        node = child
    if parts and parts[0] == "spec":
        parts = parts[1:]
    return ".".join(parts)


def _str(value) -> str:
    return "" if value is None else str(value)


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def deepest_region(data, path: tuple) -> Region | None:
    """The region of the node at ``path``, or of the deepest node that exists along it.

    For an existing leaf this is the value's region; when a step is missing, the region of the
    last existing key (its key, so the finding lands on the line that names it)."""
    at = locate(data, path)
    if at.complete:  # the node itself, even a mapping or a sequence
        return at.value_region or at.region
    return at.region


def get_path(data, path: tuple, default=None):
    at = locate(data, path)
    return at.node if at.complete else default


def blocked_at(data, path: tuple) -> tuple | None:
    """The path of the node that stops the walk along ``path`` by its type, or ``None``.

    A scalar, or a list where a key is looked up, or a mapping where an item is, cannot hold
    what the path asks for below it: the object is malformed there, not lacking the field.  A
    null node (``resources:`` left empty) is an absent field, as the API server reads it."""
    at = locate(data, path)
    if at.complete or at.node is None:
        return None
    node, step = at.node, path[at.found]
    wants_item = isinstance(step, (int, Item))
    if isinstance(node, dict) and not wants_item or isinstance(node, list) and wants_item:
        return None  # the right kind of node, without that key or item: missing
    return tuple(path[: at.found])


def _malformed(region: Region | None) -> MalformedRegion | None:
    if region is None:
        return None
    return MalformedRegion(region.line, region.column, region.end_line, region.end_column)


def missing_region(data, path: tuple) -> Region | None:
    """Where a finding about a missing node at ``path`` (below ``data``) points.

    The *key* of the deepest mapping entry that exists along ``path`` (so ``resources:`` when
    ``resources.limits.memory`` is missing); ``None`` when not even the first step exists, so
    that the caller can fall back to the object or container anchor.  A present leaf is its
    value region."""
    at = locate(data, path)
    if at.parent is None:
        return None
    if isinstance(at.parent, YMap) and (at.node is None or isinstance(at.node, (YMap, YSeq))):
        return at.key_region  # an empty `resources:` is named by its key too
    return at.value_region


def int_or_percent(value) -> tuple[float, bool] | None:
    """Read a Kubernetes IntOrString: ``(number, is_percent)``, or ``None`` if unreadable.

    ``3`` -> ``(3, False)``, ``"25%"`` -> ``(25, True)``, ``"2"`` -> ``(2, False)`` (lenient:
    the API would reject a non-percent string, but the intent is clear)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value), False
    if isinstance(value, str):
        s = value.strip()
        pct = s.endswith("%")
        if pct:
            s = s[:-1].strip()
        try:
            return float(int(s)), pct
        except ValueError:
            return None
    return None


class _Labelled:
    """``labels`` and ``annotations`` of whatever ``metadata`` the class exposes."""

    @property
    def labels(self) -> dict:
        return _mapping(self.metadata.get("labels"))

    @property
    def annotations(self) -> dict:
        return _mapping(self.metadata.get("annotations"))


@dataclass
class Resource(_Labelled):
    """One Kubernetes object, with where it came from."""

    data: YMap
    path: str
    doc_index: int = 0
    item_index: int | None = None
    #: Set by the Helm/Kustomize layer: where the object is defined in the repository.
    origin: dict = field(default_factory=dict)
    #: Pod-template locations of custom kinds declared by plugins for this run (``kind → path``),
    #: consulted before the built-in table.
    pod_paths: dict | None = field(default=None, repr=False, compare=False)

    @property
    def api_version(self) -> str:
        return _str(self.data.get("apiVersion"))

    @property
    def kind(self) -> str:
        return _str(self.data.get("kind"))

    @property
    def metadata(self) -> dict:
        return _mapping(self.data.get("metadata"))

    @property
    def name(self) -> str:
        md = self.metadata
        return _str(md.get("name") or md.get("generateName"))

    @property
    def namespace(self) -> str:
        return _str(self.metadata.get("namespace"))

    @property
    def region(self) -> Region:
        return self.data.region

    @property
    def identity(self) -> str:
        """``Kind/namespace/name``: stable across edits, used in fingerprints; computed once
        (every finding and several rules ask for it)."""
        cached = self.__dict__.get("_identity")
        if cached is None:
            cached = self.__dict__["_identity"] = f"{self.kind}/{self.namespace}/{self.name}"
        return cached

    @property
    def anchor(self) -> Region:
        """Where a finding about the object as a whole points: its name, else its start."""
        md = self.data.get("metadata")
        if isinstance(md, YMap) and "name" in md:
            return md.value_region("name")
        kind_region = self.data.value_region("kind")
        return kind_region or self.region

    def get(self, path: tuple, default=None):
        return get_path(self.data, path, default)

    def from_template_expression(self, path: tuple) -> bool:
        """Whether the value at ``path`` was produced by a template expression (``{{ .Values.x }}``,
        a generated key) rather than written literally: asked of the Helm template the object was
        rendered from (the render layer puts a ``value_is_expression`` callable in
        :attr:`origin`); a manifest that still holds ``{{`` in the value is unrendered text."""
        judge = self.origin.get("value_is_expression") if self.origin else None
        if judge is not None:
            return bool(judge(tuple(path)))
        value = self.get(tuple(path))
        return isinstance(value, str) and "{{" in value

    def region_at(self, path: tuple) -> Region:
        return deepest_region(self.data, path) or self.region

    # -- workloads -----------------------------------------------------------------------
    @property
    def is_batch(self) -> bool:
        return self.kind in BATCH_KINDS

    def pod_templates(self) -> list["PodTemplate"]:
        """Every pod template of the object; computed once.  One for the built-in workloads;
        a custom resource may embed several, anywhere (JobSet
        ``spec.replicatedJobs[].template.spec.template``, Kubeflow's replica specs…)."""
        cache = self.__dict__.get("_pod_templates")
        if cache is None:
            cache = self.__dict__["_pod_templates"] = self._find_pod_templates()
        return cache

    def pod_template(self) -> "PodTemplate | None":
        """The (first) pod template of a workload (any kind), or ``None``."""
        templates = self.pod_templates()
        return templates[0] if templates else None

    def containers(self, roles: tuple[str, ...] = ("init", "regular", "ephemeral")) -> Iterator["Container"]:
        """Every container of every pod template (none for objects that are not workloads)."""
        for pod in self.pod_templates():
            yield from pod.containers(roles)

    def missing_region(self, path: tuple) -> Region:
        """Where a finding about the missing node at ``path`` points: the key of the deepest
        existing node along it, else the object's anchor; a :class:`MalformedRegion` (the
        engine drops the finding) when a node on the way, or the node itself, has the wrong
        type: the field is not missing there, the object is malformed, and KV102 says so."""
        wrong = self.malformed_at(path)
        if wrong is not None:
            return _malformed(deepest_region(self.data, wrong)) or self.region
        return missing_region(self.data, path) or self.anchor

    @property
    def wrong_type_paths(self) -> frozenset:
        """Paths of the nodes whose type is not the one the API wants, by the built-in shape
        table (the fields the model reads: ``spec``, a pod template, ``containers``,
        ``securityContext``, ``resources``, ``labels``…), the table KV102 judges shapes with when
        no schema applies; computed once."""
        cached = self.__dict__.get("_wrong_type_paths")
        if cached is None:
            from shiplint.model.k8s.apischema import WRONG_TYPE, shape_table

            problems: list = []
            shape_table().validator(self.api_version, self.kind)(self.data, (), problems)
            cached = self.__dict__["_wrong_type_paths"] = frozenset(
                tuple(p.path) for p in problems if p.kind == WRONG_TYPE)
        return cached

    def malformed_at(self, path: tuple) -> tuple | None:
        """The path of the wrong-typed node at or above ``path`` (the shape table's verdict, or
        a node that cannot hold the next step), else ``None``: a rule asking about ``path``
        reads a malformed object there, not a missing field."""
        path = tuple(path)
        wrong = self.wrong_type_paths
        if wrong:
            for n in range(1, len(path) + 1):
                if path[:n] in wrong:
                    return path[:n]
        return blocked_at(self.data, path)

    @property
    def pods_unreadable(self) -> bool:
        """Whether the object is a workload whose pod template, or its labels, has the wrong
        type (a ``spec:`` string, ``template:`` list…): it makes pods, but which labels they
        carry cannot be read."""
        path = () if self.kind == "Pod" else POD_TEMPLATE_PATHS.get(self.kind)
        if path is None:
            return False
        return (self.malformed_at(path + ("spec", "containers")) is not None
                or self.malformed_at(path + ("metadata", "labels")) is not None)

    def _find_pod_templates(self) -> list["PodTemplate"]:
        kind = self.kind
        if kind == "Pod":
            spec = self.data.get("spec")
            if isinstance(spec, YMap):
                return [PodTemplate(self, (), ("spec",))]
            return []
        plugin_paths = self.pod_paths or {}
        # a plugin's path may be () for a Pod-like kind (its root holds metadata and spec)
        path = plugin_paths[kind] if kind in plugin_paths else POD_TEMPLATE_PATHS.get(kind)
        if path is not None:
            tpl = self.get(path)
            if not isinstance(tpl, YMap) or not isinstance(tpl.get("spec"), YMap):
                return []
            return [PodTemplate(self, path + ("metadata",), path + ("spec",))]
        # an unknown kind: a pod template is recognised by its shape wherever it sits
        # (Argo Rollouts' spec.template, JobSet's replicated jobs, KEDA ScaledJob, Kubeflow…)
        paths = _nested_templates(self.data)
        out = []
        for p in paths:
            holder = self.get(p[:-1]) if len(p) > 1 else None
            batch = isinstance(holder, YMap) and any(k in holder for k in _JOB_SPEC_FIELDS)
            # a single template keeps the plain subjects ("…:pod", "…:containers[web]")
            label = _template_label(self.data, p) if len(paths) > 1 else ""
            out.append(PodTemplate(self, p + ("metadata",), p + ("spec",), label, batch))
        return out


@dataclass
class PodTemplate(_Labelled):
    resource: Resource
    metadata_path: tuple
    spec_path: tuple
    #: Which of several pod templates of one object this is (empty when it has one).
    label: str = ""
    #: The template belongs to a Job nested in a custom resource (its pods run to completion).
    batch: bool = False

    @property
    def spec(self) -> YMap:
        return self.resource.get(self.spec_path)

    @property
    def metadata(self) -> dict:
        if not self.metadata_path:
            return self.resource.metadata
        return _mapping(self.resource.get(self.metadata_path))

    @property
    def security_context(self) -> dict:
        return _mapping(self.spec.get("securityContext"))

    @property
    def long_running(self) -> bool:
        """Whether the pods are meant to keep running (and so get probe rules): not a Job or
        CronJob, and not a pod whose ``restartPolicy`` is ``Never`` or ``OnFailure``."""
        if self.resource.is_batch or self.batch:
            return False
        return _str(self.spec.get("restartPolicy")) not in RUN_TO_COMPLETION

    @property
    def is_windows(self) -> bool:
        """``spec.os.name: windows``: Linux-only security fields do not apply."""
        return _str(_mapping(self.spec.get("os")).get("name")).lower() == "windows"

    @property
    def subject(self) -> str:
        return f"{self.resource.identity}:{self.label}:pod" if self.label else f"{self.resource.identity}:pod"

    def region_at(self, rel_path: tuple) -> Region:
        """Region of the node at ``rel_path`` below the pod spec (deepest existing node)."""
        return self.resource.region_at(self.spec_path + tuple(rel_path))

    def missing_region(self, rel_path: tuple) -> Region:
        """Where a finding about a missing pod-spec field points: the deepest existing key
        along ``spec_path + rel_path`` from the resource root, else the resource anchor."""
        return self.resource.missing_region(self.spec_path + tuple(rel_path))

    def malformed_at(self, rel_path: tuple) -> tuple | None:
        """See :meth:`Resource.malformed_at` (``rel_path`` below the pod spec)."""
        return self.resource.malformed_at(self.spec_path + tuple(rel_path))

    @property
    def labels_malformed(self) -> bool:
        """Whether the template's ``metadata`` or ``labels`` has the wrong type: which pods a
        selector picks is then unknown (not "none")."""
        metadata_path = self.metadata_path or ("metadata",)
        return self.resource.malformed_at(metadata_path + ("labels",)) is not None

    def containers(self, roles: tuple[str, ...] = ("init", "regular", "ephemeral")) -> Iterator["Container"]:
        # the Container views are made once per pod template, not once per rule
        every = self.__dict__.get("_containers")
        if every is None:
            every = self.__dict__["_containers"] = self._all_containers()
        for c in every:
            if c.role in roles:
                yield c

    def _all_containers(self) -> list["Container"]:
        out = []
        spec = self.spec
        for key, role in CONTAINER_ROLES:
            items = spec.get(key)
            if not isinstance(items, list):
                continue
            for i, item in enumerate(items):
                if isinstance(item, YMap):
                    out.append(Container(self, role, self.spec_path + (key, i), item))
        return out


@dataclass
class Container:
    pod: PodTemplate
    role: str
    path: tuple
    data: YMap

    @property
    def resource(self) -> Resource:
        return self.pod.resource

    @property
    def name(self) -> str:
        return _str(self.data.get("name"))

    @property
    def image(self):
        return self.data.get("image")

    @property
    def image_text(self) -> str | None:
        """The image reference to judge: stripped, or ``None`` when missing, empty or still an
        unrendered template (``{{ .Values.image }}``)."""
        image = self.data.get("image")
        if not isinstance(image, str):
            return None
        image = image.strip()
        if not image or "{{" in image:
            return None
        return image

    @property
    def image_ref(self):
        """The parsed :class:`~shiplint.sources.imageref.ImageRef` of :attr:`image_text`, or ``None``."""
        image = self.image_text
        if image is None:
            return None
        from shiplint.sources.imageref import parse_image_ref

        return parse_image_ref(image)

    @property
    def security_context(self) -> dict:
        return _mapping(self.data.get("securityContext"))

    def effective(self, key: str):
        """The effective security-context value for ``key`` and the path where it is set.

        The container's own setting wins over the pod's; returns ``(None, None)`` when neither
        sets it. Only fields that exist at both levels are merged (runAsUser, runAsNonRoot,
        runAsGroup, seccompProfile, seLinuxOptions, appArmorProfile, windowsOptions)."""
        sc = self.security_context
        if key in sc:
            return sc[key], self.path + ("securityContext", key)
        psc = self.pod.security_context
        if key in psc:
            return psc[key], self.pod.spec_path + ("securityContext", key)
        return None, None

    @property
    def subject(self) -> str:
        """A line-independent identity, e.g. ``Deployment/ns/api:containers[web]``."""
        kind = {"init": "initContainers", "regular": "containers", "ephemeral": "ephemeralContainers"}[self.role]
        where = f"{self.pod.label}:" if self.pod.label else ""
        return f"{self.resource.identity}:{where}{kind}[{self.name or self.path[-1]}]"

    @property
    def anchor(self) -> Region:
        """Where a finding about something the container lacks points: its ``name``."""
        if "name" in self.data:
            return self.data.value_region("name")
        return self.resource.region_at(self.path)

    def region_at(self, rel_path: tuple) -> Region:
        # walked from the container's own node; the same region as from the
        # resource root (the container's item region is its mapping's region)
        return deepest_region(self.data, tuple(rel_path)) or self.resource.region_at(self.path + tuple(rel_path))

    def missing_region(self, rel_path: tuple) -> Region:
        """Where a finding about a missing container field points: the key of the deepest
        existing node along ``rel_path`` inside the container (``securityContext:`` when
        ``securityContext.readOnlyRootFilesystem`` is missing), else the container's anchor.

        A :class:`MalformedRegion` when a node on the way has the wrong type, and, for a field
        the container inherits from its pod (``runAsNonRoot``, ``seccompProfile``…) and does not
        set, when the pod's node on the way has: then what the container runs with is unknown."""
        rel_path = tuple(rel_path)
        resource = self.resource
        if resource.malformed_at(self.path + rel_path) is not None:
            return resource.missing_region(self.path + rel_path)
        if (len(rel_path) > 1 and rel_path[0] == "securityContext" and rel_path[1] in INHERITED_SECURITY_FIELDS
                and rel_path[1] not in self.security_context):
            inherited = self.pod.spec_path + rel_path
            if resource.malformed_at(inherited) is not None:
                return resource.missing_region(inherited)
        return missing_region(self.data, rel_path) or self.anchor

    def malformed_at(self, rel_path: tuple) -> tuple | None:
        """See :meth:`Resource.malformed_at` (``rel_path`` inside the container)."""
        return self.resource.malformed_at(self.path + tuple(rel_path))

    @property
    def gets_probe_rules(self) -> bool:
        """Regular containers of long-running pods (not init or ephemeral containers, not Jobs,
        CronJobs or run-to-completion pods)."""
        return self.role == "regular" and self.pod.long_running

    @property
    def ports(self) -> list:
        """The declared ``ports`` entries (mappings only)."""
        items = self.data.get("ports")
        return [p for p in items if isinstance(p, dict)] if isinstance(items, list) else []

    @property
    def port_names(self) -> set[str]:
        return {str(p["name"]) for p in self.ports if isinstance(p.get("name"), str)}

    @property
    def port_numbers(self) -> set[int]:
        out = set()
        for p in self.ports:
            n = p.get("containerPort")
            if isinstance(n, int) and not isinstance(n, bool):
                out.add(n)
            elif isinstance(n, str) and n.strip().isdigit():
                out.add(int(n))
        return out

    def probes(self) -> Iterator[tuple[str, dict]]:
        """``(name, probe)`` for each probe the container defines."""
        for name in PROBES:
            probe = self.data.get(name)
            if isinstance(probe, dict):
                yield name, probe


def resources_from_document(data, path: str, doc_index: int, pod_paths: dict | None = None) -> list[Resource]:
    """The Kubernetes objects in one YAML document (``kind: List`` items expanded);
    ``pod_paths``: pod-template locations of custom kinds declared by plugins."""
    if not isinstance(data, YMap):
        return []
    if "apiVersion" not in data or "kind" not in data:
        return []
    kind = _str(data.get("kind"))
    if kind == "List" or (kind.endswith("List") and isinstance(data.get("items"), list)):
        out = []
        items = data.get("items")
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, YMap) and "kind" in item:
                    out.append(Resource(item, path, doc_index, i, pod_paths=pod_paths))
        return out
    return [Resource(data, path, doc_index, pod_paths=pod_paths)]


def is_kubernetes_document(data) -> bool:
    return isinstance(data, dict) and "apiVersion" in data and "kind" in data


def capability_name(value) -> str:
    """A Linux capability as the container runtimes compare them: ``cap_sys_admin``,
    ``CAP_SYS_ADMIN`` and ``sys_admin`` are all ``SYS_ADMIN``."""
    s = str(value).strip().upper()
    return s[4:] if s.startswith("CAP_") else s
