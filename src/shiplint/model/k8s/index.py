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
        #: namespace -> [(resource, pod, plain labels, generated labels)], in ``pod_templates``
        #: order, and (namespace, label key, value) -> positions in that list: built once, so
        #: that a selector is evaluated against the templates carrying one of its values only
        self._views: dict[str, list] | None = None
        self._by_label: dict[tuple, list] = {}
        self._labels: dict[int, tuple] = {}
        self._generated: dict[int, tuple] = {}
        self._kind_dirs: dict[str, set] = {}
        self._autoscalers = None
        self._by_target: dict[tuple, list] | None = None
        self._pdbs = None
        self._pdb_lookup = None
        self._customs = None
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
        dirs = self._kind_dirs.get(kind)
        if dirs is None:  # once per kind: every unset-namespace object of a run may ask
            dirs = self._kind_dirs[kind] = {_directory(r.path) for r in self.of_kind(kind) if not r.namespace}
        return _directory(resource.path) in dirs

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

    def template_labels(self, pod) -> dict[str, str]:
        """The pod template's labels as the API server sees them (strings); computed once per
        template."""
        # the object is kept beside its labels so that its id cannot be reused by another
        hit = self._labels.get(id(pod))
        if hit is None:
            hit = self._labels[id(pod)] = (pod, selectors.plain_labels(pod.labels))
        return hit[1]

    def generated_labels(self, resource) -> dict:
        """:func:`selectors.generated_labels` of ``resource``, computed once per object."""
        hit = self._generated.get(id(resource))
        if hit is None:
            hit = self._generated[id(resource)] = (resource, selectors.generated_labels(resource))
        return hit[1]

    def _template_views(self) -> dict[str, list]:
        if self._views is None:
            views: dict[str, list] = {}
            by_label: dict[tuple, list] = defaultdict(list)
            for ns, templates in self._templates_by_ns().items():
                lst = views[ns] = []
                for i, (r, pod) in enumerate(templates):
                    labels = self.template_labels(pod)
                    lst.append((r, pod, labels, self.generated_labels(r)))
                    for k, v in labels.items():
                        by_label[(ns, k, v)].append(i)
            self._views, self._by_label = views, dict(by_label)
        return self._views

    def _templates_by_ns(self) -> dict[str, list]:
        self.pod_templates()
        return self._templates

    def template_views(self, namespace: str) -> list:
        """``(resource, pod, labels, generated labels)`` of the pod templates of ``namespace``,
        in :meth:`pod_templates` order, labels computed once."""
        return self._template_views().get(namespace, [])

    def templates_matching(self, namespace: str, requirements) -> list:
        """``(resource, PodTemplate)`` of the templates of ``namespace`` whose labels (and the
        labels their controller adds) satisfy every requirement, in :meth:`pod_templates`
        order; none when the selector cannot be evaluated (``None``).  Only the templates
        carrying a value of the selector's most selective key are looked at."""
        if requirements is None:
            return []
        views = self.template_views(namespace)
        if not views:
            return []
        q = selectors.lookup_requirement(requirements)
        if q is None:
            positions = range(len(views))
        elif len(q.values) == 1:
            positions = self._by_label.get((namespace, q.key, q.values[0]), ())
        else:
            positions = sorted({i for v in q.values for i in self._by_label.get((namespace, q.key, v), ())})
        out = []
        for i in positions:
            r, pod, labels, gen = views[i]
            if all(req.matches(labels, gen) for req in requirements):
                out.append((r, pod))
        return out

    def labels_unknown(self, namespace: str) -> bool:
        """Whether a workload of ``namespace`` has a malformed pod template or labels (see
        :meth:`Resource.pods_unreadable`): a selector that matches no other template may still be
        aimed at its pods."""
        return namespace in self.cached("unreadable-pods", lambda: {r.namespace for r in self.resources
                                                                    if r.pods_unreadable})

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
        if self._customs is None:
            # the custom resources and their hints, once: every unmatched Service asks
            customs = []
            for r in self.resources:
                if not is_custom_resource(r):
                    continue
                hints = {r.name, r.kind.lower(), _kebab(r.kind)}
                hints.update(selectors.plain_labels(r.labels).values())
                pod_md = r.get(("spec", "podMetadata", "labels"))
                hints.update(selectors.plain_labels(pod_md).values())
                customs.append((r, r.namespace, hints))
            self._customs = customs
        for r, ns, hints in self._customs:
            if namespace and ns != namespace:
                continue
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
        if self._by_target is None:
            by_target: dict[tuple, list] = defaultdict(list)
            for a in self.autoscalers():
                by_target[(a.namespace, a.target_kind, a.target_name)].append(a)
            self._by_target = dict(by_target)
        return list(self._by_target.get((resource.namespace, resource.kind, resource.name), ()))

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
                # a malformed spec or selector selects what it meant to: unknown, not nothing
                unreadable = r.malformed_at(("spec", "selector", "matchLabels")) is not None
                out.append((r, None if unreadable else reqs, sel is not None or unreadable))
            self._pdbs = out
        return self._pdbs

    def _pdb_index(self):
        """PDBs by (namespace, key, value) of their most selective requirement; those without
        one by namespace; namespaces holding a selector that cannot be evaluated."""
        if self._pdb_lookup is None:
            keyed: dict[tuple, list] = defaultdict(list)
            unkeyed: dict[str, list] = defaultdict(list)
            unknown: set = set()
            for j, (r, reqs, has_selector) in enumerate(self.pdbs()):
                if not has_selector:
                    continue  # selects nothing
                ns = r.namespace
                if r.malformed_at(("metadata", "namespace")) is not None:
                    unknown.add(None)  # its namespace is unreadable: it may be any
                    continue
                if reqs is None:
                    unknown.add(ns)
                    continue
                q = selectors.lookup_requirement(reqs)
                if q is None:
                    unkeyed[ns].append(j)
                else:
                    for v in dict.fromkeys(q.values):
                        keyed[(ns, q.key, v)].append(j)
            self._pdb_lookup = (dict(keyed), dict(unkeyed), unknown)
        return self._pdb_lookup

    def _pdbs_matching(self, pod) -> list:
        """Positions in :meth:`pdbs` of the evaluable PDBs selecting the pod template."""
        keyed, unkeyed, _ = self._pdb_index()
        ns = pod.resource.namespace
        labels = self.template_labels(pod)
        found = set(unkeyed.get(ns, ()))
        for k, v in labels.items():
            found.update(keyed.get((ns, k, v), ()))
        if not found:
            return []
        gen = self.generated_labels(pod.resource)
        pdbs = self.pdbs()
        return [j for j in sorted(found) if all(q.matches(labels, gen) for q in pdbs[j][1])]

    def pdbs_selecting(self, pod) -> list:
        """PDBs of the pod template's namespace whose selector selects its labels."""
        pdbs = self.pdbs()
        return [pdbs[j][0] for j in self._pdbs_matching(pod)]

    def pdb_may_select(self, pod) -> bool:
        """Whether a PDB of the namespace might select the pod template (selectors that cannot
        be evaluated count as a maybe)."""
        unknown = self._pdb_index()[2]
        if (pod.resource.namespace in unknown or None in unknown or pod.labels_malformed
                or pod.resource.malformed_at(("metadata", "namespace")) is not None):
            return True
        return bool(self._pdbs_matching(pod))


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
