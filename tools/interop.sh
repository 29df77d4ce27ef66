#!/usr/bin/env bash
# The interoperability matrix over every adapter that can run here: sets each one up, runs
# `sealcheck interop` with all of them (the reference is always included, in process) and
# holds the result against reports/interop-expectations.json.
#
#   tools/interop.sh check     run, and fail on a failing cell not listed or a listed cell that changed,
#                              or on a cell of reports/interop.json this run disagrees with (CI)
#   tools/interop.sh reports   also write reports/interop.json and reports/interop.md
#   tools/interop.sh update    rewrite the expectations file from this run (keeps the reasons)
#
# Rows: bot-api-go-client and fox-one (Go), PyPI mixinsdk and the independent implementation
# (Python), wasm-themis and mixin-node-sdk (Node.js), always. PyThemis, GoThemis, JsThemis and the themis crate on
# a Themis core 0.15 where one is installed (THEMIS_PREFIX, or pkg-config; build one with
# tools/native-themis.sh build SRC). The themis crate on core 0.12 where tools/native-themis.sh
# has built it (target/release/serve beside adapters/rust-themis/core-0.12/target/prefix).
# A row that cannot run is named with the reason; it never passes silently. `reports` refuses
# to run with such a row unless INTEROP_PARTIAL=1, so a machine without a Themis core does not
# drop the committed core-0.15 rows (`update` keeps the listed cells it does not reach).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:-check}
sealcheck=${SEALCHECK:-target/release/sealcheck}
expectations=reports/interop-expectations.json
case "$mode" in
  check | reports | update) ;;
  *) echo "usage: $0 check|reports|update" >&2; exit 2 ;;
esac
[ -x "$sealcheck" ] || cargo build --release -q

targets=()
skipped=()
add() { targets+=(--target "$1=$2"); echo "  + $1: $2"; }
skip() { skipped+=("$1"); }

echo "== setting up the rows"
if command -v go >/dev/null; then
  (cd adapters/go-mixin && go build -o bin/go-mixin .)
  add bot-api-go-client "adapters/go-mixin/bin/go-mixin -impl botapi"
  add fox-one "adapters/go-mixin/bin/go-mixin -impl foxone"
else
  skip "bot-api-go-client, fox-one: no Go toolchain"
fi
if command -v python3 >/dev/null; then
  [ -x adapters/python-mixinsdk/.venv/bin/python ] || sh adapters/python-mixinsdk/setup.sh
  add mixinsdk "adapters/python-mixinsdk/.venv/bin/python adapters/python-mixinsdk/adapter.py"
  [ -x adapters/independent/.venv/bin/python ] || sh adapters/independent/setup.sh
  add independent "adapters/independent/.venv/bin/python adapters/independent/adapter.py"
else
  skip "PyPI mixinsdk, independent: no Python 3"
fi
if command -v node >/dev/null && command -v npm >/dev/null; then
  [ -d adapters/wasm-themis/node_modules/wasm-themis ] ||
    npm ci --prefix adapters/wasm-themis --silent --no-audit --no-fund >/dev/null
  add wasm-themis "node adapters/wasm-themis/adapter.js"
  [ -d adapters/node-mixin/node_modules/mixin-node-sdk ] ||
    npm ci --prefix adapters/node-mixin --silent --no-audit --no-fund >/dev/null
  add mixin-node-sdk "node adapters/node-mixin/adapter.js"
else
  skip "wasm-themis, mixin-node-sdk: no Node.js/npm"
fi

# --- core 0.15: wherever it is installed ---------------------------------------------------
prefix15=${THEMIS_PREFIX:-}
if [ -z "$prefix15" ] && pkg-config --exists libthemis 2>/dev/null; then
  prefix15=$(pkg-config --variable=prefix libthemis)
fi
if [ -z "$prefix15" ]; then
  skip "PyThemis, GoThemis, JsThemis, themis crate on core 0.15: no Themis core installed (set THEMIS_PREFIX, or build one with 'tools/native-themis.sh build SRC'; CI cannot fetch the source)"
elif [ ! -f "$prefix15/lib/pkgconfig/libthemis.pc" ]; then
  skip "the core-0.15 rows: $prefix15 has no lib/pkgconfig/libthemis.pc"
else
  abs15=$(cd "$prefix15" && pwd)
  # Inside the repository the commands name it relative to it (the adapters run from here),
  # so the committed report does not carry this machine's paths; builds get the absolute one.
  prefix15=$abs15
  case "$abs15" in "$root"/*) prefix15=${abs15#"$root"/} ;; esac
  [ -x adapters/pythemis/.venv/bin/python ] || sh adapters/pythemis/setup.sh
  add pythemis "adapters/pythemis/.venv/bin/python adapters/pythemis/adapter.py --prefix $prefix15"
  if command -v go >/dev/null; then
    [ -x adapters/gothemis/bin/gothemis ] || sh adapters/gothemis/setup.sh "$abs15"
    add gothemis "adapters/gothemis/bin/gothemis -prefix $prefix15"
  else
    skip "GoThemis: no Go toolchain"
  fi
  if command -v node >/dev/null && command -v npm >/dev/null; then
    [ -f adapters/jsthemis/node_modules/jsthemis/build/Release/jsthemis.node ] ||
      sh adapters/jsthemis/setup.sh "$abs15" 2>/dev/null
    add jsthemis "node adapters/jsthemis/adapter.js --prefix $prefix15"
  else
    skip "JsThemis: no Node.js/npm"
  fi
  [ -x adapters/rust-themis/target/release/serve ] ||
    (cd adapters/rust-themis && PKG_CONFIG_PATH="$abs15/lib/pkgconfig" cargo build --release -q --bin serve)
  add themis-crate-0.15 adapters/rust-themis/target/release/serve
fi

# --- core 0.12: where tools/native-themis.sh built it ----------------------------------------
if [ -x target/release/serve ] && [ -d adapters/rust-themis/core-0.12/target/prefix ]; then
  if ldd target/release/serve 2>/dev/null | grep -q libthemis; then
    # The core-0.12 build links Themis statically; a dynamic one is a core-0.15 build.
    skip "themis crate on core 0.12: target/release/serve links a shared libthemis (rebuild it with tools/native-themis.sh check)"
  else
    add themis-crate-0.12 target/release/serve
  fi
else
  skip "themis crate on core 0.12: not built (tools/native-themis.sh check builds it from registry crates)"
fi

if [ "$mode" = reports ] && [ ${#skipped[@]} -gt 0 ] && [ "${INTEROP_PARTIAL:-}" != 1 ]; then
  # The committed report holds every row; one written here would drop the rows named below.
  echo "refusing 'reports' with rows that cannot run here (INTEROP_PARTIAL=1 to write it anyway):" >&2
  for s in "${skipped[@]}"; do echo "  - $s" >&2; done
  exit 1
fi
args=(interop "${targets[@]}" --timeout 60 --expectations "$expectations")
fresh=
case "$mode" in
  check)
    fresh=$(mktemp)
    trap 'rm -f "$fresh"' EXIT
    args+=(--json "$fresh")
    ;;
  reports) args+=(--json reports/interop.json --markdown reports/interop.md) ;;
  update) args+=(--update-expectations) ;;
esac
echo "== sealcheck interop over the reference and $((${#targets[@]} / 2)) targets"
status=0
"$sealcheck" "${args[@]}" || status=$?
if [ -n "$fresh" ] && [ -s "$fresh" ]; then
  # The committed matrix must be what the rows that run here give, case by case.
  echo
  python3 tools/interop_compare.py "$fresh" reports/interop.json "$expectations" || status=1
fi
if [ ${#skipped[@]} -gt 0 ]; then
  echo
  echo "interop rows SKIPPED:"
  for s in "${skipped[@]}"; do echo "  - $s"; done
fi
exit $status
