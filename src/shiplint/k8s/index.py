"""An index of every Kubernetes resource scanned in one run, for cross-resource rules."""

from __future__ import annotations

from collections import defaultdict


class ResourceIndex:
    """All resources of a run, by kind and by (kind, namespace, name).

    Namespaces are compared as written: an unset namespace matches other unset ones."""

    def __init__(self, resources) -> None:
        self.resources = list(resources)
        self.by_kind: dict[str, list] = defaultdict(list)
        self.by_key: dict[tuple, list] = defaultdict(list)
        for r in self.resources:
            self.by_kind[r.kind].append(r)
            self.by_key[(r.kind, r.namespace, r.name)].append(r)

    def __iter__(self):
        return iter(self.resources)

    def of_kind(self, *kinds: str):
        for kind in kinds:
            yield from self.by_kind.get(kind, ())

    def find(self, kind: str, namespace: str, name: str):
        return self.by_key.get((kind, namespace, name), [])
