#!/usr/bin/env bash
# Install alveosim and everything it needs on a fresh Linux machine, then run
# the quickstart config end to end.
#   ./install.sh            CPU install: core + render, dist, analysis and test extras, system
#                           packages for headless rendering (EGL, Mesa), in .venv
#   ALVEOSIM_EXTRAS=gpu,render,test ./install.sh   adds the CUDA 13 stack
#   ALVEOSIM_SKIP_QUICKSTART=1 ./install.sh         install only
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
EXTRAS=${ALVEOSIM_EXTRAS:-render,dist,analysis,test}

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "alveosim needs Python 3.11 or newer; found $("$PYTHON" --version 2>&1)" >&2
  exit 1
fi

# System libraries for off-screen VTK rendering (EGL + Mesa) and video encoding.
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends libegl1 libgl1 libgl1-mesa-dri libglx-mesa0 libxrender1 >/dev/null
  else
    echo "note: not root and no sudo: skipping system packages (rendering may be unavailable)" >&2
  fi
else
  echo "note: no apt-get: install EGL and Mesa (libEGL, libGL, Mesa DRI drivers) yourself for rendering" >&2
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[${EXTRAS}]"

if [ "${ALVEOSIM_SKIP_QUICKSTART:-0}" != "1" ]; then
  .venv/bin/alveosim info
  .venv/bin/alveosim run configs/quickstart.yaml --out runs/quickstart --overwrite
fi
echo "alveosim installed in .venv — activate with: source .venv/bin/activate"
