"""Label selectors as the API server evaluates them, for cross-resource rules.

Two forms exist:

* the plain map of a Service (``spec.selector``) or a ReplicationController: every key must be
  present with an equal value;
* the ``LabelSelector`` of workloads and PodDisruptionBudgets: ``matchLabels`` plus
  ``matchExpressions`` (``In``, ``NotIn``, ``Exists``, ``DoesNotExist``), all ANDed.

Label values are strings in the API; YAML may type an unquoted ``1`` or ``true``, so values are
compared through :func:`label_value` (``true``/``false`` lowercase, numbers as written).
Functions return ``None`` when the selector cannot be evaluated (an unknown operator, a
non-mapping), so that a rule can stay silent rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def label_value(value) -> str:
    """The string form the API server would see for a label value written in YAML."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def plain_labels(labels) -> dict[str, str]:
    if not isinstance(labels, dict):
        return {}
    return {str(k): label_value(v) for k, v in labels.items()}


@dataclass(frozen=True)
class Requirement:
    """One condition of a selector, with the path (below the selector) that states it."""

    key: str
    operator: str
    values: tuple[str, ...]
    path: tuple

    def matches(self, labels: dict[str, str], generated: dict | None = None) -> bool:
        """Whether ``labels`` satisfy the requirement.  ``generated`` maps the keys of labels
        that a controller adds to the pods at run time (``pod-template-hash``,
        ``statefulset.kubernetes.io/pod-name``…) to a predicate on the value: such a key counts
        as present with any value the predicate accepts."""
        if self.key not in labels and generated and self.key in generated:
            accept = generated[self.key]
            if self.operator in ("Equals", "In"):
                return any(accept(v) for v in self.values)
            return self.operator != "DoesNotExist"  # Exists; NotIn cannot be ruled out
        if self.operator == "Equals":
            return labels.get(self.key) == self.values[0] if self.key in labels else False
        if self.operator == "In":
            return self.key in labels and labels[self.key] in self.values
        if self.operator == "NotIn":
            return self.key not in labels or labels[self.key] not in self.values
        if self.operator == "Exists":
            return self.key in labels
        if self.operator == "DoesNotExist":
            return self.key not in labels
        return False

    def describe(self) -> str:
        if self.operator == "Equals":
            return f"{self.key}={self.values[0]}"
        if self.operator in ("Exists", "DoesNotExist"):
            return f"{'!' if self.operator == 'DoesNotExist' else ''}{self.key}"
        return f"{self.key} {self.operator.lower()} ({','.join(self.values)})"


def map_requirements(selector) -> list[Requirement] | None:
    """Requirements of a plain map selector (Service, ReplicationController)."""
    if not isinstance(selector, dict):
        return None
    return [Requirement(str(k), "Equals", (label_value(v),), (k,)) for k, v in selector.items()]


def label_selector_requirements(selector) -> list[Requirement] | None:
    """Requirements of a ``LabelSelector``; ``None`` if it cannot be evaluated.

    An empty selector (``{}``) yields no requirement: it selects every pod (policy/v1)."""
    if not isinstance(selector, dict):
        return None
    out: list[Requirement] = []
    ml = selector.get("matchLabels")
    if ml is not None:
        if not isinstance(ml, dict):
            return None
        for k, v in ml.items():
            out.append(Requirement(str(k), "Equals", (label_value(v),), ("matchLabels", k)))
    me = selector.get("matchExpressions")
    if me is not None:
        if not isinstance(me, list):
            return None
        for i, expr in enumerate(me):
            if not isinstance(expr, dict):
                return None
            op = expr.get("operator")
            key = expr.get("key")
            if op not in OPERATORS or key is None:
                return None
            values = expr.get("values") or []
            if not isinstance(values, list):
                return None
            out.append(Requirement(str(key), str(op), tuple(label_value(v) for v in values), ("matchExpressions", i)))
    return out


def matches(requirements: list[Requirement] | None, labels, generated: dict | None = None) -> bool | None:
    """Whether labels satisfy every requirement (``None``: not evaluable)."""
    if requirements is None:
        return None
    lab = plain_labels(labels)
    return all(r.matches(lab, generated) for r in requirements)


def first_failure(requirements: list[Requirement], labels, generated: dict | None = None) -> Requirement | None:
    lab = plain_labels(labels)
    for r in requirements:
        if not r.matches(lab, generated):
            return r
    return None


#: Every label key that :func:`generated_labels` may return: a requirement on any other key is
#: satisfied only by the labels written in the template, which is what lets an index look
#: candidates up by ``(key, value)`` without missing a pod that a controller labels at run time.
GENERATED_KEYS = frozenset({
    "pod-template-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index",
    "controller-revision-hash", "pod-template-generation", "job-name", "batch.kubernetes.io/job-name",
    "controller-uid", "batch.kubernetes.io/controller-uid",
})


def lookup_requirement(requirements: list[Requirement] | None) -> Requirement | None:
    """A requirement that only a template *carrying* one of its values can satisfy (an
    ``Equals``/``In`` on a key no controller generates), the fewest values first: the key an
    index narrows candidates by. ``None`` when there is none (``Exists``, ``NotIn``… only)."""
    best = None
    for q in requirements or ():
        if q.operator in ("Equals", "In") and q.key not in GENERATED_KEYS:
            if best is None or len(q.values) < len(best.values):
                best = q
    return best


def _any(value: str) -> bool:
    return True


def _indexed(prefix: str, count):
    def accept(value: str) -> bool:
        if not value.startswith(prefix) or not value[len(prefix):].isdigit():
            return False
        return count is None or int(value[len(prefix):]) < count
    return accept


def generated_labels(resource) -> dict:
    """Labels the controllers of ``resource`` add to its pods, as ``key -> predicate``.

    Deployments add ``pod-template-hash``; StatefulSets ``statefulset.kubernetes.io/pod-name``
    (``<name>-<ordinal>``), ``apps.kubernetes.io/pod-index`` and ``controller-revision-hash``;
    DaemonSets ``controller-revision-hash`` and ``pod-template-generation``; Jobs (and the Jobs of
    a CronJob) ``job-name``, ``controller-uid`` and their ``batch.kubernetes.io/`` forms."""
    kind = resource.kind
    name = resource.name
    if kind in ("Deployment", "ReplicaSet"):
        return {"pod-template-hash": _any}
    if kind == "StatefulSet":
        replicas = resource.get(("spec", "replicas"), 1)
        count = replicas if isinstance(replicas, int) and not isinstance(replicas, bool) else None
        return {
            "statefulset.kubernetes.io/pod-name": _indexed(f"{name}-", count),
            "apps.kubernetes.io/pod-index": _indexed("", count),
            "controller-revision-hash": _any,
        }
    if kind == "DaemonSet":
        return {"controller-revision-hash": _any, "pod-template-generation": _any}
    if kind in ("Job", "CronJob"):
        job = (lambda v: v == name) if kind == "Job" else (lambda v: v.startswith(f"{name}-"))
        return {"job-name": job, "batch.kubernetes.io/job-name": job,
                "controller-uid": _any, "batch.kubernetes.io/controller-uid": _any}
    return {}


def describe(requirements: list[Requirement]) -> str:
    return ", ".join(r.describe() for r in requirements) or "(everything)"
