"""An index of every Kubernetes resource scanned in one run, for cross-resource rules.

Everything scanned together lands here: all files and documents of the run, the items of
``kind: List`` documents, the whole render of a chart or kustomization, and the context files
of a partial scan (see :mod:`shiplint.inputs.context`).

Namespaces are compared as written. An unset namespace matches only other unset ones: kubectl
applies such an object into the namespace of the current context (or ``-n``), which a static
scan cannot know, so ``default`` and unset are different namespaces here.
"""

from __future__ import annotations

from collections import defaultdict

from shiplint.model.k8s import selectors

#: Workload kinds whose pod count is ``spec.replicas`` (default 1).
REPLICATED_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})
#: Kinds a HorizontalPodAutoscaler is expected to target among the built-ins.
HPA_KIND = "HorizontalPodAutoscaler"
PDB_KIND = "PodDisruptionBudget"
#: API groups of the built-in kinds; any other group is a custom resource.
BUILTIN_GROUPS = frozenset({
    "", "apps", "batch", "policy", "autoscaling", "extensions", "networking.k8s.io",
    "rbac.authorization.k8s.io", "storage.k8s.io", "apiextensions.k8s.io",
    "admissionregistration.k8s.io", "scheduling.k8s.io", "coordination.k8s.io",
    "discovery.k8s.io", "certificates.k8s.io", "node.k8s.io", "flowcontrol.apiserver.k8s.io",
    "apiregistration.k8s.io", "events.k8s.io", "resource.k8s.io", "internal.apiserver.k8s.io",
    "authentication.k8s.io", "authorization.k8s.io", "storagemigration.k8s.io",
})


def api_group(resource) -> str:
    api = resource.api_version
    return api.split("/", 1)[0] if "/" in api else ""


def is_custom_resource(resource) -> bool:
    return api_group(resource) not in BUILTIN_GROUPS


def _kebab(kind: str) -> str:
    out = []
    for i, ch in enumerate(kind):
        if ch.isupper() and i and (not kind[i - 1].isupper() or (i + 1 < len(kind) and kind[i + 1].islower())):
            out.append("-")
        out.append(ch.lower())
    return "".join(out)


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Autoscaler:
    """A HorizontalPodAutoscaler or a KEDA ScaledObject, with its target and minimum."""

    def __init__(self, resource, target_kind: str, target_name: str, ref_path: tuple, min_replicas, min_path):
        self.resource = resource
        self.target_kind = target_kind
        self.target_name = target_name
        self.ref_path = ref_path
        #: None when not a literal integer (templated)
        self.min_replicas = min_replicas
        self.min_path = min_path

    @property
    def namespace(self) -> str:
        return self.resource.namespace


def autoscaler_of(resource) -> Autoscaler | None:
    """The autoscaler view of an HPA (any ``autoscaling/*`` version) or a KEDA ScaledObject."""
    kind = resource.kind
    if kind == HPA_KIND:
        ref = resource.get(("spec", "scaleTargetRef"))
        if not isinstance(ref, dict):
            return None
        tkind = ref.get("kind")
        name = ref.get("name")
        if not isinstance(tkind, str) or not isinstance(name, str) or not name:
            return None
        mn = resource.get(("spec", "minReplicas"), 1)
        return Autoscaler(resource, tkind, name, ("spec", "scaleTargetRef"), mn if is_int(mn) else None,
                          ("spec", "minReplicas"))
    if kind == "ScaledObject" and resource.api_version.startswith("keda.sh/"):
        ref = resource.get(("spec", "scaleTargetRef"))
        if not isinstance(ref, dict):
            return None
        tkind = ref.get("kind") or "Deployment"
        name = ref.get("name")
        if not isinstance(tkind, str) or not isinstance(name, str) or not name:
            return None
        mn = resource.get(("spec", "minReplicaCount"), 0)
        return Autoscaler(resource, tkind, name, ("spec", "scaleTargetRef"), mn if is_int(mn) else None,
                          ("spec", "minReplicaCount"))
    return None


class ResourceIndex:
    """All resources of a run, by kind and by (kind, namespace, name), with the relations the
    cross-resource rules need (pod templates, autoscalers, disruption budgets)."""

    def __init__(self, resources, patch_paths=frozenset()) -> None:
        resources = list(resources)
        #: Kustomize patches (partial objects) scanned as files: kept out of the relations.
        #: ``patch_paths``: the scanned files that a kustomization lists as patches (the index
        #: reads no file; see :func:`shiplint.inputs.context.kustomize_patch_paths`).
        self.patches = _kustomize_patches(resources, patch_paths)
        self.resources = [r for r in resources if id(r) not in self.patches]
        self.by_kind: dict[str, list] = defaultdict(list)
        self.by_key: dict[tuple, list] = defaultdict(list)
        self.namespaces_by_kind: dict[str, set] = defaultdict(set)
        for r in self.resources:
            self.by_kind[r.kind].append(r)
            self.by_key[(r.kind, r.namespace, r.name)].append(r)
            self.namespaces_by_kind[r.kind].add(r.namespace)
        self._templates = None
        self._autoscalers = None
        self._pdbs = None
        self._memo: dict = {}

    def __iter__(self):
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def cached(self, key, build):
        """``build()`` once per index: a result several project rules share (schema validation
        feeds KV101–KV105), computed by whichever asks first."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def of_kind(self, *kinds: str):
        for kind in kinds:
            yield from self.by_kind.get(kind, ())

    def find(self, kind: str, namespace: str, name: str):
        return self.by_key.get((kind, namespace, name), [])

    def has_kind_in(self, kind: str, namespace: str) -> bool:
        """Whether the scan holds at least one object of ``kind`` in ``namespace``."""
        return namespace in self.namespaces_by_kind.get(kind, ())

    @staticmethod
    def same_scope(a, b) -> bool:
        """Whether ``b`` counts as evidence about ``a``: same namespace and, when the namespace
        is unset, same directory (or render).  Objects without a namespace go wherever they are
        applied: unrelated examples of one repository share the unset namespace only in name,
        while a directory is what ``kubectl apply -f`` applies together."""
        if a.namespace != b.namespace:
            return False
        return bool(a.namespace) or _directory(a.path) == _directory(b.path)

    def has_kind_near(self, kind: str, resource) -> bool:
        """Evidence for an absence: an object of ``kind`` in the scope of ``resource``
        (:meth:`same_scope`)."""
        if resource.namespace:
            return self.has_kind_in(kind, resource.namespace)
        return any(self.same_scope(resource, r) for r in self.of_kind(kind))

    # -- pod templates -----------------------------------------------------------------------
    def pod_templates(self, namespace: str | None = None) -> list:
        """``(resource, PodTemplate)`` of every pod template (bare Pods, CronJobs, the templates
        custom resources embed…), optionally only those of one namespace."""
        if self._templates is None:
            by_ns: dict[str, list] = defaultdict(list)
            for r in self.resources:
                try:
                    pods = r.pod_templates()
                except Exception:  # a malformed object is not a workload
                    pods = []
                for pod in pods:
                    by_ns[r.namespace].append((r, pod))
            self._templates = by_ns
        if namespace is None:
            return [t for lst in self._templates.values() for t in lst]
        return self._templates.get(namespace, [])

    def operator_may_own(self, namespace: str, requirements) -> list:
        """Custom resources of ``namespace`` whose operator may create pods matching the
        requirements (equality ones): pods made by an operator (a Prometheus, an Alertmanager…)
        carry the custom resource's name, kind or labels, so a selector whose every value is
        one of those is taken as aimed at them.  Being a guess that only silences findings, it
        lets a Service of the unset namespace match a custom resource of any namespace."""
        out = []
        wanted = [v for q in requirements for v in q.values]
        if not wanted:
            return out
        for r in self.resources:
            if (namespace and r.namespace != namespace) or not is_custom_resource(r):
                continue
            hints = {r.name, r.kind.lower(), _kebab(r.kind)}
            hints.update(selectors.plain_labels(r.labels).values())
            pod_md = r.get(("spec", "podMetadata", "labels"))
            hints.update(selectors.plain_labels(pod_md).values())
            if all(v in hints for v in wanted):
                out.append(r)
        return out

    # -- autoscalers ----------------------------------------------------------------------------
    def autoscalers(self) -> list[Autoscaler]:
        if self._autoscalers is None:
            out = []
            for r in self.of_kind(HPA_KIND, "ScaledObject"):
                a = autoscaler_of(r)
                if a is not None:
                    out.append(a)
            self._autoscalers = out
        return self._autoscalers

    def autoscalers_of(self, resource) -> list[Autoscaler]:
        """Autoscalers (same namespace) whose target is ``resource`` (by kind and name)."""
        return [a for a in self.autoscalers()
                if a.namespace == resource.namespace and a.target_kind == resource.kind
                and a.target_name == resource.name]

    def autoscaler_target(self, autoscaler: Autoscaler) -> list:
        return self.find(autoscaler.target_kind, autoscaler.namespace, autoscaler.target_name)

    # -- replicas ----------------------------------------------------------------------------------
    def min_replicas(self, resource):
        """The smallest number of pods the workload runs: the autoscalers' minimum when one
        targets it, else ``spec.replicas`` (default 1). ``None`` when not a literal integer or
        not a replicated kind."""
        scalers = self.autoscalers_of(resource)
        if scalers:
            mins = [a.min_replicas for a in scalers]
            if any(m is None for m in mins):
                return None
            return max(mins)
        return spec_replicas(resource)

    # -- disruption budgets ----------------------------------------------------------------------
    def pdbs(self) -> list:
        """``(pdb resource, requirements or None)`` for every PodDisruptionBudget."""
        if self._pdbs is None:
            out = []
            for r in self.of_kind(PDB_KIND):
                sel = r.get(("spec", "selector"))
                reqs = selectors.label_selector_requirements(sel) if sel is not None else None
                if sel is not None and not isinstance(sel, dict):
                    reqs = None
                out.append((r, reqs, sel is not None))
            self._pdbs = out
        return self._pdbs

    def pdbs_selecting(self, pod) -> list:
        """PDBs of the pod template's namespace whose selector selects its labels."""
        ns = pod.resource.namespace
        out = []
        for r, reqs, has_selector in self.pdbs():
            if r.namespace != ns or not has_selector or reqs is None:
                continue
            if selectors.matches(reqs, pod.labels, selectors.generated_labels(pod.resource)):
                out.append(r)
        return out

    def pdb_may_select(self, pod) -> bool:
        """Whether a PDB of the namespace might select the pod template (selectors that cannot
        be evaluated count as a maybe)."""
        ns = pod.resource.namespace
        for r, reqs, has_selector in self.pdbs():
            if r.namespace != ns or not has_selector:
                continue
            if reqs is None or selectors.matches(reqs, pod.labels, selectors.generated_labels(pod.resource)):
                return True
        return False


def _directory(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _kustomize_patches(resources, patch_paths) -> dict:
    """``id -> resource`` of the resources that are kustomize patches: a ``$patch`` directive,
    or a file (not a render) that a nearby kustomization lists under ``patches``/``patchesStrategicMerge``."""
    out = {}
    for r in resources:
        if (isinstance(r.data, dict) and _has_patch_directive(r.data)) or (r.path in patch_paths and not r.origin):
            out[id(r)] = r
    return out


def _has_patch_directive(data, depth: int = 0) -> bool:
    if depth > 6:
        return False
    if isinstance(data, dict):
        if "$patch" in data:
            return True
        return any(_has_patch_directive(v, depth + 1) for v in data.values() if isinstance(v, (dict, list)))
    if isinstance(data, list):
        return any(_has_patch_directive(v, depth + 1) for v in data if isinstance(v, (dict, list)))
    return False


def spec_replicas(resource):
    """``spec.replicas`` of a replicated workload (default 1); ``None`` if not an integer."""
    if resource.kind not in REPLICATED_KINDS or not isinstance(resource.get(("spec",)), dict):
        return None
    value = resource.get(("spec", "replicas"), 1)
    if value is None:
        return 1
    return value if is_int(value) else None
