#!/usr/bin/env python3
"""Print each unclassified row of a sample with the lines around it, for classification by hand.
   show.py SAMPLE.tsv CHECKOUTS [FIRST [LAST]]   (rows with an empty verdict, numbered from 0)"""
import csv
import sys

rows = [r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t") if not r.get("verdict")]
a = int(sys.argv[3]) if len(sys.argv) > 3 else 0
b = int(sys.argv[4]) if len(sys.argv) > 4 else len(rows)
for i, r in enumerate(rows[a:b], a):
    p = f"{sys.argv[2]}/{r['repo'].replace('/', '+')}/{r['path']}"
    ln = int(r["line"])
    print(f"##### [{i}] {r['repo']} {r['path']}:{ln}:{r['col']} {r['code']} {r['message'][:300]}")
    try:
        lines = open(p, encoding="utf-8", errors="replace").read().split("\n")
    except OSError as e:
        print("  !!", e)
        continue
    for j in range(max(0, ln - 6), min(len(lines), ln + 3)):
        print(f"{'>' if j + 1 == ln else ' '}{j + 1:5} {lines[j]}")
