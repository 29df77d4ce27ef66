#!/bin/sh
# Creates adapters/pythemis/.venv with the pinned PyThemis and compiles the injected-randomness
# shim (adapters/themis-rand) against the system's libcrypto, the one the core links.
# Run from anywhere: sh adapters/pythemis/setup.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install -q -r "$here/requirements.txt"
cc -O2 -fPIC -shared -Wall -Wextra -o "$here/.venv/libsealcheck_rand.so" \
  "$here/../themis-rand/sealcheck_rand.c" $(pkg-config --cflags --libs libcrypto)
