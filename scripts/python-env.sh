#!/usr/bin/env bash
# Creates the project's Python venv (.build-venv/) with the packages of
# Tests/interop/requirements.txt (grpcio, grpcio-tools, pytest, ...).
#
#   scripts/python-env.sh            create or update; prints nothing else when up to date
#
# Environment: PYTHON (default python3, must be >= 3.9), VENV (default .build-venv).
# Re-installs only when requirements.txt changed since the last successful run.
set -euo pipefail

cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
venv=${VENV:-.build-venv}
requirements=Tests/interop/requirements.txt
stamp="$venv/.requirements.sha256"

if ! command -v "$python" >/dev/null 2>&1; then
  echo "python-env.sh: '$python' not found; install CPython 3.9+ or set PYTHON=" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))'; then
  echo "python-env.sh: $("$python" --version 2>&1) is too old; need 3.9+ (set PYTHON=)" >&2
  exit 1
fi

# A venv whose interpreter no longer runs (python upgraded or moved) is rebuilt.
if [ -d "$venv" ] && ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  echo "python-env.sh: $venv is broken; recreating it"
  rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "python-env.sh: creating $venv with $("$python" --version 2>&1)"
  if ! "$python" -m venv "$venv"; then
    rm -rf "$venv"
    echo "python-env.sh: '$python -m venv' failed; on Debian's python3: apt-get install python3-venv" >&2
    exit 1
  fi
fi

wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi
echo "python-env.sh: installing $requirements into $venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$requirements"
echo "$wanted" > "$stamp"
