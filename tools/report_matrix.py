#!/usr/bin/env python3
"""Prints the implementation x category matrix of the committed JSON reports (Markdown).

A category is an op and the vector id's second segment (its stage or group), e.g.
mixin.decrypt/authentication. Each cell: passes/total, with failures (listed as known in the
implementation's expectations file or not) and skips spelled out. Python 3 stdlib only.
"""
import json
import sys
from collections import defaultdict

# Run reports only: reports/ also holds other JSON (the interop expectations, merged files).
reports = [r for r in (json.load(open(p)) for p in sys.argv[1:]) if "results" in r]
cats = sorted({"/".join(r["id"].split("/")[:2]) for rep in reports for r in rep["results"]})
print("| category | " + " | ".join(rep["implementation"] for rep in reports) + " |")
print("|---|" + "---|" * len(reports))
for cat in cats:
    row = []
    for rep in reports:
        rs = [r for r in rep["results"] if "/".join(r["id"].split("/")[:2]) == cat]
        if not rs:
            row.append("")
            continue
        c = defaultdict(int)
        for r in rs:
            c[r["outcome"]] += 1
        if c["skipped"] == len(rs):
            row.append("skipped")
            continue
        ok = c["pass"] + c["acceptable"] + c["stage-mismatch"]
        bad = {k: v for k, v in c.items() if k not in ("pass", "acceptable", "stage-mismatch", "skipped")}
        cell = f"{ok}/{len(rs) - c['skipped']}"
        if bad:
            cell += " (" + ", ".join(f"{v} {k}" for k, v in sorted(bad.items())) + ")"
            cell = "**" + cell + "**"
        row.append(cell)
    print(f"| `{cat}` | " + " | ".join(row) + " |")
