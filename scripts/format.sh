#!/usr/bin/env bash
# Formats the Swift code (swift-format, part of the Swift toolchain; configured in
# .swift-format: layout only, no rewriting rules) and the Python code (ruff, pinned in
# tests/requirements.txt; configured in ruff.toml) in place.
#   scripts/format.sh            format everything
#   scripts/format.sh --check    change nothing; fail, naming the files, if anything would change
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x tests/.venv/bin/ruff ] || { python3 -m venv tests/.venv && tests/.venv/bin/pip install -q -r tests/requirements.txt; }
swift_code=(Package.swift Sources Tests)
if [ "${1:-}" = "--check" ]; then
  swift format lint --strict --recursive --parallel "${swift_code[@]}" \
    || { echo "Swift code is not formatted: run scripts/format.sh" >&2; exit 1; }
  tests/.venv/bin/ruff format --check . || { echo "Python code is not formatted: run scripts/format.sh" >&2; exit 1; }
else
  swift format format --in-place --recursive --parallel "${swift_code[@]}"
  tests/.venv/bin/ruff format --quiet .
fi
