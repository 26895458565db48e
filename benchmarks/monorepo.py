#!/usr/bin/env python3
"""Generate a platform monorepo of N applications, each a Deployment, a Service, a
PodDisruptionBudget and a HorizontalPodAutoscaler, for the scaling rows of the benchmark.

    python benchmarks/monorepo.py 2000 /tmp/mono --layout files   # one file per object
    python benchmarks/monorepo.py 2000 /tmp/mono.yaml --layout one  # every object in one file

Every application is clean for the cross-resource rules (the Service and the budget select the
Deployment's pods, the autoscaler targets it), so a run measures the matching itself rather than
the cost of reporting findings.  Applications are spread over 20 namespaces and share a few
label keys and values (``tier``, ``team``), as real monorepos do: an index that only looked at
one key would still meet many candidates.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAMESPACES = 20

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: team-{ns}
  labels: {{app: app-{i}, tier: {tier}}}
spec:
  selector:
    matchLabels: {{app: app-{i}}}
  strategy:
    rollingUpdate: {{maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata:
      labels: {{app: app-{i}, tier: {tier}, team: team-{ns}}}
    spec:
      automountServiceAccountToken: false
      securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}
      containers:
        - name: app
          image: ghcr.io/acme/app-{i}:1.{i}.0@sha256:{digest}
          ports: [{{containerPort: 8080, name: http}}]
          readinessProbe: {{httpGet: {{path: /healthz, port: http}}}}
          livenessProbe: {{httpGet: {{path: /livez, port: http}}}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {{drop: [ALL]}}
          resources: {{requests: {{cpu: 100m, memory: 128Mi}}, limits: {{memory: 256Mi}}}}
"""

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: app-{i}
  namespace: team-{ns}
spec:
  selector: {{app: app-{i}, tier: {tier}}}
  ports: [{{name: http, port: 80, targetPort: http}}]
"""

PDB = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: app-{i}
  namespace: team-{ns}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {{app: app-{i}}}
"""

HPA = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: app-{i}
  namespace: team-{ns}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app-{i}}}
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}
"""

KINDS = (("deployment", DEPLOYMENT), ("service", SERVICE), ("pdb", PDB), ("hpa", HPA))


def application(i: int) -> list[tuple[str, str]]:
    fields = {"i": i, "ns": i % NAMESPACES, "tier": ("web", "api", "worker")[i % 3],
              "digest": f"{i:064x}"}
    return [(name, text.format(**fields)) for name, text in KINDS]


def generate(count: int, dest: Path, layout: str = "files") -> Path:
    """``count`` applications under ``dest``: a directory with one file per object
    (``layout="files"``), or one multi-document file (``layout="one"``)."""
    if layout == "one":
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("w", encoding="utf-8") as fh:
            for i in range(count):
                for _, text in application(i):
                    fh.write("---\n")
                    fh.write(text)
        return dest
    for i in range(count):
        app_dir = dest / f"team-{i % NAMESPACES}" / f"app-{i}"
        app_dir.mkdir(parents=True, exist_ok=True)
        for name, text in application(i):
            (app_dir / f"{name}.yaml").write_text(text, encoding="utf-8")
    return dest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("count", type=int)
    ap.add_argument("dest", type=Path)
    ap.add_argument("--layout", choices=("files", "one"), default="files")
    args = ap.parse_args()
    generate(args.count, args.dest, args.layout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
