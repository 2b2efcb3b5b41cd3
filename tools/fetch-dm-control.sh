#!/usr/bin/env bash
# Fetches the dm_control suite's MJCF scenes (stacker.xml, manipulator.xml, ...; Apache-2.0) from PyPI's
# dm-control 1.0.50 wheel into /tmp/dmc/dm_control/suite. They are never copied into this repository.
# Tests that need them skip with a message when this could not run (no PyPI).
set -uo pipefail
dest=${1:-/tmp/dmc}
if [ -f "$dest/dm_control/suite/stacker.xml" ]; then
  echo "fetch-dm-control: $dest/dm_control/suite already there"; exit 0
fi
mkdir -p "$dest"
wheel=$(ls "$dest"/dm_control-1.0.50-*.whl 2>/dev/null | head -n 1)
if [ -z "$wheel" ]; then
  if ! python3 -m pip download -q --no-deps dm-control==1.0.50 -d "$dest"; then
    echo "fetch-dm-control: could not download dm-control 1.0.50 from PyPI; the dm_control tests will skip" >&2; exit 0
  fi
  wheel=$(ls "$dest"/dm_control-1.0.50-*.whl | head -n 1)
fi
python3 - "$wheel" "$dest" <<'PY'
import sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith("dm_control/suite/") and (name.endswith(".xml") or "/common/" in name):
            z.extract(name, dest)
PY
echo "fetch-dm-control: unpacked $dest/dm_control/suite"
