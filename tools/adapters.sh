#!/usr/bin/env bash
# Sets up every adapter and runs the corpus against each real implementation.
#
#   tools/adapters.sh check     run each against its expectations file (CI)
#   tools/adapters.sh reports   also write reports/<implementation>-<version>.{json,md} and the
#                               observation file vectors/observations/<implementation>-<version>.json
#   tools/adapters.sh update    rewrite the expectations files from this run (keeps reasons)
#
# Needs Go, Node.js with npm, and Python 3 with venv; installs the pinned implementations from
# their package registries.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-check}
sealcheck=${SEALCHECK:-target/debug/sealcheck}
[ -x "$sealcheck" ] || cargo build -q

(cd adapters/go-mixin && go build -o bin/go-mixin .)
npm ci --prefix adapters/wasm-themis --silent --no-audit --no-fund >/dev/null
npm ci --prefix adapters/node-mixin --silent --no-audit --no-fund >/dev/null
[ -x adapters/python-mixinsdk/.venv/bin/python ] || sh adapters/python-mixinsdk/setup.sh

# name | command | expectations file | report base name
targets=(
  "bot-api-go-client|adapters/go-mixin/bin/go-mixin -impl botapi|adapters/go-mixin/expectations-botapi.json|bot-api-go-client-v3.23.0"
  "fox-one/mixin-sdk-go|adapters/go-mixin/bin/go-mixin -impl foxone|adapters/go-mixin/expectations-foxone.json|fox-one-mixin-sdk-go-v2.1.3"
  "wasm-themis|node adapters/wasm-themis/adapter.js|adapters/wasm-themis/expectations.json|wasm-themis-0.15.0"
  "mixin-node-sdk|node adapters/node-mixin/adapter.js|adapters/node-mixin/expectations.json|mixin-node-sdk-3.1.16"
  "PyPI mixinsdk|adapters/python-mixinsdk/.venv/bin/python adapters/python-mixinsdk/adapter.py|adapters/python-mixinsdk/expectations.json|python-mixinsdk-0.2.1"
)

status=0
for t in "${targets[@]}"; do
  IFS='|' read -r name cmd exp base <<<"$t"
  args=(run --target "$cmd" --expectations "$exp" --timeout 30)
  case "$mode" in
    check) ;;
    reports) args+=(--json "reports/$base.json" --markdown "reports/$base.md" --observe "vectors/observations/$base.json") ;;
    update) args+=(--update-expectations) ;;
    *) echo "usage: $0 check|reports|update" >&2; exit 2 ;;
  esac
  echo "== $name"
  if ! "$sealcheck" "${args[@]}" | tail -n 3; then
    status=1
  fi
done
if [ "$mode" = reports ]; then
  python3 tools/report_matrix.py reports/*.json > reports/matrix.md
fi
exit $status
