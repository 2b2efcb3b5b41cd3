#!/usr/bin/env bash
# One-time set-up of a fresh Debian 12 machine for wm.
# Installs, with apt, the C/C++ libraries wm links against and the tools its tests use:
#   libeigen3-dev   Eigen 3.4 (the CGeometry shim)
#   libopenblas-dev OpenBLAS cblas_sgemm (every MLP)
#   libmujoco-dev   MuJoCo 2.2 (the teacher)
#   libglfw3-dev    GLFW 3 (the optional viewer)
#   libpng-dev zlib1g-dev  PNG frames, .npz deflate
#   libgif-dev      giflib 5.2 (the animated GIF of wm demo / wm rollout --gif)
#   libopenmpi-dev openmpi-bin  Open MPI 4.1 (the optional MPI trait: data-parallel wm train under mpirun/srun)
#   slurm-wlm munge  a one-node Slurm (tools/slurm-one-node.sh) for the docs/cluster sbatch test
#   pkg-config xvfb
# Then fetches dm_control's MJCF scenes into /tmp/dmc (tools/fetch-dm-control.sh; skipped without PyPI).
# Idempotent: packages already present are left alone. Run as root (or with sudo available).
set -euo pipefail

packages=(libeigen3-dev libopenblas-dev libmujoco-dev libglfw3-dev libpng-dev zlib1g-dev libgif-dev libopenmpi-dev openmpi-bin
          slurm-wlm munge pkg-config xvfb)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

fetch_scenes() { bash "$(dirname "$0")/fetch-dm-control.sh" || true; }

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed (${packages[*]})"
  fetch_scenes
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup: need root to install: ${missing[*]}" >&2; exit 1
  fi
fi

echo "setup: installing with apt: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# apt once failed here mid-unpack with a vanished temp folder; the same command again succeeded: retry once.
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  echo "setup: apt-get install failed once, retrying"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
fetch_scenes
echo "setup: done"
