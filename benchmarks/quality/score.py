#!/usr/bin/env python3
"""The figures of a classified sample: exact = right / all, by verdict, by repository and by
rule; with --exclude-class (repeatable), rows whose defect class is listed are left out (their
findings are being fixed elsewhere).   score.py [SAMPLE.tsv] [--exclude-class C]..."""
from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path


def figure(rows: list[dict]) -> str:
    c = Counter(r["verdict"] for r in rows)
    pct = 100.0 * c["right"] / len(rows) if rows else 0.0
    return f"{c['right']}/{len(rows)} exact = {pct:.1f}% (false {c['false']}, wrong-line {c['wrong-line']})"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("sample", type=Path, nargs="?", default=Path(__file__).with_name("sample-classified.tsv"))
    ap.add_argument("--exclude-class", action="append", default=[])
    args = ap.parse_args(argv)
    rows = list(csv.DictReader(args.sample.open(newline=""), delimiter="\t"))
    unclassified = [r for r in rows if r.get("verdict") not in ("right", "false", "wrong-line")]
    if unclassified:
        print(f"score.py: {len(unclassified)} rows without a verdict", file=sys.stderr)
        return 2
    print(f"all: {figure(rows)}; {len({r['repo'] for r in rows})} repositories")
    if args.exclude_class:
        kept = [r for r in rows if r.get("class", "") not in args.exclude_class]
        print(f"without classes {', '.join(args.exclude_class)}: {figure(kept)}")
    by_repo = defaultdict(list)
    for r in rows:
        by_repo[r["repo"]].append(r)
    for repo in sorted(by_repo):
        print(f"  {repo}: {figure(by_repo[repo])}")
    bad = Counter((r["code"], r["verdict"], r.get("class", "")) for r in rows if r["verdict"] != "right")
    for (code, verdict, cls), n in sorted(bad.items()):
        print(f"  {code} {verdict} x{n} (class {cls or '?'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
