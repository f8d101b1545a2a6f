#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian machine and runs them all:
# Swift tests (Swift Testing), the engine's pytest suite, and the end-to-end suite that
# drives the real `parley` binary with real clients. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-packages.sh --test
engine/install.sh --dev
[ -x tests/.venv/bin/python ] || python3 -m venv tests/.venv
tests/.venv/bin/pip install -q -r tests/requirements.txt
export OPENBLAS_NUM_THREADS=1
# promtool checks deploy/prometheus/alerts.yml. It comes from Debian's prometheus package,
# unpacked rather than installed: installing would start a Prometheus service.
tools="$PWD/.build/tools"
if [ ! -x "$tools/usr/bin/promtool" ]; then
  download=$(mktemp -d)
  (cd "$download" && { apt-get download -qq prometheus 2>/dev/null || { apt-get update -qq && apt-get download -qq prometheus; }; })
  mkdir -p "$tools"
  dpkg-deb -x "$download"/prometheus_*.deb "$tools"
  rm -rf "$download"
fi
export PROMTOOL="$tools/usr/bin/promtool"
echo "== swift build"
swift build --build-tests
echo "== swift test"
# Serially: the engine-backed suites each start model processes; two cores run them best one at a time.
swift test --skip-build --no-parallel
echo "== engine tests"
engine/.venv/bin/python -m pytest engine/tests -q
echo "== end-to-end tests"
tests/.venv/bin/python -m pytest tests/e2e -q
echo "== browser tests"
tests/.venv/bin/python -m pytest tests/ui -q
