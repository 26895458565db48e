"""NetworkPolicies as the network plugin applies them: which pods a policy selects and for
which directions it isolates them.

* ``spec.podSelector`` is a ``LabelSelector`` over the pods of the policy's own namespace; an
  empty selector (``{}``) selects every pod of the namespace.
* ``policyTypes`` lists the directions the policy isolates; when absent, ``Ingress`` always
  and ``Egress`` only when the policy has an ``egress`` section (the API's defaulting).
* Pods on the host network are not subject to NetworkPolicies.
"""

from __future__ import annotations

from shiplint.model.k8s import selectors

KIND = "NetworkPolicy"


def policy_types(policy) -> set[str]:
    types = policy.get(("spec", "policyTypes"))
    if isinstance(types, list) and types:
        return {str(t) for t in types}
    out = {"Ingress"}
    if policy.get(("spec", "egress")) is not None:
        out.add("Egress")
    return out


def pod_selector(policy):
    """Requirements of the policy's ``podSelector`` (``[]`` for ``{}`` or missing: every pod of
    the namespace); ``None`` when it cannot be evaluated."""
    sel = policy.get(("spec", "podSelector"))
    if sel is None:
        return []
    return selectors.label_selector_requirements(sel)


def selects(policy, pod) -> bool:
    """Whether the policy (maybe) selects the pods of the template: a selector that cannot be
    evaluated counts as selecting, so that it never causes a finding."""
    if policy.namespace != pod.resource.namespace:
        return False
    reqs = pod_selector(policy)
    if reqs is None:
        return True
    return bool(selectors.matches(reqs, pod.labels, selectors.generated_labels(pod.resource)))


def host_network(pod) -> bool:
    return pod.spec.get("hostNetwork") is True
