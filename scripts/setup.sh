#!/usr/bin/env bash
# One-time set-up on a fresh machine: a virtual environment in .venv with
# porescope installed. Safe to run again.
#
#   bash scripts/setup.sh          # what `porescope` itself needs
#   bash scripts/setup.sh --test   # plus the study and PostgreSQL extras, the test tools
#                                  # (pytest, ruff, ...), and the system packages the
#                                  # tests drive for real: Debian's chromium (web
#                                  # end-to-end tests) and postgresql (history store)
set -euo pipefail
cd "$(dirname "$0")/.."
TEST=0
[ "${1:-}" = "--test" ] && TEST=1
PY=${PYTHON:-python3}
[ -d .venv ] || "$PY" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
if [ "$TEST" = 1 ]; then
  python -m pip install -q -e '.[test,study,postgres]'
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q >/dev/null
      apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "setup: ${missing[*]} not installed (needs root + apt-get); those tests will be skipped" >&2
    fi
  fi
else
  python -m pip install -q -e .
fi
