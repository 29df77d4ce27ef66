#!/bin/sh
# Exports the corpus and checks the release as its users would: sha256sum -c, Python's
# jsonschema (pinned, in a venv of its own) against the exported schema, and sealcheck lint on
# the exported files. SEALCHECK: the binary (default target/release/sealcheck).
set -eu
cd "$(dirname "$0")/.."
SEALCHECK=${SEALCHECK:-target/release/sealcheck}
JSONSCHEMA=jsonschema==4.26.0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out="$tmp/corpus"
"$SEALCHECK" export --out "$out"
(cd "$out" && sha256sum -c --quiet SHA256SUMS)
echo "SHA256SUMS: every file checks"
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q --disable-pip-version-check "$JSONSCHEMA"
"$tmp/venv/bin/python" tools/validate-export.py "$out"
# shellcheck disable=SC2046
"$SEALCHECK" lint $(find "$out" -name '*.json' -not -path "$out/schema/*" | sort) | tail -1
