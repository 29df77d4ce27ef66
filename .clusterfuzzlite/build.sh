#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build (image base-builder-rust: nightly Rust and cargo-fuzz on
# PATH, SRC/OUT/WORK set). Builds every cargo-fuzz target of fuzz/ with ASan and puts into
# $OUT, per target: the binary, <target>_seed_corpus.zip (seeds from the vector corpus plus
# the committed regressions), <target>.options (libFuzzer limits) and, for the text targets,
# <target>.dict.
#
# Outside a container (fuzz/README.md, "ClusterFuzzLite"):
#   SRC=/tmp/s OUT=/tmp/o WORK=/tmp/w SEALCHECK_DIR=$PWD .clusterfuzzlite/build.sh
# builds for real with the cargo-fuzz and nightly on PATH (RUSTUP_TOOLCHAIN=nightly), and
#   CFLITE_DRY_RUN=1 ...
# runs everything except `cargo fuzz build`, listing the binaries instead of copying them.
: "${SRC:?SRC is the source root}" "${OUT:?OUT receives the fuzzers}"
WORK=${WORK:-$(mktemp -d)}
PROJECT=${SEALCHECK_DIR:-$SRC/sealcheck}
FUZZ=$PROJECT/fuzz
BIN=$FUZZ/target/x86_64-unknown-linux-gnu/release
DRY=${CFLITE_DRY_RUN:-0}
mkdir -p "$OUT" "$WORK"

# The targets: every [[bin]] of fuzz/Cargo.toml, which must be every file of fuzz_targets/.
targets=$(awk '/^\[\[bin\]\]/ { bin = 1; next } bin && /^name = / { gsub(/"/, "", $3); print $3; bin = 0 }' "$FUZZ/Cargo.toml" | sort)
files=$(cd "$FUZZ/fuzz_targets" && ls -- *.rs | sed 's/\.rs$//' | sort)
if [ -z "$targets" ] || [ "$targets" != "$files" ]; then
    echo "build.sh: fuzz/Cargo.toml's [[bin]]s ($(echo $targets)) are not fuzz/fuzz_targets/*.rs ($(echo $files))" >&2
    exit 1
fi

if [ "$DRY" = 1 ]; then
    echo "dry run: not running (cd $FUZZ && cargo fuzz build -O)"
else
    (cd "$FUZZ" && cargo fuzz build -O)
fi

# Seeds: the same extraction as a local run (fuzz/seed_corpus.py), into $WORK.
python3 "$FUZZ/seed_corpus.py" --out "$WORK/seeds" >/dev/null

for t in $targets; do
    if [ "$DRY" = 1 ]; then
        echo "dry run: would copy $BIN/$t to $OUT/$t"
    else
        cp "$BIN/$t" "$OUT/$t"
    fi
    # Zip the seeds and the regressions (flat, as libFuzzer corpora are) with python3's
    # zipfile, so no zip binary is needed.
    python3 - "$OUT/${t}_seed_corpus.zip" "$WORK/seeds/$t" "$FUZZ/regressions/$t" <<'PY'
import pathlib, sys, zipfile
out, dirs = sys.argv[1], [pathlib.Path(d) for d in sys.argv[2:]]
seen = set()
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for d in dirs:
        if d.is_dir():
            for f in sorted(d.iterdir()):
                # Both are named by content hash: a name seen is the same input.
                if f.is_file() and f.name not in seen:
                    seen.add(f.name)
                    z.write(f, f.name)
PY
    # The limits fuzz/README.md's runs use: structured targets pay for crypto per input.
    printf '[libfuzzer]\nrss_limit_mb = 2048\ntimeout = 10\n' > "$OUT/$t.options"
    case $t in
        vector_file | iut_reply | protocol_request) cp "$FUZZ/json.dict" "$OUT/$t.dict" ;;
    esac
done
echo "build.sh: $(echo $targets | wc -w) targets into $OUT"
