#!/usr/bin/env bash
# One-time set-up on a fresh machine: a virtual environment in .venv with
# porescope and its test tools installed. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -d .venv ] || "$PY" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q -e '.[test]'
