#!/bin/sh
# Runs build.sh in its dry-run mode (everything but `cargo fuzz build`) with SRC/OUT/WORK in a
# temporary directory, and checks what it left in $OUT: per target of fuzz/Cargo.toml a
# non-empty seed corpus zip and an options file, a dictionary for the text targets, and
# nothing else. A CI step; about 20 s here.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src"
SRC="$tmp/src" OUT="$tmp/out" WORK="$tmp/work" SEALCHECK_DIR="$PWD" CFLITE_DRY_RUN=1 \
    bash .clusterfuzzlite/build.sh > "$tmp/log"
python3 - "$tmp/out" fuzz/Cargo.toml <<'PY'
import pathlib, re, sys, zipfile
out, manifest = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]).read_text()
targets = re.findall(r'\[\[bin\]\]\nname = "([^"]+)"', manifest)
text = {"vector_file", "iut_reply", "protocol_request"}
want = set()
problems = []
for t in targets:
    want |= {f"{t}_seed_corpus.zip", f"{t}.options"} | ({f"{t}.dict"} if t in text else set())
    z = out / f"{t}_seed_corpus.zip"
    if z.is_file():
        with zipfile.ZipFile(z) as f:
            names = f.namelist()
            if not names or f.testzip() is not None or len(set(names)) != len(names):
                problems.append(f"{z.name}: {len(names)} entries, or corrupt, or duplicated")
    o = out / f"{t}.options"
    if o.is_file() and not o.read_text().startswith("[libfuzzer]\n"):
        problems.append(f"{o.name}: no [libfuzzer] section")
have = {p.name for p in out.iterdir()}
if have != want:
    problems.append(f"missing {sorted(want - have)}, unexpected {sorted(have - want)}")
for p in problems:
    print(p)
print(f"build.sh dry run: {len(targets)} targets, {len(have)} files in OUT, {len(problems)} problems")
sys.exit(1 if problems or not targets else 0)
PY
