#!/bin/sh
# Builds adapters/gothemis/bin/gothemis against the Themis core in PREFIX (linked by rpath).
#   sh adapters/gothemis/setup.sh PREFIX
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=$(cd "$1" && pwd)
cd "$here"
CGO_CFLAGS="-I$prefix/include" \
CGO_LDFLAGS="-L$prefix/lib -Wl,--disable-new-dtags,-rpath,$prefix/lib" \
  go build -o bin/gothemis .
