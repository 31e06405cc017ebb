#!/bin/sh
# Regenerate every file under samples/ from the shared read-only data (default /work/shared/data).
# Usage (from the repository root): sh samples/tools/regenerate.sh [/path/to/shared/data]
# The outputs are deterministic: afterwards `git status samples` should show no change.
set -eu
DATA="${1:-/work/shared/data}"
python3 samples/tools/cut_fleet.py    --data "$DATA" --out samples/fleet
python3 samples/tools/cut_traces.py   --data "$DATA" --out samples/traces
python3 samples/tools/cut_nab.py      --data "$DATA" --out samples/nab
python3 samples/tools/cut_m4.py       --data "$DATA" --out samples/m4
python3 samples/tools/cut_failures.py --data "$DATA" --out samples/failures
