#!/bin/sh
# Creates adapters/python-mixinsdk/.venv and installs the pinned release into it.
# Run from anywhere: sh adapters/python-mixinsdk/setup.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install -q -r "$here/requirements.txt"
