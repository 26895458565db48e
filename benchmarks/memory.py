"""Memory per document, measured with tracemalloc in one process (``--jobs 1``).

Usage: ``python benchmarks/memory.py N one|files`` prints one JSON line: the peak and the
retained (still allocated once ``Engine.run`` has returned and the report is kept) bytes of the
run, net of what was allocated before it, for N Deployments of ``benchmarks/run.py``'s template
as one multi-document file (``one``) or as N files (``files``).  Imports and caches are warmed
by a 3-document run first, so the figures are the documents' own.  ``benchmarks/run.py`` runs
it in a fresh interpreter per case.  A measurement, not a test.
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402


def measure(n: int, layout: str) -> dict:
    from shiplint.engine import Engine, Options

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        warm = tmp / "warm"
        warm.mkdir()
        Engine(Options(root=str(warm), jobs=1)).run([str(bench.generate_deployments(warm / "w.yaml", 3))])
        where = tmp / "docs"
        where.mkdir()
        if layout == "one":
            target = bench.generate_deployments(where / "all.yaml", n)
        else:
            for i in range(n):
                (where / f"d{i}.yaml").write_text(bench.DEPLOYMENT.format(i=i, ns=i % 7), encoding="utf-8")
            target = where
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        cpu = time.process_time()
        report = Engine(Options(root=str(where), jobs=1)).run([str(target)])
        cpu = time.process_time() - cpu
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"documents": n, "layout": layout, "findings": len(report.findings), "peak": peak - base,
                "retained": current - base, "cpu_s": cpu}


def print_table(rows: list[dict]) -> None:
    print("| case | findings | peak MiB | peak KiB / doc | retained MiB | retained KiB / doc |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        n = r["documents"]
        label = (f"{n:,} Deployments in one file" if r["layout"] == "one"
                 else f"{n:,} files of one Deployment each")
        print(f"| {label} | {r['findings']:,} | {r['peak'] / 2**20:.0f} | {r['peak'] / 1024 / n:.1f} | "
              f"{r['retained'] / 2**20:.0f} | {r['retained'] / 1024 / n:.1f} |")


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]), sys.argv[2])))
