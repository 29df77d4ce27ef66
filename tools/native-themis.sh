#!/usr/bin/env bash
# Native Themis: builds a Themis core, builds every native adapter against it (each pinned),
# and runs the corpus against each row.
#
#   tools/native-themis.sh build SRC [PREFIX]   build the core from a Themis source tree SRC
#                                               (a checkout of cossacklabs/themis, e.g. tag
#                                               0.15.5) with make and Debian's libssl-dev into
#                                               PREFIX (default target/native-themis/prefix-VERSION)
#   tools/native-themis.sh clone TAG [PREFIX]   the same from a fresh clone of tag TAG, where the
#                                               machine can reach the repository (never in CI)
#   tools/native-themis.sh check                 run every row against its expectations file (CI)
#   tools/native-themis.sh reports               also write reports/<row>.{json,md}, the matrix and
#                                               each row's observation file (vectors/observations/)
#   tools/native-themis.sh update                rewrite the expectations files (keeps reasons)
#
# Rows: PyThemis, GoThemis, JsThemis and the themis crate on a core 0.15 (THEMIS_PREFIX, or
# wherever pkg-config finds libthemis); the themis crate on core 0.12 built from registry
# crates alone (libthemis-src + openssl-src), always. A row that cannot run is named, with the
# reason; it never passes silently.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:-check}
sealcheck=${SEALCHECK:-target/release/sealcheck}

pc_version() { sed -n 's/^Version:[[:space:]]*//p' "$1/lib/pkgconfig/libthemis.pc"; }

build_core() {
  local src prefix version
  src=$(cd "$1" && pwd)
  [ -f "$src/src/themis/secure_message.c" ] || { echo "$src is not a Themis source tree" >&2; exit 2; }
  # THEMIS_VERSION, or the tag when SRC is a git checkout, or else the tree's VERSION file
  # (which says 0.15.0 in the 0.15.5 tree: the core sources did not change after 0.15.0).
  version=${THEMIS_VERSION:-}
  if [ -z "$version" ] && [ -e "$src/.git" ]; then
    version=$(git -C "$src" describe --tags --exact-match 2>/dev/null || true)
  fi
  [ -n "$version" ] || version=$(cat "$src/VERSION")
  prefix=${2:-target/native-themis/prefix-$version}
  mkdir -p "$prefix"
  prefix=$(cd "$prefix" && pwd)
  echo "== building Themis core $version from $src into $prefix"
  make -C "$src" -s ENGINE=openssl VERSION="$version" PREFIX="$prefix" \
    BUILD_PATH="$root/target/native-themis/build-$version" install >/dev/null
  echo "installed; run the rows with: THEMIS_PREFIX=$prefix tools/native-themis.sh check"
}

case "$mode" in
  build)
    [ $# -ge 2 ] || { echo "usage: $0 build SRC [PREFIX]" >&2; exit 2; }
    build_core "$2" "${3:-}"
    exit 0
    ;;
  clone)
    [ $# -ge 2 ] || { echo "usage: $0 clone TAG [PREFIX]" >&2; exit 2; }
    if [ "${CI:-}" = true ]; then
      echo "clone: CI reaches only the package registries; give a source tree to 'build'" >&2
      exit 2
    fi
    dir=target/native-themis/src-$2
    [ -d "$dir" ] || git clone -q --depth 1 --branch "$2" https://github.com/cossacklabs/themis "$dir"
    build_core "$dir" "${3:-}"
    exit 0
    ;;
  check | reports | update) ;;
  *)
    echo "usage: $0 build SRC [PREFIX] | clone TAG [PREFIX] | check | reports | update" >&2
    exit 2
    ;;
esac

[ -x "$sealcheck" ] || cargo build --release -q
status=0
skipped=()
ran=()

# run NAME REPORT-BASE EXPECTATIONS COMMAND [EXCLUDE-FILE]: one row through the protocol.
run() {
  local name=$1 base=$2 exp=$3 cmd=$4 unstable=${5:-}
  local args=(run --target "$cmd" --expectations "$exp" --timeout 30)
  if [ -n "$unstable" ]; then
    while read -r pattern; do
      case "$pattern" in '' | '#'*) ;; *) args+=(--exclude "$pattern") ;; esac
    done <"$unstable"
  fi
  case "$mode" in
    reports) args+=(--json "reports/$base.json" --markdown "reports/$base.md" --observe "vectors/observations/$base.json") ;;
    update) args+=(--update-expectations) ;;
  esac
  echo "== $name"
  # The row's verdict is sealcheck's exit status; grep only picks the lines worth showing
  # (the summary, the verdict, PARTIAL, every failure).
  local out rc=0
  out=$("$sealcheck" "${args[@]}") || rc=$?
  printf '%s\n' "$out" | grep -E "^(FAIL|UNEXPECTED|PARTIAL|INCIDENT)|vectors|conforming|known failures to" || true
  if [ "$rc" -eq 0 ]; then
    ran+=("$name")
  else
    status=1
    ran+=("$name (FAILED)")
  fi
}

# The themis crate in process: its own tests run the corpus through sealcheck's engine.
crate_tests() {
  local name=$1
  shift
  echo "== $name: cargo test (in process)"
  if [ "$mode" = update ]; then
    return 0
  fi
  if ! (cd adapters/rust-themis && env "$@" cargo test --release -q 2>&1 | grep -E "^test result|FAILED|panicked"); then
    status=1
  fi
}

# --- core 0.15: wherever it is installed -------------------------------------------------
prefix15=${THEMIS_PREFIX:-}
if [ -z "$prefix15" ] && pkg-config --exists libthemis 2>/dev/null; then
  prefix15=$(pkg-config --variable=prefix libthemis)
fi
if [ -z "$prefix15" ]; then
  skipped+=("PyThemis, GoThemis, JsThemis and the themis crate on core 0.15: no Themis core installed (set THEMIS_PREFIX, or build one with '$0 build SRC'; CI cannot clone the source)")
elif [ ! -f "$prefix15/lib/pkgconfig/libthemis.pc" ]; then
  skipped+=("the core-0.15 rows: $prefix15 has no lib/pkgconfig/libthemis.pc")
else
  prefix15=$(cd "$prefix15" && pwd)
  core=$(pc_version "$prefix15")
  echo "== core $core in $prefix15"
  [ -x adapters/pythemis/.venv/bin/python ] || sh adapters/pythemis/setup.sh
  run "PyThemis 0.15.0 on core $core" "pythemis-0.15.0-core-$core" adapters/pythemis/expectations.json \
    "adapters/pythemis/.venv/bin/python adapters/pythemis/adapter.py --prefix $prefix15"

  if command -v go >/dev/null; then
    sh adapters/gothemis/setup.sh "$prefix15"
    run "GoThemis v0.15.0 on core $core" "gothemis-v0.15.0-core-$core" adapters/gothemis/expectations.json \
      "adapters/gothemis/bin/gothemis -prefix $prefix15"
  else
    skipped+=("GoThemis: no Go toolchain")
  fi

  if command -v node >/dev/null && command -v npm >/dev/null; then
    sh adapters/jsthemis/setup.sh "$prefix15" 2>/dev/null
    run "JsThemis 0.12.0 on core $core" "jsthemis-0.12.0-core-$core" adapters/jsthemis/expectations.json \
      "node adapters/jsthemis/adapter.js --prefix $prefix15"
  else
    skipped+=("JsThemis: no Node.js/npm")
  fi

  pc15=(PKG_CONFIG_PATH="$prefix15/lib/pkgconfig")
  crate_tests "themis crate 0.14.0 on core $core" "${pc15[@]}"
  (cd adapters/rust-themis && env "${pc15[@]}" cargo build --release -q --bin serve)
  run "themis crate 0.14.0 on core $core (serve)" "themis-crate-0.14.0-core-$core" \
    adapters/rust-themis/expectations.json adapters/rust-themis/target/release/serve
fi

# --- core 0.12: from registry crates alone, every time ------------------------------------
prefix12=$root/adapters/rust-themis/core-0.12/target/prefix
start=$(date +%s)
echo "== core 0.12 (libthemis-src 0.12.0 + openssl-src 1.1.1w) into $prefix12"
rm -rf "$prefix12"
(cd adapters/rust-themis/core-0.12 && cargo run --release -q -- "$prefix12" >/dev/null)
# The main crate's target dir: its release build of sealcheck's dependencies is reused (the
# crate's Cargo.lock is kept in step with the main one), which saves CI most of a build.
pc12=(PKG_CONFIG_PATH="$prefix12/lib/pkgconfig" PKG_CONFIG_ALL_STATIC=1
  SEALCHECK_OPENSSL_DIR="$prefix12/openssl" CARGO_TARGET_DIR="$root/target")
crate_tests "themis crate 0.14.0 on core 0.12.0" "${pc12[@]}"
(cd adapters/rust-themis && env "${pc12[@]}" cargo build --release -q --bin serve)
run "themis crate 0.14.0 on core 0.12.0 (serve)" "themis-crate-0.14.0-core-0.12.0" \
  adapters/rust-themis/expectations-core-0.12.json target/release/serve \
  adapters/rust-themis/unstable-core-0.12.txt
echo "core-0.12 row: $(($(date +%s) - start)) s to build and run"

if [ "$mode" = reports ]; then
  python3 tools/report_matrix.py reports/*.json >reports/matrix.md
fi

echo
echo "native Themis rows run:"
for r in "${ran[@]}"; do echo "  - $r"; done
if [ ${#skipped[@]} -gt 0 ]; then
  echo "native Themis rows SKIPPED:"
  for s in "${skipped[@]}"; do echo "  - $s"; done
fi
exit $status
