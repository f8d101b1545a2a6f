#!/usr/bin/env bash
# Installs the Debian packages Parley needs: ffmpeg (playback copies, test fixtures),
# sox and espeak-ng (synthetic test meetings), SQLite headers (GRDB). Skips what is there.
# With --test also what only the tests use: nginx and openssl (the reverse-proxy test runs
# deploy/nginx/parley.conf with a self-signed certificate). Not for a server: installing
# Debian's nginx starts its default site on port 80.
set -euo pipefail
wanted=(ffmpeg sox espeak-ng libsqlite3-dev python3-venv chromium)
[ "${1:-}" = "--test" ] && wanted+=(nginx openssl)
missing=()
for package in "${wanted[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
as_root=()
[ "$(id -u)" -ne 0 ] && as_root=(sudo)
echo "[parley setup] installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
