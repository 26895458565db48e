#!/usr/bin/env python3
"""Re-score a classified sample against new shiplint reports (the same repositories and commits).

Each classified finding (default: sample-before-classified.tsv) is looked up in the new report of its repo:
  reported  the same (path, line, column, code) is still reported: its verdict stands;
  moved     not at that position, but the same rule reports the same message in the same file
            elsewhere: the new position needs a verdict, read from --rechecked (TSV with repo,
            path, line, col, code, verdict, reason); without one the row is 'unchecked';
  gone      no longer reported: a false finding fixed, or a right one lost (listed).

Precision = right / (reported + moved), over the rows still reported.  With --exclude-class
(repeatable), rows whose defect class is listed are left out, as when another branch fixes them.

Output: the re-scored TSV (-o) and the figures on stderr.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

KEY = ("repo", "path", "line", "col", "code")


def read_tsv(path: Path) -> list[dict]:
    with path.open(newline="") as fh:
        return list(csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t"))


def report_rows(report: Path, repo: str) -> list[dict]:
    data = json.loads(report.read_text())
    if isinstance(data, dict):
        data = data.get("findings", [])
    out = []
    for f in data:
        if f.get("suppressed"):
            continue
        reg = f.get("region") or {}
        out.append({"repo": repo, "path": f.get("path", ""), "line": str(reg.get("line") or 0),
                    "col": str(reg.get("column") or 0), "code": f.get("code", ""),
                    "message": " ".join(str(f.get("message", "")).split())})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = Path(__file__).parent
    ap.add_argument("--classified", type=Path, default=here / "sample-before-classified.tsv")
    ap.add_argument("--out-dir", type=Path, required=True, help="new reports, <owner+name>.json")
    ap.add_argument("--rechecked", type=Path, default=here / "rechecked.tsv")
    ap.add_argument("--exclude-class", action="append", default=[])
    ap.add_argument("-o", "--output", type=Path)
    args = ap.parse_args(argv)

    rows = read_tsv(args.classified)
    rechecked = {tuple(r[k] for k in KEY): r for r in read_tsv(args.rechecked)} if args.rechecked.exists() else {}
    reports: dict[str, list[dict]] = {}
    for repo in sorted({r["repo"] for r in rows}):
        p = args.out_dir / (repo.replace("/", "+") + ".json")
        if not p.exists():
            print(f"rescore.py: no report for {repo}: {p}", file=sys.stderr)
            return 2
        reports[repo] = report_rows(p, repo)
    out = []
    for r in rows:
        new = reports[r["repo"]]
        keys = {tuple(f[k] for k in KEY) for f in new}
        row = dict(r, now="", now_line=r["line"], now_col=r["col"], verdict_now=r["verdict"], reason_now="")
        if tuple(r[k] for k in KEY) in keys:
            row["now"] = "reported"
        else:
            msg = " ".join(r["message"].split())
            moved = [f for f in new if f["path"] == r["path"] and f["code"] == r["code"] and f["message"] == msg]
            if moved:
                f = moved[0]
                row.update(now="moved", now_line=f["line"], now_col=f["col"])
                check = rechecked.get((r["repo"], r["path"], f["line"], f["col"], r["code"]))
                row["verdict_now"] = check["verdict"] if check else "unchecked"
                row["reason_now"] = check["reason"] if check else ""
            else:
                row.update(now="gone", verdict_now="")
        out.append(row)

    def figures(sel: list[dict]) -> str:
        live = [r for r in sel if r["now"] != "gone"]
        c = Counter(r["verdict_now"] for r in live)
        pct = 100.0 * c["right"] / len(live) if live else 0.0
        return (f"{c['right']}/{len(live)} exact = {pct:.1f}% (false {c['false']}, wrong-line {c['wrong-line']}, "
                f"unchecked {c['unchecked']})")

    before = Counter(r["verdict"] for r in rows)
    print(f"before: {before['right']}/{len(rows)} exact = {100.0 * before['right'] / len(rows):.1f}%", file=sys.stderr)
    print(f"now: {figures(out)}", file=sys.stderr)
    if args.exclude_class:
        kept = [r for r in out if r.get("class", "") not in args.exclude_class]
        print(f"now without classes {', '.join(args.exclude_class)}: {figures(kept)}", file=sys.stderr)
    gone = Counter((r["verdict"], r.get("class", "")) for r in out if r["now"] == "gone")
    print(f"gone: {dict(gone)}", file=sys.stderr)
    for r in out:
        if r["now"] == "gone" and r["verdict"] == "right":
            print(f"  lost true positive: {r['repo']} {r['path']}:{r['line']} {r['code']}", file=sys.stderr)
    if args.output:
        cols = list(out[0].keys())
        with args.output.open("w", newline="") as fh:
            w = csv.writer(fh, delimiter="\t", lineterminator="\n")
            w.writerow(cols)
            for r in out:
                w.writerow([r[c] for c in cols])
    return 0


if __name__ == "__main__":
    sys.exit(main())
