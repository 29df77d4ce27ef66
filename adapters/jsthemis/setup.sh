#!/bin/sh
# Installs the pinned JsThemis and builds it, and the injected-randomness addon (rand/), against
# the Themis core in PREFIX (linked by rpath). Needs node-gyp (bundled with npm) and Node's
# headers (the Node.js package ships them under /usr/include/node).
#   sh adapters/jsthemis/setup.sh PREFIX
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=$(cd "$1" && pwd)
nodedir=${NODEDIR:-$(dirname "$(dirname "$(command -v node)")")}
gyp=$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
[ -f "$gyp" ] || gyp=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
export npm_config_nodedir="$nodedir"
export CXXFLAGS="-I$prefix/include" LDFLAGS="-L$prefix/lib -Wl,--disable-new-dtags,-rpath,$prefix/lib"
rm -rf "$here/node_modules/jsthemis/build"
(cd "$here" && npm ci --silent --no-audit --no-fund --foreground-scripts >/dev/null)
# npm ci runs the package's install script (node-gyp rebuild); make sure it did.
[ -f "$here/node_modules/jsthemis/build/Release/jsthemis.node" ] ||
  (cd "$here/node_modules/jsthemis" && node "$gyp" rebuild --nodedir="$nodedir" >/dev/null)
(cd "$here/rand" && node "$gyp" rebuild --nodedir="$nodedir" >/dev/null)
