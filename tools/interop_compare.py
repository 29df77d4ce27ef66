#!/usr/bin/env python3
"""Holds a fresh `sealcheck interop --json` run against the committed reports/interop.json.

The committed report may hold rows this machine cannot run (a Themis core that is not
installed); those are kept and named. Every cell whose producer and consumer both ran here
must be in the committed report with the same verdict and the same result for every case,
the inputs must be the same, and reports/interop-expectations.json must list exactly the
committed report's failing cells. Otherwise the committed matrix is stale: rerun
`tools/interop.sh reports` where every row can run.

    python3 tools/interop_compare.py FRESH.json [COMMITTED.json [EXPECTATIONS.json]]
"""
import json
import sys

FAILING = {"fail", "not-produced"}


def cases(cell):
    return [(c["input"], c["repeat"], c["opening"], c["result"]) for c in cell["cases"]]


def main(argv):
    if not 2 <= len(argv) <= 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    fresh_path = argv[1]
    committed_path = argv[2] if len(argv) > 2 else "reports/interop.json"
    expectations_path = argv[3] if len(argv) > 3 else "reports/interop-expectations.json"
    with open(fresh_path) as f:
        fresh = json.load(f)
    with open(committed_path) as f:
        committed = json.load(f)
    with open(expectations_path) as f:
        expectations = json.load(f)

    problems = []
    for key in ("seed", "repeat"):
        if fresh[key] != committed[key]:
            problems.append(f"{key}: committed {committed[key]}, here {fresh[key]}")
    if fresh["inputs"] != committed["inputs"]:
        problems.append("the inputs differ (the seeded input set changed)")

    here = {i["name"] for i in fresh["implementations"]}
    committed_names = [i["name"] for i in committed["implementations"]]
    missing = [n for n in here if n not in committed_names]
    if missing:
        problems.append(f"rows run here but not in the committed report: {', '.join(sorted(missing))}")
    ran = lambda c: c["producer"] in here and c["consumer"] in here
    old = {(c["test"], c["producer"], c["consumer"]): c for c in committed["cells"]}
    new = {(c["test"], c["producer"], c["consumer"]): c for c in fresh["cells"]}
    for key, cell in sorted(new.items()):
        was = old.get(key)
        name = "/".join(key)
        if was is None:
            problems.append(f"{name}: not in the committed report")
        elif was["verdict"] != cell["verdict"]:
            problems.append(f"{name}: committed {was['verdict']}, here {cell['verdict']}")
        elif cases(was) != cases(cell):
            problems.append(f"{name}: {cell['verdict']} in both, but its cases differ")
    for key, cell in sorted(old.items()):
        if ran(cell) and key not in new:
            problems.append(f"{'/'.join(key)}: in the committed report, not in this run")

    failing = {f"{c['test']}/{c['producer']}/{c['consumer']}": c["verdict"]
               for c in committed["cells"] if c["verdict"] in FAILING}
    listed = {k: v["verdict"] for k, v in expectations["cells"].items()}
    if failing != listed:
        extra = sorted(set(listed) - set(failing))
        absent = sorted(set(failing) - set(listed))
        other = sorted(k for k in failing if k in listed and failing[k] != listed[k])
        problems.append(
            f"{expectations_path} does not list exactly the committed failing cells: "
            f"listed but not failing {extra[:5]}, failing but not listed {absent[:5]}, "
            f"other verdict {other[:5]}")

    not_here = [n for n in committed_names if n not in here]
    kept = sum(1 for c in committed["cells"] if not ran(c))
    if problems:
        print(f"{committed_path} is STALE against this run:")
        for p in problems[:40]:
            print(f"  - {p}")
        if len(problems) > 40:
            print(f"  … and {len(problems) - 40} more")
        return 1
    print(f"{committed_path}: the {len(new)} cells of the rows run here agree with this run, case "
          f"by case; {kept} cells with a row not run here are kept from the committed run"
          + (f" ({', '.join(not_here)})" if not_here else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
