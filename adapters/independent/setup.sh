#!/bin/sh
# Creates adapters/independent/.venv and installs the pinned dependencies into it.
# Run from anywhere: sh adapters/independent/setup.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install -q -r "$here/requirements.txt"
