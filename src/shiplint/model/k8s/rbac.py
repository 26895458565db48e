"""RBAC objects as the authorizer reads them: the rules of Roles and ClusterRoles (aggregated
ClusterRoles included), and the subjects of RoleBindings and ClusterRoleBindings.

Everything keeps the path of the node it came from, so that a rule points at the exact ``*``,
verb, resource or subject name.
"""

from __future__ import annotations

from dataclasses import dataclass

from shiplint.model.k8s import selectors

ROLE_KINDS = ("Role", "ClusterRole")
BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")
RBAC_GROUP = "rbac.authorization.k8s.io"

#: Groups and users that the API server gives to everyone: a binding to them is never exempt
#: although their name starts with ``system:``.
EVERYONE = frozenset({"system:authenticated", "system:unauthenticated", "system:anonymous"})


def is_rbac(resource) -> bool:
    """Whether the object is an RBAC object (``rbac.authorization.k8s.io`` group, any version)."""
    return resource.api_version.split("/", 1)[0] == RBAC_GROUP and resource.kind in ROLE_KINDS + BINDING_KINDS


def _strings(value) -> list[tuple[int, str]]:
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, str)]


@dataclass
class PolicyRule:
    """One entry of a role's ``rules``: its index and the strings of each field with their index."""

    role: object
    index: int
    api_groups: list
    resources: list
    verbs: list
    resource_names: list

    @property
    def path(self) -> tuple:
        return ("rules", self.index)

    def verb_set(self) -> set[str]:
        return {v.lower() for _, v in self.verbs}

    def grants(self, verb: str) -> bool:
        verbs = self.verb_set()
        return verb in verbs or "*" in verbs

    def core_group(self) -> bool:
        """Whether the rule applies to the core API group (``""``) — or to every group."""
        return any(g in ("", "*") for _, g in self.api_groups)


def policy_rules(role) -> list[PolicyRule]:
    """The rules a Role or ClusterRole states itself (not those it aggregates)."""
    items = role.get(("rules",))
    if not isinstance(items, list):
        return []
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        out.append(PolicyRule(role, i, _strings(item.get("apiGroups")), _strings(item.get("resources")),
                              _strings(item.get("verbs")), _strings(item.get("resourceNames"))))
    return out


def aggregation_selectors(role) -> list | None:
    """The requirement lists of ``aggregationRule.clusterRoleSelectors`` (ORed); ``None`` when
    the ClusterRole does not aggregate; a selector that cannot be evaluated is left out."""
    if role.kind != "ClusterRole":
        return None
    sels = role.get(("aggregationRule", "clusterRoleSelectors"))
    if not isinstance(sels, list):
        return None
    out = []
    for sel in sels:
        reqs = selectors.label_selector_requirements(sel)
        if reqs:  # an empty selector would aggregate every ClusterRole: the API rejects it
            out.append(reqs)
    return out


def aggregators_of(role, index) -> list:
    """The scanned ClusterRoles that aggregate ``role`` (a ClusterRole) through its labels: the
    permissions of ``role`` flow to everyone bound to them."""
    if role.kind != "ClusterRole":
        return []
    out = []
    for other in index.of_kind("ClusterRole"):
        if other is role:
            continue
        sels = aggregation_selectors(other)
        if sels and any(selectors.matches(reqs, role.labels) for reqs in sels):
            out.append(other)
    return out


def aggregation_note(role, index) -> str:
    """`` (aggregated into ClusterRole 'admin')`` when scanned ClusterRoles aggregate ``role``."""
    names = sorted({a.name for a in aggregators_of(role, index)})
    if not names:
        return ""
    return " (aggregated into ClusterRole " + ", ".join(f"'{n}'" for n in names) + ")"


@dataclass
class Subject:
    binding: object
    index: int
    kind: str
    name: str
    namespace: str

    @property
    def path(self) -> tuple:
        return ("subjects", self.index)

    def service_account(self) -> tuple[str, str] | None:
        """``(namespace, name)`` when the subject is one ServiceAccount: ``kind: ServiceAccount``
        (namespace defaults to the binding's), or the user ``system:serviceaccount:NS:NAME``."""
        if self.kind == "ServiceAccount":
            return (self.namespace or self.binding.namespace, self.name)
        if self.kind == "User" and self.name.startswith("system:serviceaccount:"):
            parts = self.name.split(":")
            if len(parts) == 4:
                return (parts[2], parts[3])
        return None


def subjects(binding) -> list[Subject]:
    items = binding.get(("subjects",))
    if not isinstance(items, list):
        return []
    out = []
    for i, s in enumerate(items):
        if isinstance(s, dict) and isinstance(s.get("name"), str):
            ns = s.get("namespace")
            out.append(Subject(binding, i, str(s.get("kind") or ""), s["name"], ns if isinstance(ns, str) else ""))
    return out


def role_ref(binding) -> tuple[str, str] | None:
    """``(kind, name)`` of the binding's ``roleRef``."""
    ref = binding.get(("roleRef",))
    if not isinstance(ref, dict) or not isinstance(ref.get("name"), str):
        return None
    return str(ref.get("kind") or ""), ref["name"]
