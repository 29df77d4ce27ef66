#!/bin/sh
# CI for the independent implementation: its unit tests, then the whole corpus plain and
# --strict, each against its expectations file. Both files are empty: every disagreement
# FINDINGS.md analysed was settled in the corpus, so any failure is a new one.
#   SEALCHECK=target/release/sealcheck sh adapters/independent/check.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sealcheck=${SEALCHECK:-$root/target/release/sealcheck}
[ -x "$here/.venv/bin/python" ] || sh "$here/setup.sh"
(cd "$here" && .venv/bin/python -m unittest -q test_independent)
cd "$root"
target="adapters/independent/.venv/bin/python adapters/independent/adapter.py"
"$sealcheck" run --target "$target" --expectations adapters/independent/expectations.json | tail -n 2
"$sealcheck" run --strict --target "$target" --expectations adapters/independent/expectations-strict.json | tail -n 2
