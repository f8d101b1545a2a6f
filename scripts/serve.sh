#!/usr/bin/env bash
# Sets up everything on a fresh Debian machine and runs the Parley server on embedded
# defaults: SQLite + audio in one data directory, the bundled offline tiny.en model.
# On the first run it creates the user `admin` and prints its API token.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-packages.sh
engine/install.sh
swift build -c release --product parley
data="${PARLEY_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/parley-server}"
if [ ! -f "$data/parley.sqlite" ]; then
  token=$(.build/release/parley user add admin --data "$data")
  echo "Created user admin. API token (shown once): $token"
fi
exec .build/release/parley serve --data "$data" "$@"
