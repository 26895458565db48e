#!/usr/bin/env python3
"""shiplint benchmarks: startup, Dockerfiles, Kubernetes manifests, the whole corpus.

Usage (from the repository root, after installing shiplint):

    python benchmarks/run.py [--runs 5] [--shiplint "python -m shiplint"] [--jobs N]

Each figure is the median of several runs of the real command line in a subprocess; peak memory
is the child's maximum resident set size.  The corpus is read from ``../shared/corpus``.  These
are measurements, not tests: nothing here asserts a duration.  Targets (2-core machine):
one-file check <= 150 ms, all corpus Dockerfiles <= 1 s, 2,000-Deployment file <= 1.5 s
(>= 1 MB/s), whole corpus <= 30 s, peak RSS <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: team-{ns}
spec:
  replicas: 3
  selector:
    matchLabels: {{app: app-{i}}}
  strategy:
    rollingUpdate: {{maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata:
      labels: {{app: app-{i}}}
    spec:
      automountServiceAccountToken: false
      containers:
        - name: app
          image: ghcr.io/acme/app-{i}:1.{i}.0
          readinessProbe: {{httpGet: {{path: /healthz, port: 8080}}}}
          resources: {{requests: {{cpu: 100m, memory: 128Mi}}, limits: {{memory: 256Mi}}}}
"""


def generate_deployments(path: Path, count: int = 2000) -> Path:
    path.write_text("".join("---\n" + DEPLOYMENT.format(i=i, ns=i % 7) for i in range(count)), encoding="utf-8")
    return path


def measure(cmd: list[str], runs: int, cwd: Path) -> dict:
    times, rss = [], []
    code = None
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        rss.append(usage.ru_maxrss / 1024)  # KiB → MiB
        code = os.waitstatus_to_exitcode(status)
        proc.stderr.close()
    return {"median_s": statistics.median(times), "min_s": min(times), "rss_mb": max(rss), "exit": code}


def files_and_bytes(paths: list[Path], patterns=None) -> tuple[int, int]:
    n = size = 0
    for p in paths:
        items = [p] if p.is_file() else [f for f in p.rglob("*") if f.is_file()]
        for f in items:
            n += 1
            size += f.stat().st_size
    return n, size


def count_documents(paths: list[Path]) -> int:
    docs = 0
    for p in paths:
        items = [p] if p.is_file() else [f for f in p.rglob("*") if f.suffix in (".yaml", ".yml")]
        for f in items:
            try:
                text = f.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            docs += max(1, sum(1 for line in text.splitlines() if line.startswith("---")))
    return docs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--shiplint", default=f"{shlex.quote(sys.executable)} -m shiplint")
    ap.add_argument("--jobs", type=int, default=None, help="pass --jobs N to shiplint (when supported)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = ap.parse_args()
    base = shlex.split(args.shiplint)
    extra = ["--jobs", str(args.jobs)] if args.jobs else []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        small = tmp / "Dockerfile"
        small.write_text("FROM alpine:3.20\nRUN apk add --no-cache curl\nUSER 10001\nCMD [\"curl\", \"--version\"]\n")
        deploys = generate_deployments(tmp / "deployments.yaml")
        cases = [
            ("startup: --version", base + ["--version"], []),
            ("startup: check one Dockerfile", base + ["check", "--format", "text", str(small)], [small]),
            ("corpus Dockerfiles (one run)", base + ["check", *extra, "--fail-on", "never", str(CORPUS / "dockerfiles")], [CORPUS / "dockerfiles"]),
            ("2,000-Deployment file", base + ["check", *extra, "--fail-on", "never", str(deploys)], [deploys]),
            ("corpus/kubernetes", base + ["check", *extra, "--fail-on", "never", str(CORPUS / "kubernetes")], [CORPUS / "kubernetes"]),
            ("whole corpus", base + ["check", *extra, "--fail-on", "never", str(CORPUS)], [CORPUS]),
        ]
        rows = []
        for label, cmd, inputs in cases:
            runs = args.runs if "whole" not in label else max(3, args.runs // 2)
            res = measure(cmd, runs, tmp)
            nfiles, nbytes = files_and_bytes(inputs) if inputs else (0, 0)
            docs = count_documents(inputs) if inputs and label != "corpus Dockerfiles (one run)" and "Dockerfile" not in label else 0
            res.update(label=label, files=nfiles, mb=nbytes / 1e6, docs=docs)
            rows.append(res)
            print(f"  measured {label}: {res['median_s']:.3f} s", file=sys.stderr)
    print()
    print(f"| case | files | MB | median s | min s | MB/s | docs/s | peak RSS MB | exit |")
    print(f"|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        mbps = f"{r['mb'] / r['median_s']:.2f}" if r["mb"] else "-"
        dps = f"{r['docs'] / r['median_s']:.0f}" if r["docs"] else "-"
        print(f"| {r['label']} | {r['files'] or '-'} | {r['mb']:.2f} | {r['median_s']:.3f} | {r['min_s']:.3f} | {mbps} | {dps} | {r['rss_mb']:.0f} | {r['exit']} |")
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
