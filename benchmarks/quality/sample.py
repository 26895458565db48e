#!/usr/bin/env python3
"""Draw a stratified, reproducible sample of shiplint findings for manual classification.

Input:
  repos.tsv    columns: repo, commit, scanned   (header line; '#' lines ignored)
  one shiplint JSON report per repo: --json REPO=FILE (repeatable), or, by default,
  OUT_DIR/<repo with '/' replaced by '+'>.json

Sampling (deterministic for a given --seed and inputs):
  1. per rule: up to --per-rule findings, drawn round-robin over the repos that have the
     rule (each repo's findings shuffled with the seed), so no single repo fills a rule;
  2. per repo: topped up to --per-repo-min findings from that repo, preferring rules the
     sample holds least of;
  3. topped up to --total (if given) from all remaining findings, again preferring the
     least-sampled rules.
  Findings identical on (repo, path, line, col, code) count once.

Output: TSV with columns repo, commit, path, line, col, code, message, verdict, reason, class
(verdict and reason to be filled by hand: right / false / wrong-line; class: the defect class of
a row that is not right).  --carry CLASSIFIED.tsv fills them for rows classified before (the same
repo, path, line, column and rule), so that a new measurement classifies only what is new.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

COLUMNS = ["repo", "commit", "path", "line", "col", "code", "message", "verdict", "reason", "class"]


def read_repos(path: Path) -> list[dict]:
    rows = []
    with path.open(newline="") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    for rec in csv.DictReader(lines, delimiter="\t"):
        rows.append({k: (v or "").strip() for k, v in rec.items()})
    return rows


def load_findings(repo: str, commit: str, report: Path) -> list[dict]:
    data = json.loads(report.read_text())
    if isinstance(data, dict):  # tolerate a wrapper object
        data = data.get("findings", [])
    seen, out = set(), []
    for f in data:
        if f.get("suppressed"):
            continue
        reg = f.get("region") or {}
        row = {
            "repo": repo,
            "commit": commit,
            "path": f.get("path", ""),
            "line": int(reg.get("line") or 0),
            "col": int(reg.get("column") or 0),
            "code": f.get("code", ""),
            "message": " ".join(str(f.get("message", "")).split()),
        }
        key = (repo, row["path"], row["line"], row["col"], row["code"])
        if key in seen:
            continue
        seen.add(key)
        out.append(row)
    return out


def key(f: dict) -> tuple:
    return (f["repo"], f["path"], f["line"], f["col"], f["code"])


def draw(findings: list[dict], seed: int, per_rule: int, per_repo_min: int,
         total: int | None) -> list[dict]:
    rng = random.Random(seed)
    # a stable starting order, independent of report order
    findings = sorted(findings, key=key)
    by_rule_repo: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        by_rule_repo[f["code"]][f["repo"]].append(f)
    for repos in by_rule_repo.values():
        for lst in repos.values():
            rng.shuffle(lst)

    chosen: dict[tuple, dict] = {}
    rule_count: Counter = Counter()

    def take(f: dict) -> None:
        chosen[key(f)] = f
        rule_count[f["code"]] += 1

    # 1. per rule, round-robin over repos
    for code in sorted(by_rule_repo):
        queues = {r: list(lst) for r, lst in by_rule_repo[code].items()}
        order = sorted(queues)
        rng.shuffle(order)
        while rule_count[code] < per_rule and any(queues.values()):
            for r in order:
                if rule_count[code] >= per_rule:
                    break
                if queues[r]:
                    take(queues[r].pop())

    def top_up(pool: list[dict], need: int) -> None:
        pool = [f for f in pool if key(f) not in chosen]
        rng.shuffle(pool)
        while need > 0 and pool:
            # prefer the least-sampled rule; random among ties (pool is shuffled)
            best = min(range(len(pool)), key=lambda i: rule_count[pool[i]["code"]])
            take(pool.pop(best))
            need -= 1

    # 2. per repo minimum
    by_repo: dict[str, list[dict]] = defaultdict(list)
    for f in findings:
        by_repo[f["repo"]].append(f)
    for repo in sorted(by_repo):
        have = sum(1 for f in chosen.values() if f["repo"] == repo)
        if have < per_repo_min:
            top_up(by_repo[repo], per_repo_min - have)

    # 3. overall total
    if total is not None and len(chosen) < total:
        top_up(findings, total - len(chosen))

    return sorted(chosen.values(), key=lambda f: (f["repo"], f["path"], f["line"], f["col"], f["code"]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repos", type=Path, default=Path(__file__).with_name("repos.tsv"))
    ap.add_argument("--out-dir", type=Path, default=Path(__file__).with_name("out"),
                    help="where <owner+name>.json reports are (default: ./out)")
    ap.add_argument("--json", action="append", default=[], metavar="REPO=FILE",
                    help="explicit report for a repo (overrides --out-dir)")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--per-rule", type=int, default=4)
    ap.add_argument("--per-repo-min", type=int, default=10)
    ap.add_argument("--total", type=int, default=None)
    ap.add_argument("-o", "--output", type=Path, default=None)
    ap.add_argument("--carry", type=Path, default=None, metavar="CLASSIFIED",
                    help="a classified sample whose verdicts carry over to identical rows")
    args = ap.parse_args(argv)

    explicit = dict(item.split("=", 1) for item in args.json)
    findings: list[dict] = []
    for rec in read_repos(args.repos):
        repo, commit = rec["repo"], rec["commit"]
        report = Path(explicit.get(repo) or args.out_dir / (repo.replace("/", "+") + ".json"))
        if not report.exists():
            print(f"sample.py: no report for {repo}: {report}", file=sys.stderr)
            return 2
        findings.extend(load_findings(repo, commit, report))

    sample = draw(findings, args.seed, args.per_rule, args.per_repo_min, args.total)

    carried: dict[tuple, dict] = {}
    if args.carry:
        with args.carry.open(newline="") as fh:
            for rec in csv.DictReader(fh, delimiter="\t"):
                carried[(rec["repo"], rec["path"], int(rec["line"]), int(rec["col"]), rec["code"])] = rec
    out = args.output.open("w", newline="") if args.output else sys.stdout
    w = csv.writer(out, delimiter="\t", lineterminator="\n")
    w.writerow(COLUMNS)
    for f in sample:
        old = carried.get(key(f), {})
        w.writerow([f["repo"], f["commit"], f["path"], f["line"], f["col"], f["code"],
                    f["message"].replace("\t", " "), old.get("verdict", ""), old.get("reason", ""),
                    old.get("class", "")])
    if args.output:
        out.close()
    per_rule = Counter(f["code"] for f in sample)
    per_repo = Counter(f["repo"] for f in sample)
    print(f"sampled {len(sample)} of {len(findings)} findings; rules: {dict(sorted(per_rule.items()))}; "
          f"repos: {dict(sorted(per_repo.items()))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
